/** Seeded random rotations and poses for property tests. */
import type { Pose, Quat } from "../../src/core/math.js";
import type { Rng } from "../../src/core/rng.js";

/** Uniformly distributed unit quaternion (Shoemake 1992, "Uniform random rotations"). */
export function randomQuat(rng: Rng): Quat {
  const u1 = rng.next();
  const u2 = 2 * Math.PI * rng.next();
  const u3 = 2 * Math.PI * rng.next();
  const a = Math.sqrt(1 - u1);
  const b = Math.sqrt(u1);
  return { x: a * Math.sin(u2), y: a * Math.cos(u2), z: b * Math.sin(u3), w: b * Math.cos(u3) };
}

/** A uniformly random rotation at a position in [−1, 1] × [−1, 1] × [0, 2] m (drawn after the rotation). */
export function randomPose(rng: Rng): Pose {
  const q = randomQuat(rng);
  return { p: { x: rng.uniform(-1, 1), y: rng.uniform(-1, 1), z: rng.uniform(0, 2) }, q };
}
