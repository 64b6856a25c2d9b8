import {
  cross,
  distance,
  dot,
  midpoint,
  normalize,
  type Pose,
  qfromAxes,
  scale,
  sub,
  type Vec3,
} from "../core/math.js";
import { KP } from "../core/schemas/common.js";

/**
 * The gripper frame G a pinching hand implies (MediaPipe 21-point order, points in W):
 * - origin (TCP): midpoint of thumb tip (4) and index tip (8);
 * - +y (jaw opening axis): thumb tip → index tip;
 * - +z (approach): wrist (0) → middle MCP (9), the palm's long axis, made orthogonal to y;
 * - +x = y × z.
 * When the tips are too close for a reliable direction, `fallbackY` (e.g. the previous frame's
 * axis) is used; without one, the palm's width axis (index MCP 5 → pinky MCP 17) stands in.
 *
 * Returns the pose X_WG and the pinch aperture (m), or null for a degenerate hand.
 */
export function pinchFrame(
  kp_W: readonly Vec3[],
  fallbackY?: Vec3,
): { X_WG: Pose; apertureM: number } | null {
  const thumb = kp_W[KP.thumbTip]!;
  const index = kp_W[KP.indexTip]!;
  const apertureM = distance(thumb, index);
  const forward = sub(kp_W[KP.middleMcp]!, kp_W[KP.wrist]!);
  let y: Vec3;
  try {
    if (apertureM > 0.005) y = normalize(sub(index, thumb));
    else if (fallbackY) y = fallbackY;
    else y = normalize(sub(kp_W[KP.indexMcp]!, kp_W[KP.pinkyMcp]!));
    const zRaw = sub(forward, scale(y, dot(forward, y)));
    const z = normalize(zRaw);
    const x = cross(y, z);
    return { X_WG: { p: midpoint(thumb, index), q: qfromAxes(x, y, z) }, apertureM };
  } catch {
    // A zero-length axis: the keypoints are collinear or coincident, no frame exists.
    return null;
  }
}
