import { describe, expect, it } from "vitest";
import { DUPLICATE_OVERLAP, overlapOfSmaller } from "../../src/perception/hand_tracker.js";
import { iou, weightedNms } from "../../src/perception/non_max_suppression.js";
import { sigmoid, tensorsToDetections } from "../../src/perception/tensors_to_detections.js";
import type { Detection } from "../../src/perception/types.js";

const det = (
  score: number,
  xMin: number,
  yMin: number,
  xMax: number,
  yMax: number,
  kp: [number, number] = [0, 0],
): Detection => ({
  score,
  xMin,
  yMin,
  xMax,
  yMax,
  keypoints: [kp],
});

describe("iou", () => {
  it("is 1 for identical boxes, 0 for disjoint or touching ones", () => {
    expect(iou(det(1, 0, 0, 1, 1), det(1, 0, 0, 1, 1))).toBe(1);
    expect(iou(det(1, 0, 0, 1, 1), det(1, 2, 2, 3, 3))).toBe(0);
    expect(iou(det(1, 0, 0, 1, 1), det(1, 1, 0, 2, 1))).toBe(0);
  });
  it("half-overlapping unit boxes: 0.5 / 1.5", () => {
    expect(iou(det(1, 0, 0, 1, 1), det(1, 0.5, 0, 1.5, 1))).toBeCloseTo(1 / 3, 12);
  });
  it("a degenerate (zero-area) box gives 0, not NaN", () => {
    expect(iou(det(1, 0, 0, 0, 0), det(1, 0, 0, 0, 0))).toBe(0);
  });
});

describe("weightedNms (MediaPipe WEIGHTED, IoU)", () => {
  const o = { minSuppressionIou: 0.3, maxDetections: 10 };

  it("merges an overlapping cluster into the score-weighted mean, keeping the top score", () => {
    const a = det(0.9, 0, 0, 1, 1, [0.5, 0.5]);
    const b = det(0.6, 0.1, 0, 1.1, 1, [0.6, 0.5]);
    const [m, ...rest] = weightedNms([b, a], o);
    expect(rest).toHaveLength(0);
    expect(m!.score).toBe(0.9);
    expect(m!.xMin).toBeCloseTo((0.9 * 0 + 0.6 * 0.1) / 1.5, 12);
    expect(m!.xMax).toBeCloseTo((0.9 * 1 + 0.6 * 1.1) / 1.5, 12);
    expect(m!.keypoints[0]![0]).toBeCloseTo((0.9 * 0.5 + 0.6 * 0.6) / 1.5, 12);
  });

  it("keeps two hands apart and orders them by score", () => {
    const out = weightedNms([det(0.6, 0, 0, 1, 1), det(0.8, 3, 3, 4, 4)], o);
    expect(out.map((d) => d.score)).toEqual([0.8, 0.6]);
    expect(out[1]!.xMin).toBe(0);
  });

  it("an overlap exactly at the threshold is not suppressed (strictly greater, as MediaPipe)", () => {
    // Boxes [0,1] and [0.5,1.5] overlap with IoU 1/3; with threshold 1/3 both survive.
    const out = weightedNms([det(0.9, 0, 0, 1, 1), det(0.5, 0.5, 0, 1.5, 1)], {
      ...o,
      minSuppressionIou: 1 / 3,
    });
    expect(out).toHaveLength(2);
  });

  it("stops at maxDetections and returns nothing for no input", () => {
    const many = Array.from({ length: 5 }, (_, i) => det(0.5 + i / 10, i * 2, 0, i * 2 + 1, 1));
    expect(weightedNms(many, { ...o, maxDetections: 2 }).map((d) => d.score)).toEqual([0.9, 0.8]);
    expect(weightedNms([], o)).toEqual([]);
  });

  it("does not modify its input", () => {
    const input = [det(0.9, 0, 0, 1, 1), det(0.6, 0.1, 0, 1.1, 1)];
    const copy = structuredClone(input);
    weightedNms(input, o);
    expect(input).toEqual(copy);
  });
});

describe("tensorsToDetections (MediaPipe TensorsToDetections, palm options)", () => {
  const anchors = [
    { xCenter: 0.25, yCenter: 0.5, width: 1, height: 1 },
    { xCenter: 0.75, yCenter: 0.5, width: 1, height: 1 },
  ];
  const o = { numKeypoints: 1, reverseOutputOrder: true, coordScale: 192, scoreClip: 100, minScore: 0.5 };

  it("decodes x, y, w, h and keypoints relative to the anchor, in input units / scale", () => {
    const boxes = new Float32Array([19.2, -9.6, 38.4, 57.6, 9.6, 0, /* second */ 0, 0, 10, 10, 0, 0]);
    const scores = new Float32Array([2, -3]);
    const out = tensorsToDetections(boxes, scores, anchors, o);
    expect(out).toHaveLength(1);
    const d = out[0]!;
    expect(d.score).toBeCloseTo(sigmoid(2), 6);
    // centre (0.25 + 0.1, 0.5 − 0.05), size (0.2, 0.3)
    expect(d.xMin).toBeCloseTo(0.35 - 0.1, 6);
    expect(d.xMax).toBeCloseTo(0.35 + 0.1, 6);
    expect(d.yMin).toBeCloseTo(0.45 - 0.15, 6);
    expect(d.yMax).toBeCloseTo(0.45 + 0.15, 6);
    expect(d.keypoints[0]![0]).toBeCloseTo(0.3, 6);
    expect(d.keypoints[0]![1]).toBeCloseTo(0.5, 6);
  });

  it("reads [y, x, h, w] when reverseOutputOrder is false", () => {
    const boxes = new Float32Array([-9.6, 19.2, 57.6, 38.4, 0, 9.6, 0, 0, 0, 0, 0, 0]);
    const d = tensorsToDetections(boxes, new Float32Array([5, -5]), anchors, {
      ...o,
      reverseOutputOrder: false,
    })[0]!;
    expect((d.xMin + d.xMax) / 2).toBeCloseTo(0.35, 6);
    expect(d.yMax - d.yMin).toBeCloseTo(0.3, 6);
    expect(d.keypoints[0]![0]).toBeCloseTo(0.3, 6);
  });

  it("clips logits before the sigmoid and rejects mismatched tensor sizes", () => {
    const boxes = new Float32Array(12);
    const d = tensorsToDetections(boxes, new Float32Array([1e6, -1e6]), anchors, { ...o, scoreClip: 3 });
    expect(d).toHaveLength(1);
    expect(d[0]!.score).toBeCloseTo(sigmoid(3), 6);
    expect(() => tensorsToDetections(new Float32Array(11), new Float32Array(2), anchors, o)).toThrow(
      /do not match/,
    );
  });
});

describe("overlapOfSmaller (duplicate-hand test of the tracker)", () => {
  it("a box inside another overlaps fully; side-by-side hands barely", () => {
    expect(overlapOfSmaller(det(1, 0, 0, 10, 10), det(1, 2, 2, 4, 8))).toBe(1);
    expect(overlapOfSmaller(det(1, 0, 0, 10, 10), det(1, 9, 0, 19, 10))).toBeCloseTo(0.1, 12);
    expect(overlapOfSmaller(det(1, 0, 0, 10, 10), det(1, 20, 0, 30, 10))).toBe(0);
    expect(DUPLICATE_OVERLAP).toBeGreaterThan(0.1);
    expect(DUPLICATE_OVERLAP).toBeLessThan(0.95);
  });
});
