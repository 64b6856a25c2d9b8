import { describe, expect, it } from "vitest";
import type { HandTrack } from "../../src/core/schemas/hand_track.js";
import { cameraFromFov, projectPoint, type Vec3Tuple } from "../../src/perception/camera_model.js";
import { evaluateTrack, PCK_FRACTION } from "../../src/perception/groundtruth_eval.js";
import { randomHand } from "./random_hand.js";

describe("evaluateTrack (extracted track vs a reference with camera poses)", () => {
  const camera = { ...cameraFromFov(1920, 1080, 90), provenance: "dataset" as const };
  // The identity camera pose: W = C.
  const X_WC = {
    pos: [0, 0, 0] as [number, number, number],
    quatXyzw: [0, 0, 0, 1] as [number, number, number, number],
  };
  const left = randomHand(4).map((p): Vec3Tuple => [p[0] - 0.15, p[1] + 0.1, p[2] + 0.4]);
  const right = randomHand(5).map((p): Vec3Tuple => [p[0] + 0.15, p[1] + 0.1, p[2] + 0.4]);
  const reference = {
    format: "egobridge.handtrack",
    version: 2,
    source: { kind: "egodex", uri: "test", synthetic: true, description: "" },
    fps: 30,
    camera,
    frames: [0, 1, 2].map((i) => ({
      t: i / 30,
      index: i,
      X_WC,
      hands: [
        { side: "left" as const, score: 1, keypointsWorld: left },
        { side: "right" as const, score: 1, keypointsWorld: right },
      ],
    })),
    objects: [],
  } as unknown as HandTrack;
  const estimate = (shiftZ: number, swap: boolean): HandTrack =>
    ({
      ...reference,
      frames: reference.frames.map((f) => ({
        t: f.t,
        index: f.index,
        hands: [left, right].map((kp, k) => {
          const cam = kp.map((p): Vec3Tuple => [p[0], p[1], p[2] + (k === 1 ? shiftZ : 0)]);
          return {
            side: (k === 0) !== swap ? ("left" as const) : ("right" as const),
            score: 1,
            keypointsPx: kp.map((p) => projectPoint(camera, p)),
            keypointsCam: cam,
          };
        }),
      })),
    }) as HandTrack;

  it("an exact track has no error, every keypoint within PCK, every hand found", () => {
    const e = evaluateTrack(estimate(0, false), reference);
    expect(e.frames).toBe(3);
    expect(e.referenceHandsInView).toBe(6);
    expect(e.detectionRate).toBe(1);
    expect(e.sideLabelErrorRate).toBe(0);
    expect(e.falseDetections).toBe(0);
    expect(e.bySide.medianPx).toBeCloseTo(0, 9);
    expect(e.bySide.pck).toBe(1);
    expect(e.bySide.meanKeypointM).toBeCloseTo(0, 12);
    expect(PCK_FRACTION).toBe(0.2);
  });

  it("a right hand 5 cm too deep: signed depth errors, no relative wrist depth error; swapped labels are counted", () => {
    const e = evaluateTrack(estimate(0.05, false), reference);
    // Half the hands are off by 5 cm: the medians over six hand-frames sit between 0 and 5 cm.
    expect(e.byNearest.wristDepthM).toBeCloseTo(0.025, 9);
    expect(e.byNearest.wristRelativeDepthM).toBeCloseTo(0, 9);
    expect(e.byNearest.perKeypointM[0]).toBeCloseTo(0.025, 9);
    const swapped = evaluateTrack(estimate(0, true), reference);
    expect(swapped.sideLabelErrorRate).toBe(1);
    expect(swapped.byNearest.medianPx).toBeCloseTo(0, 9);
    expect(swapped.bySide.medianPx).toBeGreaterThan(100);
  });
});
