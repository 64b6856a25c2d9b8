import type { Pose } from "../core/math.js";
import type { EpisodeStep } from "../core/schemas/episode.js";
import { GRIPPER_IDS } from "./gripper.js";

/** Force (N) on fixed scenery above which the arm stops moving further down. */
export const PRESS_LIMIT_N = 25;

const GRIPPER: ReadonlySet<string> = new Set(Object.values(GRIPPER_IDS));

/**
 * A force-limited arm (a guarded move): when the gripper, or the object it carries, already
 * presses on fixed scenery (a table, a shelf board) harder than `PRESS_LIMIT_N`, a command to move
 * further down is held at the current height. A human's fingertips brush the table when they pick
 * a small item, and they set an object down gently; a rigid kinematic palm pushing on instead
 * wedges its fingers, or squeezes the object out of the grasp, and can blow up the solver.
 */
export function guardDownwardPress(
  X_cmd: Pose,
  X_now: Pose,
  last: EpisodeStep | undefined,
  fixed: ReadonlySet<string>,
  carried?: string,
): Pose {
  if (!last || X_cmd.p.z >= X_now.p.z) return X_cmd;
  const pushes = (id: string) => GRIPPER.has(id) || id === carried;
  const pressing = last.contacts.some(
    (c) => c.forceN > PRESS_LIMIT_N && ((pushes(c.a) && fixed.has(c.b)) || (pushes(c.b) && fixed.has(c.a))),
  );
  return pressing ? { p: { ...X_cmd.p, z: X_now.p.z }, q: X_cmd.q } : X_cmd;
}
