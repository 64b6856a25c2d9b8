/**
 * Jaw centring on tracks with objects: at a grasp the TCP moves across the approach axis onto
 * the object's centre, fading in before the close and out after the release. Checked against
 * poses built by hand (a gripper frame turned 90° about z, so x_G and y_G are not the world's).
 */
import { describe, expect, it } from "vitest";
import { type Pose, qfromAxisAngle, vec3 } from "../../src/core/math.js";
import { centreOnObject } from "../../src/retarget/parallel_jaw.js";

const q = qfromAxisAngle(vec3(0, 0, 1), Math.PI / 2); // x_G = +y_W, y_G = −x_W, z_G = +z_W
const times = Array.from({ length: 11 }, (_, i) => i * 0.1);
const poses: Pose[] = times.map((t) => ({ p: vec3(0, t, 0.5), q }));
// Grasp from sample 4 to 7; the object sits 2 cm along −x_W (= +y_G) and 1 cm along +y_W (= +x_G)
// of the TCP at the close, 3 cm below it (along z_G: depth, left alone); it moves with the hand.
const grasp = times.map((_, i) => i >= 4 && i <= 7);
const object = times.map((_, i) => vec3(-0.02, poses[Math.min(Math.max(i, 4), 7)]!.p.y + 0.01, 0.47));

describe("centreOnObject", () => {
  it("puts the TCP over the object's centre across the approach axis while grasped, depth unchanged", () => {
    const out = centreOnObject(poses, times, grasp, [object], 0.06, 0.2);
    for (let i = 4; i <= 7; i++) {
      expect(out[i]!.p.x).toBeCloseTo(-0.02, 9);
      expect(out[i]!.p.y).toBeCloseTo(poses[i]!.p.y + 0.01, 9);
      expect(out[i]!.p.z).toBeCloseTo(0.5, 9);
      expect(out[i]!.q).toEqual(q);
    }
  });

  it("fades the shift in over blendS before the close and out after the release", () => {
    const out = centreOnObject(poses, times, grasp, [object], 0.06, 0.2);
    // 0.1 s before the close and after the release: half the shift; 0.2 s and more: none.
    expect(out[3]!.p.x).toBeCloseTo(-0.01, 9);
    expect(out[8]!.p.x).toBeCloseTo(-0.01, 9);
    for (const i of [0, 1, 2, 9, 10]) {
      expect(out[i]!.p.x).toBeCloseTo(poses[i]!.p.x, 9);
      expect(out[i]!.p.y).toBeCloseTo(poses[i]!.p.y, 9);
    }
  });

  it("leaves a grasp alone when the object is farther off than maxShiftM", () => {
    const out = centreOnObject(poses, times, grasp, [object], 0.02, 0.2);
    expect(out).toEqual(poses);
  });

  it("takes the object nearest the TCP at the close", () => {
    const far = times.map(() => vec3(1, 1, 0.5));
    const out = centreOnObject(poses, times, grasp, [far, object], 0.06, 0.2);
    expect(out[5]!.p.x).toBeCloseTo(-0.02, 9);
  });
});
