/**
 * Checks that episodes can become one LeRobot dataset: each is a valid Episode contract, all run
 * at the dataset's fps with evenly spaced steps (LeRobot checks the same with
 * `check_timestamps_sync`), all have the same robot-state layout (`../arm_joints.ts`: one width
 * of `observation.state`), and ids are unique.
 */
import { InputError } from "../../core/errors.js";
import type { Episode } from "../../core/schemas/episode.js";
import { armJointsOf, checkSameJoints } from "../arm_joints.js";
import { admitParsed, checkEpisode } from "../episode_input.js";

/** How far a step interval may be from 1/fps (LeRobot's default `tolerance_s`). */
export const TIMESTAMP_TOLERANCE_S = 1e-4;

export interface DatasetOptions {
  /** Frames per second; default: the first episode's control rate. */
  fps?: number;
  /** info.json `robot_type`; default: the episodes' embodiment names, sorted, joined by "+". */
  robotType?: string;
  /** Start a new data file before one would reach this size (MB of Arrow memory). Default 100. */
  dataFilesSizeInMb?: number;
  /** Data files per chunk folder. Default 1000. */
  chunksSize?: number;
  /** Rows per meta/episodes file (the writer holds one file's rows). Default 1000. */
  episodesPerMetaFile?: number;
  /** Camera streams: each episode's videos come from here (absent: a dataset without cameras). */
  videos?: EpisodeVideoSource;
  /** Start a new video file before one would pass this size (MB). Default 500. */
  videoFilesSizeInMb?: number;
  /**
   * What `action` holds: the commanded TCP pose (`tcp`, the default), or, for an arm, the joint
   * positions it reached at the end of the step (`joints`, a joint-position controller's targets);
   * both end with the commanded opening and the grasp command.
   */
  actions?: LeRobotActions;
  /**
   * For episodes checked where they were made (checkedEpisode, on a worker thread): their
   * canonical JSON. The writer then takes the episode as parsed and these bytes as its extras
   * instead of parsing and serialising it again; undefined for an episode to check here.
   */
  checkedJson?: (episode: unknown) => Uint8Array | undefined;
}

/** The action layouts a LeRobot dataset can have. */
export const LEROBOT_ACTIONS = ["tcp", "joints"] as const;
export type LeRobotActions = (typeof LEROBOT_ACTIONS)[number];

import type { EpisodeVideoSource } from "./videos.js";

export function validateOptions(options: DatasetOptions): void {
  if (options.fps !== undefined && (!Number.isInteger(options.fps) || options.fps <= 0)) {
    throw new InputError(`fps must be a positive integer (LeRobot stores it as int), got ${options.fps}`);
  }
  if (options.robotType?.trim() === "") throw new InputError("robotType must not be empty");
  if (options.actions !== undefined && !(LEROBOT_ACTIONS as readonly string[]).includes(options.actions)) {
    throw new InputError(`actions must be ${LEROBOT_ACTIONS.join(" or ")}, got '${options.actions}'`);
  }
  const size = options.dataFilesSizeInMb;
  if (size !== undefined && !(size > 0)) throw new InputError(`dataFilesSizeInMb must be > 0, got ${size}`);
  const chunks = options.chunksSize;
  if (chunks !== undefined && (!Number.isInteger(chunks) || chunks < 1)) {
    throw new InputError(`chunksSize must be a positive integer, got ${chunks}`);
  }
  const perMeta = options.episodesPerMetaFile;
  if (perMeta !== undefined && (!Number.isInteger(perMeta) || perMeta < 1)) {
    throw new InputError(`episodesPerMetaFile must be a positive integer, got ${perMeta}`);
  }
}

function checkTiming(episode: Episode, fps: number, what: string): void {
  if (Math.abs(episode.controlHz - fps) > 1e-9) {
    throw new InputError(`${what}: controlHz is ${episode.controlHz} but the dataset fps is ${fps}`, {
      hint: "write episodes of different control rates to separate datasets",
    });
  }
  const period = 1 / fps;
  for (let i = 1; i < episode.steps.length; i++) {
    const dt = episode.steps[i]!.t - episode.steps[i - 1]!.t;
    if (Math.abs(dt - period) > TIMESTAMP_TOLERANCE_S) {
      throw new InputError(
        `${what}: steps ${i - 1}→${i} are ${dt.toFixed(6)} s apart, expected 1/fps = ${period.toFixed(6)} s`,
        { hint: "a LeRobot dataset needs one frame per control period, without gaps" },
      );
    }
  }
}

/**
 * Validates episodes one at a time as they reach a streaming writer: each against the contract,
 * the dataset's fps (the first episode's control rate unless given), the dataset's arm joints
 * (the first episode's) and the ids seen before. Keeps one id per episode, nothing else.
 */
export class EpisodeValidator {
  private readonly ids = new Map<string, number>();
  private count = 0;
  /** The first episode's arm joints (empty: a free gripper), and how messages name that episode. */
  private first: { joints: string[]; what: string } | undefined;

  constructor(private fps: number | undefined) {}

  /** The dataset's fps: the one given, else the first episode's control rate (once one is checked). */
  get datasetFps(): number | undefined {
    return this.fps;
  }

  /** The arm joints every episode's state holds (empty: none), once the first episode is checked. */
  get datasetJoints(): readonly string[] | undefined {
    return this.first?.joints;
  }

  /**
   * Returns the parsed (canonical) episode, or throws an InputError naming episode and field.
   * `parsed`: `raw` was parsed against the contract already (checkedEpisode, where it was made):
   * only what concerns the dataset is checked.
   */
  check(raw: unknown, parsed = false): Episode {
    const i = this.count;
    const { episode, what } = parsed
      ? admitParsed(raw as Episode, i, this.ids)
      : checkEpisode(raw, i, this.ids);
    if (this.fps === undefined) {
      if (!Number.isInteger(episode.controlHz)) {
        throw new InputError(
          `${what}: controlHz ${episode.controlHz} is not a whole number, and LeRobot stores fps as an int`,
        );
      }
      this.fps = episode.controlHz;
    }
    checkTiming(episode, this.fps, what);
    const bad = episode.reasons.find((r) => r.includes(","));
    if (bad !== undefined)
      throw new InputError(`${what}: reason '${bad}' contains a comma (reasons are comma-joined)`);
    const joints = armJointsOf(episode, what);
    if (this.first) checkSameJoints(joints, this.first.joints, what, this.first.what);
    else this.first = { joints, what };
    this.ids.set(episode.id, i);
    this.count++;
    return episode;
  }
}
