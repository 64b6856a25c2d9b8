import { z } from "zod";
import type { Rng } from "../core/rng.js";
import { nonNegative, positive } from "../core/schemas/common.js";

/** Ranges of the variation space; every draw comes from a seeded generator. */
export const VariationRangesSchema = z.strictObject({
  /** Target moved within ± these distances on its support, along the support's x and y (m). */
  objectShiftM: z.tuple([nonNegative, nonNegative]).default([0.15, 0.05]),
  /** Target turned within ± this angle about the vertical (rad). */
  objectYawRad: nonNegative.default(0.35),
  /** Probability of moving the target to another shelf level (shelf scenes). */
  levelChangeP: nonNegative.default(0.3),
  /** Shelf board heights jittered within ± this (m). */
  levelJitterM: nonNegative.default(0.03),
  sizeScale: z.tuple([positive, positive]).default([0.9, 1.1]),
  massScale: z.tuple([positive, positive]).default([0.5, 2.0]),
  friction: z.tuple([nonNegative, nonNegative]).default([0.5, 1.0]),
  /** Up to this many distractor boxes placed on the target's support. */
  maxDistractors: z.number().int().nonnegative().default(2),
  /** Playback speed factor range (time warping): > 1 is faster. */
  speed: z.tuple([positive, positive]).default([0.85, 1.15]),
  /** Standard deviation of Gaussian noise on commanded TCP positions (m). */
  actionNoiseM: nonNegative.default(0.001),
  /** Probability of a left/right mirrored variant. */
  mirrorP: nonNegative.default(0.2),
  /**
   * An arm's base (the scene's `robotBase`) moved within ± these distances along W's x and y (m);
   * 0 (the default) keeps the source's base. A variant whose base stands in the scenery fails as
   * `base_blocked`, one whose path it cannot reach from there as `unreachable`.
   */
  robotBaseShiftM: z.tuple([nonNegative, nonNegative]).default([0, 0]),
  /** An arm's base turned within ± this angle about the vertical (rad). */
  robotBaseYawRad: nonNegative.default(0),
  /** Probability of replaying on another gripper from `embodiments`. */
  embodimentSwapP: nonNegative.default(0.2),
  /**
   * The other grippers (none by default: the built-in alternatives, e.g. `robotiq_2f140`, are
   * simplified box models that the MuJoCo cross-check cannot replay, and one dataset then mixes
   * action spaces). A job opts in with `augment.ranges.embodiments`.
   */
  embodiments: z.array(z.string()).default([]),
});
export type VariationRanges = z.infer<typeof VariationRangesSchema>;
export type VariationRangesInput = z.input<typeof VariationRangesSchema>;

/** One sampled point of the variation space (plain numbers, recorded in the variant's lineage). */
export const VariationParamsSchema = z.strictObject({
  shift: z.tuple([z.number(), z.number()]),
  yawRad: z.number(),
  /** Shelf level index for the target, or −1 to stay where it was. */
  level: z.number().int(),
  levelJitterM: z.number(),
  sizeScale: z.number(),
  massScale: z.number(),
  friction: z.number(),
  /** Distractors: position along the support's x as a fraction in [−1, 1] of the free width, and size (m). */
  distractors: z.array(
    z.strictObject({ u: z.number(), sizeM: z.tuple([z.number(), z.number(), z.number()]) }),
  ),
  speed: z.number(),
  actionNoiseM: z.number(),
  noiseSeed: z.number().int().nonnegative(),
  mirror: z.boolean(),
  embodiment: z.string(),
  /** The arm's base moved by (dx, dy) (m) and turned by dyaw (rad); absent: kept. */
  robotBase: z.tuple([z.number(), z.number(), z.number()]).optional(),
});
export type VariationParams = z.infer<typeof VariationParamsSchema>;

/** The identity variation: the source replayed as it was (used to check replay fidelity). */
export const IDENTITY_VARIATION = (embodiment: string): VariationParams => ({
  shift: [0, 0],
  yawRad: 0,
  level: -1,
  levelJitterM: 0,
  sizeScale: 1,
  massScale: 1,
  friction: -1,
  distractors: [],
  speed: 1,
  actionNoiseM: 0,
  noiseSeed: 0,
  mirror: false,
  embodiment,
});

const between = (rng: Rng, [lo, hi]: readonly [number, number]): number => rng.uniform(lo, hi);

/** Draws one variation. `levels` is the number of shelf levels under the target (0 when not on a shelf). */
export function sampleVariation(
  rng: Rng,
  r: VariationRanges,
  levels: number,
  sourceEmbodiment: string,
): VariationParams {
  const shift: [number, number] = [
    rng.uniform(-1, 1) * r.objectShiftM[0],
    rng.uniform(-1, 1) * r.objectShiftM[1],
  ];
  const yawRad = rng.uniform(-1, 1) * r.objectYawRad;
  const level = levels > 1 && rng.next() < r.levelChangeP ? rng.int(levels) : -1;
  const levelJitterM = rng.uniform(-1, 1) * r.levelJitterM;
  const sizeScale = between(rng, r.sizeScale);
  const massScale = Math.exp(between(rng, [Math.log(r.massScale[0]), Math.log(r.massScale[1])]));
  const friction = between(rng, r.friction);
  const count = rng.int(r.maxDistractors + 1);
  const distractors = Array.from({ length: count }, () => ({
    u: rng.uniform(-1, 1),
    sizeM: [rng.uniform(0.04, 0.08), rng.uniform(0.04, 0.08), rng.uniform(0.06, 0.14)] as [
      number,
      number,
      number,
    ],
  }));
  const speed = between(rng, r.speed);
  const noiseSeed = rng.int(0x7fffffff);
  const mirror = rng.next() < r.mirrorP;
  const swap = r.embodiments.length > 0 && rng.next() < r.embodimentSwapP;
  const embodiment = swap ? r.embodiments[rng.int(r.embodiments.length)]! : sourceEmbodiment;
  // Drawn last, and only when asked for: the other draws stay what they were without it.
  const movesBase = r.robotBaseShiftM[0] > 0 || r.robotBaseShiftM[1] > 0 || r.robotBaseYawRad > 0;
  const robotBase: [number, number, number] | undefined = movesBase
    ? [
        rng.uniform(-1, 1) * r.robotBaseShiftM[0],
        rng.uniform(-1, 1) * r.robotBaseShiftM[1],
        rng.uniform(-1, 1) * r.robotBaseYawRad,
      ]
    : undefined;
  return {
    shift,
    yawRad,
    level,
    levelJitterM,
    sizeScale,
    massScale,
    friction,
    distractors,
    speed,
    actionNoiseM: r.actionNoiseM,
    noiseSeed,
    mirror,
    embodiment,
    ...(robotBase ? { robotBase } : {}),
  };
}
