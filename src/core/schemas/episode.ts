import { z } from "zod";
import { CameraSpecSchema } from "./camera.js";
import { finite, header, nonNegative, poseSchema, positive } from "./common.js";
import { EmbodimentSchema } from "./embodiment.js";
import { SceneSpecSchema } from "./scene.js";
import { HumanSampleSchema } from "./trajectory.js";

export const EpisodeStepSchema = z.strictObject({
  t: nonNegative,
  /**
   * Measured state after the step: TCP pose X_WG, opening between the pads (m) and, when the
   * engine reports them, where each pad's inner face is along the opening axis y of G (m; left
   * negative): the fingers are pushed apart unevenly by contacts.
   */
  state: z.strictObject({
    tcp: poseSchema,
    apertureM: finite,
    padsYM: z.tuple([finite, finite]).optional(),
    /**
     * With an arm embodiment: the arm's joint positions (rad) holding the gripper at `tcp` (its
     * inverse kinematics, within ik.ts IK_TOLERANCE), in `embodiment.arm.joints` order, and their
     * speeds (rad/s: the change from the step before over the control period).
     */
    joints: z.strictObject({ q: z.array(finite), qd: z.array(finite) }).optional(),
  }),
  /** The command given at this step (absolute, in W). */
  action: z.strictObject({ tcp: poseSchema, apertureM: nonNegative, grasp: z.boolean() }),
  /** Poses of the dynamic scene objects, by id. */
  objects: z.record(z.string(), poseSchema),
  /** Contacts with a force above the reporting threshold: body ids and total normal force (N). */
  contacts: z.array(z.strictObject({ a: z.string(), b: z.string(), forceN: nonNegative })),
  human: HumanSampleSchema,
});
export type EpisodeStep = z.infer<typeof EpisodeStepSchema>;

export const LineageSchema = z.strictObject({
  /** What the demonstration came from, e.g. "grab:cylindersmall_lift" or "procedural:shelf_to_tote". */
  source: z.string(),
  sourceEpisode: z.string().optional(),
  variant: z.number().int().nonnegative().optional(),
  seed: z.number().int().nonnegative(),
  params: z.record(z.string(), z.unknown()).default({}),
});

export const EpisodeSchema = z.strictObject({
  ...header("egobridge.episode", 1),
  id: z.string().min(1),
  task: z.string().min(1),
  controlHz: positive,
  physics: z.strictObject({ engine: z.string(), dtS: positive, substeps: z.number().int().positive() }),
  scene: SceneSpecSchema,
  embodiment: EmbodimentSchema,
  source: z.strictObject({
    kind: z.string(),
    uri: z.string().optional(),
    synthetic: z.boolean(),
    side: z.enum(["left", "right"]),
    /** The source camera's intrinsics, when the source is a video (the steps' human.X_WC place it). */
    camera: CameraSpecSchema.optional(),
    /** How the steps' human.X_WC were had: per frame from the capture, or one static pose. */
    headPose: z.enum(["measured", "static"]).optional(),
  }),
  steps: z.array(EpisodeStepSchema).min(1),
  success: z.boolean(),
  /** Why the episode succeeded or failed, one short machine-readable reason each ("lifted", "dropped", …). */
  reasons: z.array(z.string()),
  metrics: z.record(z.string(), finite),
  lineage: LineageSchema,
});
export type Episode = z.infer<typeof EpisodeSchema>;
