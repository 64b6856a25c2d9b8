import { z } from "zod";
import { CameraSpecSchema } from "./camera.js";
import { finite, header, keypoints3, nonNegative, poseSchema, positive } from "./common.js";

/**
 * Where a human sample's keypoints come from:
 * - observed: the hand was seen at both source frames around this instant (resampled between them);
 * - interpolated: the hand was not seen here; filled between observations `gapS` apart;
 * - held: a copy of the nearest observation before the first / after the last one, or repeated
 *   while the robot waits (lead-in, jaw dwells);
 * - transformed: moved with a variant's object-frame transform and time warp (augment).
 */
export const HUMAN_STATUSES = ["observed", "interpolated", "held", "transformed"] as const;
export type HumanStatus = (typeof HUMAN_STATUSES)[number];
/** How datasets store a status: its index in HUMAN_STATUSES, −1 where it was not recorded. */
export const HUMAN_STATUS_CODES: Record<string, number> = {
  unknown: -1,
  ...Object.fromEntries(HUMAN_STATUSES.map((s, i) => [s, i])),
};
export const humanStatusCode = (s: HumanStatus | undefined): number =>
  s === undefined ? -1 : HUMAN_STATUSES.indexOf(s);

/** The human side of one control step: what the hand was doing at that instant. */
export const HumanSampleSchema = z.strictObject({
  /** Index of the nearest source frame (video frame / mocap sample). */
  frameIndex: z.number().int().nonnegative(),
  /** Source time (s) this step was interpolated at. */
  t: nonNegative,
  /** 21 × [x, y, z] in W (m), interpolated at `t`. */
  keypointsWorld: keypoints3,
  /** Provenance of the keypoints (absent in files written before it was recorded: unknown). */
  status: z.enum(HUMAN_STATUSES).optional(),
  /** Observation confidence in [0, 1] behind the keypoints (0 where nothing was observed). */
  confidence: finite.optional(),
  /** For `interpolated`: the time between the observations it was filled between (s). */
  gapS: nonNegative.optional(),
  /**
   * Pose of the source camera (the head camera) in W at `t`, OpenCV axes (x right, y down, z
   * forward): interpolated between the capture's per-frame poses, or the track's static pose.
   * Absent where the source had no camera placed in W.
   */
  X_WC: poseSchema.optional(),
});
export type HumanSample = z.infer<typeof HumanSampleSchema>;

export const TrajectoryStepSchema = z.strictObject({
  t: nonNegative,
  /** Commanded TCP pose X_WG. */
  tcp: poseSchema,
  /** Commanded opening between the finger pads (m); while `grasp` is true the gripper closes with its grip force. */
  apertureM: nonNegative,
  grasp: z.boolean(),
  /** Confidence of the hand observation behind this step, in [0, 1]. */
  confidence: finite,
  human: HumanSampleSchema,
  /** The demonstrated object's recorded pose at this instant (mocap sources), in W: lets the simulator replay object-relative. */
  object: z.strictObject({ name: z.string(), pose: poseSchema }).optional(),
});
export type TrajectoryStep = z.infer<typeof TrajectoryStepSchema>;

export const RobotTrajectorySchema = z.strictObject({
  ...header("egobridge.trajectory", 1),
  embodiment: z.string(),
  controlHz: positive,
  /** Frame the poses are expressed in. */
  frame: z.literal("W"),
  source: z.strictObject({
    kind: z.string(),
    uri: z.string().optional(),
    side: z.enum(["left", "right"]),
    synthetic: z.boolean(),
    /** The source camera's intrinsics, when the source is a video. */
    camera: CameraSpecSchema.optional(),
    /** How the human samples' X_WC were had: per frame from the capture, or one static pose (a calibration or an assumed head). */
    headPose: z.enum(["measured", "static"]).optional(),
    /** Source frames covered (first, last): a demonstration split at long gaps covers one segment. */
    frames: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]).optional(),
    /** Which segment this is and how many the hand's gaps split the source into. */
    segment: z
      .strictObject({ index: z.number().int().nonnegative(), of: z.number().int().positive() })
      .optional(),
  }),
  method: z.string(),
  /** The retargeting parameters used, for provenance. */
  params: z.record(z.string(), z.unknown()),
  steps: z.array(TrajectoryStepSchema).min(2, { message: "a trajectory needs at least two steps" }),
});
export type RobotTrajectory = z.infer<typeof RobotTrajectorySchema>;
