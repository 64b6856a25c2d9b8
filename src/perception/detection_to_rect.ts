/**
 * Palm detection → hand rect for the landmark model: MediaPipe's palm_detection_detection_to_roi
 * subgraph (DetectionsToRectsCalculator with rotation from palm keypoint 0 (wrist) to 2 (middle
 * MCP) and a 90° target angle, then RectTransformationCalculator: shift −0.5 of the box height
 * towards the fingers, square to the long side, scale 2.6).
 */

import type { RectTransform } from "./model_registry.js";
import { normalizeRadians, rectToImage, transformRect } from "./rect_transform.js";
import type { Detection, Point2, Rect } from "./types.js";

export interface DetectionRoiOptions {
  rotationStartKeypoint: number;
  rotationEndKeypoint: number;
  targetAngleDeg: number;
  transform: RectTransform;
}

/** A detection from the detector's normalised input square into image pixels, through the input's rect. */
export function detectionToImage(d: Detection, inputRect: Rect): Detection {
  const [x0, y0] = rectToImage(inputRect, d.xMin, d.yMin);
  const [x1, y1] = rectToImage(inputRect, d.xMax, d.yMax);
  return {
    score: d.score,
    xMin: Math.min(x0, x1),
    yMin: Math.min(y0, y1),
    xMax: Math.max(x0, x1),
    yMax: Math.max(y0, y1),
    keypoints: d.keypoints.map(([u, v]): Point2 => rectToImage(inputRect, u, v)),
  };
}

/**
 * The rotation that turns the vector from keypoint a to keypoint b (image px, y down) to point
 * "up" the rect (MediaPipe DetectionsToRectsCalculator::ComputeRotation).
 */
export function rotationFromKeypoints(a: Point2, b: Point2, targetAngleRad: number): number {
  return normalizeRadians(targetAngleRad - Math.atan2(-(b[1] - a[1]), b[0] - a[0]));
}

/** Hand rect (image px) for a palm detection already in image pixels. */
export function detectionToRect(d: Detection, o: DetectionRoiOptions): Rect {
  const a = d.keypoints[o.rotationStartKeypoint];
  const b = d.keypoints[o.rotationEndKeypoint];
  if (!a || !b)
    throw new RangeError(
      `detection has ${d.keypoints.length} keypoints; rotation needs ${o.rotationEndKeypoint + 1}`,
    );
  const rect: Rect = {
    cx: (d.xMin + d.xMax) / 2,
    cy: (d.yMin + d.yMax) / 2,
    width: d.xMax - d.xMin,
    height: d.yMax - d.yMin,
    rotation: rotationFromKeypoints(a, b, (o.targetAngleDeg * Math.PI) / 180),
  };
  return transformRect(rect, o.transform);
}
