/**
 * Hand landmarks → the next frame's hand rect (tracking): MediaPipe's
 * hand_landmark_landmarks_to_roi subgraph. HandLandmarksToRectCalculator takes the rotation from
 * the wrist to the mean of the index/ring MCP mean and the middle MCP, and the box that bounds the
 * palm-and-base landmarks in that rotated frame; RectTransformation then shifts it −0.1 of its
 * height towards the fingers, squares it to the long side and scales it by 2.
 */
import { rotationFromKeypoints } from "./detection_to_rect.js";
import type { RectTransform } from "./model_registry.js";
import { transformRect } from "./rect_transform.js";
import type { Point2, Rect } from "./types.js";

/** Landmarks MediaPipe's landmarks-to-roi subgraph keeps: wrist, thumb CMC..IP, and each finger's MCP and PIP. */
export const ROI_LANDMARKS = [0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18] as const;

/** Hand rect (image px) from 21 image landmarks (px; only x, y used). */
export function landmarksToRect(landmarks: readonly (readonly number[])[], transform: RectTransform): Rect {
  if (landmarks.length !== 21) throw new RangeError(`expected 21 landmarks, got ${landmarks.length}`);
  const p = (i: number): Point2 => [landmarks[i]![0]!, landmarks[i]![1]!];
  const wrist = p(0);
  const idx = p(5);
  const mid = p(9);
  const ring = p(13);
  const toward: Point2 = [((idx[0] + ring[0]) / 2 + mid[0]) / 2, ((idx[1] + ring[1]) / 2 + mid[1]) / 2];
  const rotation = rotationFromKeypoints(wrist, toward, Math.PI / 2);

  const pts = ROI_LANDMARKS.map(p);
  const axMin = Math.min(...pts.map((q) => q[0]));
  const axMax = Math.max(...pts.map((q) => q[0]));
  const ayMin = Math.min(...pts.map((q) => q[1]));
  const ayMax = Math.max(...pts.map((q) => q[1]));
  const acx = (axMin + axMax) / 2;
  const acy = (ayMin + ayMax) / 2;
  // Bounds in the frame rotated by −rotation around the axis-aligned centre.
  const c = Math.cos(-rotation);
  const s = Math.sin(-rotation);
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = Number.NEGATIVE_INFINITY;
  for (const [x, y] of pts) {
    const ox = x - acx;
    const oy = y - acy;
    const px = ox * c - oy * s;
    const py = ox * s + oy * c;
    xMin = Math.min(xMin, px);
    xMax = Math.max(xMax, px);
    yMin = Math.min(yMin, py);
    yMax = Math.max(yMax, py);
  }
  const pcx = (xMin + xMax) / 2;
  const pcy = (yMin + yMax) / 2;
  const cr = Math.cos(rotation);
  const sr = Math.sin(rotation);
  const rect: Rect = {
    cx: pcx * cr - pcy * sr + acx,
    cy: pcx * sr + pcy * cr + acy,
    width: xMax - xMin,
    height: yMax - yMin,
    rotation,
  };
  return transformRect(rect, transform);
}
