/**
 * Weighted non-maximum suppression: a port of MediaPipe's NonMaxSuppressionCalculator with
 * algorithm WEIGHTED and overlap type INTERSECTION_OVER_UNION (as the palm detection graph uses).
 *
 * The highest-scoring remaining detection and every remaining detection overlapping it by more
 * than `minSuppressionIou` form a cluster; the output keeps the top detection's score and replaces
 * its box and keypoints with the score-weighted mean of the cluster's. Repeats on the rest.
 */
import type { Detection, Point2 } from "./types.js";

export interface NmsOptions {
  minSuppressionIou: number;
  maxDetections: number;
}

/** An axis-aligned box in image coordinates. */
export interface Box2 {
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

export const boxArea = (a: Box2): number => (a.xMax - a.xMin) * (a.yMax - a.yMin);

/** Area of the intersection of two axis-aligned boxes (0 when they do not overlap). */
export function intersectionArea(a: Box2, b: Box2): number {
  const ix = Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin);
  const iy = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin);
  return ix <= 0 || iy <= 0 ? 0 : ix * iy;
}

/** Intersection over union of two axis-aligned boxes (0 when either is empty). */
export function iou(a: Box2, b: Box2): number {
  const inter = intersectionArea(a, b);
  if (inter === 0) return 0;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Weighted NMS; output sorted by score, at most `maxDetections`. Inputs are not modified. */
export function weightedNms(detections: readonly Detection[], o: NmsOptions): Detection[] {
  let remaining = [...detections].sort((p, q) => q.score - p.score);
  const out: Detection[] = [];
  while (remaining.length > 0 && out.length < o.maxDetections) {
    const top = remaining[0]!;
    const cluster: Detection[] = [];
    const rest: Detection[] = [];
    for (const d of remaining) (iou(d, top) > o.minSuppressionIou ? cluster : rest).push(d);
    // `top` overlaps itself (IoU 1), so the cluster is never empty unless its box is degenerate.
    if (cluster.length === 0) cluster.push(top);
    let total = 0;
    let xMin = 0;
    let yMin = 0;
    let xMax = 0;
    let yMax = 0;
    const kx = new Float64Array(top.keypoints.length);
    const ky = new Float64Array(top.keypoints.length);
    for (const d of cluster) {
      total += d.score;
      xMin += d.xMin * d.score;
      yMin += d.yMin * d.score;
      xMax += d.xMax * d.score;
      yMax += d.yMax * d.score;
      d.keypoints.forEach(([x, y], k) => {
        kx[k] += x * d.score;
        ky[k] += y * d.score;
      });
    }
    out.push({
      score: top.score,
      xMin: xMin / total,
      yMin: yMin / total,
      xMax: xMax / total,
      yMax: yMax / total,
      keypoints: Array.from(kx, (x, k): Point2 => [x / total, ky[k]! / total]),
    });
    remaining = rest.filter((d) => d !== top);
  }
  return out;
}
