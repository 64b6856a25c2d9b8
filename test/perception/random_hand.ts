/** Random hand-sized point clouds for the perception tests (a fixed generator: same seed, same hand). */
import type { Vec3Tuple } from "../../src/perception/camera_model.js";

/** A seeded pseudo-random generator (mulberry32), uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A hand-sized 21-point cloud (m), centred near the origin. */
export function randomHand(seed = 1): Vec3Tuple[] {
  const r = rng(seed);
  return Array.from(
    { length: 21 },
    (): Vec3Tuple => [(r() - 0.5) * 0.16, (r() - 0.5) * 0.18, (r() - 0.5) * 0.06],
  );
}
