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

/**
 * The gripper frame a gripping hand implies (whole-hand and wide grasps; the closure cue):
 * - origin (TCP): midpoint of the thumb tip and the mean of the index and middle tips;
 * - +y (jaw axis): thumb tip → that mean, the thumb against the opposing fingers;
 * - +z (approach): into the palm, along the palm's normal, made orthogonal to y. A hand gripping
 *   a stapler or a box from above has its palm over the object: a gripper copying it comes down
 *   from above with its jaws across, where the pinch frame's wrist → knuckle axis would drive it
 *   in sideways, fingers first, through the object.
 * The palm normal is (index MCP − wrist) × (pinky MCP − wrist) for a right hand, the opposite for
 * a left hand; when the fingers are curled (tips over 1 cm off the palm plane) their side of the
 * plane decides instead, so a hand with a wrong side label still faces its palm the right way.
 */
export function gripFrame(
  kp_W: readonly Vec3[],
  side: "left" | "right",
  fallbackY?: Vec3,
): { X_WG: Pose; apertureM: number } | null {
  const thumb = kp_W[KP.thumbTip]!;
  const fingers = midpoint(kp_W[KP.indexTip]!, kp_W[KP.middleTip]!);
  const apertureM = distance(thumb, fingers);
  const wrist = kp_W[KP.wrist]!;
  try {
    const y =
      apertureM > 0.005
        ? normalize(sub(fingers, thumb))
        : (fallbackY ?? normalize(sub(kp_W[KP.indexMcp]!, kp_W[KP.pinkyMcp]!)));
    let n = normalize(cross(sub(kp_W[KP.indexMcp]!, wrist), sub(kp_W[KP.pinkyMcp]!, wrist)));
    if (side === "left") n = scale(n, -1);
    const palm = scale(
      [KP.wrist, KP.indexMcp, KP.middleMcp, KP.ringMcp, KP.pinkyMcp].reduce(
        (a, k) => ({ x: a.x + kp_W[k]!.x, y: a.y + kp_W[k]!.y, z: a.z + kp_W[k]!.z }),
        { x: 0, y: 0, z: 0 },
      ),
      1 / 5,
    );
    const tips = [KP.indexTip, KP.middleTip, KP.ringTip, KP.pinkyTip].map((k) => kp_W[k]!);
    const curl = tips.reduce((s, t) => s + dot(sub(t, palm), n), 0) / tips.length;
    if (curl < -0.01) n = scale(n, -1);
    const z = normalize(sub(n, scale(y, dot(n, y))));
    const x = cross(y, z);
    return { X_WG: { p: midpoint(thumb, fingers), q: qfromAxes(x, y, z) }, apertureM };
  } catch {
    return null;
  }
}
