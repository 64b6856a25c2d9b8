/**
 * `data` attribute `env_args`: the file-wide description robomimic reads back
 * (`FileUtils.get_env_metadata_from_dataset`), with egobridge's conventions in `env_kwargs` so a
 * reader need not guess the frames, quaternion orders, action and state components or timing.
 */
import { KEYPOINT_NAMES } from "../lerobot/features.js";
import { OBSERVATION_TIMING } from "../timing.js";
import {
  type ActionMode,
  DELTA_ACTION_NAMES,
  ENV_TYPE_NONE,
  GRIPPER_CLOSED,
  GRIPPER_OPEN,
  OBS_POSE_NAMES,
  OSC_POSE,
  POSE_NAMES,
  QUATERNION_ORDER,
  TCP_NAMES,
} from "./layout.js";

export const FORMAT = "egobridge.robomimic";
export const FORMAT_VERSION = 1;

/** What env_args says of the camera images (the writer's EpisodeImageSource). */
export interface CameraDescription {
  cameras: readonly string[];
  widthPx: number;
  heightPx: number;
  describe(): string;
}

/**
 * The description robomimic reads back with `FileUtils.get_env_metadata_from_dataset`. `joints`:
 * the arm joints every demo's `obs/robot0_joint_pos` and `…_vel` follow (empty: no arm).
 */
export function envArgs(
  envName: string,
  tasks: readonly string[],
  controlHz: number,
  joints: readonly string[],
  images: CameraDescription | undefined,
  actions: ActionMode,
): string {
  const env_kwargs = {
    format: FORMAT,
    version: FORMAT_VERSION,
    frame: "W",
    units: "m",
    simulator:
      "egobridge (Rapier physics, validated; the MuJoCo 2F-85 cross-check where recorded): not an environment robomimic can create, so policies train with rollouts disabled",
    tasks,
    control_hz: controlHz,
    ...(actions === "delta"
      ? {
          controller: "OSC_POSE delta",
          controller_configs: OSC_POSE,
          action_names: DELTA_ACTION_NAMES,
          action_scaling:
            "[dx, dy, dz] and the axis-angle [ax, ay, az] (rotation from the measured TCP orientation to the commanded one, in W: goal = delta · current) are divided by output_max and clipped to [input_min, input_max]; gripper -1 open, +1 close",
        }
      : actions === "joints"
        ? {
            controller: "joint_position",
            action_names: [...joints.map((j) => `${j}.pos`), "aperture_m"],
            action_description:
              "joint position targets (rad): the arm's joint positions at the end of the step, then the commanded pad opening (m)",
          }
        : { controller: "absolute_pose", action_names: TCP_NAMES }),
    quaternion_order:
      actions === "delta"
        ? { ...QUATERNION_ORDER, actions: "none (axis-angle)" }
        : actions === "joints"
          ? { ...QUATERNION_ORDER, actions: "none (joint positions)" }
          : QUATERNION_ORDER,
    state_names: [...TCP_NAMES, "then per object, in the demo's object_ids order:", ...POSE_NAMES],
    ...(joints.length > 0
      ? {
          joint_names: joints,
          joint_obs:
            "obs/robot0_joint_pos (rad) and obs/robot0_joint_vel (rad/s), in joint_names order (base to tip): the arm's inverse kinematics of the measured TCP at the step robot0_eef_pos is measured at; speeds the change from the step before over the control period",
        }
      : {}),
    object_pose_names: OBS_POSE_NAMES,
    gripper_qpos: "finger positions along the gripper's opening axis: [+aperture/2, -aperture/2] (m)",
    gripper_action: { open: GRIPPER_OPEN, closed: GRIPPER_CLOSED },
    obs_timing: `${OBSERVATION_TIMING}; next_obs[t] is measured after step t`,
    reward: "sparse: 1 on the last step of a successful demo, else 0",
    human_keypoint_names: KEYPOINT_NAMES,
    ...(images
      ? {
          camera_names: images.cameras,
          camera_height: images.heightPx,
          camera_width: images.widthPx,
          cameras: images.describe(),
        }
      : {}),
  };
  return JSON.stringify({ env_name: envName, type: ENV_TYPE_NONE, env_kwargs }, null, 4);
}
