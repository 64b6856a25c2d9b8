/**
 * Which hand a 3D hand is, from its shape alone: a left and a right hand are mirror images, so the
 * sign of a triple product tells them apart, whatever the hand's position, orientation or view.
 *
 * n = (index MCP − wrist) × (pinky MCP − wrist) is the palm's normal, pointing out of the palm for
 * a right hand and out of the back for a left hand (in any right-handed frame: the camera frame's
 * x right, y down, z forward is one). The third vector is the palm side itself, which the fingers
 * show: they flex only toward the palm (hyperextension past the palm plane is a few degrees at the
 * knuckles), so their joints sit on the palm side of the palm plane. The mean signed distance of
 * the finger joints from that plane along n is then positive for a right hand and negative for a
 * left one; it is near zero for a flat hand, which says nothing either way.
 *
 * Measured on EgoDex's ARKit joints (two episodes, both hands in every frame: 440 hand-frames): the
 * sign is right in all of them, |flexion| 0.4–5.0 cm (median 3.9). On the landmark models' 3D (keypointsCam of
 * extract.ts, matched to those joints): right in 99 % and 95 % of the default pair's hand-frames
 * and 92 % of the keijiro pair's, against 95 % and 48 % for the default model's handedness score
 * and 37 % and 10 % for the keijiro model's (src/perception/handedness.ts). The same convention
 * gives the palm normal in src/retarget/grasp_frame.ts.
 */
import type { Vec3Tuple } from "./camera_model.js";

/** MediaPipe keypoint indices: wrist, index / middle / ring / pinky MCP (the palm). */
const PALM: readonly number[] = [0, 5, 9, 13, 17];
/** PIP, DIP and tip of the four fingers (the thumb moves across the palm plane, so it is left out). */
const FINGER_JOINTS: readonly number[] = [6, 7, 8, 10, 11, 12, 14, 15, 16, 18, 19, 20];

const sub = (a: readonly number[], b: readonly number[]): Vec3Tuple => [
  a[0]! - b[0]!,
  a[1]! - b[1]!,
  a[2]! - b[2]!,
];
const cross = (a: Vec3Tuple, b: Vec3Tuple): Vec3Tuple => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const dot = (a: Vec3Tuple, b: Vec3Tuple) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/**
 * Signed finger flexion (m, in the keypoints' unit): the mean distance of the four fingers' PIP, DIP
 * and tip joints from the palm centroid along n̂ = normalize((index MCP − wrist) × (pinky MCP − wrist)).
 * Positive: a right hand; negative: a left hand; 0 when the palm is degenerate (collinear points).
 * @param kp 21 × [x, y, z] in MediaPipe order, in any right-handed frame (not a mirrored one).
 */
export function fingerFlexionM(kp: readonly (readonly number[])[]): number {
  const wrist = kp[0]!;
  const n = cross(sub(kp[5]!, wrist), sub(kp[17]!, wrist));
  const len = Math.hypot(n[0], n[1], n[2]);
  if (!(len > 1e-12)) return 0;
  const unit: Vec3Tuple = [n[0] / len, n[1] / len, n[2] / len];
  const mean = (d: number) => PALM.reduce((s, k) => s + kp[k]![d]!, 0) / PALM.length;
  const centre: Vec3Tuple = [mean(0), mean(1), mean(2)];
  return FINGER_JOINTS.reduce((s, k) => s + dot(sub(kp[k]!, centre), unit), 0) / FINGER_JOINTS.length;
}
