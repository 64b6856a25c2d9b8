/**
 * The metric hand that the translation solve (lift_3d.ts) places in the camera frame: 21 × [x, y, z]
 * metres, centred, axes aligned with the image (x right, y down, z away), as the crop sees it.
 *
 * Its shape comes from the image landmarks, (x, y) px plus the relative depth z, which MediaPipe's
 * decoder puts in the scale of x (normalize_z, tensors_to_landmarks.ts). Its size comes from the
 * model's world landmarks where it has them: their in-plane extent (x, y only) over the image
 * landmarks' extent gives metres per pixel. Without world landmarks (the keijiro model), a
 * canonical palm gives the size (canonical_hand.ts).
 *
 * Why not the world landmarks themselves, which the lift used before: their depth is nearly
 * flat. Measured against EgoDex's ARKit joints (two episodes, 376 hand-frames of the default pair,
 * relative depths of keypoints 1–20 along the line of sight, in metres): ARKit's spread 2.9–3.0 cm,
 * the world landmarks' 1.3–2.2 cm and correlated with it at only 0.76 and 0.12, while the image
 * landmarks' z, once divided by normalize_z, has the right scale (regression slope 0.97–0.98) and
 * correlates at 0.90–0.91. A flat hand placed by its in-plane size lands with its knuckles at about
 * the right depth and its wrist, which in egocentric views is nearer the camera than the knuckles,
 * behind them: the wrist came out 8–9 cm too deep (median) with the world landmarks and 3–6 cm
 * with this shape (1–3 cm of which is ARKit's wrist joint sitting up the forearm from MediaPipe's),
 * and the reprojection error of the lift fell from 9–12 px to 4–6 px (the shape now agrees with
 * the 2D keypoints it is solved against). The world landmarks' in-plane size is kept as the scale
 * because it is what placed the hand's centroid at about the right depth (mean depth error +1 to
 * +3 cm); their 3D size is not used, as flattening shrinks it (scaling by 3D bone lengths moved the
 * mean depth error to +5.6 and −2.5 cm). Figures from bench/perception_egodex.ts; nothing here is
 * fitted to those episodes. On the frontal webcam clip, whose reference is MediaPipe's own world
 * landmarks (test/perception/webcam_vs_mediapipe.test.ts), this shape agrees at 7.9 mm against
 * 6.0 mm for the lite world landmarks; with each frame's best scale it would agree at 5.8 mm, so
 * the difference is the frame-to-frame noise of the in-plane scale, not the shape.
 */
import type { Vec3Tuple } from "./camera_model.js";
import { worldFromImageLandmarks } from "./canonical_hand.js";
import type { HandLandmarks } from "./types.js";

/** Mean distance of the points' (x, y) from their centroid (in their own unit). */
export function inPlaneSize(points: readonly (readonly number[])[]): number {
  const n = points.length;
  const cx = points.reduce((s, p) => s + p[0]!, 0) / n;
  const cy = points.reduce((s, p) => s + p[1]!, 0) / n;
  return points.reduce((s, p) => s + Math.hypot(p[0]! - cx, p[1]! - cy), 0) / n;
}

/**
 * Hand-centred metric keypoints (21 × [x, y, z] m, image-aligned axes) from a landmark model's
 * output: the image landmarks' shape at the world landmarks' in-plane scale, or at a canonical
 * palm size when the model has no world landmarks (or they are degenerate).
 */
export function metricHandShape(lm: Pick<HandLandmarks, "image" | "world">): Vec3Tuple[] {
  const sizePx = inPlaneSize(lm.image);
  const sizeM = lm.world ? inPlaneSize(lm.world) : 0;
  if (!(sizePx > 1e-9 && sizeM > 1e-9)) return worldFromImageLandmarks(lm.image);
  const s = sizeM / sizePx;
  const c = [0, 1, 2].map((k) => lm.image.reduce((acc, p) => acc + p[k]!, 0) / lm.image.length);
  return lm.image.map((p): Vec3Tuple => [(p[0] - c[0]!) * s, (p[1] - c[1]!) * s, (p[2] - c[2]!) * s]);
}
