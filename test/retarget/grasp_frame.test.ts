/**
 * The gripper frame implied by a pinching hand (src/retarget/grasp_frame.ts): keypoints are built
 * in a known gripper frame G and placed in W by a seeded random pose; pinchFrame must recover it.
 */
import { describe, expect, it } from "vitest";
import type { Pose, Quat, Vec3 } from "../../src/core/math.js";
import { createRng } from "../../src/core/rng.js";
import { KP, NUM_KEYPOINTS } from "../../src/core/schemas/common.js";
import { pinchFrame } from "../../src/retarget/grasp_frame.js";
import { randomPose } from "../core/random_pose.js";

type Arr3 = [number, number, number];

/** Named tolerances. */
const TOL = {
  /** Positions (m) and unit-axis components after one rigid transform and back: round-off only. */
  roundOff: 1e-12,
};

// ---------------------------------------------------------------------------------------------
// Reference frame mapping (rotation matrix of {x, y, z, w}, textbook formula).

function rotationMatrix({ x, y, z, w }: Quat): Arr3[] {
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
  ];
}

const columnOf = (q: Quat, c: number): Arr3 => rotationMatrix(q).map((row) => row[c]!) as Arr3;

function toWorld(X_WG: Pose, [x, y, z]: Arr3): Vec3 {
  const r = rotationMatrix(X_WG.q).map((row) => row[0]! * x + row[1]! * y + row[2]! * z);
  return { x: r[0]! + X_WG.p.x, y: r[1]! + X_WG.p.y, z: r[2]! + X_WG.p.z };
}

function expectVecClose(actual: Vec3, expected: Vec3 | Arr3, tol: number): void {
  const e = Array.isArray(expected) ? expected : [expected.x, expected.y, expected.z];
  expect(Math.abs(actual.x - e[0]!)).toBeLessThan(tol);
  expect(Math.abs(actual.y - e[1]!)).toBeLessThan(tol);
  expect(Math.abs(actual.z - e[2]!)).toBeLessThan(tol);
}

// ---------------------------------------------------------------------------------------------
// Factories

/**
 * 21 keypoints (MediaPipe order) of a pinch in the gripper frame G: thumb tip and index tip at
 * ∓a/2 on the y axis, the wrist behind along −z and the middle MCP in front of it. Wrist and
 * middle MCP differ in y as well as z (the approach axis must be made orthogonal to y) but not in
 * x. Index MCP and little-finger MCP differ only in y (the fallback width axis is +y).
 */
function pinchKeypoints_G(apertureM: number): Arr3[] {
  const kp: Arr3[] = Array.from({ length: NUM_KEYPOINTS }, (_, i) => [-0.03, 0.002 * i - 0.02, -0.05]);
  kp[KP.wrist] = [-0.03, -0.006, -0.15];
  kp[KP.middleMcp] = [-0.03, 0.012, -0.072];
  kp[KP.indexMcp] = [-0.01, 0.028, -0.07];
  kp[KP.pinkyMcp] = [-0.01, -0.032, -0.07];
  kp[KP.thumbTip] = [0, -apertureM / 2, 0];
  kp[KP.indexTip] = [0, apertureM / 2, 0];
  return kp;
}

const keypointsInWorld = (X_WG: Pose, apertureM: number): Vec3[] =>
  pinchKeypoints_G(apertureM).map((p) => toWorld(X_WG, p));

describe("grasp_frame", () => {
  it("recovers the TCP, jaw axis, approach axis and aperture of seeded random poses", () => {
    const rng = createRng(17);
    for (let i = 0; i < 100; i++) {
      const X_WG = randomPose(rng);
      const apertureM = rng.uniform(0.01, 0.1);
      const f = pinchFrame(keypointsInWorld(X_WG, apertureM));
      expect(f).not.toBeNull();
      expectVecClose(f!.X_WG.p, X_WG.p, TOL.roundOff);
      // Columns of the recovered rotation: x, y (thumb → index) and z (approach).
      for (let c = 0; c < 3; c++) {
        const got = columnOf(f!.X_WG.q, c);
        const want = columnOf(X_WG.q, c);
        for (let k = 0; k < 3; k++) expect(Math.abs(got[k]! - want[k]!)).toBeLessThan(TOL.roundOff);
      }
      expect(Math.abs(f!.apertureM - apertureM)).toBeLessThan(TOL.roundOff);
    }
  });

  it("returns a unit quaternion", () => {
    const f = pinchFrame(keypointsInWorld(randomPose(createRng(3)), 0.05))!;
    const { x, y, z, w } = f.X_WG.q;
    expect(Math.abs(Math.hypot(x, y, z, w) - 1)).toBeLessThan(TOL.roundOff);
  });

  it("is right-handed: x = y × z", () => {
    const f = pinchFrame(keypointsInWorld(randomPose(createRng(4)), 0.05))!;
    const [x, y, z] = [0, 1, 2].map((c) => columnOf(f.X_WG.q, c)) as [Arr3, Arr3, Arr3];
    const yz: Arr3 = [y[1] * z[2] - y[2] * z[1], y[2] * z[0] - y[0] * z[2], y[0] * z[1] - y[1] * z[0]];
    for (let k = 0; k < 3; k++) expect(Math.abs(x[k]! - yz[k]!)).toBeLessThan(TOL.roundOff);
  });

  it("uses fallbackY when the tips touch (aperture below 5 mm)", () => {
    const X_WG = randomPose(createRng(5));
    // A fallback tilted from G's y inside G's x-y plane, so it stays orthogonal to the approach axis.
    const tilt = 0.3;
    const fallback_G: Arr3 = [Math.sin(tilt), Math.cos(tilt), 0];
    const fallbackY = toWorld({ p: { x: 0, y: 0, z: 0 }, q: X_WG.q }, fallback_G);
    const f = pinchFrame(keypointsInWorld(X_WG, 0.002), fallbackY)!;
    expectVecClose(toWorld({ p: { x: 0, y: 0, z: 0 }, q: f.X_WG.q }, [0, 1, 0]), fallbackY, TOL.roundOff);
    expect(Math.abs(f.apertureM - 0.002)).toBeLessThan(TOL.roundOff);
  });

  it("uses the palm width axis (index MCP − little MCP) when the tips touch and there is no fallback", () => {
    const X_WG = randomPose(createRng(6));
    const f = pinchFrame(keypointsInWorld(X_WG, 0))!;
    expect(f).not.toBeNull();
    for (let c = 0; c < 3; c++) {
      const got = columnOf(f.X_WG.q, c);
      const want = columnOf(X_WG.q, c);
      for (let k = 0; k < 3; k++) expect(Math.abs(got[k]! - want[k]!)).toBeLessThan(TOL.roundOff);
    }
    expect(f.apertureM).toBe(0);
  });

  it("returns null when all keypoints coincide", () => {
    const same = Array.from({ length: NUM_KEYPOINTS }, () => ({ x: 0.1, y: 0.2, z: 0.3 }));
    expect(pinchFrame(same)).toBeNull();
  });

  it("returns null when the approach axis is parallel to the jaw axis", () => {
    const kp = pinchKeypoints_G(0.05);
    kp[KP.wrist] = [0, -0.1, 0];
    kp[KP.middleMcp] = [0, 0.1, 0];
    expect(pinchFrame(kp.map(([x, y, z]) => ({ x, y, z })))).toBeNull();
  });
});
