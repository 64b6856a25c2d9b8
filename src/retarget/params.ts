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
  /**
   * Which cue finds grasps: "pinch" (thumb–index below closeBelowM, plus the object cue when the
   * track has objects), "closure" (stop + close, carry, stop: grasp_closure.ts), or "auto":
   * closure for recorded hands without an object track (video, EgoDex, Aria), pinch otherwise
   * (synthetic demonstrations, mocap with objects).
   */
  graspCue: z.enum(["auto", "pinch", "closure"]).default("auto"),
  /** Closure cue: the wrist is still below this speed (m/s). */
  stillBelowMps: positive.default(0.2),
  /** Closure cue: the grip span (thumb tip to the index/middle tips' mean) closes by this much as the hand stops (m). */
  closeDropM: positive.default(0.015),
  /** Closure cue: how far before / into a stop the closing is looked for (s). */
  closeWindowS: positive.default(0.7),
  /** Closure cue: the hand must carry the object this far before a stop counts as a put-down (m). */
  minCarryM: positive.default(0.05),
  /** Closure cue: half-width of the centred (zero-phase) moving average of span and wrist (s). */
  closureSmoothS: nonNegative.default(0.1),
  /**
   * Recorded hands (not synthetic demonstrations, whose planned paths already come in straight):
   * before each grasp the gripper comes in straight along its approach axis from this far back,
   * jaws open, and backs out the same way after each release (m; 0 = follow the hand exactly).
   * See parallel_jaw.ts straightApproaches.
   */
  approachM: nonNegative.default(0.05),
  /** Duration of the straight approach, and of the blend into it (s). */
  approachS: positive.default(0.4),
  /**
   * Recorded tracks with objects (mocap such as GRAB; a synthetic demonstration plans its own
   * grasps): at each grasp the jaws are centred on the grasped object (the TCP moves
   * across the approach axis onto the object's centre, blended in over `approachS` before the
   * close and out after the release); a shift longer than `maxCentreShiftM` is left undone. A
   * human's thumb–index midpoint lies off an object's centre (fingers wrap, and they are thick),
   * where a parallel jaw would close on the object's edge or push it with one open finger.
   */
  centreOnObject: z.boolean().default(true),
  maxCentreShiftM: positive.default(0.06),
  /**
   * Recorded tracks with objects, whose table lies just under the object: each hold rides no lower
   * (relative to the close) than the object did, and is turned about the jaw axis and raised as
   * little as keeps the gripper `surfaceClearanceM` above the surface the object stood on; every
   * other step is raised where the gripper would go below the table (m). A hand's fingers lie
   * along a table where a gripper's housing cannot. See parallel_jaw.ts clearHoldsOfSurface.
   */
  clearOfSurface: z.boolean().default(true),
  surfaceClearanceM: nonNegative.default(0.005),
  /** Grasp or release episodes shorter than this are treated as noise (s). */
  minGraspS: nonNegative.default(0.15),
  minReleaseS: nonNegative.default(0.15),
  /** The robot starts this far back along the approach axis from the first pose and moves in (m). */
  leadInM: nonNegative.default(0.15),
  /** The robot holds its last pose this long at the end, while the scene settles (s); see appendSettle. */
  settleS: nonNegative.default(0.5),
  /** Hold the pose at each grasp change until the jaws have closed / opened (see insertJawDwells). */
  dwellOnGraspChange: z.boolean().default(true),
  /**
   * Before each release the arm stops and holds, jaws still closed, this long (s): what it carries
   * comes to rest in the grip before the jaws open, as a robot sets a part down (see insertJawDwells).
   */
  releaseSettleS: nonNegative.default(0.2),
  /**
   * A hand unseen for longer than this is not interpolated across: the demonstration splits there
   * into segments (s). Shorter gaps are filled and marked interpolated.
   */
  maxGapS: positive.default(0.5),
  /** Which segment to retarget (0-based, in time order); default: the longest. */
  segment: z.number().int().nonnegative().optional(),
  /** Hand observations below this score are treated as missing and filled by interpolation. */
  minScore: nonNegative.default(0.5),
  /** One-Euro smoothing of the TCP pose, run forward and backward (zero phase: no lag; see one_euro.ts). */
  smoothing: z
    .strictObject({ minCutoffHz: positive, beta: nonNegative, derivativeCutoffHz: positive })
    .default({ minCutoffHz: 3, beta: 10, derivativeCutoffHz: 2 }),
});
export type ParallelJawParams = z.infer<typeof ParallelJawParamsSchema>;
export type ParallelJawParamsInput = z.input<typeof ParallelJawParamsSchema>;
