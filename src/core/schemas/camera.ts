import { z } from "zod";
import { finite, header, positive } from "./common.js";

/**
 * Camera intrinsics (and optionally where the camera sits in the scene).
 * - pinhole: fx, fy, cx, cy in pixels; optional radial/tangential distortion k1 k2 p1 p2 k3.
 * - fisheye: equidistant (Kannala–Brandt) model with k1..k4, as OpenCV's `cv::fisheye`.
 */
export const CameraSpecSchema = z.strictObject({
  ...header("egobridge.camera", 1),
  model: z.enum(["pinhole", "fisheye"]),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  fx: positive,
  fy: positive,
  cx: finite,
  cy: finite,
  distortion: z.array(finite).max(5).default([]),
  /** How the intrinsics were obtained; "assumed" means a default from a field of view, not a calibration. */
  provenance: z.enum(["calibrated", "assumed", "dataset"]).default("calibrated"),
});
export type CameraSpec = z.infer<typeof CameraSpecSchema>;
