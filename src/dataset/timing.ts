/**
 * Which recorded state a dataset row observes: shared by every dataset writer so that all
 * formats pair observations and actions the same way.
 *
 * An Episode records, per control step t, the command given at t and the state measured after
 * it. A policy chooses the action of step t from what it sees before the step: the state after
 * step t − 1. Step 0 has no step before it; its command is the pose the gripper was parked and
 * settled at before the rollout (the palm holds still and the jaws keep their opening), so the
 * state after it is the state before it.
 */
export const observedStepIndex = (t: number): number => (t === 0 ? 0 : t - 1);

/** How the writers describe the pairing, for the metadata of every format. */
export const OBSERVATION_TIMING =
  "row t pairs the command of step t with the state measured before it (after step t-1; row 0: the settled start state)";
