import { z } from "zod";
import { finite, header, nonNegative, poseSchema, positive, vec3 } from "./common.js";

/**
 * A robot end effector. Geometry is given in the gripper frame G: origin at the tool centre point
 * (TCP, between the finger pads), +z the approach direction (out of the gripper, towards the
 * object), +y the opening direction of the jaws, x = y × z. The flange (where the gripper mounts
 * on an arm) sits at z = −tcpOffsetM.
 */
export const EmbodimentSchema = z.strictObject({
  ...header("egobridge.embodiment", 1),
  name: z.string().regex(/^[a-z0-9_]+$/, { message: "name must be lowercase letters, digits and '_'" }),
  kind: z.literal("parallel_jaw"),
  description: z.string(),
  /** Where the numbers come from (datasheet, model file). */
  source: z.string(),
  /** Maximum opening between the finger pads (m). */
  strokeM: positive,
  massKg: positive,
  /** Distance from the flange to the TCP along +z (m). */
  tcpOffsetM: positive,
  /** Grip force range (N); the controller closes with `gripForceN`. */
  minGripForceN: positive,
  maxGripForceN: positive,
  gripForceN: positive,
  /** Finger closing speed (m/s, per jaw opening). */
  fingerSpeedMps: positive,
  /** The housing: a box from the flange towards the fingers, size [x, y, z] (m). */
  palm: z.strictObject({ sizeM: vec3 }),
  /** Each finger: a box; `lengthM` along z with the pad centre at the TCP height. */
  finger: z.strictObject({
    lengthM: positive,
    widthM: positive,
    thicknessM: positive,
    massKg: positive,
    padFriction: nonNegative,
  }),
  /**
   * The robot model the gripper is simulated as (its meshes' convex hulls and its linkage; see
   * sim/linkage_gripper.ts): an asset name of an MJCF file. Without it, the gripper is simulated
   * as boxes of the sizes above (a declared simplification).
   */
  model: z.strictObject({ mjcf: z.string().min(1) }).optional(),
  /**
   * The arm the gripper is mounted on. Without it, the gripper moves free in space (its tracking
   * limits below stand for an arm's). With it, every control step the arm's inverse kinematics
   * must reach the gripper's pose, its links (their meshes' convex hulls) must stay out of fixed
   * scenery and its joints within their speed limits (see sim/arm.ts).
   */
  arm: z
    .strictObject({
      /** An asset name (or path) of the arm's MJCF model. */
      mjcf: z.string().min(1),
      /** The link the gripper is mounted on. */
      tip: z.string().min(1),
      /** The gripper's flange frame (G moved back by tcpOffsetM along z) in the tip link's frame. */
      mount: poseSchema,
      /** The arm's joints from base to tip, as the MJCF names them (checked against the model). */
      joints: z.array(z.string().min(1)).min(1),
      /** The posture the arm starts from and is pulled towards in its null space (rad). */
      ready: z.array(finite).min(1),
      /** The joints' speed limits (rad/s), from the datasheet. */
      maxJointSpeedRadps: z.array(positive).min(1),
      /**
       * The joints' torque limits (N·m), from the datasheet: the torques the motion needs (inverse
       * dynamics of the recorded joint path with the links' inertias, the gripper and what it
       * holds) must stay within them. Without it, torques are not checked.
       */
      maxJointTorqueNm: z.array(positive).min(1).optional(),
      /**
       * The joints' acceleration limits (rad/s²), from the datasheet: the recorded joint path's
       * largest acceleration against them is reported (`armMaxJointAccelRatio`), not judged.
       */
      maxJointAccelRadps2: z.array(positive).min(1).optional(),
      /** Where the arm's numbers and model come from. */
      source: z.string(),
    })
    .refine(
      (a) =>
        a.ready.length === a.joints.length &&
        a.maxJointSpeedRadps.length === a.joints.length &&
        (a.maxJointTorqueNm === undefined || a.maxJointTorqueNm.length === a.joints.length) &&
        (a.maxJointAccelRadps2 === undefined || a.maxJointAccelRadps2.length === a.joints.length),
      {
        message:
          "arm.ready, arm.maxJointSpeedRadps, arm.maxJointTorqueNm and arm.maxJointAccelRadps2 need one value per joint of arm.joints",
      },
    )
    .optional(),
  limits: z.strictObject({
    maxLinearSpeedMps: positive,
    maxLinearAccelMps2: positive,
    maxAngularSpeedRadps: positive,
    /**
     * The arm's force and torque limits at the gripper: the tracking controller never pushes
     * harder (see sim/palm_controller.ts). Defaults are a collaborative arm's (Franka Panda class).
     */
    maxForceN: positive.default(60),
    maxTorqueNm: positive.default(10),
    /**
     * A contact between the gripper and fixed scenery (shelf, tote, table) above this normal force
     * (N) is a collision the robot's collision detection would stop on: the episode fails.
     */
    collisionForceN: positive.default(30),
  }),
});
export type Embodiment = z.infer<typeof EmbodimentSchema>;
