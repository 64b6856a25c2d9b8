/**
 * Raw palm-detector outputs → detections: a port of MediaPipe's TensorsToDetectionsCalculator
 * (DecodeBoxes with fixed-size anchors, sigmoid scores with clipping, score threshold).
 *
 * Tensor shapes: boxes [1, numBoxes, 4 + 2·numKeypoints] (regressor units of the input size),
 * scores [1, numBoxes, 1] (logits). Output coordinates are normalised to the detector input.
 */
import type { Anchor } from "./anchors.js";
import type { Detection, Point2 } from "./types.js";

export interface DetectionDecodeOptions {
  numKeypoints: number;
  /** Boxes are [x, y, w, h] when true (palm models), [y, x, h, w] when false. */
  reverseOutputOrder: boolean;
  /** Regressor units per anchor unit (x_scale = y_scale = w_scale = h_scale = input size). */
  coordScale: number;
  /** Logits are clipped to ±scoreClip before the sigmoid (score_clipping_thresh). */
  scoreClip: number;
  minScore: number;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Detections whose score reaches `minScore`, in anchor order. */
export function tensorsToDetections(
  boxes: Float32Array,
  scores: Float32Array,
  anchors: readonly Anchor[],
  o: DetectionDecodeOptions,
): Detection[] {
  const stride = 4 + 2 * o.numKeypoints;
  if (boxes.length !== anchors.length * stride || scores.length !== anchors.length) {
    throw new RangeError(
      `detector output sizes (${boxes.length} box values, ${scores.length} scores) do not match ${anchors.length} anchors × ${stride}`,
    );
  }
  const out: Detection[] = [];
  const s = o.coordScale;
  for (let i = 0; i < anchors.length; i++) {
    const logit = Math.min(o.scoreClip, Math.max(-o.scoreClip, scores[i]!));
    const score = sigmoid(logit);
    if (score < o.minScore) continue;
    const a = anchors[i]!;
    const r = i * stride;
    const [rx, ry, rw, rh] = o.reverseOutputOrder
      ? [boxes[r]!, boxes[r + 1]!, boxes[r + 2]!, boxes[r + 3]!]
      : [boxes[r + 1]!, boxes[r]!, boxes[r + 3]!, boxes[r + 2]!];
    const xc = (rx / s) * a.width + a.xCenter;
    const yc = (ry / s) * a.height + a.yCenter;
    const w = (rw / s) * a.width;
    const h = (rh / s) * a.height;
    const keypoints: Point2[] = [];
    for (let k = 0; k < o.numKeypoints; k++) {
      const kx = boxes[r + 4 + 2 * k]!;
      const ky = boxes[r + 5 + 2 * k]!;
      const [px, py] = o.reverseOutputOrder ? [kx, ky] : [ky, kx];
      keypoints.push([(px / s) * a.width + a.xCenter, (py / s) * a.height + a.yCenter]);
    }
    out.push({ score, xMin: xc - w / 2, yMin: yc - h / 2, xMax: xc + w / 2, yMax: yc + h / 2, keypoints });
  }
  return out;
}
