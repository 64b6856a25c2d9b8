import type { Pose } from "../core/math.js";
import type { EpisodeStep } from "../core/schemas/episode.js";
import { GRIPPER_IDS } from "./gripper.js";

/** Force (N) of a gripper part on fixed scenery above which the arm stops moving further down. */
export const PRESS_LIMIT_N = 25;

const GRIPPER: ReadonlySet<string> = new Set(Object.values(GRIPPER_IDS));

/**
 * A force-limited arm: when the gripper already presses on fixed scenery (a table, a shelf board)
 * harder than `PRESS_LIMIT_N`, a command to move further down is held at the current height.
 * A human's fingertips brush the table when they pick a small item; a rigid kinematic palm
 * pushing its fingers into the table instead wedges them and can blow up the solver.
 */
export function guardDownwardPress(
  X_cmd: Pose,
  X_now: Pose,
  last: EpisodeStep | undefined,
  fixed: ReadonlySet<string>,
): Pose {
  if (!last || X_cmd.p.z >= X_now.p.z) return X_cmd;
  const pressing = last.contacts.some(
    (c) =>
      c.forceN > PRESS_LIMIT_N &&
      ((GRIPPER.has(c.a) && fixed.has(c.b)) || (GRIPPER.has(c.b) && fixed.has(c.a))),
  );
  return pressing ? { p: { ...X_cmd.p, z: X_now.p.z }, q: X_cmd.q } : X_cmd;
}
