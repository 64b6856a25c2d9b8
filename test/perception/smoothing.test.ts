import { describe, expect, it } from "vitest";
import { drawLine, drawSkeleton, fillDisc } from "../../src/perception/draw.js";
import { type SmoothingFrame, smoothHands } from "../../src/perception/smoothing.js";

/** A still hand with seeded ±2 px / ±2 mm jitter, 30 Hz. */
function jitteryFrames(n: number, side: "left" | "right" = "right", trackId = 0): SmoothingFrame[] {
  let s = 7;
  const noise = () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647 - 0.5) * 4;
  };
  return Array.from({ length: n }, (_, i) => ({
    t: i / 30,
    hands: [
      {
        side,
        trackId,
        keypointsPx: Array.from({ length: 21 }, (_, k): [number, number] => [
          500 + k * 5 + noise(),
          400 + k * 3 + noise(),
        ]),
        keypointsCam: Array.from({ length: 21 }, (_, k): [number, number, number] => [
          0.1 + k * 0.005 + noise() / 1000,
          0.05 + noise() / 1000,
          0.5 + noise() / 1000,
        ]),
      },
    ],
  }));
}

const jitter = (frames: SmoothingFrame[]): number => {
  let sum = 0;
  for (let i = 1; i < frames.length; i++)
    sum += Math.abs(frames[i]!.hands[0]!.keypointsPx[3]![0] - frames[i - 1]!.hands[0]!.keypointsPx[3]![0]);
  return sum / (frames.length - 1);
};

describe("smoothHands (One-Euro)", () => {
  it("at least halves the frame-to-frame jitter of a still hand, in pixels and metres", () => {
    const raw = jitteryFrames(60);
    const before = structuredClone(raw);
    const out = smoothHands(raw);
    expect(raw).toEqual(before);
    expect(jitter(out)).toBeLessThan(jitter(raw) / 2);
    const depthJitter = (frames: SmoothingFrame[]) => {
      const z = frames.map((f) => f.hands[0]!.keypointsCam[0]![2]);
      return z.slice(1).reduce((a, v, i) => a + Math.abs(v - z[i]!), 0) / (z.length - 1);
    };
    expect(depthJitter(out)).toBeLessThan(depthJitter(raw) / 2);
    // Inputs untouched; first sample passes through.
    expect(out[0]!.hands[0]!.keypointsPx[0]![0]).toBeCloseTo(raw[0]!.hands[0]!.keypointsPx[0]![0], 9);
    expect(out).not.toBe(raw);
    expect(out[5]!.hands[0]!.keypointsPx[3]).not.toEqual(raw[5]!.hands[0]!.keypointsPx[3]);
  });

  it("restarts at a gap and at a new track: the first sample after it is not pulled towards the old hand", () => {
    const a = jitteryFrames(10, "right", 0);
    const moved = jitteryFrames(10, "right", 1).map((f, i) => ({
      t: (i + 10) / 30,
      hands: f.hands.map((h) => ({
        ...h,
        keypointsPx: h.keypointsPx.map(([x, y]): [number, number] => [x + 300, y]),
      })),
    }));
    const first = (frames: SmoothingFrame[], i: number) => frames[i]!.hands[0]!.keypointsPx[0]!;
    const want = moved[0]!.hands[0]!.keypointsPx[0]!;
    const out = smoothHands([...a, ...moved]);
    expect(first(out, 10)[0]).toBeCloseTo(want[0], 9);
    expect(first(out, 10)[1]).toBeCloseTo(want[1], 9);
    const gap = [
      ...a,
      { t: 10 / 30, hands: [] },
      ...moved.map((f) => ({ ...f, hands: f.hands.map((h) => ({ ...h, trackId: 0 })) })),
    ];
    expect(first(smoothHands(gap), 11)[0]).toBeCloseTo(want[0], 9);
  });
});

describe("draw (overlay raster)", () => {
  const img = () => ({ widthPx: 40, heightPx: 30, rgb: new Uint8Array(40 * 30 * 3) });
  const lit = (i: { rgb: Uint8Array }) => i.rgb.reduce((n, v, k) => n + (k % 3 === 0 && v > 0 ? 1 : 0), 0);

  it("a disc covers about πr² pixels; lines and skeletons clip at the image edge without throwing", () => {
    const a = img();
    fillDisc(a, 20, 15, 5, [255, 0, 0]);
    expect(lit(a)).toBeGreaterThan(70);
    expect(lit(a)).toBeLessThan(90);
    const b = img();
    drawLine(b, -100, 15, 100, 15, 2, [255, 0, 0]);
    expect(lit(b)).toBeGreaterThanOrEqual(40);
    const c = img();
    drawSkeleton(
      c,
      Array.from({ length: 21 }, (_, k) => [k * 3 - 10, 35 - k * 2]),
      [255, 0, 0],
      [255, 255, 255],
      2,
    );
    drawLine(c, Number.NaN, 0, 5, 5, 2, [255, 0, 0]);
    expect(lit(c)).toBeGreaterThan(0);
  });
});
