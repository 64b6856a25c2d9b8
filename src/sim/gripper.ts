import { add, type Pose, qrotate, vec3 } from "../core/math.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { Collider, PrismaticImpulseJoint, Rapier, RigidBody, World } from "./rapier.js";

/** Body ids the gripper's colliders report in contacts. */
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
 * A parallel-jaw gripper in a Rapier world. The palm is a kinematic body whose frame is the
 * gripper frame G (origin at the TCP, +z approach, +y opening; see Embodiment); each finger is a
 * dynamic body on a prismatic joint along ±y, driven by a force-limited position motor. Contact
 * friction alone holds a grasped object: nothing is attached by fiat.
 */
export class ParallelJawGripper {
  readonly palm: RigidBody;
  readonly fingers: readonly [RigidBody, RigidBody];
  readonly colliders: ReadonlyMap<number, string>;
  private readonly joints: readonly [PrismaticImpulseJoint, PrismaticImpulseJoint];
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
    this.palm = world.createRigidBody(
      R.RigidBodyDesc.kinematicPositionBased()
        .setTranslation(X_WG.p.x, X_WG.p.y, X_WG.p.z)
        .setRotation(X_WG.q),
    );
    const colliders = new Map<number, string>();
    const palmCollider: Collider = world.createCollider(
      R.ColliderDesc.cuboid(px / 2, py / 2, pz / 2)
        .setTranslation(0, 0, -e.tcpOffsetM + pz / 2)
        .setFriction(0.5),
      this.palm,
    );
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
          .setMass(f.massKg)
          .setFriction(f.padFriction),
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
   * Moves the palm to X_WG by the end of the next physics step. The quaternion is taken on the
   * same side as the current one: q and −q are the same rotation, but Rapier derives the kinematic
   * body's angular velocity from their difference, and a sign flip reads as a full turn in one
   * step (the fingers then fly off at tens of m/s).
   */
  setPalmTarget(X_WG: Pose): void {
    const c = this.palm.rotation();
    const q = X_WG.q;
    const flip = c.x * q.x + c.y * q.y + c.z * q.z + c.w * q.w < 0;
    this.palm.setNextKinematicTranslation(X_WG.p);
    this.palm.setNextKinematicRotation(flip ? { x: -q.x, y: -q.y, z: -q.z, w: -q.w } : q);
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

  /** The palm pose X_WG (kinematic, so exactly where it was sent). */
  pose(): Pose {
    return { p: { ...this.palm.translation() }, q: { ...this.palm.rotation() } };
  }

  /** Measured opening between the pads (m), from the finger bodies' positions in G. */
  apertureM(): number {
    const X = this.pose();
    const t = this.embodiment.finger.thicknessM;
    const inG = (b: RigidBody): number => {
      const d = { x: b.translation().x - X.p.x, y: b.translation().y - X.p.y, z: b.translation().z - X.p.z };
      // y component of d in G: rotate by the inverse palm rotation.
      const yAxis = qrotate(X.q, vec3(0, 1, 0));
      return d.x * yAxis.x + d.y * yAxis.y + d.z * yAxis.z;
    };
    return inG(this.fingers[1]) - inG(this.fingers[0]) - t;
  }
}
