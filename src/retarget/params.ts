import { z } from "zod";
import { nonNegative, positive } from "../core/schemas/common.js";

/** Parameters of parallel-jaw retargeting, with defaults. Recorded in every trajectory. */
export const ParallelJawParamsSchema = z.strictObject({
  /** Control rate of the output trajectory (Hz). */
  controlHz: positive.default(30),
  /** Which hand to follow; "auto" picks the hand seen in most frames. */
  side: z.enum(["left", "right", "auto"]).default("auto"),
  /** Gripper opening = clip(apertureScale · |thumb tip − index tip| + openMarginM, 0, stroke) while open. */
  apertureScale: positive.default(1.0),
  openMarginM: nonNegative.default(0.015),
  /** Pinch hysteresis: closed below `closeBelowM`, open again above `openAboveM` (thumb–index tips, m). */
  closeBelowM: positive.default(0.03),
  openAboveM: positive.default(0.06),
  /**
   * Object cue (tracks with objects, e.g. GRAB mocap; see grasp_state.ts): grasped when thumb tip
   * and index tip are both within `contactM` of the object's surface on opposite sides; released
   * when the pinch point slides `releaseSlipM` relative to the object or the fingers open
   * `releaseOpenM` wider than at the grasp.
   */
  contactM: nonNegative.default(0.012),
  /** Object displacement (m) that marks it moving with the hand: an object hold starts there. */
  liftOffM: positive.default(0.003),
  releaseSlipM: positive.default(0.015),
  releaseOpenM: positive.default(0.015),
  /** Grasp or release episodes shorter than this are treated as noise (s). */
  minGraspS: nonNegative.default(0.15),
  minReleaseS: nonNegative.default(0.15),
  /** The robot starts this far back along the approach axis from the first pose and moves in (m). */
  leadInM: nonNegative.default(0.15),
  /** Hold the pose at each grasp change until the jaws have closed / opened (see insertJawDwells). */
  dwellOnGraspChange: z.boolean().default(true),
  /** Hand observations below this score are treated as missing and filled by interpolation. */
  minScore: nonNegative.default(0.5),
  /** One-Euro smoothing of the TCP position (see one_euro.ts). */
  smoothing: z
    .strictObject({ minCutoffHz: positive, beta: nonNegative, derivativeCutoffHz: positive })
    .default({ minCutoffHz: 3, beta: 10, derivativeCutoffHz: 2 }),
});
export type ParallelJawParams = z.infer<typeof ParallelJawParamsSchema>;
export type ParallelJawParamsInput = z.input<typeof ParallelJawParamsSchema>;
