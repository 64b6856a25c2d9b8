import { describe, expect, it } from "vitest";
import { createRng, type Rng } from "../../src/core/rng.js";
import type { Vec3Tuple } from "../../src/perception/camera_model.js";
import { fingerFlexionM } from "../../src/perception/hand_chirality.js";

/**
 * A right hand as a head camera sees it (m, camera axes: x right, y down, z forward): wrist at the
 * origin, fingers pointing up the image, index on the left, the back of the hand towards the camera
 * (the palm faces +z), each finger joint bent by `flexRad` towards the palm.
 */
function rightHand(flexRad: number): Vec3Tuple[] {
  const kp: Vec3Tuple[] = [[0, 0, 0]];
  kp.push([-0.025, -0.025, 0], [-0.045, -0.045, 0], [-0.06, -0.065, 0], [-0.07, -0.08, 0]);
  const mcps: Vec3Tuple[] = [
    [-0.03, -0.09, 0],
    [-0.01, -0.095, 0],
    [0.01, -0.09, 0],
    [0.03, -0.08, 0],
  ];
  for (const mcp of mcps) {
    let p = mcp;
    kp.push(p);
    [0.045, 0.025, 0.02].forEach((len, k) => {
      const a = (k + 1) * flexRad;
      p = [p[0], p[1] - len * Math.cos(a), p[2] + len * Math.sin(a)];
      kp.push(p);
    });
  }
  return kp;
}

const mirrorX = (kp: Vec3Tuple[]) => kp.map(([x, y, z]): Vec3Tuple => [-x, y, z]);

/** A seeded proper rotation (unit quaternion) and translation applied to every point. */
function rigidMotion(kp: Vec3Tuple[], rng: Rng): Vec3Tuple[] {
  const q = [rng.normal(), rng.normal(), rng.normal(), rng.normal()];
  const n = Math.hypot(...q);
  const [w, x, y, z] = q.map((v) => v / n) as [number, number, number, number];
  const R = [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
  const t = [rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(0.2, 1)];
  return kp.map((p): Vec3Tuple => {
    const r = R.map((row, i) => row[0]! * p[0] + row[1]! * p[1] + row[2]! * p[2] + t[i]!);
    return [r[0]!, r[1]!, r[2]!];
  });
}

describe("fingerFlexionM (hand_chirality.ts)", () => {
  it("is positive for a right hand gripping and negative for its mirror image, by the same amount", () => {
    const right = fingerFlexionM(rightHand(0.5));
    expect(right).toBeGreaterThan(0.02);
    expect(fingerFlexionM(mirrorX(rightHand(0.5)))).toBeCloseTo(-right, 12);
  });

  it("grows with the flexion and is zero for a flat hand, which says nothing", () => {
    const f = [0, 0.2, 0.5, 0.9].map((a) => fingerFlexionM(rightHand(a)));
    expect(f[0]).toBeCloseTo(0, 12);
    for (let i = 1; i < f.length; i++) expect(f[i]!).toBeGreaterThan(f[i - 1]!);
  });

  it("does not depend on where the hand is or which way it points (seeded rigid motions)", () => {
    const rng = createRng(7);
    const ref = fingerFlexionM(rightHand(0.4));
    for (let i = 0; i < 20; i++) {
      expect(fingerFlexionM(rigidMotion(rightHand(0.4), rng))).toBeCloseTo(ref, 9);
      expect(fingerFlexionM(rigidMotion(mirrorX(rightHand(0.4)), rng))).toBeCloseTo(-ref, 9);
    }
  });

  it("a degenerate palm (all keypoints at one point) gives 0, not NaN", () => {
    const same = Array.from({ length: 21 }, (): Vec3Tuple => [0.1, 0.2, 0.3]);
    expect(fingerFlexionM(same)).toBe(0);
  });
});
