/**
 * Which arm joints a dataset's robot state carries: shared by every dataset writer, so that all
 * formats agree on them.
 *
 * An episode of an arm embodiment records, every step, the arm's joint positions and speeds
 * (`state.joints`, in `embodiment.arm.joints` order); a free gripper's records none. A dataset's
 * state has one layout — a trainer reads one width and one meaning per component — so its first
 * episode fixes the joints (none for a free gripper) and every later episode must have the same.
 */
import { InputError } from "../core/errors.js";
import type { Episode } from "../core/schemas/episode.js";

/**
 * The joints episode `what` records, base to tip (empty for a free gripper), after checking that
 * every step holds one position and one speed per joint. Throws an InputError naming the step.
 */
export function armJointsOf(episode: Episode, what: string): string[] {
  const joints = episode.embodiment.arm?.joints ?? [];
  if (joints.length === 0) return [];
  episode.steps.forEach((step, i) => {
    const j = step.state.joints;
    if (!j || j.q.length !== joints.length || j.qd.length !== joints.length) {
      throw new InputError(
        `${what} step ${i}: the arm '${episode.embodiment.name}' has ${joints.length} joints, but the step records ${
          j ? `${j.q.length} positions and ${j.qd.length} speeds` : "no joints"
        }`,
        {
          hint: "an arm embodiment's episode records state.joints (q and qd, one per arm joint) on every step",
        },
      );
    }
  });
  return joints;
}

/** How messages name a joint layout. */
export const describeJoints = (joints: readonly string[]): string =>
  joints.length === 0 ? "no arm joints (a free gripper)" : `arm joints [${joints.join(", ")}]`;

/**
 * Refuses episode `what` when its joints (`armJointsOf`) differ from the dataset's, which
 * `firstWhat` (the dataset's first episode) fixed.
 */
export function checkSameJoints(
  joints: readonly string[],
  datasetJoints: readonly string[],
  what: string,
  firstWhat: string,
): void {
  const same = joints.length === datasetJoints.length && joints.every((j, k) => j === datasetJoints[k]);
  if (same) return;
  throw new InputError(
    `${what}: its robot state has ${describeJoints(joints)}, but the dataset's has ${describeJoints(datasetJoints)}, fixed by ${firstWhat}`,
    {
      hint: "a dataset has one robot-state layout: write episodes of arm and free-gripper embodiments, or of arms with other joints, to separate datasets",
    },
  );
}
