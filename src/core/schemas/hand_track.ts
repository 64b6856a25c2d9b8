import { z } from "zod";
import { CameraSpecSchema } from "./camera.js";
import { finite, keypoints2, keypoints3, nonNegative, poseSchema, positive, size3 } from "./common.js";

/** One detected hand at one instant. */
export const HandObservationSchema = z.strictObject({
  side: z.enum(["left", "right"]),
  /** Detection / presence confidence in [0, 1]. */
  score: finite.refine((s) => s >= 0 && s <= 1, { message: "score must be in [0, 1]" }),
  /** 21 × [x, y] in image pixels (video sources). */
  keypointsPx: keypoints2.optional(),
  /** 21 × [x, y, z] in the camera frame C (m; x right, y down, z forward, OpenCV convention). */
  keypointsCam: keypoints3.optional(),
  /** 21 × [x, y, z] in the scene/world frame W (m, z up): mocap and synthetic sources. */
  keypointsWorld: keypoints3.optional(),
});
export type HandObservation = z.infer<typeof HandObservationSchema>;

export const HandFrameSchema = z.strictObject({
  /** Time since the start of the source (s). */
  t: nonNegative,
  /** Index of the source video frame (or mocap sample). */
  index: z.number().int().nonnegative().optional(),
  hands: z.array(HandObservationSchema).max(2),
  /**
   * Pose of the camera in W at this frame (v2): a head-worn camera moves with the head, so
   * camera-frame keypoints are placed in W with the pose of their own frame. Present on every
   * frame when the track has a `cameraTrajectory`, absent otherwise.
   */
  X_WC: poseSchema.optional(),
});
export type HandFrame = z.infer<typeof HandFrameSchema>;

export const ObjectShapeSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("box"), sizeM: size3 }),
  z.strictObject({ kind: z.literal("cylinder"), radiusM: positive, heightM: positive }),
  z.strictObject({ kind: z.literal("sphere"), radiusM: positive }),
  /** Semi-axes along the object's local x, y, z (m). */
  z.strictObject({
    kind: z.literal("ellipsoid"),
    radiiM: size3,
    /**
     * Flat caps: the shape is cut at |z| = capZ · radiiM[2] (fraction in (0, 1]; 1 = plain ellipsoid).
     * Fruit such as apples rest on a flattened end, which a plain tall ellipsoid lacks (it would
     * balance on its tip and roll away).
     */
    capZ: z.number().gt(0).lte(1).default(1),
  }),
]);
export type ObjectShape = z.infer<typeof ObjectShapeSchema>;

/** An object observed together with the hands (mocap datasets such as GRAB), pose per frame in W. */
export const ObjectTrackSchema = z.strictObject({
  name: z.string().min(1),
  shape: ObjectShapeSchema,
  /** How the shape was obtained (mesh bounds, estimate from contact geometry, …). */
  shapeSource: z.string(),
  massKg: positive.optional(),
  /** One pose per entry of `frames`, in W. */
  poses: z.array(poseSchema),
});
export type ObjectTrack = z.infer<typeof ObjectTrackSchema>;

/** Where the per-frame camera poses of a track came from (v2). */
export const CameraTrajectorySchema = z.strictObject({
  /**
   * measured: the capture device's own head tracking (ARKit, Aria SLAM, a TUM file from a SLAM
   * system); assumed: not measured (e.g. a static head at a guessed height).
   */
  provenance: z.enum(["measured", "assumed"]),
  /** What the poses were read from, e.g. `egodex:0.hdf5#/transforms/camera`. */
  source: z.string().min(1),
  /** How the source's world was turned into W (gravity-aligned, z up), e.g. "ARKit y-up → z-up". */
  worldFrame: z.string().optional(),
});
export type CameraTrajectory = z.infer<typeof CameraTrajectorySchema>;

/** The current version written; version 1 files (no per-frame camera pose) still load. */
export const HAND_TRACK_VERSION = 2;

export const HandTrackSchema = z
  .strictObject({
    format: z.literal("egobridge.handtrack"),
    version: z.union([z.literal(1), z.literal(HAND_TRACK_VERSION)]),
    source: z.strictObject({
      kind: z.enum(["video", "grab", "procedural", "egodex", "aria-mps", "mano"]),
      uri: z.string().optional(),
      /** True when no human was recorded (procedural demonstrations). */
      synthetic: z.boolean(),
      description: z.string().optional(),
    }),
    /** Nominal sample rate of `frames` (Hz). */
    fps: positive,
    camera: CameraSpecSchema.optional(),
    /**
     * Pose of a static camera in the scene frame (a calibration, or an assumed head pose); maps
     * keypointsCam to W in frames that carry no pose of their own.
     */
    X_WC: poseSchema.optional(),
    /** v2: the frames carry the camera's pose per frame (`frames[i].X_WC`), from this source. */
    cameraTrajectory: CameraTrajectorySchema.optional(),
    /** What the human was doing, as the source describes it (e.g. EgoDex's task text). */
    task: z.string().optional(),
    frames: z.array(HandFrameSchema).min(1, { message: "a hand track needs at least one frame" }),
    objects: z.array(ObjectTrackSchema).default([]),
  })
  .superRefine((track, ctx) => {
    for (let i = 1; i < track.frames.length; i++) {
      if (track.frames[i]!.t <= track.frames[i - 1]!.t) {
        ctx.addIssue({
          code: "custom",
          path: ["frames", i, "t"],
          message: "frame times must increase strictly",
        });
        return;
      }
    }
    if (track.cameraTrajectory && track.version < 2) {
      ctx.addIssue({ code: "custom", path: ["cameraTrajectory"], message: "needs version 2" });
    }
    const posed = track.frames.filter((f) => f.X_WC).length;
    if (track.cameraTrajectory ? posed !== track.frames.length : posed > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["frames"],
        message: track.cameraTrajectory
          ? `cameraTrajectory is set but ${track.frames.length - posed} of ${track.frames.length} frames have no X_WC`
          : `${posed} frames have an X_WC but the track has no cameraTrajectory saying where it came from`,
      });
    }
    for (const [k, obj] of track.objects.entries()) {
      if (obj.poses.length !== track.frames.length) {
        ctx.addIssue({
          code: "custom",
          path: ["objects", k, "poses"],
          message: `has ${obj.poses.length} poses for ${track.frames.length} frames`,
        });
      }
    }
  });
export type HandTrack = z.infer<typeof HandTrackSchema>;
