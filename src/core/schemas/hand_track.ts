import { z } from "zod";
import { CameraSpecSchema } from "./camera.js";
import { finite, header, keypoints2, keypoints3, nonNegative, poseSchema, positive, vec3 } from "./common.js";

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
});
export type HandFrame = z.infer<typeof HandFrameSchema>;

export const ObjectShapeSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("box"), sizeM: vec3 }),
  z.strictObject({ kind: z.literal("cylinder"), radiusM: positive, heightM: positive }),
  z.strictObject({ kind: z.literal("sphere"), radiusM: positive }),
  /** Semi-axes along the object's local x, y, z (m). */
  z.strictObject({
    kind: z.literal("ellipsoid"),
    radiiM: vec3,
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

export const HandTrackSchema = z
  .strictObject({
    ...header("egobridge.handtrack", 1),
    source: z.strictObject({
      kind: z.enum(["video", "grab", "procedural", "egodex", "mano"]),
      uri: z.string().optional(),
      /** True when no human was recorded (procedural demonstrations). */
      synthetic: z.boolean(),
      description: z.string().optional(),
    }),
    /** Nominal sample rate of `frames` (Hz). */
    fps: positive,
    camera: CameraSpecSchema.optional(),
    /** Pose of the camera in the scene frame, when known (calibration); maps keypointsCam to W. */
    X_WC: poseSchema.optional(),
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
