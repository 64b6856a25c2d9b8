/**
 * What one `data/demo_<i>` group holds, computed from one validated Episode: every dataset as a
 * flat row-major array with its shape (layout and meanings in `layout.ts`).
 *
 * Timing, as in the LeRobot writer (`../timing.ts`): row t pairs the command of step t
 * (`actions`) with the state measured before it (`states`, `obs`, `datagen_info/eef_pose` and
 * `object_poses`: after step t − 1; row 0 the settled start state); `next_obs` row t is the state
 * measured after step t, with the hand of step t + 1 (the last repeated).
 *
 * Quaternions: an Episode stores `{x, y, z, w}` (`quatXyzw`); everything here is written
 * scalar-first `[w, x, y, z]`, the order of MuJoCo states. `datagen_info` poses are 4×4
 * homogeneous matrices X_WB = [[R, p], [0, 0, 0, 1]], row-major, R from the normalised quaternion.
 */

import { InputError } from "../../core/errors.js";
import {
  clamp,
  fromArray3,
  qaxes,
  qconj,
  qfromXyzw,
  qmul,
  qnormalize,
  qtoAxisAngle,
  sub,
  toArray3,
} from "../../core/math.js";
import type { PoseJson } from "../../core/schemas/common.js";
import type { Episode } from "../../core/schemas/episode.js";
import { humanStatusCode } from "../../core/schemas/trajectory.js";
import { armJointsOf } from "../arm_joints.js";
import { observedStepIndex } from "../timing.js";
import type { NumericData } from "./hdf5.js";
import { type ActionMode, GRIPPER_CLOSED, GRIPPER_OPEN, NUM_SUBTASKS, OBS, OSC_POSE } from "./layout.js";

/** One dataset of a demo: `path` relative to the demo group. */
export interface DemoDataset {
  path: string;
  shape: number[];
  /** Numbers, or uint8 images `[N, H, W, 3]`. */
  data: NumericData | Uint8Array;
}

export interface DemoContent {
  length: number;
  /** Delta actions: rows with a component beyond the controller's range, clipped to it. */
  clippedActions: number;
  /** Dynamic objects in the order of `states` and `obs/object`: sorted by id. */
  objectIds: string[];
  /** The arm's joints in the order of `obs/robot0_joint_pos` and `…_vel`, base to tip; empty without an arm. */
  jointNames: string[];
  datasets: DemoDataset[];
}

/** `[x, y, z, w]` → `[w, x, y, z]`. */
export const toWxyz = (q: readonly number[]): [number, number, number, number] => [
  q[3]!,
  q[0]!,
  q[1]!,
  q[2]!,
];

/** A pose as `[x, y, z, qw, qx, qy, qz]` (`states`). */
export const poseRow = (pose: PoseJson): number[] => [...pose.pos, ...toWxyz(pose.quatXyzw)];

/** A pose as `[x, y, z, qx, qy, qz, qw]` (observation keys: robosuite's order). */
export const obsPoseRow = (pose: PoseJson): number[] => [...pose.pos, ...pose.quatXyzw];

/** The pose as a 4×4 homogeneous matrix, row-major (16 values). */
export function poseMatrix(pose: PoseJson): number[] {
  const [ex, ey, ez] = qaxes(qnormalize(qfromXyzw(pose.quatXyzw)));
  const [x, y, z] = pose.pos;
  return [ex.x, ey.x, ez.x, x, ex.y, ey.y, ez.y, y, ex.z, ey.z, ez.z, z, 0, 0, 0, 1];
}

/** N rows of `width` float64 values. */
function f8(n: number, width: number, row: (i: number) => readonly number[]): Float64Array {
  const out = new Float64Array(n * width);
  for (let i = 0; i < n; i++) out.set(row(i), i * width);
  return out;
}

/** N rows of `width` int64 values. */
function i8(n: number, width: number, row: (i: number) => readonly number[]): BigInt64Array {
  const out = new BigInt64Array(n * width);
  for (let i = 0; i < n; i++) out.set(row(i).map(BigInt), i * width);
  return out;
}

/** HDF5 link names cannot contain '/' or NUL, and '.' names the group itself. */
const isHdf5Name = (name: string): boolean => name !== "." && !/[/\0]/.test(name);

/**
 * The episode's dynamic objects, sorted by id; every step must report the same ones (a demo's
 * arrays are rectangular) and the scene's target must be among them.
 */
export function objectIdsOf(episode: Episode, what: string): string[] {
  const ids = Object.keys(episode.steps[0]!.objects).sort();
  const bad = ids.find((id) => !isHdf5Name(id));
  if (bad !== undefined) throw new InputError(`${what}: object id '${bad}' cannot name an HDF5 dataset`);
  const targetId = episode.scene.task.targetId;
  episode.steps.forEach((step, i) => {
    const here = Object.keys(step.objects).sort();
    if (here.length !== ids.length || here.some((id, k) => id !== ids[k])) {
      throw new InputError(
        `${what} step ${i}: objects [${here.join(", ")}] differ from step 0's [${ids.join(", ")}]`,
        { hint: "every step must report the pose of the same dynamic objects" },
      );
    }
  });
  if (!ids.includes(targetId)) {
    throw new InputError(`${what}: no pose for the target object '${targetId}'`, {
      hint: "every step's `objects` must include the scene's task.targetId",
    });
  }
  return ids;
}

/**
 * The observation keys of one demo, in writing order: [key, row width, rows]. Row i observes
 * the robot and objects of step `robotAt(i)` and the human hand of step `humanAt(i)`. The arm's
 * joints (`jointCount` of them, checked by `armJointsOf`) are the robot's: of step `robotAt(i)`.
 */
function observations(
  episode: Episode,
  objectIds: readonly string[],
  jointCount: number,
  robotAt: (i: number) => number,
  humanAt: (i: number) => number,
): [string, number, NumericData][] {
  const n = episode.steps.length;
  const robot = (i: number) => episode.steps[robotAt(i)]!;
  const human = (i: number) => episode.steps[humanAt(i)]!.human;
  const targetId = episode.scene.task.targetId;
  const joints: [string, number, NumericData][] =
    jointCount === 0
      ? []
      : [
          [OBS.jointPos, jointCount, f8(n, jointCount, (i) => robot(i).state.joints!.q)],
          [OBS.jointVel, jointCount, f8(n, jointCount, (i) => robot(i).state.joints!.qd)],
        ];
  return [
    [OBS.eefPos, 3, f8(n, 3, (i) => robot(i).state.tcp.pos)],
    [OBS.eefQuat, 4, f8(n, 4, (i) => robot(i).state.tcp.quatXyzw)],
    [OBS.gripperQpos, 2, f8(n, 2, (i) => [robot(i).state.apertureM / 2, -robot(i).state.apertureM / 2])],
    ...joints,
    [
      OBS.object,
      7 * objectIds.length,
      f8(n, 7 * objectIds.length, (i) => objectIds.flatMap((id) => obsPoseRow(robot(i).objects[id]!))),
    ],
    [OBS.targetPose, 7, f8(n, 7, (i) => obsPoseRow(robot(i).objects[targetId]!))],
    [OBS.humanKeypoints, 63, f8(n, 63, (i) => human(i).keypointsWorld.flat())],
    [OBS.humanFrameIndex, 1, i8(n, 1, (i) => [human(i).frameIndex])],
    [OBS.humanTimestamp, 1, f8(n, 1, (i) => [human(i).t])],
    [OBS.humanStatus, 1, i8(n, 1, (i) => [humanStatusCode(human(i).status)])],
    [OBS.humanConfidence, 1, f8(n, 1, (i) => [human(i).confidence ?? -1])],
    [OBS.humanGapS, 1, f8(n, 1, (i) => [human(i).gapS ?? 0])],
  ];
}

/** MimicGen's per-step DatagenInfo (mimicgen/datagen/datagen_info.py), as `prepare_src_dataset.py` stores it. */
function datagenInfo(episode: Episode, objectIds: readonly string[]): DemoDataset[] {
  const steps = episode.steps;
  const n = steps.length;
  const matrices = (pose: (i: number) => PoseJson) => f8(n, 16, (i) => poseMatrix(pose(i)));
  return [
    {
      path: "datagen_info/eef_pose",
      shape: [n, 4, 4],
      data: matrices((i) => steps[observedStepIndex(i)]!.state.tcp),
    },
    { path: "datagen_info/target_pose", shape: [n, 4, 4], data: matrices((i) => steps[i]!.action.tcp) },
    {
      path: "datagen_info/gripper_action",
      shape: [n, 1],
      data: f8(n, 1, (i) => [steps[i]!.action.grasp ? GRIPPER_CLOSED : GRIPPER_OPEN]),
    },
    ...objectIds.map((id) => ({
      path: `datagen_info/object_poses/${id}`,
      shape: [n, 4, 4],
      data: matrices((i) => steps[observedStepIndex(i)]!.objects[id]!),
    })),
    {
      path: "datagen_info/subtask_term_signals/grasp",
      shape: [n],
      data: i8(n, 1, (i) => [steps[i]!.action.grasp ? 1 : 0]),
    },
  ];
}

/**
 * Row t's command as robosuite's OSC_POSE takes it with control_delta (see ACTION_MODES): the
 * change from the TCP pose measured before step t to the pose step t commands, scaled by the
 * controller's output limits and clipped to [−1, 1], then the gripper ±1. `clipped` counts the
 * rows with a component that had to be clipped.
 */
function deltaActions(episode: Episode): { data: Float64Array; clipped: number } {
  const steps = episode.steps;
  let clipped = 0;
  const data = f8(steps.length, 7, (i) => {
    const measured = steps[observedStepIndex(i)]!.state.tcp;
    const command = steps[i]!.action;
    const dp = sub(fromArray3(command.tcp.pos), fromArray3(measured.pos));
    // robosuite: R_goal = R_delta · R_current, so q_delta = q_goal ⊗ q_current*.
    const dq = qmul(
      qnormalize(qfromXyzw(command.tcp.quatXyzw)),
      qconj(qnormalize(qfromXyzw(measured.quatXyzw))),
    );
    const raw = [...toArray3(dp), ...toArray3(qtoAxisAngle(dq))].map((v, k) => v / OSC_POSE.output_max[k]!);
    if (raw.some((v) => v > OSC_POSE.input_max || v < OSC_POSE.input_min)) clipped++;
    return [
      ...raw.map((v) => clamp(v, OSC_POSE.input_min, OSC_POSE.input_max)),
      command.grasp ? GRIPPER_CLOSED : GRIPPER_OPEN,
    ];
  });
  return { data, clipped };
}

/**
 * Every dataset of the demo for `episode` (validated). `sourceDemo` is the index of the demo this
 * variant was generated from, when that demo is in the same file: it becomes MimicGen's
 * `src_demo_inds` (one entry per subtask; an egobridge variant takes all of them from its one
 * source) and `src_demo_labels` (one per step).
 */
export function demoContent(
  episode: Episode,
  what: string,
  sourceDemo?: number,
  actions: ActionMode = "absolute",
): DemoContent {
  const steps = episode.steps;
  const n = steps.length;
  const last = n - 1;
  const objectIds = objectIdsOf(episode, what);
  const jointNames = armJointsOf(episode, what);
  const stateWidth = 8 + 7 * objectIds.length;
  const delta = actions === "delta" ? deltaActions(episode) : undefined;
  if (actions === "joints" && jointNames.length === 0) {
    throw new InputError(`${what}: joint actions need an arm, and this episode's embodiment has none`, {
      hint: "use an arm embodiment (e.g. --embodiment franka_panda), or --actions absolute|delta",
    });
  }
  const nj = jointNames.length;
  const datasets: DemoDataset[] = [
    delta
      ? { path: "actions", shape: [n, 7], data: delta.data }
      : actions === "joints"
        ? {
            // The joint positions reached at the end of the step (a joint-position target), then the opening.
            path: "actions",
            shape: [n, nj + 1],
            data: f8(n, nj + 1, (i) => [...steps[i]!.state.joints!.q, steps[i]!.action.apertureM]),
          }
        : {
            path: "actions",
            shape: [n, 8],
            data: f8(n, 8, (i) => [...poseRow(steps[i]!.action.tcp), steps[i]!.action.apertureM]),
          },
    {
      path: "states",
      shape: [n, stateWidth],
      data: f8(n, stateWidth, (i) => {
        const seen = steps[observedStepIndex(i)]!;
        return [
          ...poseRow(seen.state.tcp),
          seen.state.apertureM,
          ...objectIds.flatMap((id) => poseRow(seen.objects[id]!)),
        ];
      }),
    },
    // robomimic's reward is r(s'), of the state after the step; an Episode's verdict is known
    // only at its end, so the sparse task reward falls on the last step.
    { path: "rewards", shape: [n], data: f8(n, 1, (i) => [i === last && episode.success ? 1 : 0]) },
    { path: "dones", shape: [n], data: i8(n, 1, (i) => [i === last ? 1 : 0]) },
  ];
  // obs: before the step; next_obs: after it (the robot measured after step i, the hand at the
  // next step, the last repeated).
  const obs = observations(episode, objectIds, jointNames.length, observedStepIndex, (i) => i);
  const next = observations(
    episode,
    objectIds,
    jointNames.length,
    (i) => i,
    (i) => Math.min(i + 1, last),
  );
  for (const [k, [key, width, rows]] of obs.entries()) {
    datasets.push({ path: `obs/${key}`, shape: [n, width], data: rows });
    datasets.push({ path: `next_obs/${key}`, shape: [n, width], data: next[k]![2] });
  }
  datasets.push(...datagenInfo(episode, objectIds));
  if (sourceDemo !== undefined) {
    datasets.push(
      { path: "src_demo_inds", shape: [NUM_SUBTASKS], data: i8(NUM_SUBTASKS, 1, () => [sourceDemo]) },
      { path: "src_demo_labels", shape: [n, 1], data: i8(n, 1, () => [sourceDemo]) },
    );
  }
  return { length: n, clippedActions: delta?.clipped ?? 0, objectIds, jointNames, datasets };
}
