/**
 * A gripper built from its robot model's own geometry and linkage, in Rapier: the Robotiq 2F-85
 * as its MJCF describes it (convex hulls of its collision meshes, its four-bar linkage per side,
 * the coupler–follower `<connect>` closing each loop), so that src/sim and the MuJoCo cross-check
 * simulate the same gripper.
 *
 * The description (GripperLinkage) is plain data, derived from the MJCF in Node
 * (sim/mujoco/mjcf_linkage.ts) and handed to the browser's re-simulation as JSON; this module
 * builds it in a world and never reads files.
 *
 * Frames: the palm body's frame is the gripper frame G (TCP origin, +z approach, +y opening; see
 * Embodiment), as for the box gripper; every other body's frame is its MJCF link frame. Joints
 * are given by the body frames' poses at linkage angle q = 0 and the joint's anchor and axis in
 * G at q = 0, so the Rapier joint frames follow from the same forward kinematics MuJoCo uses.
 *
 * Actuation: as the 2F-85's single motor drives both drivers through the tendon and the
 * joint-equality, each driver joint here has a force-limited position motor to the same angle.
 * The torque limit is the embodiment's grip force times the pad's lever at the current angle
 * (virtual work: τ = F · |d(aperture/2)/dq|), so the pads squeeze with the grip force the
 * embodiment states, whatever the linkage angle.
 */
import {
  compose,
  invert,
  type Pose,
  poseInterp,
  qconj,
  qmul,
  qrotate,
  transformPoint,
  type Vec3,
  vec3,
} from "../core/math.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import { drivePalm, GRIPPER_GROUP, palmBodyDesc, WRIST_INERTIA_KGM2 } from "./gripper.js";
import type { PalmInertia } from "./palm_controller.js";
import type { Collider, Rapier, RevoluteImpulseJoint, RigidBody, World } from "./rapier.js";

/** A rigid body of the linkage (an MJCF link with its welded children). */
export interface LinkageBody {
  name: string;
  /** Which pad's linkage it belongs to (its angle follows that pad's opening). */
  side: "left" | "right";
  /** The GRIPPER_IDS part its contacts report as. */
  part: string;
  massKg: number;
  /** Centre of mass in the body frame. */
  com: Vec3;
  /** The body frame's pose in G at q = 0 (each linkage joint at 0). */
  X_G0: Pose;
  /** Convex hulls (vertices, flat x, y, z, …, in the body frame). */
  hulls: number[][];
  /** Boxes (the pads): pose in the body frame and half extents (m). */
  boxes: { X: Pose; halfM: Vec3 }[];
}

export interface LinkageJoint {
  kind: "revolute" | "spherical";
  /** Body names; "palm" is the housing (frame G). */
  body1: string;
  body2: string;
  /** Anchor and (revolute) axis in G at q = 0. */
  anchor_G: Vec3;
  axis_G?: Vec3;
  /** This revolute is driven by the actuator (the drivers). */
  actuated?: boolean;
  /** The revolute's range (rad), as the model gives it. */
  limits?: [number, number];
}

export interface GripperLinkage {
  /** The model file it was derived from. */
  source: string;
  palm: { massKg: number; com_G: Vec3; hulls: number[][] };
  bodies: LinkageBody[];
  joints: LinkageJoint[];
  /** Each side's pad: the body that carries it and the centre of its inner face, in that body's frame. */
  pads: { left: { body: string; face: Vec3 }; right: { body: string; face: Vec3 } };
  /** Largest linkage angle the actuator commands (rad). */
  qMax: number;
  /** Opening between the pads (m) at q = qMax·i/(n−1), i = 0 … n−1; falls with q. */
  apertureTable: number[];
  /** Body poses in G as functions of q are the model's forward kinematics: sampled here on the same grid, per body. */
  posesTable: Record<string, Pose[]>;
}

/**
 * Rotational stiffness and damping of the driver motors (N·m/rad, N·m·s/rad). Stiff enough that
 * the torque limit, not the spring, sets the squeeze once the pads stop on an object: at 12 N·m/rad
 * the pads squeezed a 2 cm block with 12 N where 40 N was asked (the spring had not reached the
 * limit), and the demo's carton slipped out of the grip in one seed of three; at 100 N·m/rad
 * 37–46 N from 2 to 8 cm.
 */
const DRIVER_STIFFNESS = 100;
const DRIVER_DAMPING = 0.15;
/**
 * Least mass of a linkage body (kg). The 2F-85's links weigh 9–22 g; Rapier's iterative solver
 * keeps a closed loop of such bodies between a 0.8 kg housing and a fixed wall only loosely, as
 * with the box gripper's fingers (MIN_FINGER_MASS_KG in gripper.ts). The extra mass comes out of
 * the palm, so the whole gripper weighs what its datasheet says.
 */
const MIN_LINK_MASS_KG = 0.05;
/** Least mass of a body that carries a pad: the box gripper's measured figure. */
const MIN_PAD_BODY_MASS_KG = 0.15;
/** Radius of gyration (m) the link bodies' inertia is given: a link of a few centimetres. */
const LINK_GYRATION_M = 0.02;
/** Friction of the housing and the links (the box gripper's palm, gripper.ts). */
const HOUSING_FRICTION = 0.5;
/** Collision group of the gripper's colliders: they do not collide with each other. */
const GRIPPER_GROUPS = (GRIPPER_GROUP << 16) | (0xffff & ~GRIPPER_GROUP);

/** Linear interpolation in a table sampled uniformly over [0, qMax]. */
export function sampleAt<T>(
  table: readonly T[],
  qMax: number,
  q: number,
  lerp: (a: T, b: T, t: number) => T,
): T {
  const x = (Math.min(Math.max(q, 0), qMax) / qMax) * (table.length - 1);
  const i = Math.min(Math.floor(x), table.length - 2);
  return lerp(table[i]!, table[i + 1]!, x - i);
}

const lerpNumber = (a: number, b: number, t: number) => a + (b - a) * t;

/** The opening at q, and the q for an opening (0 beyond the stroke, qMax at 0). */
export function apertureAt(l: GripperLinkage, q: number): number {
  return sampleAt(l.apertureTable, l.qMax, q, lerpNumber);
}

export function qForAperture(l: GripperLinkage, apertureM: number): number {
  const t = l.apertureTable;
  if (apertureM >= t[0]!) return 0;
  for (let i = 1; i < t.length; i++) {
    if (apertureM >= t[i]!) {
      const f = (apertureM - t[i]!) / (t[i - 1]! - t[i]!);
      return (l.qMax * (i - f)) / (t.length - 1);
    }
  }
  return l.qMax;
}

/** A linkage body's simulated mass: its model's, raised to what the solver needs (see MIN_LINK_MASS_KG). */
const bodyMass = (b: LinkageBody) =>
  Math.max(b.massKg, b.boxes.length > 0 ? MIN_PAD_BODY_MASS_KG : MIN_LINK_MASS_KG);

/**
 * The housing as the arm controller sees it: the embodiment's mass less the linkage bodies', an
 * isotropic inertia of a 4 cm radius of gyration plus the wrist's, centred where the model says.
 */
export function linkagePalmInertia(e: Embodiment, l: GripperLinkage): PalmInertia {
  const massKg = Math.max(e.massKg - l.bodies.reduce((s, b) => s + bodyMass(b), 0), 0.1);
  return { massKg, minInertiaKgM2: massKg * 0.04 * 0.04 + WRIST_INERTIA_KGM2, com_G: l.palm.com_G };
}

/** |d(aperture/2)/dq| at q (m/rad), from the table. */
function halfApertureRate(l: GripperLinkage, q: number): number {
  const h = l.qMax / (l.apertureTable.length - 1);
  const lo = Math.max(0, q - h);
  const hi = Math.min(l.qMax, q + h);
  return Math.abs(apertureAt(l, hi) - apertureAt(l, lo)) / (2 * (hi - lo));
}

/**
 * The gripper of a GripperLinkage in a Rapier world: a dynamic palm driven by the arm's
 * force/torque-limited controller (palm_controller.ts, as for the box gripper) and the linkage
 * bodies on their joints. Contact friction alone holds a grasped object.
 */
export class LinkageGripper {
  readonly palm: RigidBody;
  /** Every linkage body (drivers, spring links, followers…). */
  readonly fingers: readonly RigidBody[];
  readonly colliders: ReadonlyMap<number, string>;
  private readonly bodies: Map<string, RigidBody>;
  private readonly drivers: { joint: RevoluteImpulseJoint; body: string; axis_L: Vec3; X_G0: Pose }[];
  private readonly inertia: PalmInertia;
  /** Commanded opening (m), rate-limited by the finger speed. */
  private apertureCommand: number;

  constructor(
    R: Rapier,
    world: World,
    readonly embodiment: Embodiment,
    readonly linkage: GripperLinkage,
    X_WG: Pose,
    apertureM: number,
  ) {
    const l = linkage;
    const stroke = Math.min(embodiment.strokeM, l.apertureTable[0]!);
    this.apertureCommand = Math.min(Math.max(apertureM, 0), stroke);
    const q0 = qForAperture(l, this.apertureCommand);
    const colliders = new Map<number, string>();
    const hullCollider = (points: number[]) => {
      const desc = R.ColliderDesc.convexHull(Float32Array.from(points));
      if (!desc) throw new Error(`${l.source}: a collision mesh has no convex hull`);
      return desc;
    };
    this.inertia = linkagePalmInertia(embodiment, l);
    const palmMassKg = this.inertia.massKg;
    const moments = this.inertia.minInertiaKgM2;
    this.palm = world.createRigidBody(
      palmBodyDesc(R, X_WG).setAdditionalMassProperties(
        palmMassKg,
        l.palm.com_G,
        { x: moments, y: moments, z: moments },
        { x: 0, y: 0, z: 0, w: 1 },
      ),
    );
    for (const h of l.palm.hulls) {
      const c = world.createCollider(
        hullCollider(h).setDensity(0).setFriction(HOUSING_FRICTION).setCollisionGroups(GRIPPER_GROUPS),
        this.palm,
      );
      colliders.set(c.handle, "gripper.palm");
    }
    this.bodies = new Map([["palm", this.palm]]);
    const fingers: RigidBody[] = [];
    for (const b of l.bodies) {
      const X_WB = compose(X_WG, poseAt(l, b.name, q0));
      const m = bodyMass(b);
      const I = m * LINK_GYRATION_M * LINK_GYRATION_M;
      const body = world.createRigidBody(
        R.RigidBodyDesc.dynamic()
          .setTranslation(X_WB.p.x, X_WB.p.y, X_WB.p.z)
          .setRotation(X_WB.q)
          .setCcdEnabled(false)
          .setCanSleep(false)
          .setAdditionalMassProperties(m, b.com, { x: I, y: I, z: I }, { x: 0, y: 0, z: 0, w: 1 }),
      );
      // The pads are the pad material; the links' metal has the housing's friction, as in the
      // MuJoCo scene (mjcf_scene.ts).
      for (const h of b.hulls) {
        const c = world.createCollider(
          hullCollider(h).setDensity(0).setFriction(HOUSING_FRICTION).setCollisionGroups(GRIPPER_GROUPS),
          body,
        );
        colliders.set(c.handle, b.part);
      }
      for (const box of b.boxes) {
        const c: Collider = world.createCollider(
          R.ColliderDesc.cuboid(box.halfM.x, box.halfM.y, box.halfM.z)
            .setTranslation(box.X.p.x, box.X.p.y, box.X.p.z)
            .setRotation(box.X.q)
            .setDensity(0)
            .setFriction(embodiment.finger.padFriction)
            .setCollisionGroups(GRIPPER_GROUPS),
          body,
        );
        colliders.set(c.handle, b.part);
      }
      this.bodies.set(b.name, body);
      fingers.push(body);
    }
    this.fingers = fingers;
    this.colliders = colliders;

    const X0 = (name: string): Pose =>
      name === "palm" ? { p: vec3(0, 0, 0), q: { x: 0, y: 0, z: 0, w: 1 } } : bodyOf(l, name).X_G0;
    this.drivers = [];
    for (const j of l.joints) {
      const X1 = X0(j.body1);
      const X2 = X0(j.body2);
      const a1 = transformPoint(invert(X1), j.anchor_G);
      const a2 = transformPoint(invert(X2), j.anchor_G);
      const data =
        j.kind === "spherical"
          ? R.JointData.spherical(a1, a2)
          : R.JointData.revoluteWithAxes(
              a1,
              a2,
              qrotate(qconj(X1.q), j.axis_G!),
              qrotate(qconj(X2.q), j.axis_G!),
            );
      const joint = world.createImpulseJoint(
        data,
        this.bodies.get(j.body1)!,
        this.bodies.get(j.body2)!,
        true,
      );
      joint.setContactsEnabled(false);
      if (j.limits) (joint as RevoluteImpulseJoint).setLimits(j.limits[0], j.limits[1]);
      if (j.actuated) {
        const rj = joint as RevoluteImpulseJoint;
        rj.configureMotorModel(R.MotorModel.ForceBased);
        this.drivers.push({ joint: rj, body: j.body2, axis_L: qrotate(qconj(X2.q), j.axis_G!), X_G0: X2 });
      }
    }
    this.driveTo(q0);
  }

  private driveTo(q: number): void {
    const torque = this.embodiment.gripForceN * Math.max(halfApertureRate(this.linkage, q), 1e-3);
    for (const d of this.drivers) {
      d.joint.setMotorMaxForce(torque);
      d.joint.configureMotorPosition(q, DRIVER_STIFFNESS, DRIVER_DAMPING);
    }
  }

  /** Drives the palm towards X_WG for the next physics step (see ParallelJawGripper.setPalmTarget). */
  setPalmTarget(X_WG: Pose, dtS: number): void {
    drivePalm(this.palm, this.inertia, this.embodiment, X_WG, dtS);
  }

  /** Drives the jaws towards `apertureM` (0: close until the grip force stalls), at the finger speed. */
  setJawTarget(apertureM: number, dtS: number): void {
    const stroke = Math.min(this.embodiment.strokeM, this.linkage.apertureTable[0]!);
    const target = Math.min(Math.max(apertureM, 0), stroke);
    const maxStep = this.embodiment.fingerSpeedMps * dtS;
    this.apertureCommand += Math.max(-maxStep, Math.min(maxStep, target - this.apertureCommand));
    // A commanded 0 closes as far as the linkage goes: the object, not the set-point, stops the pads.
    const q =
      target === 0 && this.apertureCommand === 0
        ? this.linkage.qMax
        : qForAperture(this.linkage, this.apertureCommand);
    this.driveTo(q);
  }

  pose(): Pose {
    return { p: { ...this.palm.translation() }, q: { ...this.palm.rotation() } };
  }

  /** Each driver's measured angle (rad), from its body's rotation relative to the palm. */
  driverAngles(): number[] {
    const qPalm = this.palm.rotation();
    return this.drivers.map((d) => {
      const body = this.bodies.get(d.body)!;
      // Rotation of the body relative to its q = 0 pose, in its own frame.
      const rel = qmul(qconj(qmul(qPalm, d.X_G0.q)), body.rotation());
      const s = rel.x * d.axis_L.x + rel.y * d.axis_L.y + rel.z * d.axis_L.z;
      return 2 * Math.atan2(s, rel.w);
    });
  }

  apertureM(): number {
    const [l, r] = this.padsYM();
    return r - l;
  }

  /** Where each pad's inner face is along G's y axis (m; left negative), from the pad bodies. */
  padsYM(): [number, number] {
    const X_GW = invert(this.pose());
    const y = (side: "left" | "right") => {
      const pad = this.linkage.pads[side];
      const b = this.bodies.get(pad.body)!;
      const X_WB = { p: b.translation(), q: b.rotation() };
      return transformPoint(X_GW, transformPoint(X_WB, pad.face)).y;
    };
    return [y("left"), y("right")];
  }
}

function bodyOf(l: GripperLinkage, name: string): LinkageBody {
  const b = l.bodies.find((x) => x.name === name);
  if (!b) throw new RangeError(`${l.source}: linkage has no body '${name}'`);
  return b;
}

/** A box in some body's frame: centre and half extents (m). */
export interface LocalBox {
  center: Vec3;
  half: [number, number, number];
}

const boundsCache = new WeakMap<GripperLinkage, { palm: LocalBox; bodies: Map<string, LocalBox> }>();

/** The box (in the body's frame) around a set of points. */
function boundingBox(points: Vec3[]): LocalBox {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (const p of points) {
    [p.x, p.y, p.z].forEach((v, k) => {
      lo[k] = Math.min(lo[k]!, v);
      hi[k] = Math.max(hi[k]!, v);
    });
  }
  return {
    center: vec3((lo[0]! + hi[0]!) / 2, (lo[1]! + hi[1]!) / 2, (lo[2]! + hi[2]!) / 2),
    half: [(hi[0]! - lo[0]!) / 2, (hi[1]! - lo[1]!) / 2, (hi[2]! - lo[2]!) / 2],
  };
}

const hullPoints = (hulls: number[][]): Vec3[] =>
  hulls.flatMap((h) =>
    Array.from({ length: h.length / 3 }, (_, i) => vec3(h[3 * i]!, h[3 * i + 1]!, h[3 * i + 2]!)),
  );

/**
 * Each part of the linkage gripper as a box that contains it (its hulls and pads, in its own
 * frame), posed in G for the left and right linkage angles: what the engine-independent clearance
 * check (scenery_clearance.ts) places at each recorded step.
 */
export function linkageBoxes(
  l: GripperLinkage,
  qLeft: number,
  qRight: number,
): { part: string; X_GB: Pose; box: LocalBox }[] {
  let b = boundsCache.get(l);
  if (!b) {
    const corners = (box: { X: Pose; halfM: Vec3 }): Vec3[] =>
      [-1, 1].flatMap((sx) =>
        [-1, 1].flatMap((sy) =>
          [-1, 1].map((sz) =>
            transformPoint(box.X, vec3(sx * box.halfM.x, sy * box.halfM.y, sz * box.halfM.z)),
          ),
        ),
      );
    b = {
      palm: boundingBox(hullPoints(l.palm.hulls)),
      bodies: new Map(
        l.bodies.map((body) => [
          body.name,
          boundingBox([...hullPoints(body.hulls), ...body.boxes.flatMap(corners)]),
        ]),
      ),
    };
    boundsCache.set(l, b);
  }
  const bounds = b;
  return [
    { part: "gripper.palm", X_GB: { p: vec3(0, 0, 0), q: { x: 0, y: 0, z: 0, w: 1 } }, box: bounds.palm },
    ...l.bodies.map((body) => ({
      part: body.part,
      X_GB: poseAt(l, body.name, body.side === "left" ? qLeft : qRight),
      box: bounds.bodies.get(body.name)!,
    })),
  ];
}

/** A body's pose in G at linkage angle q, from the forward-kinematics table. */
export function poseAt(l: GripperLinkage, body: string, q: number): Pose {
  return sampleAt(l.posesTable[body]!, l.qMax, q, poseInterp);
}
