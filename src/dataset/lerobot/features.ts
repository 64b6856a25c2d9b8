/**
 * The features table: what one row of `data/*.parquet` holds, one row per control step of an
 * egobridge Episode, and how each value is taken from the step.
 *
 * Frames and conventions (also written to info.json so a reader need not guess):
 * - every pose is in the scene frame W (z up, metres), quaternions in [x, y, z, w] order;
 * - `observation.state` (and `observation.environment_state`) is what was measured before the
 *   step's command: the state after the previous step (`../timing.ts`), so a policy learns to
 *   choose `action[t]` from what it could see;
 * - with an arm, `observation.state` goes on with the arm's joint positions and speeds of that
 *   same step (`tableFeatures`); its layout is the dataset's, fixed by its first episode;
 * - `action` is the command of the step, absolute in W (not a delta: deltas are a view,
 *   `action[t] − observation.state[t]`, that a policy's processor can derive);
 * - `action` ends with the grasp command (1 close, 0 open): one action feature, as LeRobot
 *   takes every key that starts with `action` for an action;
 * - `human.*` is the human hand at the same instant (the alignment of the demo), outside the
 *   `observation.` namespace, which LeRobot feeds to a policy as robot state.
 */
import { InputError } from "../../core/errors.js";
import type { Episode } from "../../core/schemas/episode.js";
import { HUMAN_STATUS_CODES, humanStatusCode } from "../../core/schemas/trajectory.js";
import type { ParquetColumn } from "../parquet.js";
import { OBSERVATION_TIMING, observedStepIndex } from "../timing.js";
import { FEATURE, type FeatureKey } from "./layout.js";

export type FeatureDtype = "float32" | "int64" | "bool";

/** One entry of info.json `features`, as LeRobot reads it: dtype, shape and component names. */
export interface FeatureSpec {
  dtype: FeatureDtype;
  shape: [number];
  names: string[] | null;
  info?: Record<string, string>;
}

/** Components of a TCP pose plus the gripper opening: [x, y, z, qx, qy, qz, qw, aperture (m)]. */
export const TCP_NAMES = [
  "tcp.x",
  "tcp.y",
  "tcp.z",
  "tcp.qx",
  "tcp.qy",
  "tcp.qz",
  "tcp.qw",
  "gripper.aperture_m",
];
/** The action: the commanded TCP pose and opening, then the grasp command (1 close, 0 open). */
export const ACTION_NAMES = [...TCP_NAMES, "gripper.grasp"];
/** The task's target object pose in W: [x, y, z, qx, qy, qz, qw]. */
export const TARGET_POSE_NAMES = [
  "target.x",
  "target.y",
  "target.z",
  "target.qx",
  "target.qy",
  "target.qz",
  "target.qw",
];
/** MediaPipe hand landmark order (0 wrist, 1–4 thumb, 5–8 index, 9–12 middle, 13–16 ring, 17–20 pinky). */
export const MEDIAPIPE_KEYPOINTS = [
  "wrist",
  "thumb_cmc",
  "thumb_mcp",
  "thumb_ip",
  "thumb_tip",
  "index_mcp",
  "index_pip",
  "index_dip",
  "index_tip",
  "middle_mcp",
  "middle_pip",
  "middle_dip",
  "middle_tip",
  "ring_mcp",
  "ring_pip",
  "ring_dip",
  "ring_tip",
  "pinky_mcp",
  "pinky_pip",
  "pinky_dip",
  "pinky_tip",
];
export const KEYPOINT_NAMES = MEDIAPIPE_KEYPOINTS.flatMap((k) => [`${k}.x`, `${k}.y`, `${k}.z`]);

const scalar = (dtype: FeatureDtype): FeatureSpec => ({ dtype, shape: [1], names: null });

/**
 * The features, in column order: egobridge's own first, then LeRobot's mandatory five (the
 * order LeRobot itself uses).
 */
export const FEATURES: Readonly<Record<FeatureKey, FeatureSpec>> = {
  [FEATURE.state]: {
    dtype: "float32",
    shape: [TCP_NAMES.length],
    names: TCP_NAMES,
    info: {
      frame: "W",
      description: "measured TCP pose X_WG (quaternion xyzw) and pad opening before the step's command",
      timing: OBSERVATION_TIMING,
    },
  },
  [FEATURE.action]: {
    dtype: "float32",
    shape: [9],
    names: ACTION_NAMES,
    info: {
      frame: "W",
      representation: "absolute",
      description:
        "commanded TCP pose X_WG (quaternion xyzw), pad opening and grasp command (1 close, 0 open); deltas are a view",
    },
  },
  [FEATURE.environmentState]: {
    dtype: "float32",
    shape: [7],
    names: TARGET_POSE_NAMES,
    info: {
      frame: "W",
      description: "pose of the task's target object (quaternion xyzw) before the step's command",
      timing: OBSERVATION_TIMING,
    },
  },
  [FEATURE.humanKeypoints]: { dtype: "float32", shape: [63], names: KEYPOINT_NAMES },
  [FEATURE.humanFrameIndex]: scalar("int64"),
  [FEATURE.humanTimestamp]: scalar("float32"),
  [FEATURE.humanStatus]: {
    dtype: "int64",
    shape: [1],
    names: null,
    info: {
      codes: Object.entries(HUMAN_STATUS_CODES)
        .map(([name, code]) => `${code} ${name}`)
        .join(", "),
      description: "provenance of the keypoints of this row",
    },
  },
  [FEATURE.humanConfidence]: {
    dtype: "float32",
    shape: [1],
    names: null,
    info: { description: "observation confidence in [0, 1] behind the keypoints; -1 where not recorded" },
  },
  [FEATURE.humanGapS]: {
    dtype: "float32",
    shape: [1],
    names: null,
    info: {
      unit: "s",
      description: "for interpolated keypoints, the time between the observations around them; else 0",
    },
  },
  [FEATURE.nextDone]: scalar("bool"),
  [FEATURE.timestamp]: scalar("float32"),
  [FEATURE.frameIndex]: scalar("int64"),
  [FEATURE.episodeIndex]: scalar("int64"),
  [FEATURE.index]: scalar("int64"),
  [FEATURE.taskIndex]: scalar("int64"),
  [FEATURE.embodimentIndex]: {
    dtype: "int64",
    shape: [1],
    names: null,
    info: {
      description:
        "the embodiment (robot and gripper) of the row's episode: index into this feature's info.embodiments, in order of first appearance in the dataset",
    },
  },
};

/** Components of `observation.state` after the TCP ones, for an arm of `joints` (base → tip). */
const armStateNames = (joints: readonly string[]): string[] => [
  ...joints.map((j) => `arm.${j}.pos`),
  ...joints.map((j) => `arm.${j}.vel`),
];

/**
 * The table's features for a dataset whose episodes carry the arm joints `joints`
 * (`../arm_joints.ts`): `observation.state` goes on after the TCP with the joints' positions,
 * then their speeds, all of the step the TCP is measured at. Without joints, FEATURES itself: a
 * free-gripper dataset is written exactly as before arms existed.
 */
export function tableFeatures(
  joints: readonly string[],
  actions: "tcp" | "joints" = "tcp",
): Readonly<Record<FeatureKey, FeatureSpec>> {
  if (actions === "joints" && joints.length === 0) {
    throw new InputError("joint actions need an arm: the dataset's first episode has no arm joints", {
      hint: "use an arm embodiment (e.g. --embodiment franka_panda), or TCP actions (--actions absolute)",
    });
  }
  if (joints.length === 0) return FEATURES;
  const state = FEATURES[FEATURE.state];
  const names = [...TCP_NAMES, ...armStateNames(joints)];
  const jointActions = [...joints.map((j) => `arm.${j}.pos`), "gripper.aperture_m", "gripper.grasp"];
  return {
    ...FEATURES,
    ...(actions === "joints"
      ? {
          [FEATURE.action]: {
            dtype: "float32",
            shape: [jointActions.length],
            names: jointActions,
            info: {
              frame: "joint space",
              representation: "absolute",
              description:
                "joint position targets (rad): the arm's joint positions at the end of the step, what a joint-position controller is commanded to reach over it; then the commanded pad opening (m) and grasp command (1 close, 0 open)",
            },
          } satisfies FeatureSpec,
        }
      : {}),
    [FEATURE.state]: {
      ...state,
      shape: [names.length],
      names,
      info: {
        frame: "W",
        description:
          "measured TCP pose X_WG (quaternion xyzw) and pad opening before the step's command, then the arm's joint positions (rad) and speeds (rad/s) at that step: its inverse kinematics of the measured TCP, speeds the change from the step before over the control period",
        units:
          "tcp.x, tcp.y, tcp.z and gripper.aperture_m in m; tcp.qx, tcp.qy, tcp.qz, tcp.qw a unit quaternion; arm.<joint>.pos in rad; arm.<joint>.vel in rad/s",
        timing: OBSERVATION_TIMING,
      },
    },
  };
}

/**
 * The dataset's features (`table`, from `tableFeatures`) with its own embodiment list in
 * `embodiment_index`'s info.
 */
export function datasetFeatures(
  embodiments: readonly string[],
  table: Readonly<Record<FeatureKey, FeatureSpec>> = FEATURES,
): Record<FeatureKey, FeatureSpec> {
  const e = table[FEATURE.embodimentIndex];
  return {
    ...table,
    [FEATURE.embodimentIndex]: {
      ...e,
      info: { ...e.info, embodiments: embodiments.map((name, i) => `${i} ${name}`).join(", ") },
    },
  };
}
export const FEATURE_KEYS = Object.keys(FEATURES) as FeatureKey[];

export const featureSize = (spec: FeatureSpec): number => spec.shape[0];

/**
 * Per-frame values of one episode, feature by feature, flattened row-major
 * (`length × shape[0]`): float32 features as stored (Float32Array), the others (int64, bool as
 * 0/1) as Float64Array, so statistics describe exactly what is stored and a writer holding a
 * file's worth of frames pays 4 or 8 bytes a value.
 */
export interface EpisodeFrames {
  length: number;
  values: Record<FeatureKey, Float32Array | Float64Array>;
}

/** Where an episode sits in the dataset. */
export interface EpisodePlacement {
  episodeIndex: number;
  /** Global `index` of the episode's first frame. */
  fromIndex: number;
  taskIndex: number;
  /** The episode's embodiment's index (`embodiment_index`). */
  embodimentIndex: number;
}

/**
 * Extracts the feature rows of one (validated) episode for a dataset of `features`
 * (`tableFeatures`). `timestamp` is the step time relative to the first step, because LeRobot
 * locates a frame at `from_timestamp + timestamp` in a video. Throws an InputError if a step
 * lacks the pose of the scene's target object, or the arm joints the dataset's state holds.
 */
export function episodeFrames(
  episode: Episode,
  at: EpisodePlacement,
  features: Readonly<Record<FeatureKey, FeatureSpec>> = FEATURES,
): EpisodeFrames {
  const n = episode.steps.length;
  const jointCount = (featureSize(features[FEATURE.state]) - TCP_NAMES.length) / 2;
  // Joint actions (tableFeatures): the action feature names the joints, then the opening and the grasp.
  const jointActions = features[FEATURE.action].names?.[0]?.startsWith("arm.") ?? false;
  const values = Object.fromEntries(
    FEATURE_KEYS.map((k) => {
      const spec = features[k];
      const size = n * featureSize(spec);
      return [k, spec.dtype === "float32" ? new Float32Array(size) : new Float64Array(size)];
    }),
  ) as Record<FeatureKey, Float32Array | Float64Array>;
  const offset = Object.fromEntries(FEATURE_KEYS.map((k) => [k, 0])) as Record<FeatureKey, number>;
  const put = (key: FeatureKey, xs: readonly number[]) => {
    values[key].set(xs, offset[key]);
    offset[key] += xs.length;
  };
  const targetId = episode.scene.task.targetId;
  const t0 = episode.steps[0]!.t;
  const last = episode.steps.length - 1;
  episode.steps.forEach((step, i) => {
    // The state the command was chosen from: measured before the step (see timing.ts).
    const observed = episode.steps[observedStepIndex(i)]!;
    const target = observed.objects[targetId];
    if (!target) {
      throw new InputError(
        `episode '${episode.id}' step ${observedStepIndex(i)}: no pose for the target object '${targetId}'`,
        {
          hint: "every step's `objects` must include the scene's task.targetId",
        },
      );
    }
    put(FEATURE.state, [
      ...observed.state.tcp.pos,
      ...observed.state.tcp.quatXyzw,
      observed.state.apertureM,
      ...observedJoints(episode, observedStepIndex(i), jointCount),
    ]);
    put(FEATURE.action, [
      ...(jointActions
        ? observedJoints(episode, i, jointCount).slice(0, jointCount)
        : [...step.action.tcp.pos, ...step.action.tcp.quatXyzw]),
      step.action.apertureM,
      step.action.grasp ? 1 : 0,
    ]);
    put(FEATURE.environmentState, [...target.pos, ...target.quatXyzw]);
    put(FEATURE.humanKeypoints, step.human.keypointsWorld.flat());
    put(FEATURE.humanFrameIndex, [step.human.frameIndex]);
    put(FEATURE.humanTimestamp, [step.human.t]);
    put(FEATURE.humanStatus, [humanStatusCode(step.human.status)]);
    put(FEATURE.humanConfidence, [step.human.confidence ?? -1]);
    put(FEATURE.humanGapS, [step.human.gapS ?? 0]);
    put(FEATURE.nextDone, [i === last ? 1 : 0]);
    put(FEATURE.timestamp, [step.t - t0]);
    put(FEATURE.frameIndex, [i]);
    put(FEATURE.episodeIndex, [at.episodeIndex]);
    put(FEATURE.index, [at.fromIndex + i]);
    put(FEATURE.taskIndex, [at.taskIndex]);
    put(FEATURE.embodimentIndex, [at.embodimentIndex]);
  });
  return { length: episode.steps.length, values };
}

/** The arm's joint positions then speeds recorded at step `i` (none when `count` is 0). */
function observedJoints(episode: Episode, i: number, count: number): number[] {
  if (count === 0) return [];
  const joints = episode.steps[i]!.state.joints;
  if (!joints || joints.q.length !== count || joints.qd.length !== count) {
    throw new InputError(
      `episode '${episode.id}' step ${i}: the dataset's observation.state holds ${count} arm joints, the step records ${
        joints ? `${joints.q.length} positions and ${joints.qd.length} speeds` : "none"
      }`,
      { hint: "write episodes of arm and free-gripper embodiments to separate datasets" },
    );
  }
  return [...joints.q, ...joints.qd];
}

/**
 * Bytes one frame takes in Arrow memory (float32 4, int64 8, bool counted as 1): the measure
 * LeRobot uses (`Dataset.data.nbytes`) to decide when a data file is full.
 */
export function frameBytes(features: Readonly<Record<string, FeatureSpec>> = FEATURES): number {
  const width: Record<FeatureDtype, number> = { float32: 4, int64: 8, bool: 1 };
  return Object.values(features).reduce((sum, f) => sum + width[f.dtype] * featureSize(f), 0);
}

/**
 * The data-file columns for consecutive episodes: a shape-[1] feature is a plain column (as
 * LeRobot writes `Value(dtype)`), a shape-[n] float32 feature a fixed-size list of n.
 */
export function frameColumns(
  episodes: readonly EpisodeFrames[],
  features: Readonly<Record<FeatureKey, FeatureSpec>> = FEATURES,
): ParquetColumn[] {
  return (Object.keys(features) as FeatureKey[]).map((name): ParquetColumn => {
    const spec = features[name];
    // One typed array per column, filled in place: a data file holds up to
    // data_files_size_in_mb of frames, so no intermediate copies of it.
    const total = episodes.reduce((n, e) => n + e.values[name].length, 0);
    const values = spec.dtype === "float32" ? new Float32Array(total) : new Float64Array(total);
    let at = 0;
    for (const e of episodes) {
      values.set(e.values[name], at);
      at += e.values[name].length;
    }
    const size = featureSize(spec);
    if (size > 1) {
      if (spec.dtype !== "float32") throw new Error(`feature '${name}': only float32 vectors are supported`);
      return { name, type: "float32_vector", size, values };
    }
    return spec.dtype === "bool"
      ? { name, type: "bool", values: Array.from(values, (v) => v !== 0) }
      : { name, type: spec.dtype, values };
  });
}
