import { z } from "zod";
import { finite, header, nonNegative, poseSchema, positive, size3, vec3 } from "./common.js";

/** Physical material of a body. */
const material = {
  friction: nonNegative.default(0.6),
  restitution: nonNegative.default(0.0),
};

/** What a body is for in the task: the object to move, where it goes, what holds it. */
const role = z.enum(["target", "receiver", "support", "distractor"]).optional();

const dynamicBody = {
  id: z.string().min(1),
  role,
  /** Pose of the body's centre in the scene frame W (z up). */
  pose: poseSchema,
  /** Dynamic bodies move under physics; static ones never move. */
  dynamic: z.boolean().default(true),
  massKg: positive.default(0.2),
  ...material,
};

/** The rise a lift task asks of its target by default (m); a carry that never rises this much is a slide. */
export const DEFAULT_LIFT_M = 0.05;

export const SceneItemSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("floor"),
    id: z.string().min(1),
    heightM: z.number().default(0),
    ...material,
  }),
  z.strictObject({ kind: z.literal("box"), ...dynamicBody, sizeM: size3 }),
  z.strictObject({ kind: z.literal("cylinder"), ...dynamicBody, radiusM: positive, heightM: positive }),
  z.strictObject({ kind: z.literal("sphere"), ...dynamicBody, radiusM: positive }),
  z.strictObject({
    kind: z.literal("ellipsoid"),
    ...dynamicBody,
    radiiM: size3,
    /**
     * Flat caps: the shape is cut at |z| = capZ · radiiM[2] (fraction in (0, 1]; 1 = plain ellipsoid).
     * Fruit such as apples rest on a flattened end, which a plain tall ellipsoid lacks (it would
     * balance on its tip and roll away).
     */
    capZ: z.number().gt(0).lte(1).default(1),
  }),
  /**
   * A static shelving unit: two side uprights, a back panel and horizontal boards. `pose` is the
   * centre of its footprint on the floor; the unit's local +x runs along its width and −y points
   * out of its open front.
   */
  z.strictObject({
    kind: z.literal("shelf"),
    id: z.string().min(1),
    role,
    pose: poseSchema,
    widthM: positive,
    depthM: positive,
    heightM: positive,
    /** Heights of the top faces of the boards, from the floor (m). */
    levelsM: z.array(positive).min(1),
    boardThicknessM: positive.default(0.02),
    uprightThicknessM: positive.default(0.03),
    /** Height of a lip along the front edge of every board, keeping items from sliding off (m); 0 = none. */
    lipHeightM: nonNegative.default(0),
    ...material,
  }),
  /**
   * A static pallet (EUR 1200 × 800 × 144 mm by default): top deck boards on three rows of
   * blocks. `pose` is the centre of its underside.
   */
  z.strictObject({
    kind: z.literal("pallet"),
    id: z.string().min(1),
    role,
    pose: poseSchema,
    sizeM: size3.default([1.2, 0.8, 0.144]),
    ...material,
  }),
  /** An open-top container; `pose` is the centre of its base's underside. */
  z.strictObject({
    kind: z.literal("tote"),
    id: z.string().min(1),
    role,
    pose: poseSchema,
    sizeM: size3,
    wallM: positive.default(0.01),
    ...material,
  }),
]);
export type SceneItem = z.infer<typeof SceneItemSchema>;

/** Where an arm's base stands, and from which posture (SceneSpec `robotBase`). */
export const robotBaseSchema = z.strictObject({
  pose: poseSchema,
  origin: z.enum(["stated", "searched", "varied"]).default("stated"),
  postureRad: z.array(finite).min(1).optional(),
});

export const SceneSpecSchema = z
  .strictObject({
    ...header("egobridge.scene", 1),
    name: z.string().min(1),
    description: z.string().default(""),
    seed: z.number().int().nonnegative().default(0),
    gravity: vec3.default([0, 0, -9.81]),
    items: z.array(SceneItemSchema).min(1),
    task: z.strictObject({
      /** The object the demonstration moves. */
      targetId: z.string(),
      /** Minimum rise of the target above its start for "lifted" (m). */
      liftM: positive.default(DEFAULT_LIFT_M),
      /**
       * What the demonstration does with the target: lift it (absent: the default), or slide it
       * along the surface it stands on, by a grasp or a push, at least `moveM` (m) to the place
       * region, never lifting it.
       */
      motion: z.enum(["lift", "slide"]).optional(),
      moveM: positive.optional(),
      /** Axis-aligned region in W where the target should end up, if the task is a placement. */
      placeRegion: z.strictObject({ centerM: vec3, halfExtentsM: vec3 }).optional(),
      /**
       * Whether a placed target must end upright (within the verdict's topple angle of its start
       * attitude; absent: true), or may come to rest in any attitude (a drop into a tote).
       */
      upright: z.boolean().optional(),
    }),
    /**
     * Where an arm's base stands (embodiments with an arm): the base frame in W, on a pedestal
     * column from the floor (z = 0) up to it. `origin` says how it was had: stated by the scene's
     * author, searched for a demonstration (sim/arm.ts: the base from which the arm follows it,
     * clear of the scenery), which the demonstration's variants then keep, or varied (a variant
     * moved its source's base within the augmentation's `robotBaseShiftM` / `robotBaseYawRad`).
     * `postureRad`, when given, replaces the arm's `ready` posture for this scene: the joint
     * positions (one per arm joint) its inverse kinematics starts from and is pulled towards in
     * its null space; a search records the one it found the path followed with.
     */
    robotBase: robotBaseSchema.optional(),
  })
  .superRefine((scene, ctx) => {
    const ids = new Set<string>();
    for (const [i, item] of scene.items.entries()) {
      if (ids.has(item.id))
        ctx.addIssue({ code: "custom", path: ["items", i, "id"], message: `duplicate id '${item.id}'` });
      ids.add(item.id);
    }
    const target = scene.items.find((it) => it.id === scene.task.targetId);
    if (!target) {
      ctx.addIssue({
        code: "custom",
        path: ["task", "targetId"],
        message: `no item with id '${scene.task.targetId}'`,
      });
    } else if (!("dynamic" in target) || !target.dynamic) {
      ctx.addIssue({
        code: "custom",
        path: ["task", "targetId"],
        message: "the target must be a dynamic object",
      });
    }
  });
export type SceneSpec = z.infer<typeof SceneSpecSchema>;
export type SceneSpecInput = z.input<typeof SceneSpecSchema>;
