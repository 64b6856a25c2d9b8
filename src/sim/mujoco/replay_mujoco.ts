/**
 * Replays gripper commands in MuJoCo with the real 2F-85 MJCF and records an Episode's steps the
 * way src/sim does (state, action, object poses, contacts per control step), so src/sim's own
 * verdict (judge) decides success from MuJoCo's physics.
 *
 * Commands are processed exactly as src/sim/simulate.ts does before they reach the engine: per
 * physics step the reference is interpolated between control steps and passed through the same
 * rate-limited base controller (base_controller.ts); the jaw set-point moves at the embodiment's
 * finger speed. The base pose X_WB = X_WG ∘ X_GB drives the mocap body; the jaw opening is turned
 * into the linkage angle that opening needs (forward kinematics of the MJCF) and into the
 * actuator's ctrl. A commanded opening of 0 (grasp) is ctrl 255: close with the actuator's force.
 *
 * With an arm (the embodiment's `arm`), the arm's MJCF stands on the episode's recorded base and
 * carries the gripper (mjcf_scene.ts); its servos follow the recorded joints (`state.joints.q`,
 * what src/sim's arm reached at each step), interpolated over the substeps and led by the servo's
 * kv/kp times the joint speed, so that a servo's damping does not lag the motion. The arm's own
 * dynamics and torque limits decide how closely it follows; `maxTrackingErrorM` is then the TCP's
 * distance from where the commanded joints put it.
 */

import { performance } from "node:perf_hooks";
import { InputError } from "../../core/errors.js";
import {
  compose,
  invert,
  isFiniteVec3,
  type Pose,
  poseFromJson,
  poseInterp,
  poseToJson,
  qfromWxyz,
  toArray3,
} from "../../core/math.js";
import type { PoseJson } from "../../core/schemas/common.js";
import type { Embodiment } from "../../core/schemas/embodiment.js";
import type { EpisodeStep } from "../../core/schemas/episode.js";
import type { SceneSpec } from "../../core/schemas/scene.js";
import { toolPose } from "../../robots/ik.js";
import { type ArmModel, armModelOf, armPartId, pedestalBox } from "../arm.js";
import { type BaseState, restingBase, trackReference } from "../base_controller.js";
import { PairForces } from "../contact_forces.js";
import { GRIPPER_IDS } from "../gripper.js";
import { angularDampingOf } from "../scene_world.js";
import { RUNAWAY_SPEED_MPS } from "../simulate.js";
import { CollisionWatch, judge, PROTECTIVE_STOP_HOLD_S, type Verdict } from "../verdict.js";
import { type MjcfArm, mjcfArmOf } from "./arm_mjcf.js";
import {
  ARM_DIR,
  ARM_PREFIX,
  armFileName,
  GRIPPER_DIR,
  GRIPPER_PREFIX,
  gripperFileName,
  MOUNT_BODY,
  PEDESTAL,
  sceneXml,
  TARGET_BODY,
  WELD_TIMECONST_S,
} from "./mjcf_scene.js";
import { compileModel, loadMujoco, type MjData, type MjModel, type Mujoco } from "./mujoco.js";
import type { MjcfGripper } from "./robotiq_2f85.js";

/** One control step's command and the human sample it came from (as recorded in an Episode). */
export interface ReplayCommand {
  t: number;
  action: EpisodeStep["action"];
  human: EpisodeStep["human"];
  /** An arm's joint positions at the end of the step (its recorded state), in the arm's joint order. */
  joints?: readonly number[];
}

export interface MujocoReplayOptions {
  scene: SceneSpec;
  embodiment: Embodiment;
  gripper: MjcfGripper;
  commands: readonly ReplayCommand[];
  controlHz: number;
  /** Seconds the scene settles with the gripper parked at its first pose (src/sim's default 0.25). */
  settleS?: number;
  /** Largest physics step (s); the step is controlHz divided evenly below it. The 2F-85's stiff pad contacts want ≤ 2 ms. */
  maxTimestepS?: number;
}

export interface MujocoRollout {
  steps: EpisodeStep[];
  verdict: Verdict;
  fault: string | null;
  timestepS: number;
  /** Simulated seconds (settling included) and the wall time they took, of which compiling the model. */
  simulatedS: number;
  wallS: number;
  compileS: number;
  /** Largest distance between the commanded (controller output) and the actual base position (m): how well the weld tracks. */
  maxTrackingErrorM: number;
}

/** The arm in the compiled model: per joint, its qpos/qvel address, actuator, and servo gains. */
interface ArmIds {
  qposAdr: number[];
  dofAdr: number[];
  actuators: number[];
  /** Each servo's kv/kp (s): a reference moving at q̇ is led by q̇·kv/kp, so that the servo's damping tracks it. */
  leadS: number[];
}

interface Ids {
  actuator: number;
  /** The mocap body driving the gripper (−1 when an arm carries it). */
  mocap: number;
  arm?: ArmIds;
  mountBody: number;
  linkageQposAdr: number[];
  drivers: number[];
  /**
   * Dynamic item id → body id, its free joint's qvel address, and the angular damping (1/s)
   * src/sim/scene_world.ts gives it (angularDampingOf: rolling resistance of round shapes).
   * MuJoCo has no per-body damping, so the replay applies the same dω/dt = −c·ω as a torque
   * −c·I·ω (dampRotation).
   */
  objects: { id: string; body: number; dofAdr: number; dampingPerS: number }[];
  /** Geom id → the id its contacts are reported as (scene item id or a GRIPPER_IDS part). */
  geomOwner: string[];
}

function lookupIds(mj: Mujoco, m: MjModel, scene: SceneSpec, gripper: MjcfGripper, arm?: MjcfArm): Ids {
  const O = mj.mjtObj;
  const id = (type: number, name: string) => {
    const i = mj.mj_name2id(m, type, name);
    if (i < 0) throw new Error(`crosscheck: MuJoCo model has no element '${name}' (internal error)`);
    return i;
  };
  const bodyName = new Map<number, string>();
  for (const item of scene.items) bodyName.set(id(O.mjOBJ_BODY.value, item.id), item.id);
  const parts = new Map(gripper.collisionGeoms.map((g) => [`${GRIPPER_PREFIX}${g.name}`, g.part]));
  const geomOwner: string[] = [];
  for (let g = 0; g < m.ngeom; g++) {
    const b = m.geom_bodyid[g] as number;
    geomOwner.push(bodyName.get(b) ?? GRIPPER_IDS.palm);
  }
  for (const [name, part] of parts) geomOwner[id(O.mjOBJ_GEOM.value, name)] = part;
  if (arm) {
    for (const g of arm.collisionGeoms)
      geomOwner[id(O.mjOBJ_GEOM.value, `${ARM_PREFIX}${g.name}`)] = armPartId(g.link);
    geomOwner[id(O.mjOBJ_GEOM.value, PEDESTAL)] = "arm.pedestal";
  }
  const jointAdr = (name: string) =>
    m.jnt_qposadr[id(O.mjOBJ_JOINT.value, `${GRIPPER_PREFIX}${name}`)] as number;
  return {
    actuator: id(O.mjOBJ_ACTUATOR.value, `${GRIPPER_PREFIX}${gripper.actuator.name}`),
    mocap: arm ? -1 : (m.body_mocapid[id(O.mjOBJ_BODY.value, TARGET_BODY)] as number),
    arm: arm && armIds(mj, m, arm, id),
    mountBody: id(O.mjOBJ_BODY.value, MOUNT_BODY),
    linkageQposAdr: gripper.linkageJoints.map(jointAdr),
    drivers: gripper.linkageJoints.filter((j) => j.includes("driver")).map(jointAdr),
    objects: scene.items
      .filter((it) => "dynamic" in it && it.dynamic)
      .map((it) => ({
        id: it.id,
        body: id(O.mjOBJ_BODY.value, it.id),
        dofAdr: m.jnt_dofadr[id(O.mjOBJ_JOINT.value, `${it.id}/free`)] as number,
        dampingPerS: angularDampingOf(it),
      })),
    geomOwner,
  };
}

function armIds(mj: Mujoco, m: MjModel, arm: MjcfArm, id: (type: number, name: string) => number): ArmIds {
  const O = mj.mjtObj;
  const joints = arm.joints.map((j) => id(O.mjOBJ_JOINT.value, `${ARM_PREFIX}${j}`));
  const actuators = arm.actuators.map((a, k) => {
    if (a === undefined)
      throw new InputError(
        `${arm.file}: joint '${arm.joints[k]}' has no actuator to replay its commands with`,
      );
    return id(O.mjOBJ_ACTUATOR.value, `${ARM_PREFIX}${a}`);
  });
  return {
    qposAdr: joints.map((j) => m.jnt_qposadr[j] as number),
    dofAdr: joints.map((j) => m.jnt_dofadr[j] as number),
    actuators,
    // A position servo: gain kp (gainprm[0]), bias −kp·q − kv·q̇ (biasprm[1], biasprm[2]).
    leadS: actuators.map((a) => {
      const kp = m.actuator_gainprm[mj.mjNGAIN * a] as number;
      const kv = -(m.actuator_biasprm[mj.mjNBIAS * a + 2] as number);
      return kp > 0 ? kv / kp : 0;
    }),
  };
}

const bodyPose = (d: MjData, b: number): Pose => ({
  p: { x: d.xpos[3 * b], y: d.xpos[3 * b + 1], z: d.xpos[3 * b + 2] },
  q: qfromWxyz([d.xquat[4 * b], d.xquat[4 * b + 1], d.xquat[4 * b + 2], d.xquat[4 * b + 3]]),
});

/** Total normal force per touching owner pair (N), in a stable order, like src/sim's recorder. */
function contacts(d: MjData, ids: Ids): EpisodeStep["contacts"] {
  const forces = new PairForces();
  const vec = d.contact;
  const efc = d.efc_force;
  try {
    for (let i = 0; i < d.ncon; i++) {
      const c = vec.get(i)!;
      const [g1, g2, adr] = [c.geom1, c.geom2, c.efc_address];
      c.delete();
      if (adr < 0) continue;
      forces.add(ids.geomOwner[g1]!, ids.geomOwner[g2]!, Math.max(0, efc[adr] as number));
    }
  } finally {
    vec.delete();
  }
  return forces.contacts();
}

/**
 * Sets each dynamic object's applied torque to −c·I_W·ω_W (I_W = R_I·diag(I)·R_Iᵀ from the body's
 * inertia frame; ω from the free joint, which MuJoCo gives in the body frame).
 */
function dampRotation(m: MjModel, d: MjData, ids: Ids): void {
  const qvel = d.qvel;
  const xmat = d.xmat;
  const ximat = d.ximat;
  const xfrc = d.xfrc_applied;
  const inertia = m.body_inertia;
  for (const o of ids.objects) {
    const b = o.body;
    const wl = [qvel[o.dofAdr + 3], qvel[o.dofAdr + 4], qvel[o.dofAdr + 5]] as number[];
    const w = [0, 1, 2].map(
      (r) =>
        xmat[9 * b + 3 * r] * wl[0]! + xmat[9 * b + 3 * r + 1] * wl[1]! + xmat[9 * b + 3 * r + 2] * wl[2]!,
    );
    // τ = −c · R diag(I) Rᵀ ω
    const wi = [0, 1, 2].map(
      (k) => ximat[9 * b + k] * w[0]! + ximat[9 * b + 3 + k] * w[1]! + ximat[9 * b + 6 + k] * w[2]!,
    );
    const iw = wi.map((v, k) => v * (inertia[3 * b + k] as number));
    for (let r = 0; r < 3; r++) {
      xfrc[6 * b + 3 + r] =
        -o.dampingPerS *
        (ximat[9 * b + 3 * r] * iw[0]! +
          ximat[9 * b + 3 * r + 1] * iw[1]! +
          ximat[9 * b + 3 * r + 2] * iw[2]!);
    }
  }
}

function fault(d: MjData, ids: Ids): string | null {
  for (const o of ids.objects) {
    const v = d.qvel;
    const speed = Math.hypot(v[o.dofAdr], v[o.dofAdr + 1], v[o.dofAdr + 2]);
    if (!Number.isFinite(speed)) return "physics_fault_nan";
    if (speed > RUNAWAY_SPEED_MPS) return "physics_fault_runaway";
    if (!isFiniteVec3(bodyPose(d, o.body).p)) return "physics_fault_nan";
  }
  return null;
}

/**
 * The compiled scene with the gripper in it: owns MuJoCo's model and data (call dispose), sets
 * the commanded base pose and jaw, steps, and records a control step.
 */
class MujocoRig {
  readonly m: MjModel;
  readonly d: MjData;
  readonly ids: Ids;
  readonly compileS: number;
  private readonly X_GB: Pose;
  /** The weld lags a moving target by ~2·timeconst·velocity (critically damped): lead the mocap body by that many steps. */
  private readonly leadSteps: number;
  private X_WB_prev: Pose;

  constructor(
    private readonly mj: Mujoco,
    private readonly o: MujocoReplayOptions,
    readonly dt: number,
    X_WG0: Pose,
    jaw0: number,
    readonly arm?: ArmReplay,
  ) {
    const g = o.gripper;
    this.X_GB = invert(g.X_BG);
    // With an arm, the gripper starts where the arm's first joints put it.
    const X_WG_start = arm ? toolPose(arm.model.chain, arm.q0, arm.X_WBase) : X_WG0;
    this.X_WB_prev = compose(X_WG_start, this.X_GB);
    this.leadSteps = (2 * WELD_TIMECONST_S) / dt;
    const { xml } = sceneXml(o.scene, o.embodiment, g, {
      timestepS: dt,
      X_WB0: this.X_WB_prev,
      padFriction: o.embodiment.finger.padFriction,
      arm: arm && {
        mjcf: arm.mjcf,
        X_WBase: arm.X_WBase,
        tip: arm.model.chain.tip,
        // The gripper's base B on the tip link L, so that its TCP G is the chain's tool frame.
        X_TipB: compose(arm.model.chain.X_LT, this.X_GB),
        pedestal: pedestalBox(arm.X_WBase),
      },
    });
    const files = new Map<string, string | Uint8Array>([
      ["scene.xml", xml],
      [`${GRIPPER_DIR}/${gripperFileName(g)}`, g.xml],
    ]);
    for (const [rel, data] of g.files) files.set(`${GRIPPER_DIR}/${rel}`, data);
    if (arm) {
      files.set(`${ARM_DIR}/${armFileName(arm.mjcf)}`, arm.mjcf.xml);
      for (const [rel, data] of arm.mjcf.files) files.set(`${ARM_DIR}/${rel}`, data);
    }
    const t0 = performance.now();
    this.m = compileModel(mj, files, "scene.xml");
    this.compileS = (performance.now() - t0) / 1000;
    this.d = new mj.MjData(this.m);
    this.ids = lookupIds(mj, this.m, o.scene, g, arm?.mjcf);
    const q0 = g.qForAperture(jaw0);
    for (const adr of this.ids.linkageQposAdr) this.d.qpos[adr] = q0;
    this.setJaw(jaw0);
    if (arm) {
      this.ids.arm!.qposAdr.forEach((adr, k) => {
        this.d.qpos[adr] = arm.q0[k]!;
      });
      this.setJoints(
        arm.q0,
        arm.q0.map(() => 0),
      );
    } else this.setBase(X_WG0);
    mj.mj_forward(this.m, this.d);
  }

  /** Sets the arm's servos to follow joint positions q moving at qd (rad/s). */
  setJoints(q: readonly number[], qd: readonly number[]): void {
    const a = this.ids.arm!;
    a.actuators.forEach((act, k) => {
      this.d.ctrl[act] = q[k]! + a.leadS[k]! * qd[k]!;
    });
  }

  /** The arm's joint positions and velocities, as measured. */
  joints(): { q: number[]; qd: number[] } {
    const a = this.ids.arm!;
    return {
      q: a.qposAdr.map((adr) => this.d.qpos[adr] as number),
      qd: a.dofAdr.map((adr) => this.d.qvel[adr] as number),
    };
  }

  /** Drives the mocap body to the base pose for X_WG (with the weld's lead); returns that base pose X_WB. */
  setBase(X_WG: Pose): Pose {
    const X_WB = compose(X_WG, this.X_GB);
    const lead = poseInterp(this.X_WB_prev, X_WB, 1 + this.leadSteps);
    this.X_WB_prev = X_WB;
    this.d.mocap_pos.set(toArray3(lead.p), 3 * this.ids.mocap);
    this.d.mocap_quat.set([lead.q.w, lead.q.x, lead.q.y, lead.q.z], 4 * this.ids.mocap);
    return X_WB;
  }

  /** The actuator's ctrl for the linkage angle that gives this opening. */
  setJaw(apertureM: number): void {
    const g = this.o.gripper;
    this.d.ctrl[this.ids.actuator] = g.qForAperture(apertureM) / g.actuator.qPerCtrl;
  }

  step(): void {
    dampRotation(this.m, this.d, this.ids);
    this.mj.mj_step(this.m, this.d);
  }

  /** The TCP pose X_WG, as measured. */
  tcp(): Pose {
    return compose(bodyPose(this.d, this.ids.mountBody), this.o.gripper.X_BG);
  }

  /** Distance of the TCP from where the commanded joints q put it (m). */
  armTrackingError(q: readonly number[]): number {
    const want = toolPose(this.arm!.model.chain, q, this.arm!.X_WBase).p;
    const p = this.tcp().p;
    return Math.hypot(p.x - want.x, p.y - want.y, p.z - want.z);
  }

  /** Distance of the gripper base from a commanded base pose (m). */
  trackingError(X_WB: Pose): number {
    const p = bodyPose(this.d, this.ids.mountBody).p;
    return Math.hypot(p.x - X_WB.p.x, p.y - X_WB.p.y, p.z - X_WB.p.z);
  }

  record(cmd: ReplayCommand): EpisodeStep {
    const { d, ids } = this;
    const g = this.o.gripper;
    const q = ids.drivers.reduce((s, a) => s + (d.qpos[a] as number), 0) / ids.drivers.length;
    return {
      t: cmd.t,
      state: {
        tcp: poseToJson(compose(bodyPose(d, ids.mountBody), g.X_BG)),
        apertureM: g.apertureAt(q),
        ...(ids.arm ? { joints: this.joints() } : {}),
      },
      action: cmd.action,
      objects: Object.fromEntries(ids.objects.map((ob) => [ob.id, poseToJson(bodyPose(d, ob.body))])),
      contacts: contacts(d, ids),
      human: cmd.human,
    };
  }

  dispose(): void {
    this.d.delete();
    this.m.delete();
  }
}

/** Replays the commands in MuJoCo and judges the rollout with src/sim's predicates. */
export async function replayInMujoco(o: MujocoReplayOptions): Promise<MujocoRollout> {
  const t0 = performance.now();
  const mj = await loadMujoco();
  const first = o.commands[0];
  if (!first) throw new RangeError("crosscheck: no commands to replay");
  const substeps = Math.ceil(1 / o.controlHz / (o.maxTimestepS ?? 0.002) - 1e-9);
  const dt = 1 / (o.controlHz * substeps);
  const clampJaw = (a: number) => Math.min(Math.max(a, 0), o.embodiment.strokeM);
  const X0 = poseFromJson(first.action.tcp);
  let jaw = clampJaw(first.action.apertureM);
  const arm = await armReplayOf(o, first);
  const rig = new MujocoRig(mj, o, dt, X0, jaw, arm);
  try {
    for (let i = 0; i < Math.round((o.settleS ?? 0.25) / dt); i++) rig.step();
    let base: BaseState = restingBase(X0);
    let prev = X0;
    let qPrev = arm?.q0;
    let err = 0;
    let broke: string | null = null;
    const steps: EpisodeStep[] = [];
    const maxJawStep = o.embodiment.fingerSpeedMps * dt;
    const watch = new CollisionWatch(o.scene);
    // A protective stop as in src/sim (PROTECTIVE_STOP_HOLD_S): hold where it stopped, keep the jaw command.
    let stop: { X: Pose; q?: number[]; jaw: number; stepsLeft: number } | undefined;
    for (const cmd of o.commands) {
      if (stop && stop.stepsLeft-- <= 0) break;
      const target = stop ? stop.jaw : clampJaw(cmd.action.apertureM);
      const moveJaw = () => {
        jaw += Math.max(-maxJawStep, Math.min(maxJawStep, target - jaw));
        rig.setJaw(jaw);
      };
      if (arm && qPrev) {
        // The arm's servos follow the recorded joints, interpolated over the substeps.
        const from = qPrev;
        const q = stop?.q ?? jointsOf(cmd);
        const qd = q.map((v, k) => (stop ? 0 : (v - from[k]!) * o.controlHz));
        for (let j = 0; j < substeps && !broke; j++) {
          const s = (j + 1) / substeps;
          const qRef = q.map((v, k) => from[k]! + (v - from[k]!) * s);
          rig.setJoints(qRef, qd);
          moveJaw();
          rig.step();
          err = Math.max(err, rig.armTrackingError(qRef));
          broke = fault(rig.d, rig.ids);
        }
        qPrev = q;
      } else {
        const X_cmd = stop ? stop.X : poseFromJson(cmd.action.tcp);
        for (let j = 0; j < substeps && !broke; j++) {
          base = trackReference(base, poseInterp(prev, X_cmd, (j + 1) / substeps), o.embodiment.limits, dt);
          const X_WB = rig.setBase(base.X_WG);
          moveJaw();
          rig.step();
          err = Math.max(err, rig.trackingError(X_WB));
          broke = fault(rig.d, rig.ids);
        }
        prev = X_cmd;
      }
      if (broke) break;
      steps.push(rig.record(cmd));
      // The watch follows the grip phase, so it sees every step, stopped or not.
      if (watch.force(steps[steps.length - 1]!) > o.embodiment.limits.collisionForceN && !stop) {
        stop = {
          X: rig.tcp(),
          jaw: target,
          stepsLeft: Math.round(PROTECTIVE_STOP_HOLD_S * o.controlHz),
          ...(arm ? { q: rig.joints().q } : {}),
        };
        base = restingBase(stop.X);
        prev = stop.X;
      }
    }
    // A fault in the first control step: judge the scene as it was set up (as src/sim does).
    if (steps.length === 0) steps.push(initialStep(o, first, rig.ids));
    return {
      steps,
      // MuJoCo always simulates the MJCF's gripper: its geometry is what the clearance check places.
      verdict: judge(steps, o.scene, o.embodiment, broke, o.gripper.linkage),
      fault: broke,
      timestepS: dt,
      simulatedS: rig.d.time,
      wallS: (performance.now() - t0) / 1000,
      compileS: rig.compileS,
      maxTrackingErrorM: err,
    };
  } finally {
    rig.dispose();
  }
}

/** What the replay needs of an embodiment's arm: its models, where its base stands, its first joints. */
export interface ArmReplay {
  model: ArmModel;
  mjcf: MjcfArm;
  X_WBase: Pose;
  q0: number[];
}

const jointsOf = (cmd: ReplayCommand): number[] => {
  if (!cmd.joints)
    throw new InputError(`the step at t = ${cmd.t} s records no arm joints to replay the arm with`, {
      hint: "episodes of an arm embodiment record state.joints at every step",
    });
  return cmd.joints.slice();
};

async function armReplayOf(o: MujocoReplayOptions, first: ReplayCommand): Promise<ArmReplay | undefined> {
  const model = await armModelOf(o.embodiment);
  if (!model) return undefined;
  const base = o.scene.robotBase;
  if (!base)
    throw new InputError(
      `scene '${o.scene.name}' records no robotBase for the arm of '${o.embodiment.name}'`,
      {
        hint: "replay an episode egobridge simulated: its scene records where the arm stood",
      },
    );
  return { model, mjcf: await mjcfArmOf(model), X_WBase: poseFromJson(base.pose), q0: jointsOf(first) };
}

function initialStep(o: MujocoReplayOptions, first: ReplayCommand, ids: Ids): EpisodeStep {
  const dynamic = new Set(ids.objects.map((ob) => ob.id));
  return {
    t: first.t,
    state: { tcp: first.action.tcp, apertureM: 0 },
    action: first.action,
    objects: Object.fromEntries(
      o.scene.items.filter((it) => dynamic.has(it.id)).map((it) => [it.id, (it as { pose: PoseJson }).pose]),
    ),
    contacts: [],
    human: first.human,
  };
}
