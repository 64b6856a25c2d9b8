import { describe, expect, it } from "vitest";
import { anchorScale, ssdAnchors } from "../../src/perception/anchors.js";
import type { AnchorsConfig } from "../../src/perception/model_registry.js";

/** MediaPipe's palm detection anchor options (palm_detection_cpu.pbtxt), for a given input size. */
const palmConfig = (size: number): AnchorsConfig => ({
  numLayers: 4,
  minScale: 0.1484375,
  maxScale: 0.75,
  inputSizeWidth: size,
  inputSizeHeight: size,
  anchorOffsetX: 0.5,
  anchorOffsetY: 0.5,
  strides: [8, 16, 16, 16],
  aspectRatios: [1.0],
  interpolatedScaleAspectRatio: 1.0,
  fixedAnchorSize: true,
  reduceBoxesInLowestLayer: false,
});

/**
 * The anchor layout written out independently of the implementation: stride-8 grid with 2 anchors
 * per cell (1 aspect ratio + 1 interpolated), then the three stride-16 layers merged into one grid
 * with 3 × 2 = 6 anchors per cell; centres ((x + 0.5) / fm, (y + 0.5) / fm), fixed size 1.
 */
function expectedAnchors(size: number): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (const [stride, perCell] of [
    [8, 2],
    [16, 6],
  ] as const) {
    const fm = Math.ceil(size / stride);
    for (let y = 0; y < fm; y++)
      for (let x = 0; x < fm; x++)
        for (let a = 0; a < perCell; a++) out.push({ x: (x + 0.5) / fm, y: (y + 0.5) / fm });
  }
  return out;
}

describe("ssdAnchors (MediaPipe SsdAnchorsCalculator)", () => {
  it.each([
    [192, 2016, 24 * 24 * 2],
    [128, 896, 16 * 16 * 2],
  ])("input %i gives %i anchors, the first %i on the stride-8 grid", (size, count, firstLayer) => {
    const anchors = ssdAnchors(palmConfig(size));
    expect(anchors).toHaveLength(count);
    const want = expectedAnchors(size);
    expect(want).toHaveLength(count);
    const fm8 = size / 8;
    const fm16 = size / 16;
    // First and last anchors, and the first of the merged stride-16 grid.
    expect(anchors[0]).toEqual({ xCenter: 0.5 / fm8, yCenter: 0.5 / fm8, width: 1, height: 1 });
    expect(anchors[1]).toEqual(anchors[0]);
    expect(anchors[firstLayer]).toEqual({ xCenter: 0.5 / fm16, yCenter: 0.5 / fm16, width: 1, height: 1 });
    expect(anchors[count - 1]).toEqual({
      xCenter: (fm16 - 0.5) / fm16,
      yCenter: (fm16 - 0.5) / fm16,
      width: 1,
      height: 1,
    });
    anchors.forEach((a, i) => {
      expect(a.xCenter).toBeCloseTo(want[i]!.x, 12);
      expect(a.yCenter).toBeCloseTo(want[i]!.y, 12);
    });
  });

  it("scales interpolate linearly over the strides (CalculateScale)", () => {
    expect(anchorScale(0.1, 0.7, 0, 4)).toBeCloseTo(0.1, 12);
    expect(anchorScale(0.1, 0.7, 3, 4)).toBeCloseTo(0.7, 12);
    expect(anchorScale(0.1, 0.7, 1, 4)).toBeCloseTo(0.3, 12);
    expect(anchorScale(0.2, 0.6, 0, 1)).toBeCloseTo(0.4, 12);
  });

  it("without fixed anchor size, sizes follow the scales: layer 0 gets s0 and √(s0·s1)", () => {
    const c = { ...palmConfig(192), fixedAnchorSize: false };
    const anchors = ssdAnchors(c);
    const s0 = anchorScale(c.minScale, c.maxScale, 0, 4);
    const s1 = anchorScale(c.minScale, c.maxScale, 1, 4);
    expect(anchors[0]!.width).toBeCloseTo(s0, 12);
    expect(anchors[1]!.width).toBeCloseTo(Math.sqrt(s0 * s1), 12);
    // The last anchor of the last merged layer is interpolated with scale_next = 1.
    expect(anchors[2015]!.height).toBeCloseTo(Math.sqrt(c.maxScale * 1), 12);
  });

  it("rejects a config whose layer count and strides disagree", () => {
    expect(() => ssdAnchors({ ...palmConfig(192), numLayers: 3 })).toThrow(/numLayers/);
  });
});
