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
import type { ArmChain } from "./ik.js";
import { jointMotion } from "./kinematics.js";
import type { RobotLink, RobotModel } from "./robot_model.js";

/** A point mass carried by the tool: its mass and where it is, in W. */
export interface CarriedMass {
  massKg: number;
  p_W: Vec3;
}

/** The model's links by name, made once per model. */
const byModel = new WeakMap<RobotModel, Map<string, RobotLink>>();
function linksOf(model: RobotModel): Map<string, RobotLink> {
  let m = byModel.get(model);
  if (!m) {
    m = new Map(model.links.map((l) => [l.name, l]));
    byModel.set(model, m);
  }
  return m;
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
 * The torque (N·m) of each joint of `chain` for the motion (q, qd, qdd) with the base at X_WB,
 * the links' own inertia and the `carried` point masses (moving with the tip link).
 */
export function jointTorques(
  chain: ArmChain,
  q: readonly number[],
  qd: readonly number[],
  qdd: readonly number[],
  X_WB: Pose,
  carried: readonly CarriedMass[] = [],
  gravity: Vec3 = GRAVITY_W,
): number[] {
  const byName = linksOf(chain.model);
  // From the base out: the angular velocity and acceleration of the current body, and the linear
  // acceleration of a reference point o fixed to it.
  let w = vec3(0, 0, 0);
  let alpha = vec3(0, 0, 0);
  let o = X_WB.p;
  let a_o = vec3(0, 0, 0);
  const pointAccel = (p: Vec3) => {
    const r = sub(p, o);
    return add(add(a_o, cross(alpha, r)), cross(w, cross(w, r)));
  };
  // Per joint: its axis and a point on it, in W. Per body: the force and moment (about its own
  // centre of mass) that move it, and where that centre is.
  const axes: { a: Vec3; o: Vec3; body: number }[] = [];
  const bodies: { c: Vec3; f: Vec3; n: Vec3 }[] = [];
  let k = 0;
  let X = X_WB;
  for (const [i, name] of chain.links.entries()) {
    const link = byName.get(name)!;
    if (i > 0) X = compose(X, link.X_PL);
    for (const _ of link.joints) {
      const j = chain.joints[k]!;
      const axis = qrotate(X.q, j.axis_L);
      const anchor = transformPoint(X, j.anchor_L);
      a_o = pointAccel(anchor);
      o = anchor;
      const spin = scale(axis, qd[k]!);
      alpha = add(add(alpha, scale(axis, qdd[k]!)), cross(w, spin));
      w = add(w, spin);
      axes.push({ a: axis, o: anchor, body: bodies.length });
      X = compose(X, jointMotion(j, q[k]!));
      k++;
    }
    const m = link.inertial;
    if (!m || m.massKg === 0) continue;
    const X_WI = compose(X, m.X_LI);
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
