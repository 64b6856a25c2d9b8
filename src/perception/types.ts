/**
 * Shared shapes of the hand pipeline. Coordinates are continuous image pixels: (0, 0) is the
 * top-left corner of the image, pixel (i, j) covers [i, i+1) × [j, j+1), x right, y down.
 */

/** A 2D point (px). */
export type Point2 = readonly [number, number];

/**
 * A palm detection in the detector's normalised input square ([0, 1]², y down), as MediaPipe's
 * relative bounding box and relative keypoints.
 */
export interface Detection {
  score: number;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
  /** Palm keypoints: 0 wrist centre, 1 index MCP, 2 middle MCP, 3 ring MCP, 4 pinky MCP, 5 thumb CMC, 6 thumb MCP. */
  keypoints: Point2[];
}

/**
 * A rotated rectangle in image pixels (MediaPipe's NormalizedRect, kept in pixels so that
 * rotations stay angle-preserving on non-square images). `rotation` (rad) turns the rectangle's
 * axes from the image axes: with y down, a positive rotation is clockwise on screen.
 */
export interface Rect {
  cx: number;
  cy: number;
  width: number;
  height: number;
  rotation: number;
}

/** 21 hand landmarks of one hand, as the landmark model returned them, mapped back into the image. */
export interface HandLandmarks {
  /** 21 × [x, y, z] in image pixels; z is relative depth in the same pixel scale (normalize_z applied; wrist ≈ 0, negative = nearer). */
  image: [number, number, number][];
  /** 21 × [x, y, z] metres, hand-centred, axes aligned with the image (x right, y down, z away), when the model has them. */
  world?: [number, number, number][];
  presence: number;
  /** Probability of MediaPipe's "Right" label, which assumes a mirrored (selfie) image. */
  probMirroredRight: number;
  /** The crop the landmarks were found in. */
  rect: Rect;
}
