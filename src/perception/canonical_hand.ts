/**
 * Metric hand shape for landmark models without world landmarks (the keijiro "full" model).
 *
 * The image landmarks come with a relative depth z in the same pixel scale as x and y (once divided
 * by MediaPipe's normalize_z, tensors_to_landmarks.ts), so
 * (x, y, z) px is the hand's 3D shape up to scale, with image-aligned axes (weak perspective). We
 * scale it to metres by a canonical palm size — the mean wrist-to-MCP distance (index, middle,
 * ring, pinky) — and centre it, which gives "world landmarks" the translation solve can place.
 *
 * CANONICAL_PALM_M = 0.094 m is the mean of that quantity in MediaPipe's own world landmarks on
 * the webcam_right_hand clip (621 frames: 0.0936 m, std 0.004 m); an adult palm (wrist crease to
 * MCP knuckles) is 9–10 cm. A real hand that is 10 % larger ends up 10 % farther away.
 *
 * On EgoDex's egocentric episodes (bench/perception_egodex.ts) this prior places the hands 13–30 cm
 * too deep (median, at 30–40 cm): the hand there measures 0.6–0.8 of this size in MediaPipe's
 * keypoint convention (the detected hands are also 0.8 of the ARKit hands' projected size). That is
 * two episodes of one person, so the constant is left as measured on the webcam clip; a model with
 * world landmarks takes its scale from them instead (hand_shape.ts).
 */
import type { Vec3Tuple } from "./camera_model.js";

export const CANONICAL_PALM_M = 0.094;
const MCPS = [5, 9, 13, 17] as const;

/** Mean wrist-to-MCP distance of 21 landmarks (in their own unit). */
export function palmSize(landmarks: readonly (readonly number[])[]): number {
  const w = landmarks[0]!;
  let sum = 0;
  for (const k of MCPS) {
    const p = landmarks[k]!;
    sum += Math.hypot(p[0]! - w[0]!, p[1]! - w[1]!, (p[2] ?? 0) - (w[2] ?? 0));
  }
  return sum / MCPS.length;
}

/** Hand-centred metric landmarks (m, image-aligned axes) from image landmarks with relative depth (px). */
export function worldFromImageLandmarks(
  image: readonly (readonly [number, number, number])[],
  palmM: number = CANONICAL_PALM_M,
): Vec3Tuple[] {
  const size = palmSize(image);
  const s = size > 1e-9 ? palmM / size : 0;
  const c = [0, 1, 2].map((k) => image.reduce((acc, p) => acc + p[k]!, 0) / image.length);
  return image.map((p): Vec3Tuple => [(p[0] - c[0]!) * s, (p[1] - c[1]!) * s, (p[2] - c[2]!) * s]);
}
