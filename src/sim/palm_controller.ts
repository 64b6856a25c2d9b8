/**
 * The arm behind the gripper, as a force- and torque-limited Cartesian tracking controller.
 *
 * Why not a kinematic palm: a kinematic body goes exactly where it is sent, whatever is in the
 * way; Rapier makes no contacts between kinematic and fixed bodies, so the housing passed through
 * shelves and tote walls unnoticed, and against a dynamic object it pushed with unbounded force.
 * A real arm is neither: its controller tracks the commanded pose with a bounded wrench, and
 * something solid stops it. So the palm is a dynamic body, and each physics step this controller
 * chooses the velocity that would bring it onto the reference by the end of the step (a dead-beat
 * servo, which a stiff industrial or torque-controlled arm approximates at 240 Hz), changing the
 * palm's velocity by no more than its force and torque limits allow in one step. The contact
 * solver then does the rest: against a board, the palm stops and presses with at most
 * `maxForceN`; in free space it follows the reference exactly.
 *
 * Gravity of the gripper itself is compensated (the palm body has no gravity), as every arm
 * controller does; the weight of what it holds is not, and costs some of the force budget.
 *
 * Pure: returns the velocities to set.
 */
import {
  add,
  cross,
  norm,
  type Pose,
  type Quat,
  qconj,
  qmul,
  scale,
  sub,
  transformPoint,
  type Vec3,
} from "../core/math.js";

export interface PalmLimits {
  /** Largest force (N) the arm applies at the gripper. */
  maxForceN: number;
  /** Largest torque (N·m) the arm applies at the gripper. */
  maxTorqueNm: number;
  /** Fastest the arm moves the gripper (m/s, rad/s): catching up after a stop never exceeds it. */
  maxLinearSpeedMps: number;
  maxAngularSpeedRadps: number;
}

export interface PalmState {
  X_WG: Pose;
  /** Linear velocity of the palm body's centre of mass (m/s, in W). */
  v_W: Vec3;
  /** Angular velocity (rad/s, in W). */
  w_W: Vec3;
}

export interface PalmInertia {
  massKg: number;
  /** Smallest principal moment of inertia (kg·m²): bounds the angular change a torque makes. */
  minInertiaKgM2: number;
  /** Centre of mass in G (m): Rapier's linear velocity is the centre of mass's. */
  com_G: Vec3;
}

/** Rotation vector (axis · angle, rad) of unit quaternion q, taking the shorter way. */
export function rotationVector(q: Quat): Vec3 {
  const s = q.w < 0 ? -1 : 1;
  const v = { x: s * q.x, y: s * q.y, z: s * q.z };
  const sinHalf = norm(v);
  if (sinHalf < 1e-12) return scale(v, 2);
  const angle = 2 * Math.atan2(sinHalf, s * q.w);
  return scale(v, angle / sinHalf);
}

const clampNorm = (v: Vec3, max: number): Vec3 => {
  const n = norm(v);
  return n > max ? scale(v, max / n) : v;
};

/**
 * Velocities to set on the palm body for the coming step of `dtS`, so that it reaches `X_ref`
 * (the TCP pose wanted at the end of the step) unless the change of velocity would need more than
 * the limits allow.
 */
export function palmVelocityCommand(
  now: PalmState,
  X_ref: Pose,
  inertia: PalmInertia,
  limits: PalmLimits,
  dtS: number,
): { v_W: Vec3; w_W: Vec3 } {
  const w_des = clampNorm(
    scale(rotationVector(qmul(X_ref.q, qconj(now.X_WG.q))), 1 / dtS),
    limits.maxAngularSpeedRadps,
  );
  // The centre of mass moves with the TCP's velocity plus ω × r (r from TCP to the centre of mass).
  const r_W = sub(transformPoint(now.X_WG, inertia.com_G), now.X_WG.p);
  const vTcp_des = clampNorm(scale(sub(X_ref.p, now.X_WG.p), 1 / dtS), limits.maxLinearSpeedMps);
  const v_des = add(vTcp_des, cross(w_des, r_W));
  const dv = clampNorm(sub(v_des, now.v_W), (limits.maxForceN * dtS) / inertia.massKg);
  const dw = clampNorm(sub(w_des, now.w_W), (limits.maxTorqueNm * dtS) / inertia.minInertiaKgM2);
  return { v_W: add(now.v_W, dv), w_W: add(now.w_W, dw) };
}
