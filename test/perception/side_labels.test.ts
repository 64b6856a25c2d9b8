import { describe, expect, it } from "vitest";
import { createRng } from "../../src/core/rng.js";
import { MAX_CUE_LOG_ODDS } from "../../src/perception/handedness.js";
import { EXCLUSION_LOG_ODDS, labelTracks, type SideEvidence } from "../../src/perception/side_labels.js";

/** A track seen over frames [from, to) with `logOdds` per frame (a number or a function of the frame). */
interface Span {
  id: number;
  from: number;
  to: number;
  logOdds: number | ((frame: number) => number);
}

function framesOf(spans: readonly Span[]): SideEvidence[][] {
  const n = Math.max(0, ...spans.map((s) => s.to));
  return Array.from({ length: n }, (_, f) =>
    spans
      .filter((s) => f >= s.from && f < s.to)
      .map((s) => ({
        trackId: s.id,
        logOddsRight: typeof s.logOdds === "number" ? s.logOdds : s.logOdds(f),
      })),
  );
}

/** The objective labelTracks maximises, for a labelling (+1 right, −1 left). */
function objective(frames: SideEvidence[][], sign: Map<number, number>): number {
  let v = 0;
  for (const hands of frames) {
    for (const h of hands) v += sign.get(h.trackId)! * h.logOddsRight;
    for (let i = 0; i < hands.length; i++)
      for (let j = i + 1; j < hands.length; j++)
        if (sign.get(hands[i]!.trackId) === sign.get(hands[j]!.trackId)) v -= EXCLUSION_LOG_ODDS;
  }
  return v;
}

const signs = (labels: Map<number, string>) =>
  new Map([...labels].map(([t, s]) => [t, s === "right" ? 1 : -1]));

describe("labelTracks (side_labels.ts)", () => {
  it("no frames, no labels", () => {
    expect(labelTracks([]).size).toBe(0);
  });

  it("a track keeps one side through a stretch of contrary frames: the sum over the track decides", () => {
    // 80 frames clearly left, then 46 frames mildly 'right' (a lone hand the classifier mistakes).
    const frames = framesOf([{ id: 0, from: 0, to: 126, logOdds: (f) => (f < 80 ? -1.5 : 0.8) }]);
    expect(labelTracks(frames).get(0)).toBe("left");
  });

  it("no evidence at all goes to the right hand", () => {
    expect(labelTracks(framesOf([{ id: 3, from: 0, to: 5, logOdds: 0 }])).get(3)).toBe("right");
  });

  it("a short, weakly left track seen with a clearly left hand takes the other side", () => {
    const frames = framesOf([
      { id: 0, from: 0, to: 126, logOdds: -2.5 },
      { id: 3, from: 83, to: 90, logOdds: -0.3 },
    ]);
    const sides = labelTracks(frames);
    expect(sides.get(0)).toBe("left");
    expect(sides.get(3)).toBe("right");
  });

  it("two skeletons both clearly right (a duplicate the tracker kept) both stay right", () => {
    const frames = framesOf([
      { id: 2, from: 20, to: 64, logOdds: MAX_CUE_LOG_ODDS },
      { id: 3, from: 42, to: 63, logOdds: 0.9 * MAX_CUE_LOG_ODDS },
    ]);
    const sides = labelTracks(frames);
    expect([sides.get(2), sides.get(3)]).toEqual(["right", "right"]);
  });

  it("exclusion carries along a chain of tracks without evidence of their own", () => {
    const frames = framesOf([
      { id: 0, from: 0, to: 20, logOdds: 2 },
      { id: 1, from: 15, to: 40, logOdds: 0 },
      { id: 2, from: 35, to: 60, logOdds: 0 },
      { id: 3, from: 55, to: 70, logOdds: 0 },
    ]);
    const sides = labelTracks(frames);
    expect([0, 1, 2, 3].map((t) => sides.get(t))).toEqual(["right", "left", "right", "left"]);
  });

  it("is the exact optimum on seeded random two-hand videos (against brute force)", () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 40; trial++) {
      // Two lanes of tracks (at most two hands per frame), each track with a random evidence level.
      const spans: Span[] = [];
      let id = 0;
      for (let lane = 0; lane < 2; lane++) {
        let f = rng.int(5);
        while (f < 60 && id < 12) {
          const len = 3 + rng.int(15);
          const level = rng.uniform(-1.5, 1.5);
          spans.push({ id: id++, from: f, to: f + len, logOdds: level });
          f += len + rng.int(4);
        }
      }
      const frames = framesOf(spans);
      const got = objective(frames, signs(labelTracks(frames)));
      let best = Number.NEGATIVE_INFINITY;
      for (let mask = 0; mask < 1 << spans.length; mask++) {
        const s = new Map(spans.map((sp, i): [number, number] => [sp.id, mask & (1 << i) ? 1 : -1]));
        best = Math.max(best, objective(frames, s));
      }
      expect(got).toBeCloseTo(best, 9);
    }
  });

  it("three hands in one frame (two people): each labelled, the clearly opposite ones apart", () => {
    const frames = framesOf([
      { id: 0, from: 0, to: 10, logOdds: 2.5 },
      { id: 1, from: 0, to: 10, logOdds: 0.2 },
      { id: 2, from: 0, to: 10, logOdds: -2.5 },
    ]);
    const sides = labelTracks(frames);
    expect(sides.size).toBe(3);
    expect(sides.get(0)).toBe("right");
    expect(sides.get(2)).toBe("left");
  });
});
