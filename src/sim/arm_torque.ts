/**
 * The joint torques an arm's recorded motion needs (robots/dynamics.ts), per step, with the links'
 * masses and inertias from the model, the gripper's mass and, while it is grasped, the target's:
 * - holding: the torques that hold the recorded posture against gravity (speeds and
 *   accelerations left out), which the `joint_torque_limit` verdict judges;
 * - moving: inverse dynamics of the recorded joint positions and speeds, the accelerations taken
 *   as the change of speed over the control period; reported, not judged, for the recorded
 *   joints follow the simulated gripper's own contact wobble (see sim/arm.ts ArmFindings.accel).
 * Everything comes from the episode's own data, so both are re-derivable from it.
 *
 * Declared simplifications: the gripper is a point mass at its TCP (the farthest from the wrist
 * it can be: this over-estimates the wrist's torques, never under-), the grasped target a point
 * mass at its recorded centre (its own rotational inertia left out), and the arm is stiff (the
 * torques that move it along the recorded path, not a simulated torque-controlled arm).
 */
import type { Pose } from "../core/math.js";
import { vec3 } from "../core/math.js";
import type { EpisodeStep } from "../core/schemas/episode.js";
import { armFrames, type CarriedMass, torquesAt } from "../robots/dynamics.js";
import type { ArmModel } from "./arm.js";
import { isGrasped } from "./verdict.js";

/** What the tool carries: the gripper's mass, and the target's (counted while it is grasped). */
export interface ToolLoad {
  gripperMassKg: number;
  target?: { id: string; massKg: number };
}

/**
 * The joint torques (N·m) of a recorded step, from its joints (`state.joints`) and the speeds of
 * the step before (`qdBefore`; zeros at the start), at the control rate `hz`: holding the posture
 * still, and moving (one forward kinematics for both).
 */
export function stepTorques(
  arm: ArmModel,
  X_WB: Pose,
  step: EpisodeStep,
  qdBefore: readonly number[],
  hz: number,
  load: ToolLoad,
): { holding: number[]; moving: number[] } {
  const { q, qd } = step.state.joints!;
  const tcp = step.state.tcp.pos;
  const carried: CarriedMass[] = [{ massKg: load.gripperMassKg, p_W: vec3(tcp[0]!, tcp[1]!, tcp[2]!) }];
  const t = load.target;
  const at = t && step.objects[t.id];
  if (t && at && isGrasped(step, t.id)) carried.push({ massKg: t.massKg, p_W: vec3(...at.pos) });
  const frames = armFrames(arm.chain, q, X_WB);
  const still = q.map(() => 0);
  return {
    holding: torquesAt(frames, still, still, carried),
    moving: torquesAt(
      frames,
      qd,
      qd.map((v, i) => (v - qdBefore[i]!) * hz),
      carried,
    ),
  };
}
