import { isFiniteVec3, type Pose, poseFromJson, poseInterp, poseToJson } from "../core/math.js";
import type { PoseJson } from "../core/schemas/common.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { Episode, EpisodeStep } from "../core/schemas/episode.js";
import type { SceneSpec } from "../core/schemas/scene.js";
import type { RobotTrajectory } from "../core/schemas/trajectory.js";
import { reachPose } from "../robots/arm_check.js";
import { toolPose } from "../robots/ik.js";
import {
  ArmClearance,
  type ArmFindings,
  type ArmModel,
  armBase,
  armModelOf,
  type BaseOrigin,
  firstUnreachable,
  SimArm,
  withPosture,
  withRobotBase,
} from "./arm.js";
import { stepTorques, type ToolLoad } from "./arm_torque.js";
import { type BaseState, restingBase, trackReference } from "./base_controller.js";
import { PairForces } from "./contact_forces.js";
import { guardDownwardPress } from "./contact_guard.js";
import { createGripper, linkageOf, type SimGripper } from "./gripper_models.js";
import { ObjectAnchor } from "./object_anchor.js";
import { type Collider, loadRapier, PHYSICS_ENGINE, type RigidBody, type World } from "./rapier.js";
import { buildScene, type SceneBody } from "./scene_world.js";
import { MAX_SCENERY_PENETRATION_M } from "./scenery_clearance.js";
import {
  CollisionWatch,
  fixedItemIds,
  isGrasped,
  judge,
  PROTECTIVE_STOP_HOLD_S,
  SPEED_LIMIT_RATIO,
  touchesGripper,
  type Verdict,
} from "./verdict.js";

export interface SimulateOptions {
  scene: SceneSpec;
  embodiment: Embodiment;
  trajectory: RobotTrajectory;
  /** Recorded in the lineage; the simulation itself is deterministic. */
  seed: number;
  id: string;
  task: string;
  lineageSource: string;
  /** Physics rate (Hz); must be a multiple of the trajectory's control rate. */
  physicsHz?: number;
  /**
   * Rapier solver iterations per physics step (default SOLVER_ITERATIONS). For measuring the
   * settings (bench/physics.ts): episodes record their rate and substeps, not this.
   */
  solverIterations?: number;
  /** Seconds the scene settles under gravity, gripper parked at its start pose, before the rollout. */
  settleS?: number;
  /**
   * Replay object-relative when the trajectory carries the recorded object's pose and the scene
   * has that object (see object_anchor.ts). Default true.
   */
  objectAnchored?: boolean;
  /**
   * When given, the wall seconds spent inside Rapier's world.step() are added to `stepS`: the
   * physics of this very rollout (same contacts, same sleeping), against which bench/sim.ts
   * measures everything else a rollout does; with an arm, those spent on it (its inverse
   * kinematics, clearance and link bodies; bench/arm.ts) to `armS`.
   */
  timing?: { stepS: number; armS?: number };
}

/** Physics settings other than the defaults, as bench/physics.ts measures them. */
export type PhysicsSettings = Pick<SimulateOptions, "physicsHz" | "solverIterations">;

/**
 * Physics rate (Hz) of every rollout: 8 substeps per 30 Hz control step. Halving it (or the solver
 * iterations) loses grasps with the MJCF 2F-85: bench/physics.ts measured MuJoCo agreement falling
 * from 33 to 27 (120 Hz) and 26 (4 iterations) of 36, and 16 and 15 of 36 variants' verdicts changing.
 */
export const PHYSICS_HZ = 240;

/**
 * Stiffness of contact constraints. Rapier's default (30 Hz) lets a light object squeezed by a
 * 40 N grip sink ~2 cm into the fingers (penetration ≈ F / (m·ω²)); 300 Hz at a 240 Hz step keeps
 * it under 1 mm and stays stable (measured on a 0.1 kg box between 2F-85 fingers).
 */
const CONTACT_NATURAL_FREQUENCY_HZ = 300;
/**
 * Solver iterations per step (Rapier's default is 4). Grasps are contact-rich: with 4, replays of
 * the same GRAB grasp flipped between held and dropped under tiny changes; 8 made them stable.
 */
export const SOLVER_ITERATIONS = 8;
/**
 * How far apart (m) Rapier starts computing (speculative) contacts; its default is 2 cm. With
 * the gripper a dynamic body, 2 cm of speculative contact made phantom forces of 40–55 N on a
 * housing passing 7 mm above a shelf lip, and loosened grasps in the tote-to-tote demo (2 of 3
 * seeds no longer carried the carton); at 2 mm neither happens, and the cheat suite's walls still
 * stop a gripper swept into them at speed.
 */
const PREDICTION_DISTANCE_M = 0.002;
/** The jaws count as open within this of their commanded opening (m). */
const JAW_OPEN_TOLERANCE_M = 0.005;
/** An object starting deeper than this (m) inside the gripper or fixed scenery is refused. */
const SPAWN_OVERLAP_M = 0.002;
/** A body faster than this (m/s) means the solver blew up. */
export const RUNAWAY_SPEED_MPS = 20;

/**
 * Replays a robot trajectory in a Rapier world built from the scene and records an Episode:
 * per control step the gripper state, the command, the dynamic objects' poses and the contacts,
 * then the verdict. Physics faults end the rollout early and fail the episode; they never throw.
 */
export async function simulateEpisode(o: SimulateOptions): Promise<Episode> {
  const R = await loadRapier();
  const hz = o.trajectory.controlHz;
  const physicsHz = o.physicsHz ?? PHYSICS_HZ;
  const substeps = Math.round(physicsHz / hz);
  if (Math.abs(substeps * hz - physicsHz) > 1e-6) {
    throw new RangeError(`physics rate ${physicsHz} Hz is not a multiple of the control rate ${hz} Hz`);
  }
  const dt = 1 / physicsHz;
  const linkage = await linkageOf(o.embodiment);
  const armModel = await armModelOf(o.embodiment);
  const world = new R.World({ x: o.scene.gravity[0], y: o.scene.gravity[1], z: o.scene.gravity[2] });
  try {
    world.timestep = dt;
    world.integrationParameters.contact_natural_frequency = CONTACT_NATURAL_FREQUENCY_HZ;
    world.numSolverIterations = o.solverIterations ?? SOLVER_ITERATIONS;
    world.integrationParameters.normalizedPredictionDistance = PREDICTION_DISTANCE_M;
    const bodies = buildScene(R, world, o.scene);
    const first = o.trajectory.steps[0]!;
    const X0 = poseFromJson(first.tcp);
    const gripper = createGripper(R, world, o.embodiment, linkage, X0, first.apertureM);
    const names = colliderNames(bodies, gripper);
    const overlap = spawnOverlap(bodies, gripper);
    // The scene as recorded: with the arm's base where the rollout placed it.
    let scene = o.scene;
    let arm: ArmState | undefined;
    if (armModel && !overlap) {
      // The arm's base, and whether it reaches the commanded path at all: a path out of reach is
      // rejected as such before any physics.
      const clearance = new ArmClearance(R, armModel, o.scene);
      const path = o.trajectory.steps.map((s) => poseFromJson(s.tcp));
      const placed = armBase(armModel, clearance, o.scene, path, hz);
      // The arm from the posture its base was placed (or stated) with.
      const posed = placed ? withPosture(armModel, placed.posture) : armModel;
      const recordedBase = (X: Pose, origin: BaseOrigin) =>
        withRobotBase(o.scene, X, origin, posed === armModel ? undefined : posed.ready);
      // A stated (or varied) base whose pedestal stands in the scenery is refused as such.
      if (placed && placed.origin !== "searched" && !clearance.pedestalClear(placed.X_WB)) {
        return episodeOf(
          { ...o, scene: recordedBase(placed.X_WB, placed.origin) },
          [armAtRest(initialStep(o.trajectory, bodies, gripper), posed, placed.X_WB)],
          { success: false, reasons: ["base_blocked"], metrics: {} },
          dt,
          substeps,
        );
      }
      const miss = placed ? firstUnreachable(posed, placed.X_WB, path) : { step: 0 };
      if (!placed || miss) {
        // The robot as it stands, at its start posture (its tool where that puts it), and the
        // first command it cannot follow.
        const start = placed
          ? armAtRest(initialStep(o.trajectory, bodies, gripper), posed, placed.X_WB)
          : initialStep(o.trajectory, bodies, gripper);
        const recorded = placed ? recordedBase(placed.X_WB, placed.origin) : o.scene;
        // Without a base (none clear of the scenery reaches the first pose): unreachable at step 0.
        const metrics: Record<string, number> = { armUnreachableStep: miss!.step };
        if (miss && "positionErrorM" in miss) {
          metrics["armUnreachablePositionErrorM"] = miss.positionErrorM;
          metrics["armUnreachableRotationErrorRad"] = miss.rotationErrorRad;
        }
        return episodeOf(
          { ...o, scene: recorded },
          [start],
          { success: false, reasons: ["unreachable"], metrics },
          dt,
          substeps,
        );
      }
      const ready = posed.ready;
      const q0 = reachPose(posed.chain, X0, ready, placed.X_WB, ready).q;
      const sim = new SimArm(R, world, posed, placed.X_WB, q0);
      for (const [h, id] of sim.colliders) names.set(h, id);
      const target = o.scene.items.find((i) => i.id === o.scene.task.targetId);
      arm = {
        sim,
        clearance,
        findings: {
          scenery: { maxDepthM: 0 },
          speed: { maxRatio: 0 },
          ...(posed.maxJointTorqueNm ? { torque: { maxRatio: 0 }, movingTorque: { maxRatio: 0 } } : {}),
          ...(posed.maxJointAccelRadps2 ? { accel: { maxRatio: 0 } } : {}),
        },
        load: {
          gripperMassKg: o.embodiment.massKg,
          ...(target && "massKg" in target ? { target: { id: target.id, massKg: target.massKg } } : {}),
        },
        qdBefore: q0.map(() => 0),
      };
      scene = recordedBase(placed.X_WB, placed.origin);
    }
    if (overlap) {
      const start = initialStep(o.trajectory, bodies, gripper);
      return episodeOf(
        o,
        [start],
        { success: false, reasons: [overlap.reason], metrics: overlap.metrics },
        dt,
        substeps,
      );
    }
    const timing = o.timing;
    const step = (): void => {
      if (!timing) {
        world.step();
        return;
      }
      const t0 = performance.now();
      world.step();
      timing.stepS += (performance.now() - t0) / 1000;
    };
    for (let i = 0; i < Math.round((o.settleS ?? 0.25) * physicsHz); i++) {
      gripper.setPalmTarget(X0, dt);
      arm?.sim.drive(1);
      step();
    }

    let base: BaseState = restingBase(X0);
    let prevCmd = X0;
    const steps: EpisodeStep[] = [];
    let fault: string | null = null;
    const anchored = anchorTarget(o, bodies);
    const fixedIds = fixedItemIds(o.scene);
    const watch = new CollisionWatch(o.scene);
    const moving = [...[...bodies.values()].map((b) => b.body), gripper.palm, ...gripper.fingers];
    const anchor = new ObjectAnchor();
    // After a protective stop: the pose the arm holds, the jaw command it keeps, steps left.
    let stop: { X: Pose; apertureM: number; grasp: boolean; stepsLeft: number } | undefined;
    for (const trajectoryStep of o.trajectory.steps) {
      if (stop && stop.stepsLeft-- <= 0) break;
      const cmd = stop ? { ...trajectoryStep, apertureM: stop.apertureM, grasp: stop.grasp } : trajectoryStep;
      let X_cmd = stop ? stop.X : poseFromJson(cmd.tcp);
      if (anchored && cmd.object && !stop) {
        const X_WO_sim = { p: { ...anchored.body.translation() }, q: { ...anchored.body.rotation() } };
        const last = steps[steps.length - 1];
        const held = last !== undefined && isGrasped(last, anchored.id);
        const touching = last !== undefined && touchesGripper(last, anchored.id);
        const jawsOpen = gripper.apertureM() >= cmd.apertureM - JAW_OPEN_TOLERANCE_M;
        X_cmd = anchor.command(
          X_cmd,
          poseFromJson(cmd.object.pose),
          X_WO_sim,
          cmd.grasp,
          held,
          touching,
          jawsOpen,
          gripper.pose(),
          1 / hz,
        );
      }
      const lastStep = steps[steps.length - 1];
      const carried =
        lastStep && isGrasped(lastStep, o.scene.task.targetId) ? o.scene.task.targetId : undefined;
      if (!stop) X_cmd = guardDownwardPress(X_cmd, base.X_WG, lastStep, fixedIds, carried);
      for (let j = 0; j < substeps && !fault; j++) {
        const X_ref = poseInterp(prevCmd, X_cmd, (j + 1) / substeps);
        base = trackReference(base, X_ref, o.embodiment.limits, dt);
        gripper.setPalmTarget(base.X_WG, dt);
        gripper.setJawTarget(cmd.apertureM, dt);
        if (arm) {
          const d0 = timing?.armS !== undefined ? performance.now() : 0;
          arm.sim.drive((j + 1) / substeps);
          if (timing?.armS !== undefined) timing.armS += (performance.now() - d0) / 1000;
        }
        step();
        fault = physicsFault(moving);
      }
      prevCmd = X_cmd;
      if (fault) break;
      const a0 = timing?.armS !== undefined ? performance.now() : 0;
      const joints = arm ? armStep(arm, gripper.pose(), steps.length, hz) : undefined;
      if (timing?.armS !== undefined) timing.armS += (performance.now() - a0) / 1000;
      // Out of the arm's reach (or its joints' speed): the robot cannot be there; the rollout ends before this step.
      if (joints === null) break;
      steps.push({
        t: cmd.t,
        state: {
          tcp: poseToJson(gripper.pose()),
          apertureM: gripper.apertureM(),
          padsYM: gripper.padsYM(),
          ...(joints ? { joints } : {}),
        },
        action: { tcp: poseToJson(X_cmd), apertureM: cmd.apertureM, grasp: cmd.grasp },
        objects: objectPoses(bodies),
        contacts: contacts(world, names, dt),
        human: cmd.human,
      });
      if (arm && joints) armDynamics(arm, steps[steps.length - 1]!, steps.length - 1, hz);
      // An arm link in the scenery, a joint over its speed or its torque: the motion failed; nothing after it counts.
      if (arm && armStopped(arm.findings, steps.length - 1)) break;
      // The watch follows the grip phase, so it sees every step, stopped or not.
      if (watch.force(steps[steps.length - 1]!) > o.embodiment.limits.collisionForceN && !stop) {
        stop = {
          X: gripper.pose(),
          apertureM: cmd.apertureM,
          grasp: cmd.grasp,
          stepsLeft: Math.round(PROTECTIVE_STOP_HOLD_S * hz),
        };
        base = restingBase(stop.X);
        prevCmd = stop.X;
      }
    }
    if (steps.length === 0) {
      steps.push(initialStep(o.trajectory, bodies, gripper));
    }
    const verdict = judge(steps, scene, o.embodiment, fault, linkage, arm?.findings);
    return episodeOf({ ...o, scene }, steps, verdict, dt, substeps);
  } finally {
    world.free();
  }
}

/** The arm in a rollout: in the world, its clearance query, what it found, and its load. */
interface ArmState {
  sim: SimArm;
  clearance: ArmClearance;
  findings: ArmFindings;
  load: ToolLoad;
  /** The joint speeds of the step before (for the accelerations). */
  qdBefore: number[];
}

/**
 * The torques of the step just recorded against the arm's limits (holding the posture, and
 * moving), and its joints' accelerations against theirs (recorded in the findings).
 */
function armDynamics(arm: ArmState, step: EpisodeStep, k: number, hz: number): void {
  const { maxJointTorqueNm: torqueLimits, maxJointAccelRadps2: accelLimits, jointNames } = arm.sim.arm;
  const f = arm.findings;
  const qd = step.state.joints!.qd;
  if (accelLimits && f.accel) {
    qd.forEach((v, i) => {
      const ratio = (Math.abs(v - arm.qdBefore[i]!) * hz) / accelLimits[i]!;
      if (ratio > (f.accel?.maxRatio ?? 0)) f.accel = { maxRatio: ratio, step: k, joint: jointNames[i] };
    });
  }
  if (torqueLimits && f.torque && f.movingTorque) {
    const tau = stepTorques(arm.sim.arm, arm.sim.X_WB, step, arm.qdBefore, hz, arm.load);
    const worst = (torques: number[], found: NonNullable<ArmFindings["torque"]>) => {
      let out = found;
      torques.forEach((t, i) => {
        const ratio = Math.abs(t) / torqueLimits[i]!;
        if (ratio > out.maxRatio) out = { maxRatio: ratio, step: k, joint: jointNames[i], torqueNm: t };
      });
      return out;
    };
    f.torque = worst(tau.holding, f.torque);
    f.movingTorque = worst(tau.moving, f.movingTorque);
  }
  arm.qdBefore = qd;
}

/**
 * The arm for the step just simulated: its joints holding the gripper's measured pose, their
 * speeds, and the findings updated (scenery depth, speed against the limits). Null when the arm
 * cannot reach the pose, or only with a joint over its speed limit (recorded in the findings).
 */
function armStep(arm: ArmState, X_WG: Pose, step: number, hz: number): { q: number[]; qd: number[] } | null {
  const r = arm.sim.reach(X_WG, 1 / hz);
  const f = arm.findings;
  if (r.tooFast) {
    // Reachable, but only faster than a joint can move: the arm falls behind the gripper.
    f.speed = { maxRatio: r.tooFast.ratio, step, joint: r.tooFast.joint };
    return null;
  }
  if (!r.reached) {
    f.unreachable = { step, positionErrorM: r.positionErrorM, rotationErrorRad: r.rotationErrorRad };
    return null;
  }
  const before = arm.sim.joints();
  const qd = r.q.map((v, i) => (v - before[i]!) * hz);
  arm.sim.accept(r.q);
  const d = arm.clearance.depth(r.q, arm.sim.X_WB);
  if (d.depthM > f.scenery.maxDepthM) f.scenery = { maxDepthM: d.depthM, step, link: d.link, item: d.item };
  const limits = arm.sim.arm.maxJointSpeedRadps;
  qd.forEach((v, i) => {
    const ratio = Math.abs(v) / limits[i]!;
    if (ratio > f.speed.maxRatio) f.speed = { maxRatio: ratio, step, joint: arm.sim.arm.jointNames[i] };
  });
  return { q: r.q, qd };
}

/** A step with the arm at its start posture, still, and the gripper's TCP where that posture puts it. */
function armAtRest(step: EpisodeStep, arm: ArmModel, X_WB: Pose): EpisodeStep {
  return {
    ...step,
    state: {
      ...step.state,
      tcp: poseToJson(toolPose(arm.chain, arm.ready, X_WB)),
      joints: { q: arm.ready.slice(), qd: arm.ready.map(() => 0) },
    },
  };
}

/**
 * Whether the arm's findings at `step` end the rollout: a link in the scenery, a joint too fast,
 * a joint over its torque (a real arm's controller stops on each).
 */
const armStopped = (f: ArmFindings, step: number): boolean =>
  (f.scenery.step === step && f.scenery.maxDepthM > MAX_SCENERY_PENETRATION_M) ||
  (f.speed.step === step && f.speed.maxRatio > SPEED_LIMIT_RATIO) ||
  (f.torque?.step === step && f.torque.maxRatio > 1);

function episodeOf(
  o: SimulateOptions,
  steps: EpisodeStep[],
  verdict: Verdict,
  dt: number,
  substeps: number,
): Episode {
  return {
    format: "egobridge.episode",
    version: 1,
    id: o.id,
    task: o.task,
    controlHz: o.trajectory.controlHz,
    physics: { engine: PHYSICS_ENGINE, dtS: dt, substeps },
    scene: o.scene,
    embodiment: o.embodiment,
    source: {
      kind: o.trajectory.source.kind,
      uri: o.trajectory.source.uri,
      synthetic: o.trajectory.source.synthetic,
      side: o.trajectory.source.side,
      ...(o.trajectory.source.camera ? { camera: o.trajectory.source.camera } : {}),
      ...(o.trajectory.source.headPose ? { headPose: o.trajectory.source.headPose } : {}),
    },
    steps,
    success: verdict.success,
    reasons: verdict.reasons,
    metrics: verdict.metrics,
    lineage: { source: o.lineageSource, seed: o.seed, params: {} },
  };
}

/**
 * Before anything moves: a dynamic object may not start inside the gripper, inside fixed scenery
 * or inside another object (deeper than SPAWN_OVERLAP_M). An object spawned in the open jaws would
 * be clamped by them without any commanded grasp; one inside a board or another object would be
 * shot out by the solver (a variant whose target was moved into a carton beside it). Such a
 * rollout is refused with the reason, never simulated.
 */
function spawnOverlap(
  bodies: Map<string, SceneBody>,
  gripper: SimGripper,
): { reason: string; metrics: Record<string, number> } | null {
  const fixed = [...bodies.values()].filter((b) => !("dynamic" in b.item) || !b.item.dynamic);
  const dynamic = [...bodies.values()].filter((b) => "dynamic" in b.item && b.item.dynamic);
  const gripperColliders = [gripper.palm, ...gripper.fingers].flatMap((b) =>
    Array.from({ length: b.numColliders() }, (_, i) => b.collider(i)),
  );
  /** How deep the first pair of colliders found overlapping is (m), beyond SPAWN_OVERLAP_M. */
  const overlap = (as: readonly Collider[], bs: readonly Collider[]): number | undefined => {
    for (const a of as)
      for (const b of bs) {
        const hit = a.contactCollider(b, 0);
        if (hit && hit.distance < -SPAWN_OVERLAP_M) return -hit.distance;
      }
    return undefined;
  };
  for (const [k, b] of dynamic.entries()) {
    for (const other of dynamic.slice(k + 1)) {
      const d = overlap(b.colliders, other.colliders);
      if (d !== undefined)
        return { reason: "objects_overlap_at_start", metrics: { [`spawnOverlapM:${b.id}|${other.id}`]: d } };
    }
    const g = overlap(b.colliders, gripperColliders);
    if (g !== undefined)
      return { reason: "object_overlaps_gripper_at_start", metrics: { [`spawnOverlapM:${b.id}`]: g } };
    for (const f of fixed) {
      const d = overlap(b.colliders, f.colliders);
      if (d !== undefined)
        return {
          reason: "object_overlaps_scenery_at_start",
          metrics: { [`spawnOverlapM:${b.id}|${f.id}`]: d },
        };
    }
  }
  return null;
}

/** The scene body to replay relative to: the trajectory's recorded object, when the scene has it. */
function anchorTarget(o: SimulateOptions, bodies: Map<string, SceneBody>): SceneBody | undefined {
  if (o.objectAnchored === false) return undefined;
  const name = o.trajectory.steps[0]?.object?.name;
  return name === undefined ? undefined : bodies.get(name);
}

function initialStep(
  traj: RobotTrajectory,
  bodies: Map<string, SceneBody>,
  gripper: SimGripper,
): EpisodeStep {
  const cmd = traj.steps[0]!;
  return {
    t: cmd.t,
    state: { tcp: poseToJson(gripper.pose()), apertureM: 0 },
    action: { tcp: cmd.tcp, apertureM: cmd.apertureM, grasp: cmd.grasp },
    objects: objectPoses(bodies),
    contacts: [],
    human: cmd.human,
  };
}

function colliderNames(bodies: Map<string, SceneBody>, gripper: SimGripper): Map<number, string> {
  const names = new Map<number, string>();
  for (const b of bodies.values()) for (const c of b.colliders) names.set(c.handle, b.id);
  for (const [h, id] of gripper.colliders) names.set(h, id);
  return names;
}

function objectPoses(bodies: Map<string, SceneBody>): Record<string, PoseJson> {
  const out: Record<string, PoseJson> = {};
  for (const b of bodies.values()) {
    if (!("dynamic" in b.item) || !b.item.dynamic) continue;
    out[b.id] = poseToJson({ p: { ...b.body.translation() }, q: { ...b.body.rotation() } });
  }
  return out;
}

/** Total normal force per touching body pair (N), in a stable order. */
function contacts(world: World, names: Map<number, string>, dtS: number): EpisodeStep["contacts"] {
  const forces = new PairForces();
  world.forEachCollider((c1) => {
    world.contactPairsWith(c1, (c2) => {
      if (c1.handle >= c2.handle) return;
      let impulse = 0;
      world.contactPair(c1, c2, (manifold) => {
        for (let i = 0; i < manifold.numContacts(); i++) impulse += manifold.contactImpulse(i);
      });
      forces.add(names.get(c1.handle) ?? "?", names.get(c2.handle) ?? "?", impulse / dtS);
    });
  });
  return forces.contacts();
}

/** Checked after every physics step: every body of the scene, the palm and the two fingers. */
function physicsFault(moving: readonly RigidBody[]): string | null {
  for (const body of moving) {
    const p = body.translation();
    const v = body.linvel();
    if (!isFiniteVec3(p) || !isFiniteVec3(v)) return "physics_fault_nan";
    if (Math.hypot(v.x, v.y, v.z) > RUNAWAY_SPEED_MPS) return "physics_fault_runaway";
  }
  return null;
}
