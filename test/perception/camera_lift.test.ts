import { describe, expect, it } from "vitest";
import type { CameraSpec } from "../../src/core/schemas/camera.js";
import { CameraSpecSchema } from "../../src/core/schemas/camera.js";
import {
  cameraFromFov,
  pixelToRay,
  projectPoint,
  type Vec3Tuple,
} from "../../src/perception/camera_model.js";
import { CANONICAL_PALM_M, palmSize, worldFromImageLandmarks } from "../../src/perception/canonical_hand.js";
import { alignToViewRay, linearTranslation, solveTranslation } from "../../src/perception/lift_3d.js";
import { randomHand, rng } from "./random_hand.js";

const pinhole: CameraSpec = CameraSpecSchema.parse({
  format: "egobridge.camera",
  version: 1,
  model: "pinhole",
  widthPx: 1920,
  heightPx: 1080,
  fx: 736.6,
  fy: 736.6,
  cx: 960,
  cy: 540,
  distortion: [-0.05, 0.01, 0.001, -0.0005, 0.0],
  provenance: "calibrated",
});
const fisheye: CameraSpec = {
  ...pinhole,
  model: "fisheye",
  fx: 600,
  fy: 600,
  distortion: [0.02, -0.01, 0.002, 0],
};

describe("camera models", () => {
  it.each([
    ["pinhole with distortion", pinhole],
    ["fisheye (equidistant)", fisheye],
  ])("%s: pixelToRay inverts projectPoint", (_name, cam) => {
    for (const p of [
      [0.1, -0.05, 0.5],
      [-0.3, 0.2, 0.6],
      [0, 0, 1],
    ] as Vec3Tuple[]) {
      const [u, v] = projectPoint(cam, p);
      const d = pixelToRay(cam, u, v);
      const s = p[2] / d[2];
      expect(d[0] * s).toBeCloseTo(p[0], 7);
      expect(d[1] * s).toBeCloseTo(p[1], 7);
    }
  });

  it("fisheye rays reach beyond 90° off-axis; pinhole points behind the camera are NaN", () => {
    const [u, v] = projectPoint(fisheye, [1, 0, -0.2]);
    const d = pixelToRay(fisheye, u, v);
    expect(d[2]).toBeLessThan(0);
    expect(Math.atan2(d[2], d[0])).toBeCloseTo(Math.atan2(-0.2, 1), 6);
    expect(projectPoint(pinhole, [0, 0, -1]).every(Number.isNaN)).toBe(true);
  });

  it("cameraFromFov: 90° pinhole has f = W/2, marked assumed; impossible fields of view throw", () => {
    const c = cameraFromFov(1920, 1080, 90);
    expect(c.fx).toBeCloseTo(960, 9);
    expect(c.provenance).toBe("assumed");
    expect([c.cx, c.cy]).toEqual([960, 540]);
    expect(CameraSpecSchema.parse(c)).toEqual(c);
    expect(cameraFromFov(1920, 1080, 180, "fisheye").fx).toBeCloseTo(960 / (Math.PI / 2), 9);
    expect(() => cameraFromFov(1920, 1080, 180)).toThrow(/not possible/);
  });
});

describe("solveTranslation (world landmarks + t → image keypoints)", () => {
  it.each([
    ["pinhole", pinhole, [0.12, 0.08, 0.45]],
    ["pinhole, far off-axis", pinhole, [-0.5, 0.3, 0.7]],
    ["fisheye", fisheye, [0.3, 0.25, 0.35]],
  ] as const)("%s: recovers t exactly from exact keypoints", (_n, cam, t) => {
    const world = randomHand();
    const px = world.map((w) => projectPoint(cam, [w[0] + t[0], w[1] + t[1], w[2] + t[2]]));
    const fit = solveTranslation(cam, world, px);
    expect(fit.converged).toBe(true);
    expect(fit.rmsPx).toBeLessThan(1e-6);
    fit.t.forEach((v, i) => {
      expect(v).toBeCloseTo(t[i]!, 8);
    });
    // The linear step alone is already close (it minimises an algebraic error, not pixels).
    const lin = linearTranslation(cam, world, px)!;
    lin.forEach((v, i) => {
      expect(v).toBeCloseTo(t[i]!, 6);
    });
  });

  it("with 2 px keypoint noise the depth error stays within a few millimetres at 0.45 m (seeded)", () => {
    const world = randomHand(3);
    const t: Vec3Tuple = [0.05, 0.1, 0.45];
    const r = rng(42);
    const px = world.map((w) => {
      const [u, v] = projectPoint(pinhole, [w[0] + t[0], w[1] + t[1], w[2] + t[2]]);
      return [u + (r() - 0.5) * 4, v + (r() - 0.5) * 4];
    });
    const fit = solveTranslation(pinhole, world, px);
    expect(Math.abs(fit.t[2] - t[2])).toBeLessThan(0.01);
    expect(fit.rmsPx).toBeLessThan(2);
  });

  it("degenerate input (all keypoints at one pixel, hand of zero size) returns a finite result, no throw", () => {
    const world: Vec3Tuple[] = Array.from({ length: 21 }, () => [0, 0, 0]);
    const px = world.map(() => [960, 540]);
    const fit = solveTranslation(pinhole, world, px);
    expect(fit.t.every(Number.isFinite)).toBe(true);
  });
});

describe("alignToViewRay (crop line of sight → camera axes)", () => {
  it("turns +z onto the ray, keeps distances, and is the identity on the optical axis", () => {
    const ray: Vec3Tuple = [0.5, -0.3, 1];
    const n = Math.hypot(...ray);
    const [z] = alignToViewRay([[0, 0, 1]], ray);
    z!.forEach((v, i) => {
      expect(v).toBeCloseTo(ray[i]! / n, 12);
    });
    const w = randomHand(9);
    const r = alignToViewRay(w, ray);
    expect(Math.hypot(...r[3]!.map((v, i) => v - r[7]![i]!))).toBeCloseTo(
      Math.hypot(...w[3]!.map((v, i) => v - w[7]![i]!)),
      12,
    );
    expect(alignToViewRay(w, [0, 0, 2])).toEqual(w);
  });

  it("a hand seen 40° off-axis: only the aligned landmarks reproject exactly", () => {
    // The landmark model reports the hand as seen along the crop's line of sight.
    const wView = randomHand(11);
    const t: Vec3Tuple = [0.35, 0.25, 0.4];
    const ray = pixelToRay(pinhole, ...projectPoint(pinhole, t));
    const truth = alignToViewRay(wView, ray).map((p): Vec3Tuple => [p[0] + t[0], p[1] + t[1], p[2] + t[2]]);
    const px = truth.map((p) => projectPoint(pinhole, p));
    const aligned = solveTranslation(pinhole, alignToViewRay(wView, ray), px);
    const naive = solveTranslation(pinhole, wView, px);
    expect(aligned.rmsPx).toBeLessThan(1e-6);
    expect(naive.rmsPx).toBeGreaterThan(5);
  });
});

describe("canonical hand (models without world landmarks)", () => {
  it("scales relative-depth landmarks so the palm measures CANONICAL_PALM_M, centred", () => {
    const px = randomHand(5).map((p): [number, number, number] => [
      p[0] * 3000 + 500,
      p[1] * 3000 + 400,
      p[2] * 3000,
    ]);
    const w = worldFromImageLandmarks(px);
    expect(palmSize(w)).toBeCloseTo(CANONICAL_PALM_M, 9);
    for (let k = 0; k < 3; k++) expect(w.reduce((a, p) => a + p[k]!, 0)).toBeCloseTo(0, 9);
  });
});
