import type { Vec3 } from "../core/math.js";

/**
 * A human-proportioned right hand in a pinch, 21 keypoints in MediaPipe order, expressed in the
 * pinch frame H: origin at the midpoint between thumb tip and index tip, +z pointing from the
 * wrist towards the fingertips, +y from thumb tip to index tip, x = y × z (the back of the hand
 * faces −x). Middle, ring and little fingers are curled. Bone lengths follow adult averages
 * (wrist → middle MCP ≈ 8.3 cm, index phalanges ≈ 4.0 / 2.3 / 1.8 cm).
 *
 * `apertureM` is the thumb-tip–index-tip distance; the index and thumb chains open with it.
 */
export function pinchHandKeypoints_H(apertureM: number): Vec3[] {
  const a = apertureM;
  const pts: [number, number, number][] = [
    [-0.03, -0.005, -0.15], // 0 wrist
    [-0.035, -0.02, -0.125], // 1 thumb CMC
    [-0.02, -0.035 - 0.1 * a, -0.075], // 2 thumb MCP
    [-0.005, -a / 2 - 0.012, -0.03], // 3 thumb IP
    [0, -a / 2, 0], // 4 thumb tip
    [-0.005, 0.025, -0.07], // 5 index MCP
    [0, 0.025 + 0.25 * a, -0.033], // 6 index PIP
    [0, a / 2 + 0.012, -0.012], // 7 index DIP
    [0, a / 2, 0], // 8 index tip
    [-0.022, 0.022, -0.072], // 9 middle MCP
    [-0.022, 0.03, -0.03], // 10 middle PIP
    [-0.025, 0.015, -0.012], // 11 middle DIP
    [-0.03, 0, -0.02], // 12 middle tip
    [-0.038, 0.017, -0.07], // 13 ring MCP
    [-0.04, 0.025, -0.033], // 14 ring PIP
    [-0.043, 0.01, -0.018], // 15 ring DIP
    [-0.045, -0.003, -0.028], // 16 ring tip
    [-0.052, 0.01, -0.066], // 17 little MCP
    [-0.056, 0.016, -0.038], // 18 little PIP
    [-0.058, 0.005, -0.027], // 19 little DIP
    [-0.058, -0.005, -0.035], // 20 little tip
  ];
  return pts.map(([x, y, z]) => ({ x, y, z }));
}
