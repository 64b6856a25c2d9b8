import { add, norm, type Pose, qangle, qslerp, scale, sub, type Vec3, ZERO3 } from "../core/math.js";
import type { Embodiment } from "../core/schemas/embodiment.js";

/** Kinematic state of the gripper base: pose X_WG and linear velocity (m/s, in W). */
export interface BaseState {
  X_WG: Pose;
  v_W: Vec3;
}

export const restingBase = (X_WG: Pose): BaseState => ({ X_WG, v_W: ZERO3 });

/**
 * One physics step of the base tracking a reference pose under the embodiment's limits:
 * speed ≤ maxLinearSpeed, |Δv| ≤ maxLinearAccel·dt, and a braking curve v ≤ √(2·a·d) so it
 * stops at the reference instead of overshooting; rotation slews at ≤ maxAngularSpeed.
 * Pure: returns the next state.
 */
export function trackReference(
  state: BaseState,
  X_ref: Pose,
  limits: Embodiment["limits"],
  dtS: number,
): BaseState {
  const err = sub(X_ref.p, state.X_WG.p);
  const dist = norm(err);
  const speed = Math.min(
    limits.maxLinearSpeedMps,
    dist / dtS,
    Math.sqrt(2 * limits.maxLinearAccelMps2 * dist),
  );
  const vDesired = dist > 1e-12 ? scale(err, speed / dist) : ZERO3;
  const dv = sub(vDesired, state.v_W);
  const dvNorm = norm(dv);
  const dvMax = limits.maxLinearAccelMps2 * dtS;
  const v = dvNorm > dvMax ? add(state.v_W, scale(dv, dvMax / dvNorm)) : vDesired;
  const angle = qangle(state.X_WG.q, X_ref.q);
  const maxTurn = limits.maxAngularSpeedRadps * dtS;
  const q = angle > maxTurn ? qslerp(state.X_WG.q, X_ref.q, maxTurn / angle) : X_ref.q;
  return { X_WG: { p: add(state.X_WG.p, scale(v, dtS)), q }, v_W: v };
}
