/**
 * Inverse dynamics of a serial arm (an ArmChain): the joint torques that produce joint
 * accelerations qdd at positions q and speeds qd against gravity, with the links' masses and
 * inertias from the model (MJCF `inertial`) and point masses carried by the tool (a gripper, a
 * grasped object). Newton–Euler in W: the accelerations of every body from the base out, then
 * each joint's torque as the moment, about its axis, of the wrench that moves everything beyond it.
 *
 * Frames as in ik.ts: W the world, the base at X_WB, the tool frame T on the chain's tip link.
 */
import {
  add,
  compose,
  cross,
  dot,
  type Pose,
  qrotate,
  scale,
  sub,
  transformPoint,
  type Vec3,
  vec3,
} from "../core/math.js";
import { type ArmChain, chainState, linkNamed } from "./ik.js";
import type { RobotLink } from "./robot_model.js";

/** A point mass carried by the tool: its mass and where it is, in W. */
export interface CarriedMass {
  massKg: number;
  p_W: Vec3;
}

/** Standard gravity in W (z up). */
export const GRAVITY_W: Vec3 = vec3(0, 0, -9.81);

/** I·v for a symmetric inertia tensor given in a frame rotated by X_q, v in W. */
function inertiaTimes(
  inertia: { ixx: number; iyy: number; izz: number; ixy: number; ixz: number; iyz: number },
  q: Pose["q"],
  v: Vec3,
): Vec3 {
  const inv = { x: -q.x, y: -q.y, z: -q.z, w: q.w };
  const l = qrotate(inv, v);
  const I = inertia;
  const r = vec3(
    I.ixx * l.x + I.ixy * l.y + I.ixz * l.z,
    I.ixy * l.x + I.iyy * l.y + I.iyz * l.z,
    I.ixz * l.x + I.iyz * l.y + I.izz * l.z,
  );
  return qrotate(q, r);
}

/**
 * An arm at one posture, as its dynamics needs it, in W: from the base out, each joint (its axis
 * and a point on it) and each link's centre of mass (its mass, inertia and frame). The same for
 * any speeds and accelerations at that posture.
 */
export type ArmFrames = (
  | { joint: number; a: Vec3; o: Vec3 }
  | { body: NonNullable<RobotLink["inertial"]>; X_WI: Pose }
)[];

/** The chain's frames at q (one pass of its forward kinematics, ik.ts chainState). */
export function armFrames(chain: ArmChain, q: readonly number[], X_WB: Pose): ArmFrames {
  const poses = new Map<string, Pose>();
  const { axes } = chainState(chain, q, X_WB, poses);
  const byName = linkNamed(chain.model);
  const out: ArmFrames = [];
  let k = 0;
  for (const name of chain.links) {
    const link = byName.get(name)!;
    for (const _ of link.joints) out.push({ joint: k, ...axes[k++]! });
    const m = link.inertial;
    if (m && m.massKg > 0) out.push({ body: m, X_WI: compose(poses.get(name)!, m.X_LI) });
  }
  return out;
}

/**
 * The torque (N·m) of each joint of `chain` for the motion (q, qd, qdd) with the base at X_WB,
 * the links' own inertia and the `carried` point masses (moving with the tip link).
 */
export const jointTorques = (
  chain: ArmChain,
  q: readonly number[],
  qd: readonly number[],
  qdd: readonly number[],
  X_WB: Pose,
  carried: readonly CarriedMass[] = [],
  gravity: Vec3 = GRAVITY_W,
): number[] => torquesAt(armFrames(chain, q, X_WB), qd, qdd, carried, gravity);

/** jointTorques at a posture whose frames are known (armFrames). */
export function torquesAt(
  frames: ArmFrames,
  qd: readonly number[],
  qdd: readonly number[],
  carried: readonly CarriedMass[] = [],
  gravity: Vec3 = GRAVITY_W,
): number[] {
  // From the base out: the angular velocity and acceleration of the current body, and the linear
  // acceleration of a reference point o fixed to it.
  let w = vec3(0, 0, 0);
  let alpha = vec3(0, 0, 0);
  let o = vec3(0, 0, 0);
  let a_o = vec3(0, 0, 0);
  const pointAccel = (p: Vec3) => {
    const r = sub(p, o);
    return add(add(a_o, cross(alpha, r)), cross(w, cross(w, r)));
  };
  // Per joint: its axis and a point on it, in W. Per body: the force and moment (about its own
  // centre of mass) that move it, and where that centre is.
  const axes: { a: Vec3; o: Vec3; body: number }[] = [];
  const bodies: { c: Vec3; f: Vec3; n: Vec3 }[] = [];
  for (const frame of frames) {
    if ("joint" in frame) {
      const { joint: k, a: axis, o: anchor } = frame;
      a_o = pointAccel(anchor);
      o = anchor;
      const spin = scale(axis, qd[k]!);
      alpha = add(add(alpha, scale(axis, qdd[k]!)), cross(w, spin));
      w = add(w, spin);
      axes.push({ a: axis, o: anchor, body: bodies.length });
      continue;
    }
    const { body: m, X_WI } = frame;
    const f = scale(sub(pointAccel(X_WI.p), gravity), m.massKg);
    const Iw = inertiaTimes(m.inertia, X_WI.q, w);
    const n = add(inertiaTimes(m.inertia, X_WI.q, alpha), cross(w, Iw));
    bodies.push({ c: X_WI.p, f, n });
  }
  for (const c of carried) {
    bodies.push({ c: c.p_W, f: scale(sub(pointAccel(c.p_W), gravity), c.massKg), n: vec3(0, 0, 0) });
  }
  // Each joint carries everything beyond it: the moment of those bodies' wrenches about its axis.
  return axes.map(({ a, o: anchor, body }) => {
    let tau = 0;
    for (let b = body; b < bodies.length; b++) {
      const { c, f, n } = bodies[b]!;
      tau += dot(a, add(n, cross(sub(c, anchor), f)));
    }
    return tau;
  });
}
