/**
 * The robomimic HDF5 layout as egobridge writes it (ARISE-Initiative/robomimic
 * `docs/datasets/overview.md`; MimicGen's `datagen_info` from NVlabs/mimicgen
 * `scripts/prepare_src_dataset.py` and `utils/file_utils.py::write_demo_to_hdf5`). N is a
 * demo's number of control steps, K its number of dynamic objects (sorted by id), J its arm's
 * joints (an arm embodiment only), S the number of MimicGen subtasks (here 2: grasp, then the rest).
 *
 * ```
 * data/                                   attrs: total (int64, frames), env_args (JSON string)
 *   demo_<i>/                             i = 0, 1, … in input order
 *                                         attrs: num_samples (int64), egobridge provenance
 *                                           (episode_id, task, success int8, reasons JSON, source,
 *                                           source_episode, variant, seed, lineage_params JSON,
 *                                           embodiment, object_ids JSON; with an arm joint_names
 *                                           JSON, base to tip)
 *     actions                 (N, 8)      f8  commanded TCP pose X_WG, absolute in W:
 *                                             [x, y, z, qw, qx, qy, qz, aperture_m]
 *                             (N, 7)          or, with actions "delta", robosuite's OSC_POSE input:
 *                                             [dx, dy, dz, ax, ay, az] / output_max (position and
 *                                             axis-angle change from the measured TCP pose to the
 *                                             commanded one, both in W), then the gripper −1 / +1
 *     states                  (N, 8+7K)   f8  [tcp x, y, z, qw, qx, qy, qz, aperture_m,
 *                                             then per object: x, y, z, qw, qx, qy, qz]
 *     rewards                 (N,)        f8  sparse: 1 on the last step of a successful demo
 *     dones                   (N,)        i8  1 on the last step
 *     obs/robot0_eef_pos      (N, 3)      f8  measured TCP position in W, before the step (after step
 *                                             t − 1; row 0 the settled start), as states
 *     obs/robot0_eef_quat     (N, 4)      f8  measured TCP orientation, [x, y, z, w] (robosuite's order)
 *     obs/robot0_gripper_qpos (N, 2)      f8  finger positions along G's y: [+a/2, −a/2] (m)
 *     obs/robot0_joint_pos    (N, J)      f8  arm only: the arm's joint positions (rad, joint_names
 *                                             order) at the step eef_pos is measured at: its inverse
 *                                             kinematics of the measured TCP
 *     obs/robot0_joint_vel    (N, J)      f8  arm only: their speeds (rad/s: the change from the step
 *                                             before over the control period)
 *     obs/object              (N, 7K)     f8  every dynamic object: [x, y, z, qx, qy, qz, qw]
 *     obs/target_pose         (N, 7)      f8  the task's target object (LeRobot's environment_state)
 *     obs/human_keypoints     (N, 63)     f8  21 MediaPipe keypoints × [x, y, z] in W
 *     obs/human_frame_index   (N, 1)      i8  source video frame of the step
 *     obs/human_timestamp     (N, 1)      f8  source time of the step (s)
 *     obs/human_status        (N, 1)      i8  0 observed, 1 interpolated, 2 held, 3 transformed, −1 not recorded
 *     obs/human_confidence    (N, 1)      f8  observation confidence behind the keypoints (−1 not recorded)
 *     obs/human_gap_s         (N, 1)      f8  interpolated keypoints: the gap they were filled across (s)
 *     next_obs/<key>          as obs/<key>, measured after the step (hand: the next step's)
 *     datagen_info/                       attrs: env_interface_name, env_interface_type
 *       eef_pose              (N, 4, 4)   f8  measured TCP pose X_WG before the step
 *       target_pose           (N, 4, 4)   f8  commanded TCP pose X_WG
 *       gripper_action        (N, 1)      f8  −1 open / +1 close (robosuite's gripper convention)
 *       object_poses/<id>     (N, 4, 4)   f8  X_WO of every dynamic object
 *       subtask_term_signals/grasp (N,)   i8  the command's grasp flag
 *     src_demo_inds           (S,)        i8  variants only: demo index of the source, per subtask
 *     src_demo_labels         (N, 1)      i8  variants only: the same, per step
 * mask/train, mask/valid, mask/successful (M,)  fixed-length ASCII demo names
 * ```
 *
 * All float data is float64 and integer data int64, as robomimic's own conversion scripts
 * write numpy arrays of Python floats and ints. Poses are in the scene frame W (z up, metres).
 */

export const DATA_GROUP = "data";
export const MASK_GROUP = "mask";

export const demoName = (index: number): string => `demo_${index}`;
export const demoPath = (index: number): string => `${DATA_GROUP}/${demoName(index)}`;

/** Filter keys written under `mask/`, as robomimic's `split_train_val.py` names the split. */
export const MASK = { train: "train", valid: "valid", successful: "successful" } as const;

/** Observation keys, in the order they are written under `obs/` and `next_obs/`. */
export const OBS = {
  eefPos: "robot0_eef_pos",
  eefQuat: "robot0_eef_quat",
  gripperQpos: "robot0_gripper_qpos",
  /** Written only for an arm embodiment's demos, as robosuite names its robot's joints. */
  jointPos: "robot0_joint_pos",
  jointVel: "robot0_joint_vel",
  object: "object",
  targetPose: "target_pose",
  humanKeypoints: "human_keypoints",
  humanFrameIndex: "human_frame_index",
  humanTimestamp: "human_timestamp",
  humanStatus: "human_status",
  humanConfidence: "human_confidence",
  humanGapS: "human_gap_s",
} as const;

/**
 * robomimic's `EnvType` (robomimic/envs/env_base.py) names the simulator a policy is rolled out
 * in: 1 robosuite, 2 gym, 3 iGibson MOMART, 4 OmniGibson. egobridge's episodes come from its own
 * Rapier simulation, none of them, which robomimic cannot create: `type` 0 says so, and
 * `env_name` names egobridge rather than a gym id that does not exist. Training with rollouts
 * disabled (the only way to train on this data) reads neither; a rollout fails at once.
 */
export const ENV_TYPE_NONE = 0;
/** env_args.env_name by default. */
export const ENV_NAME = "egobridge";

/** robosuite's gripper action convention (`GripperModel.format_action`): −1 open, +1 closed. */
export const GRIPPER_OPEN = -1;
export const GRIPPER_CLOSED = 1;

/** MimicGen subtask termination signals written to `datagen_info/subtask_term_signals`. */
export const SUBTASK_SIGNALS = ["grasp"] as const;
/** MimicGen subtasks: one per termination signal, plus the final one that ends with the demo. */
export const NUM_SUBTASKS = SUBTASK_SIGNALS.length + 1;

/** `datagen_info` group attrs that MimicGen's `get_env_interface_info_from_dataset` reads. */
export const ENV_INTERFACE = { name: "egobridge", type: "egobridge" } as const;

/**
 * Order of the quaternion components, per part of a demo. The observation keys imitate
 * robosuite's names (`robot0_eef_quat`, object poses), so they follow robosuite: [x, y, z, w],
 * as egobridge's LeRobot output does. `actions` and the flattened sim `states` are scalar-first,
 * as MuJoCo's state is.
 */
export const QUATERNION_ORDER = { obs: "xyzw", next_obs: "xyzw", actions: "wxyz", states: "wxyz" } as const;

/**
 * What `actions` hold: the commanded TCP pose and opening, absolute in W (the default), or the
 * command as robosuite's OSC_POSE controller takes it with `control_delta` (robomimic's and
 * MimicGen's robosuite datasets): the change from the TCP pose measured before the step to the
 * commanded one — position in W and rotation as a W-frame axis-angle vector (goal = delta ·
 * current, as robosuite applies it) — each divided by the controller's output_max and clipped to
 * its input range [−1, 1], then the gripper command −1 open / +1 close; or, for an arm, the joint
 * positions reached at the end of the step (a joint-position controller's targets, rad, in the
 * arm's joint order) then the commanded pad opening.
 */
export const ACTION_MODES = ["absolute", "delta", "joints"] as const;
export type ActionMode = (typeof ACTION_MODES)[number];

/** robosuite's default OSC_POSE limits (controllers/config/osc_pose.json): m and rad per step. */
export const OSC_POSE = {
  type: "OSC_POSE",
  input_max: 1,
  input_min: -1,
  output_max: [0.05, 0.05, 0.05, 0.5, 0.5, 0.5],
  output_min: [-0.05, -0.05, -0.05, -0.5, -0.5, -0.5],
  control_delta: true,
} as const;

/** The warning for delta action rows that had to be clipped (`export`, `run`). */
export const clippedActionsWarning = (rows: number): string =>
  `warning: ${rows} delta action rows exceed robosuite's OSC_POSE range and were clipped to it (per demo: attribute actions_clipped)`;

/** Components of `actions` with actions "delta". */
export const DELTA_ACTION_NAMES = ["dx", "dy", "dz", "ax", "ay", "az", "gripper"];

/** Components of `actions` and of the robot part of `states`. */
export const TCP_NAMES = ["x", "y", "z", "qw", "qx", "qy", "qz", "aperture_m"];
/** Components of one object pose in `states`. */
export const POSE_NAMES = ["x", "y", "z", "qw", "qx", "qy", "qz"];
/** Components of one object pose in `obs/object` and `obs/target_pose` (robosuite's order). */
export const OBS_POSE_NAMES = ["x", "y", "z", "qx", "qy", "qz", "qw"];
