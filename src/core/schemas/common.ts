import { z } from "zod";

/** A finite number: NaN and ±Infinity are rejected at the boundary, never propagated. */
export const finite = z
  .number()
  .refine(Number.isFinite, { message: "must be a finite number (got NaN or Infinity)" });
export const positive = finite.refine((v) => v > 0, { message: "must be > 0" });
export const nonNegative = finite.refine((v) => v >= 0, { message: "must be >= 0" });

export const vec2 = z.tuple([finite, finite]);
export const vec3 = z.tuple([finite, finite, finite]);
/** A size in three dimensions: every extent > 0 (a box of size 0 has no volume to collide with). */
export const size3 = z.tuple([positive, positive, positive]);
/** Quaternion as a flat array in [x, y, z, w] order. */
export const quatXyzw = z
  .tuple([finite, finite, finite, finite])
  .refine((q) => Math.abs(Math.hypot(...q) - 1) < 1e-3, { message: "quaternion must have unit norm" });

/** A rigid pose as flat arrays: position (m) and quaternion [x, y, z, w]. */
export const poseSchema = z.strictObject({ pos: vec3, quatXyzw });
export type PoseJson = z.infer<typeof poseSchema>;

/** 21 keypoints in MediaPipe order (0 wrist, 1–4 thumb, 5–8 index, 9–12 middle, 13–16 ring, 17–20 pinky). */
export const keypoints3 = z.array(vec3).length(21);
export const keypoints2 = z.array(vec2).length(21);

export const NUM_KEYPOINTS = 21;
export const KP = {
  wrist: 0,
  thumbCmc: 1,
  thumbMcp: 2,
  thumbIp: 3,
  thumbTip: 4,
  indexMcp: 5,
  indexPip: 6,
  indexDip: 7,
  indexTip: 8,
  middleMcp: 9,
  middleTip: 12,
  ringMcp: 13,
  ringTip: 16,
  pinkyMcp: 17,
  pinkyTip: 20,
} as const;

/** Hand skeleton edges (bones) in MediaPipe's 21-point order, as MediaPipe's HAND_CONNECTIONS. */
export const HAND_CONNECTIONS: readonly (readonly [number, number])[] = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [0, 5],
  [5, 6],
  [6, 7],
  [7, 8],
  [5, 9],
  [9, 10],
  [10, 11],
  [11, 12],
  [9, 13],
  [13, 14],
  [14, 15],
  [15, 16],
  [13, 17],
  [0, 17],
  [17, 18],
  [18, 19],
  [19, 20],
];

/**
 * Defines a versioned on-disk format: `format` names it, `version` is an integer bumped on
 * incompatible change. Files written by egobridge always carry both.
 */
export const header = <F extends string, V extends number>(format: F, version: V) => ({
  format: z.literal(format),
  version: z.literal(version),
});
