/**
 * The arm of an arm embodiment (`embodiment.arm`) in a rollout: the gripper is mounted on the
 * arm's tip, and every control step the arm must hold it where the physics put it.
 *
 * - Reach: the arm's inverse kinematics (robots/ik.ts, warm-started from the step before) must
 *   reach the gripper's measured pose within IK_TOLERANCE; the first step it cannot is the
 *   episode's `unreachable` step. Before any physics, the commanded path is followed the same way,
 *   so a demonstration (or a variant) whose targets are out of reach is rejected for that reason
 *   without being simulated.
 * - Scenery: every arm link's collision geometry (its meshes' convex hulls, as Rapier and MuJoCo
 *   collide them) is tested against the scene's fixed geometry at the recorded joint positions;
 *   deeper than MAX_SCENERY_PENETRATION_M is an `arm_collision`.
 * - Speed: the inverse kinematics keeps each joint within its datasheet speed limit over a
 *   control period; a pose reached only by a faster joint is a `joint_speed_limit` step.
 * - Presence: the links are kinematic bodies in the world, moved along the recorded joint path
 *   (one control period behind the gripper: a link's pose for a step is known once the step's
 *   gripper pose is), so they push the objects they meet, and their contacts are recorded under
 *   `arm.<link>`.
 *
 * Declared simplifications: the arm is position-controlled and stiff (its joint torques are not
 * simulated, so it is never deflected by a load), and links are not checked against each other.
 *
 * The base stands on a pedestal column from the floor; it is the scene's `robotBase` when stated,
 * else searched (robots/arm_check.ts placeBase: the base, clear of the scenery, from which the arm
 * follows most of the commanded path).
 */

import { InputError } from "../core/errors.js";
import { compose, type Pose, poseToJson, type Quat, qaxes, qfromAxes, vec3 } from "../core/math.js";
import { memoPromise } from "../core/memo.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { SceneSpec } from "../core/schemas/scene.js";
import { type ArmDepth, placeBase, reachPose } from "../robots/arm_check.js";
import { armBoxesAt, type LinkBox } from "../robots/arm_geometry.js";
import { type ArmChain, type IkResult, linkPoses } from "../robots/ik.js";
import { GRIPPER_GROUP } from "./gripper.js";
import type { ColliderDesc, Rapier, RigidBody, Shape, World } from "./rapier.js";
import { boxPenetrationM, fixedBoxes, type OrientedBox } from "./scenery_clearance.js";

/** One piece of a link's collision geometry, in Rapier's terms (capsules and cylinders along y). */
export interface ArmShape {
  link: string;
  X_LG: Pose;
  shape:
    | { kind: "hull"; points: Float32Array }
    | { kind: "box"; half: [number, number, number] }
    | { kind: "ball"; radiusM: number }
    | { kind: "capsule" | "cylinder"; halfHeightM: number; radiusM: number };
}

/** An arm as a rollout uses it. */
export interface ArmModel {
  chain: ArmChain;
  jointNames: string[];
  ready: number[];
  maxJointSpeedRadps: number[];
  /** The joints' torque limits (N·m); absent: torques are not checked. */
  maxJointTorqueNm?: number[];
  /** The joints' acceleration limits (rad/s²); absent: accelerations are not reported. */
  maxJointAccelRadps2?: number[];
  shapes: ArmShape[];
  /** Per link, a box in its frame around its shapes (the quick first test). */
  boxes: LinkBox[];
}

export type ArmLoader = (e: Embodiment) => Promise<ArmModel>;

const nodeLoader: ArmLoader = async (e) => {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) {
    throw new Error(
      `the arm of embodiment '${e.name}' cannot be loaded here (it is read from model files); in the browser, an arm episode is re-simulated with its own arm only, which the preview server provides`,
    );
  }
  // Not a static import: the browser bundle must not pull in the file-reading model loader.
  const spec = "./arm_model.js";
  const m = (await import(/* @vite-ignore */ spec)) as { loadArmModel: ArmLoader };
  return m.loadArmModel(e);
};

let loader: ArmLoader = nodeLoader;

/**
 * Where this thread loads arms from (default: the model files, in Node): the browser's
 * simulation worker asks the preview server instead.
 */
export function setArmLoader(l: ArmLoader): void {
  loader = l;
}

const cache = new Map<string, Promise<ArmModel>>();
const armKey = (e: Embodiment) => JSON.stringify([e.arm, e.tcpOffsetM]);

/** The embodiment's arm, loaded once per process (per arm and TCP offset), or undefined without one. */
export function armModelOf(e: Embodiment): Promise<ArmModel | undefined> {
  if (!e.arm) return Promise.resolve(undefined);
  return memoPromise(cache, armKey(e), () => loader(e));
}

/**
 * Gives this thread the arm of embodiment `e`, loaded elsewhere: the browser's re-simulation
 * cannot read model files, so the preview server loads the arm and sends it (armModelToJson).
 */
export function provideArmModel(e: Embodiment, model: ArmModel): void {
  if (!e.arm) throw new Error(`embodiment '${e.name}' has no arm`);
  cache.set(armKey(e), Promise.resolve(model));
}

/** An ArmModel as JSON: its hulls' points as plain arrays (every number survives JSON exactly). */
export type ArmModelJson = Omit<ArmModel, "shapes"> & {
  shapes: (Omit<ArmShape, "shape"> & {
    shape: Exclude<ArmShape["shape"], { kind: "hull" }> | { kind: "hull"; points: number[] };
  })[];
};

export const armModelToJson = (m: ArmModel): ArmModelJson => ({
  ...m,
  shapes: m.shapes.map((s) =>
    s.shape.kind === "hull"
      ? { ...s, shape: { kind: "hull", points: Array.from(s.shape.points) } }
      : { ...s, shape: s.shape },
  ),
});

export const armModelFromJson = (j: ArmModelJson): ArmModel => ({
  ...j,
  shapes: j.shapes.map((s) =>
    s.shape.kind === "hull"
      ? { ...s, shape: { kind: "hull", points: Float32Array.from(s.shape.points) } }
      : { ...s, shape: s.shape },
  ),
});

/** Collision groups of the arm's links: they meet everything but the gripper on their tip. */
const ARM_GROUP = 0x0004;
const ARM_GROUPS = (ARM_GROUP << 16) | (0xffff & ~GRIPPER_GROUP);
/** Friction of the arm's links and pedestal (Rapier's default, as the gripper's palm). */
export const ARM_FRICTION = 0.5;
/** Half the pedestal's square footprint (m): a column under the base, from the floor up. */
export const PEDESTAL_HALF_M = 0.12;
/** The contact-report name of an arm link. */
export const armPartId = (link: string): string => `arm.${link}`;

function colliderDesc(R: Rapier, s: ArmShape["shape"]): ColliderDesc {
  switch (s.kind) {
    case "hull": {
      const d = R.ColliderDesc.convexHull(s.points);
      if (!d) throw new Error("an arm link's collision mesh has no convex hull");
      return d;
    }
    case "box":
      return R.ColliderDesc.cuboid(...s.half);
    case "ball":
      return R.ColliderDesc.ball(s.radiusM);
    case "capsule":
      return R.ColliderDesc.capsule(s.halfHeightM, s.radiusM);
    case "cylinder":
      return R.ColliderDesc.cylinder(s.halfHeightM, s.radiusM);
  }
}

/** The pedestal under a base at X_WB, as a box in W (undefined for a base on the floor). */
export function pedestalBox(X_WB: Pose): OrientedBox | undefined {
  const h = X_WB.p.z;
  if (h < 0.005) return undefined;
  return {
    center: vec3(X_WB.p.x, X_WB.p.y, h / 2),
    axes: qaxes(X_WB.q),
    half: [PEDESTAL_HALF_M, PEDESTAL_HALF_M, h / 2],
  };
}

/**
 * Exact clearance of the arm from a scene's fixed geometry (all boxes: scenery_clearance.ts
 * fixedBoxes): per link, its box first (a link whose box is clear is clear), then each of its
 * shapes against each box it may touch, by Rapier's shape-contact query at the given poses.
 */
export class ArmClearance {
  private readonly fixed: { id: string; box: OrientedBox; shape: Shape; rot: Quat }[];
  private readonly shapesOf = new Map<string, { X_LG: Pose; shape: Shape }[]>();
  private readonly floors: ReadonlySet<string>;

  constructor(
    R: Rapier,
    private readonly arm: ArmModel,
    scene: SceneSpec,
  ) {
    this.floors = new Set(scene.items.filter((i) => i.kind === "floor").map((i) => i.id));
    this.fixed = fixedBoxes(scene).map((f) => ({
      id: f.id,
      box: f.box,
      shape: new R.Cuboid(f.box.half[0], f.box.half[1], f.box.half[2]),
      rot: qfromAxes(...f.box.axes),
    }));
    for (const s of arm.shapes) {
      const list = this.shapesOf.get(s.link) ?? [];
      list.push({ X_LG: s.X_LG, shape: colliderDesc(R, s.shape).shape });
      this.shapesOf.set(s.link, list);
    }
  }

  /** How deep the arm at q (based at X_WB) is in the fixed scenery, and which link in which item. */
  readonly depth: ArmDepth = (q, X_WB) => this.depthWithin(q, X_WB, 0);

  /**
   * The same, with every link grown by `marginM` (the floor aside: the base stands on it): how
   * far inside that margin the arm comes (0 when it stays `marginM` clear).
   */
  depthWithin(q: readonly number[], X_WB: Pose, marginM: number): ReturnType<ArmDepth> {
    const out: ReturnType<ArmDepth> = { depthM: 0 };
    const poses = linkPoses(this.arm.chain, q, X_WB);
    for (const lb of armBoxesAt(this.arm.chain, this.arm.boxes, q, X_WB)) {
      const X_WL = poses.get(lb.id)!;
      for (const f of this.fixed) {
        const margin = this.floors.has(f.id) ? 0 : marginM;
        if (boxPenetrationM(grown(lb.box, margin), f.box) <= 0) continue;
        for (const s of this.shapesOf.get(lb.id) ?? []) {
          const X = compose(X_WL, s.X_LG);
          const hit = s.shape.contactShape(X.p, X.q, f.shape, f.box.center, f.rot, margin);
          const d = hit ? margin - hit.distance : 0;
          if (d > out.depthM) Object.assign(out, { depthM: d, link: lb.id, item: f.id });
        }
      }
    }
    return out;
  }

  /** Whether the pedestal under X_WB stands `marginM` clear of the fixed scenery (the floor aside). */
  pedestalClear(X_WB: Pose, marginM = 0): boolean {
    const p = pedestalBox(X_WB);
    if (!p) return true;
    const g = grown(p, marginM);
    return this.fixed.every((f) => this.floors.has(f.id) || boxPenetrationM(g, f.box) <= 0);
  }
}

const grown = (b: OrientedBox, m: number): OrientedBox =>
  m === 0 ? b : { ...b, half: [b.half[0] + m, b.half[1] + m, b.half[2] + m] };

/**
 * Where the arm's base stands for a rollout, and the posture the arm starts from: the scene's
 * stated base (with its `postureRad`, else the arm's ready posture), else the one searched for
 * the commanded tool path from the ready posture (when none reaches its first pose, the first
 * tried whose pedestal stands clear; undefined only when no pedestal does).
 */
export function armBase(
  arm: ArmModel,
  clearance: ArmClearance,
  scene: SceneSpec,
  path: readonly Pose[],
  controlHz: number,
): { X_WB: Pose; origin: BaseOrigin; posture: number[] } | undefined {
  const stated = scene.robotBase;
  if (stated)
    return {
      X_WB: { p: vec3(...stated.pose.pos), q: quatOf(stated.pose.quatXyzw) },
      origin: stated.origin,
      posture: stated.postureRad ?? arm.ready,
    };
  const X_WB = placeBase(arm.chain, path, {
    // A margin, for the rollout's path differs a little from the commanded one.
    depth: (q, X) => clearance.depthWithin(q, X, BASE_SEARCH_MARGIN_M),
    baseClear: (X) => clearance.pedestalClear(X, BASE_SEARCH_MARGIN_M),
    every: 5,
    refine: 40,
    // A path out of reach from everywhere is still rejected from somewhere: the episode records where.
    fallback: true,
    maxStepRad: arm.maxJointSpeedRadps.map((v) => (BASE_SEARCH_SPEED_SHARE * v) / controlHz),
    q0: arm.ready,
  });
  return X_WB ? { X_WB, origin: "searched", posture: arm.ready } : undefined;
}

/**
 * The arm with another start posture (the null-space pull's target as well): a scene's
 * `robotBase.postureRad`. One value per joint, within its limits.
 */
export function withPosture(arm: ArmModel, posture: readonly number[]): ArmModel {
  const { lower, upper } = arm.chain;
  if (posture.length === arm.ready.length && posture.every((v, i) => v === arm.ready[i])) return arm;
  const hint = `give robotBase.postureRad one value (rad) per joint of the arm, ${arm.jointNames
    .map((n, i) => `${n} in [${lower[i]!.toFixed(4)}, ${upper[i]!.toFixed(4)}]`)
    .join(", ")}, or leave it out for the arm's ready posture`;
  if (posture.length !== arm.jointNames.length)
    throw new InputError(
      `robotBase.postureRad has ${posture.length} values; the arm has ${arm.jointNames.length} joints`,
      { hint },
    );
  posture.forEach((v, i) => {
    if (v < lower[i]! || v > upper[i]!)
      throw new InputError(
        `robotBase.postureRad: ${arm.jointNames[i]} = ${v} rad is outside its limits [${lower[i]}, ${upper[i]}]`,
        { hint },
      );
  });
  return { ...arm, ready: posture.slice(), chain: { ...arm.chain, comfort: posture.slice() } };
}

/** How far (m) a searched base keeps the arm from the scenery along the commanded path. */
const BASE_SEARCH_MARGIN_M = 0.01;

/** The share of the joints' speed limits a searched base keeps the commanded path within. */
const BASE_SEARCH_SPEED_SHARE = 0.9;

const quatOf = (q: readonly number[]) => ({ x: q[0]!, y: q[1]!, z: q[2]!, w: q[3]! });

/** How a scene's robot base was had (scene.ts `robotBase.origin`). */
export type BaseOrigin = NonNullable<SceneSpec["robotBase"]>["origin"];

/**
 * The scene with its arm base recorded (what the episode stores, and its variants keep), with the
 * posture the arm started from where it is not the arm's ready one.
 */
export const withRobotBase = (
  scene: SceneSpec,
  X_WB: Pose,
  origin: BaseOrigin,
  posture?: readonly number[],
): SceneSpec =>
  scene.robotBase
    ? scene
    : {
        ...scene,
        robotBase: { pose: poseToJson(X_WB), origin, ...(posture ? { postureRad: posture.slice() } : {}) },
      };

/** The first step of `path` the arm cannot reach from X_WB (kinematics alone), or undefined. */
export function firstUnreachable(
  arm: ArmModel,
  X_WB: Pose,
  path: readonly Pose[],
): { step: number; positionErrorM: number; rotationErrorRad: number } | undefined {
  let q: readonly number[] = arm.ready;
  for (const [step, target] of path.entries()) {
    const r = reachPose(arm.chain, target, q, X_WB, arm.ready);
    if (!r.reached) return { step, positionErrorM: r.positionErrorM, rotationErrorRad: r.rotationErrorRad };
    q = r.q;
  }
  return undefined;
}

/** What the arm found over a rollout (the verdict's arm reasons; see judge). */
export interface ArmFindings {
  /** The first step the arm could not reach, and by how much. */
  unreachable?: { step: number; positionErrorM: number; rotationErrorRad: number };
  /** The deepest link incursion into fixed scenery over the recorded steps. */
  scenery: { maxDepthM: number; step?: number; link?: string; item?: string };
  /**
   * The largest joint speed relative to its limit (1 = at the limit), where, and which joint; over
   * 1 only at a step the arm could not follow (the step the rollout ended at).
   */
  speed: { maxRatio: number; step?: number; joint?: string };
  /**
   * With torque limits: the largest torque relative to its joint's limit over the recorded steps
   * (sim/arm_torque.ts), where, which joint and the torque (N·m): holding each posture (judged),
   * and moving along the recorded path (reported).
   */
  torque?: { maxRatio: number; step?: number; joint?: string; torqueNm?: number };
  movingTorque?: { maxRatio: number; step?: number; joint?: string; torqueNm?: number };
  /**
   * With acceleration limits: the largest joint acceleration (the change of recorded speed over a
   * control period) relative to its limit, where and which joint. Reported, not judged.
   */
  accel?: { maxRatio: number; step?: number; joint?: string };
}

/** The arm in a world: its links as kinematic bodies on a pedestal, and its joint state. */
export class SimArm {
  /** Collider handle → contact-report name (`arm.<link>`). */
  readonly colliders = new Map<number, string>();
  readonly bodies = new Map<string, RigidBody>();
  private q: number[];
  private qPrev: number[];

  constructor(
    R: Rapier,
    world: World,
    readonly arm: ArmModel,
    readonly X_WB: Pose,
    q0: readonly number[],
  ) {
    this.q = q0.slice();
    this.qPrev = q0.slice();
    const poses = linkPoses(arm.chain, q0, X_WB);
    for (const link of arm.chain.links) {
      const X = poses.get(link)!;
      const body = world.createRigidBody(
        R.RigidBodyDesc.kinematicPositionBased().setTranslation(X.p.x, X.p.y, X.p.z).setRotation(X.q),
      );
      this.bodies.set(link, body);
    }
    for (const s of arm.shapes) {
      const desc = colliderDesc(R, s.shape)
        .setTranslation(s.X_LG.p.x, s.X_LG.p.y, s.X_LG.p.z)
        .setRotation(s.X_LG.q)
        .setCollisionGroups(ARM_GROUPS)
        .setFriction(ARM_FRICTION);
      const c = world.createCollider(desc, this.bodies.get(s.link)!);
      this.colliders.set(c.handle, armPartId(s.link));
    }
    const p = pedestalBox(X_WB);
    if (p) {
      const body = world.createRigidBody(
        R.RigidBodyDesc.fixed().setTranslation(p.center.x, p.center.y, p.center.z).setRotation(X_WB.q),
      );
      const c = world.createCollider(R.ColliderDesc.cuboid(...p.half).setFriction(ARM_FRICTION), body);
      this.colliders.set(c.handle, "arm.pedestal");
    }
  }

  /**
   * Solves the arm for the gripper's measured TCP pose X_WT, warm-started from the last step, each
   * joint within its speed limit over the control period `dtS`. When only a faster joint reaches
   * it, `tooFast` names that joint and its speed relative to its limit.
   */
  reach(X_WT: Pose, dtS: number): IkResult & { tooFast?: { joint: string; ratio: number } } {
    const limits = this.arm.maxJointSpeedRadps;
    const bound = limits.map((v) => v * dtS);
    const r = reachPose(this.arm.chain, X_WT, this.q, this.X_WB, this.arm.ready, bound);
    if (r.reached) return r;
    const free = reachPose(this.arm.chain, X_WT, this.q, this.X_WB, this.arm.ready);
    if (!free.reached) return r;
    let worst = { joint: this.arm.jointNames[0]!, ratio: 0 };
    free.q.forEach((v, i) => {
      const ratio = Math.abs(v - this.q[i]!) / bound[i]!;
      if (ratio > worst.ratio) worst = { joint: this.arm.jointNames[i]!, ratio };
    });
    return { ...r, tooFast: worst };
  }

  /** Takes q as the arm's joint positions for the step just recorded. */
  accept(q: readonly number[]): void {
    this.qPrev = this.q;
    this.q = q.slice();
  }

  /** The joint positions of the last recorded step. */
  joints(): number[] {
    return this.q.slice();
  }

  /**
   * Moves the links, over the next physics step, to fraction `s` of the way from the step before
   * the last recorded one to the last recorded one (the links lag one control period).
   */
  drive(s: number): void {
    const q = this.q.map((v, i) => this.qPrev[i]! + (v - this.qPrev[i]!) * s);
    const poses = linkPoses(this.arm.chain, q, this.X_WB);
    for (const [link, body] of this.bodies) {
      const X = poses.get(link)!;
      body.setNextKinematicTranslation(X.p);
      body.setNextKinematicRotation(X.q);
    }
  }
}
