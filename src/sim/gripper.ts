import { add, type Pose, qrotate, vec3 } from "../core/math.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import { type PalmInertia, palmVelocityCommand } from "./palm_controller.js";
import type { Collider, PrismaticImpulseJoint, Rapier, RigidBody, RigidBodyDesc, World } from "./rapier.js";

/** Body ids the gripper's colliders report in contacts. */
/**
 * The gripper's collision group: an arm's links leave it out of their filter (arm.ts), so the
 * link the gripper is mounted on never pushes it. The box gripper's parts meet everything as
 * before (filter: all groups).
 */
export const GRIPPER_GROUP = 0x0002;
const BOX_GRIPPER_GROUPS = (GRIPPER_GROUP << 16) | 0xffff;

export const GRIPPER_IDS = {
  palm: "gripper.palm",
  left: "gripper.finger_left",
  right: "gripper.finger_right",
} as const;

/**
 * Position-controller gains of the finger joints (force-based motor: F = k·(q* − q) − d·q̇,
 * clamped to the grip force). Stiff enough that the force limit, not the spring, sets the
 * squeeze on any object thicker than a few millimetres.
 */
const FINGER_STIFFNESS_N_PER_M = 5000;
const FINGER_DAMPING_NS_PER_M = 60;
/**
 * Least mass of a finger body (kg). The real 2F-85 finger chain weighs about 0.058 kg (its
 * MJCF), but Rapier's iterative solver, asked to hold a 0.05 kg finger between a 0.8 kg palm
 * pushing at its force limit and a fixed wall, let the finger sink 12 mm into a tote wall
 * (measured: palm swept into a 1 cm wall at 0.3 m/s); at 0.15 kg, 2 mm. The extra mass comes out
 * of the palm body, so the gripper weighs what its datasheet says.
 */
const MIN_FINGER_MASS_KG = 0.15;
/**
 * Rotational inertia (kg·m², about each axis) the arm's wrist adds to the gripper (the order of a
 * 7-axis arm's last link with its reflected joint inertia). Without it the bare 0.6 kg housing
 * (5e-4 kg·m²) was spun by finger contacts faster than the controller may turn it back: releasing
 * a carton in the aisle demo pitched the gripper 23° and put the housing on the tote floor (3 of 3
 * seeds failed as hard collisions); with it, none.
 */
export const WRIST_INERTIA_KGM2 = 0.02;

/**
 * A parallel-jaw gripper in a Rapier world. The palm is a dynamic body whose frame is the gripper
 * frame G (origin at the TCP, +z approach, +y opening; see Embodiment), driven towards its
 * commanded pose by the arm's force/torque-limited controller (palm_controller.ts), so it collides
 * with everything, fixed scenery included, and stops where something solid is in the way. Each
 * finger is a dynamic body on a prismatic joint along ±y, driven by a force-limited position
 * motor. Contact friction alone holds a grasped object: nothing is attached by fiat.
 */
export class ParallelJawGripper {
  readonly palm: RigidBody;
  readonly fingers: readonly [RigidBody, RigidBody];
  readonly colliders: ReadonlyMap<number, string>;
  private readonly joints: readonly [PrismaticImpulseJoint, PrismaticImpulseJoint];
  private readonly inertia: PalmInertia;
  /** Commanded finger offset (per finger, m), rate-limited by the finger speed. */
  private qCommand: number;

  constructor(
    R: Rapier,
    world: World,
    readonly embodiment: Embodiment,
    X_WG: Pose,
    apertureM: number,
  ) {
    const e = embodiment;
    const [px, py, pz] = e.palm.sizeM;
    this.palm = world.createRigidBody(palmBodyDesc(R, X_WG));
    const fingerMassKg = Math.max(e.finger.massKg, MIN_FINGER_MASS_KG);
    const palmMassKg = Math.max(e.massKg - 2 * fingerMassKg, 0.1);
    const palmCenterZ = -e.tcpOffsetM + pz / 2;
    const colliders = new Map<number, string>();
    // A solid box (I = m/12 · (b² + c²) about each axis), plus the rotational inertia the arm's
    // wrist adds: the palm body stands for the arm's end effector, not a free-flying gripper.
    const moments = [py * py + pz * pz, px * px + pz * pz, px * px + py * py].map(
      (s) => (palmMassKg / 12) * s + WRIST_INERTIA_KGM2,
    );
    const palmCollider: Collider = world.createCollider(
      R.ColliderDesc.cuboid(px / 2, py / 2, pz / 2)
        .setTranslation(0, 0, palmCenterZ)
        .setMassProperties(
          palmMassKg,
          { x: 0, y: 0, z: 0 },
          { x: moments[0]!, y: moments[1]!, z: moments[2]! },
          { x: 0, y: 0, z: 0, w: 1 },
        )
        .setFriction(0.5)
        .setCollisionGroups(BOX_GRIPPER_GROUPS),
      this.palm,
    );
    this.inertia = {
      massKg: palmMassKg,
      minInertiaKgM2: Math.min(...moments),
      com_G: vec3(0, 0, palmCenterZ),
    };
    colliders.set(palmCollider.handle, GRIPPER_IDS.palm);

    this.qCommand = Math.min(apertureM, e.strokeM) / 2;
    const f = e.finger;
    const make = (sign: -1 | 1, id: string): [RigidBody, PrismaticImpulseJoint] => {
      // Finger body origin at its box centre; inner (pad) face at y = sign·q in G.
      const offset_G = vec3(0, sign * (this.qCommand + f.thicknessM / 2), 0);
      const p_W = add(X_WG.p, qrotate(X_WG.q, offset_G));
      const body = world.createRigidBody(
        R.RigidBodyDesc.dynamic()
          .setTranslation(p_W.x, p_W.y, p_W.z)
          .setRotation(X_WG.q)
          .setCcdEnabled(true)
          .setCanSleep(false),
      );
      const c = world.createCollider(
        R.ColliderDesc.cuboid(f.widthM / 2, f.thicknessM / 2, f.lengthM / 2)
          .setMass(fingerMassKg)
          .setFriction(f.padFriction)
          .setCollisionGroups(BOX_GRIPPER_GROUPS),
        body,
      );
      colliders.set(c.handle, id);
      const data = R.JointData.prismatic(
        { x: 0, y: (sign * f.thicknessM) / 2, z: 0 },
        { x: 0, y: 0, z: 0 },
        { x: 0, y: sign, z: 0 },
      );
      data.limitsEnabled = true;
      data.limits = [0, e.strokeM / 2];
      const joint = world.createImpulseJoint(data, this.palm, body, true) as PrismaticImpulseJoint;
      joint.setContactsEnabled(false);
      joint.configureMotorModel(R.MotorModel.ForceBased);
      joint.setMotorMaxForce(e.gripForceN);
      joint.configureMotorPosition(this.qCommand, FINGER_STIFFNESS_N_PER_M, FINGER_DAMPING_NS_PER_M);
      return [body, joint];
    };
    const [left, jl] = make(-1, GRIPPER_IDS.left);
    const [right, jr] = make(1, GRIPPER_IDS.right);
    this.fingers = [left, right];
    this.joints = [jl, jr];
    this.colliders = colliders;
  }

  /**
   * Drives the palm towards X_WG for the next physics step of `dtS`, within the arm's force and
   * torque limits (see palm_controller.ts). In free space it arrives there by the end of the step.
   */
  setPalmTarget(X_WG: Pose, dtS: number): void {
    drivePalm(this.palm, this.inertia, this.embodiment, X_WG, dtS);
  }

  /**
   * Drives the jaws towards `apertureM` (0 = close until the grip force stalls on an object),
   * moving the set-point no faster than the finger speed.
   */
  setJawTarget(apertureM: number, dtS: number): void {
    const target = Math.min(Math.max(apertureM, 0), this.embodiment.strokeM) / 2;
    const maxStep = (this.embodiment.fingerSpeedMps / 2) * dtS;
    const delta = Math.max(-maxStep, Math.min(maxStep, target - this.qCommand));
    this.qCommand += delta;
    for (const j of this.joints) {
      j.configureMotorPosition(this.qCommand, FINGER_STIFFNESS_N_PER_M, FINGER_DAMPING_NS_PER_M);
    }
  }

  /** The palm pose X_WG, as measured (where the physics let it go). */
  pose(): Pose {
    return { p: { ...this.palm.translation() }, q: { ...this.palm.rotation() } };
  }

  /** Measured opening between the pads (m), from the finger bodies' positions in G. */
  apertureM(): number {
    const [l, r] = this.padsYM();
    return r - l;
  }

  /** Where each pad's inner face is along G's y axis (m; left negative), from the finger bodies. */
  padsYM(): [number, number] {
    const X = this.pose();
    const t = this.embodiment.finger.thicknessM;
    const yAxis = qrotate(X.q, vec3(0, 1, 0));
    const inG = (b: RigidBody): number => {
      const p = b.translation();
      return (p.x - X.p.x) * yAxis.x + (p.y - X.p.y) * yAxis.y + (p.z - X.p.z) * yAxis.z;
    };
    return [inG(this.fingers[0]) + t / 2, inG(this.fingers[1]) - t / 2];
  }
}

/**
 * The palm body of a gripper at X_WG: dynamic, and the arm holds the gripper's own weight (gravity
 * compensation). No CCD: at the speed limit (1.7 m/s) a 240 Hz step moves the palm 7 mm, less
 * than the thinnest board or tote wall (1 cm); with CCD on, the aisle demo's rollout came out
 * identical.
 */
export function palmBodyDesc(R: Rapier, X_WG: Pose): RigidBodyDesc {
  return R.RigidBodyDesc.dynamic()
    .setTranslation(X_WG.p.x, X_WG.p.y, X_WG.p.z)
    .setRotation(X_WG.q)
    .setGravityScale(0)
    .setCcdEnabled(false)
    .setCanSleep(false);
}

/**
 * Sets a palm body's velocities for the next physics step of `dtS` towards X_WG, as the arm's
 * force/torque-limited controller chooses them (palm_controller.ts).
 */
export function drivePalm(
  palm: RigidBody,
  inertia: PalmInertia,
  e: Embodiment,
  X_WG: Pose,
  dtS: number,
): void {
  const v = palm.linvel();
  const w = palm.angvel();
  const cmd = palmVelocityCommand(
    {
      X_WG: { p: { ...palm.translation() }, q: { ...palm.rotation() } },
      v_W: { x: v.x, y: v.y, z: v.z },
      w_W: { x: w.x, y: w.y, z: w.z },
    },
    X_WG,
    inertia,
    e.limits,
    dtS,
  );
  palm.setLinvel(cmd.v_W, true);
  palm.setAngvel(cmd.w_W, true);
}
