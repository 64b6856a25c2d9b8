/**
 * meta/info.json: the dataset's metadata, as LeRobot v3.0 reads it (`LeRobotDatasetMetadata`),
 * plus an `egobridge` block naming the frames and conventions that the numbers are in. The schema
 * rejects nonsense (non-positive or fractional fps, unknown dtypes) and keeps unknown keys, so
 * files from newer LeRobot versions still read.
 */
import { z } from "zod";
import { FEATURES, type FeatureSpec } from "./features.js";
import {
  CODEBASE_VERSION,
  DATA_PATH,
  DEFAULT_CHUNKS_SIZE,
  DEFAULT_DATA_FILES_SIZE_IN_MB,
  DEFAULT_VIDEO_FILES_SIZE_IN_MB,
  EXTRAS_EPISODE_PATH,
  VIDEO_PATH,
} from "./layout.js";
import { type VideoStream, videoFeature } from "./videos.js";

const count = z.number().int().nonnegative();

export const LeRobotFeatureSchema = z.looseObject({
  dtype: z.enum(["float32", "float64", "int64", "int32", "bool", "string", "image", "video"]),
  shape: z.array(z.number().int().positive()),
  names: z.union([z.array(z.string()), z.record(z.string(), z.unknown()), z.null()]),
  info: z.record(z.string(), z.unknown()).optional(),
});

export const LeRobotInfoSchema = z.looseObject({
  codebase_version: z.string().regex(/^v\d+\.\d+$/, { message: "must look like 'v3.0'" }),
  robot_type: z.string().nullable(),
  total_episodes: count,
  total_frames: count,
  total_tasks: count,
  chunks_size: z.number().int().positive(),
  data_files_size_in_mb: z.number().positive(),
  video_files_size_in_mb: z.number().positive(),
  fps: z.number().int().positive(),
  splits: z.record(z.string(), z.string().regex(/^\d+:\d+$/, { message: "must be 'start:stop'" })),
  data_path: z.string(),
  video_path: z.string().nullable(),
  features: z.record(z.string(), LeRobotFeatureSchema),
});
export type LeRobotInfo = z.infer<typeof LeRobotInfoSchema>;

/** What the egobridge block of info.json says about the numbers in the table. */
export const EGOBRIDGE_CONVENTIONS = {
  format: "egobridge.lerobot",
  version: 1,
  frame: "W",
  frame_description: "scene frame W: z up, metres, seconds",
  quaternion_order: "xyzw",
  action_representation: "absolute",
  action_note:
    "action is the commanded TCP pose X_WG in W plus the commanded pad opening, not a delta; " +
    "a delta action is a view: action[t] - observation.state[t] (compose rotations as quaternions)",
  human_alignment:
    "human.* is the hand at the same control step: 21 MediaPipe keypoints in W, the source " +
    "frame index and the source time. human.status says where the keypoints come from: " +
    "observed (the hand was seen at the source frames around that time), interpolated (filled across a " +
    "gap of human.gap_s seconds where it was not seen), held (a copy of the nearest " +
    "observation: before the first, after the last, or while the robot waits), transformed (a variant: " +
    "the source's keypoints moved by the same object-frame transform as the robot within each segment, " +
    "blended across re-planned transits, and time-warped with the same warp, interpolated). " +
    "human.confidence is the observation confidence behind them.",
  action_layout:
    "action is [tcp.x, tcp.y, tcp.z, tcp.qx, tcp.qy, tcp.qz, tcp.qw, gripper.aperture_m, gripper.grasp]; " +
    "gripper.grasp is the grasp command, 1 close (squeeze with the grip force) and 0 open",
  extras_path: EXTRAS_EPISODE_PATH,
} as const;

export interface InfoInput {
  robotType: string;
  fps: number;
  totalEpisodes: number;
  totalFrames: number;
  totalTasks: number;
  chunksSize?: number;
  dataFilesSizeInMb?: number;
  videoFilesSizeInMb?: number;
  /** Camera streams (video features), in order. */
  videos?: readonly VideoStream[];
}

/** Builds info.json with a fixed key order (LeRobot's own order, then the egobridge block). */
export function buildInfo(input: InfoInput, features: Readonly<Record<string, FeatureSpec>> = FEATURES) {
  const videos = input.videos ?? [];
  return {
    codebase_version: CODEBASE_VERSION,
    robot_type: input.robotType,
    total_episodes: input.totalEpisodes,
    total_frames: input.totalFrames,
    total_tasks: input.totalTasks,
    chunks_size: input.chunksSize ?? DEFAULT_CHUNKS_SIZE,
    data_files_size_in_mb: input.dataFilesSizeInMb ?? DEFAULT_DATA_FILES_SIZE_IN_MB,
    video_files_size_in_mb: input.videoFilesSizeInMb ?? DEFAULT_VIDEO_FILES_SIZE_IN_MB,
    fps: input.fps,
    splits: { train: `0:${input.totalEpisodes}` },
    data_path: DATA_PATH,
    // LeRobot writes null when a dataset has no video features (VIDEO_PATH is the template).
    video_path: videos.length > 0 ? VIDEO_PATH : null,
    features: {
      ...Object.fromEntries(
        Object.entries(features).map(([key, f]) => [
          key,
          {
            dtype: f.dtype,
            shape: [...f.shape] as number[],
            names: f.names,
            ...(f.info ? { info: f.info } : {}),
          },
        ]),
      ),
      ...Object.fromEntries(videos.map((v) => [v.key, videoFeature(v, input.fps)])),
    },
    egobridge: EGOBRIDGE_CONVENTIONS,
  } satisfies LeRobotInfo;
}
