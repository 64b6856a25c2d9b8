import { z } from "zod";
import { finite, header, positive } from "./common.js";

/** Aria's Fisheye624 has 12 distortion coefficients; pinhole and fisheye read at most 5 (missing ones are 0). */
const FISHEYE624_COEFFS = 12;
const MAX_OPENCV_COEFFS = 5;

/**
 * Camera intrinsics (and optionally where the camera sits in the scene).
 * - pinhole: fx, fy, cx, cy in pixels; optional radial/tangential distortion k1 k2 p1 p2 k3.
 * - fisheye: equidistant (Kannala–Brandt) model with k1..k4, as OpenCV's `cv::fisheye`.
 * - fisheye624: Project Aria's FisheyeRadTanThinPrism ("Fisheye624": 6 radial, 2 tangential,
 *   4 thin-prism coefficients). Aria's 15 parameters [f, cx, cy, k0..k5, p0, p1, s0..s3] are stored
 *   as fx = fy = f, cx, cy and `distortion` = [k0, k1, k2, k3, k4, k5, p0, p1, s0, s1, s2, s3]
 *   (exactly 12). See perception/camera_model.ts for the formula.
 */
export const CameraSpecSchema = z
  .strictObject({
    ...header("egobridge.camera", 1),
    model: z.enum(["pinhole", "fisheye", "fisheye624"]),
    widthPx: z.number().int().positive(),
    heightPx: z.number().int().positive(),
    fx: positive,
    fy: positive,
    cx: finite,
    cy: finite,
    distortion: z.array(finite).max(FISHEYE624_COEFFS).default([]),
    /** How the intrinsics were obtained; "assumed" means a default from a field of view, not a calibration. */
    provenance: z.enum(["calibrated", "assumed", "dataset"]).default("calibrated"),
  })
  .superRefine((cam, ctx) => {
    const n = cam.distortion.length;
    // pinhole and fisheye have always accepted up to 5 (a fisheye ignores the 5th): kept for old files.
    const bad = cam.model === "fisheye624" ? n !== FISHEYE624_COEFFS : n > MAX_OPENCV_COEFFS;
    if (bad) {
      ctx.addIssue({
        code: "custom",
        path: ["distortion"],
        message:
          cam.model === "fisheye624"
            ? `fisheye624 needs exactly ${FISHEYE624_COEFFS} coefficients [k0..k5, p0, p1, s0..s3], got ${n}`
            : `${cam.model} takes at most ${MAX_OPENCV_COEFFS} coefficients, got ${n}`,
      });
    }
  });
export type CameraSpec = z.infer<typeof CameraSpecSchema>;
