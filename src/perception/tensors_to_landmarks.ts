/**
 * Landmark-model outputs → hand landmarks in the image: MediaPipe's TensorsToLandmarksCalculator
 * (crop pixels / input size → crop-normalised) followed by LandmarkProjectionCalculator (through
 * the crop's rotated rect back into the image) and WorldLandmarkProjectionCalculator (world
 * landmarks rotated by the rect's rotation, so their axes line up with the image's).
 *
 * Tensor shapes (batch item b): landmarks [N, 63], presence [N, 1], handedness [N, 1], world [N, 63].
 */

import { rectToImage } from "./rect_transform.js";
import { sigmoid } from "./tensors_to_detections.js";
import type { HandLandmarks, Rect } from "./types.js";

export interface LandmarkTensors {
  landmarks: Float32Array;
  presence: Float32Array;
  handedness: Float32Array;
  world?: Float32Array;
}

export interface LandmarkDecodeOptions {
  inputWidth: number;
  inputHeight: number;
  presenceIsLogit: boolean;
  handednessIsLogit: boolean;
  /** The MediaPipe label the handedness output scores. */
  handednessLabel: "Left" | "Right";
  /** TensorsToLandmarksCalculatorOptions.normalize_z: z is divided by it (default 1, as the calculator's). */
  normalizeZ?: number;
}

/** Decodes batch item `b`, whose crop was `rect`. */
export function tensorsToLandmarks(
  t: LandmarkTensors,
  b: number,
  rect: Rect,
  o: LandmarkDecodeOptions,
): HandLandmarks {
  const image: [number, number, number][] = [];
  for (let k = 0; k < 21; k++) {
    const q = b * 63 + k * 3;
    const [x, y] = rectToImage(rect, t.landmarks[q]! / o.inputWidth, t.landmarks[q + 1]! / o.inputHeight);
    // z shares x's scale (MediaPipe: "z uses roughly the same scale as x") once divided by normalize_z.
    image.push([x, y, (t.landmarks[q + 2]! / o.inputWidth / (o.normalizeZ ?? 1)) * rect.width]);
  }
  let world: [number, number, number][] | undefined;
  if (t.world) {
    const c = Math.cos(rect.rotation);
    const s = Math.sin(rect.rotation);
    world = [];
    for (let k = 0; k < 21; k++) {
      const q = b * 63 + k * 3;
      const x = t.world[q]!;
      const y = t.world[q + 1]!;
      world.push([c * x - s * y, s * x + c * y, t.world[q + 2]!]);
    }
  }
  const presence = o.presenceIsLogit ? sigmoid(t.presence[b]!) : t.presence[b]!;
  const p = o.handednessIsLogit ? sigmoid(t.handedness[b]!) : t.handedness[b]!;
  const probMirroredRight = o.handednessLabel === "Right" ? p : 1 - p;
  return { image, ...(world ? { world } : {}), presence, probMirroredRight, rect };
}
