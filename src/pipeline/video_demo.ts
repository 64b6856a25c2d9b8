/**
 * The whole chain on a REAL video: extract hands (perception) → place the camera in a table scene
 * → parallel-jaw retargeting → Rapier simulation → LeRobot v3.0 dataset.
 *
 * Two things a single video does not tell us are ASSUMED, and the summary says so:
 * - where the camera is: a head camera 1.25 m above the floor (a seated person at a table), looking
 *   along +x of the scene, pitched down by the angle that makes the wrists move most nearly level
 *   (hands working over a table stay near its plane; `levelPitchDeg`), unless `pitchDownDeg` is given;
 * - what is being handled: a paper-cup-sized cylinder placed where the retargeted gripper first
 *   closes (trajectory-anchored scene instantiation, DESIGN.md), on a table just below the lowest
 *   point the gripper reaches.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { tmpSuffix, writeError } from "../core/atomic.js";
import { InputError } from "../core/errors.js";
import type { Episode } from "../core/schemas/episode.js";
import type { LeRobotActions } from "../dataset/lerobot/validate.js";
import { checkReplaceable } from "../dataset/lerobot/writer.js";
import { attachCameraTrajectory, type CameraSource, trajectoryStart } from "../hands/camera_trajectory.js";
import { type ExtractOptions, type ExtractStats, extractHandTrack } from "../perception/extract.js";
import type { CameraOptions } from "../render/episode_videos.js";
import { extractHand } from "../retarget/hand_samples.js";
import { linkageOf } from "../sim/gripper_models.js";
import { simulateEpisode } from "../sim/simulate.js";
import { checkActions, demonstrationDataset, type MultiplySummary } from "./augment.js";
import { DEFAULT_EMBODIMENT, loadEmbodiment } from "./catalog.js";
import { stageTimer } from "./stage_timer.js";
import { describeHeadCamera, videoEpisodeSetup } from "./video_scene.js";

/** Where a video demonstration's dataset keeps its source video (relative to the dataset). */
export const SOURCE_VIDEO_DIR = "extras/source";

/** Places a copy of `file` at `target`: a hard link where the file system allows, else a copy; atomic. */
async function includeFile(file: string, target: string): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = target + tmpSuffix();
  try {
    await fs.link(file, tmp).catch(() => fs.copyFile(file, tmp));
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw writeError(target, err);
  }
}

export interface VideoDemoOptions {
  video: string;
  outDir: string;
  seed?: number;
  embodiment?: string;
  /** `--camera`: intrinsics and/or the measured head trajectory (camera_trajectory.ts). */
  cameraSource?: CameraSource;
  /** Source time of the video's first frame on the trajectory's clock (default: the trajectory's own). */
  cameraStartS?: number;
  /** Perception options (models, device, range, …). */
  extract?: Omit<ExtractOptions, "camera">;
  /** Validated variants to multiply a successful episode into (0 or absent: the episode alone). */
  variants?: number;
  /** Camera streams to render into the dataset (absent or no keys: none). */
  cameras?: CameraOptions;
  /** The dataset's actions: the commanded TCP (default) or the arm's joint targets. */
  actions?: LeRobotActions;
  /** Without a measured trajectory: camera height above the floor (m) and downward pitch (deg) of the assumed head pose. */
  cameraHeightM?: number;
  pitchDownDeg?: number;
}

/** The episode of one demonstrating hand. */
export interface VideoHandSummary {
  side: "left" | "right";
  episodeId: string;
  graspSteps: number;
  /** The verdict on this hand's episode. */
  success: boolean;
  reasons: string[];
  metrics: Record<string, number>;
  /** The scene it was simulated in, and what of it was assumed. */
  sceneNote: string;
}

export interface VideoDemoSummary {
  outDir: string;
  video: string;
  extract: ExtractStats;
  /** One single-arm episode per demonstrating hand, the manipulating hand first. */
  hands: VideoHandSummary[];
  episodes: number;
  successes: number;
  frames: number;
  /** Augmentation: attempts and validated variants (absent when none were asked for or no episode succeeded). */
  augment?: MultiplySummary;
  /** What was assumed rather than measured, for the user to read. */
  assumptions: string[];
  stageS: Record<string, number>;
}

/** Runs extract → retarget → simulate → dataset on a real video. */
export async function runVideoDemo(o: VideoDemoOptions): Promise<VideoDemoSummary> {
  await checkReplaceable(o.outDir);
  const seed = o.seed ?? 0;
  const { stageS, timed } = stageTimer();
  const embodiment = await loadEmbodiment(o.embodiment ?? DEFAULT_EMBODIMENT);
  checkActions(o.actions, embodiment);
  const intrinsics = o.cameraSource?.camera;
  const headTrajectory = o.cameraSource?.trajectory;
  const { track: extracted, stats } = await timed("extract", () =>
    extractHandTrack(o.video, { ...o.extract, ...(intrinsics ? { camera: intrinsics } : {}) }),
  );
  // The dataset carries its source video (linked, else copied) and names it relative to itself,
  // so the preview finds it wherever the dataset is moved.
  const sourceUri = `${SOURCE_VIDEO_DIR}/${path.basename(o.video)}`;
  const placed = headTrajectory
    ? attachCameraTrajectory(extracted, headTrajectory, trajectoryStart(headTrajectory, o.cameraStartS))
    : extracted;
  const camTrack = { ...placed, source: { ...placed.source, uri: sourceUri } };
  const linkage = await linkageOf(embodiment);
  const { track, head, hands } = await timed("retarget", () => {
    const setup = videoEpisodeSetup(camTrack, embodiment, { ...o, linkage });
    return { ...setup, hands: setup.sides.map(setup.episode) };
  });
  if (!track.frames.some((f) => f.hands.length > 0)) throw new InputError(`no hands in ${o.video}`);
  const episodes: Episode[] = [];
  for (const { side, scene, trajectory, task } of hands) {
    episodes.push(
      await timed("sim", () =>
        simulateEpisode({
          scene,
          embodiment,
          trajectory,
          seed,
          id: `video-${scene.name}-${embodiment.name}-${side}-s${seed}`,
          task,
          lineageSource: `video:${path.basename(o.video)}`,
        }),
      ),
    );
  }
  // Only successful episodes are multiplied (the failed ones are then left out); without
  // variants, or when none succeeded, every episode is written with its verdict.
  const { dataset, augment } = await demonstrationDataset(
    episodes,
    o.outDir,
    {
      variants: o.variants ?? 0,
      seed,
      ...(o.actions ? { actions: o.actions } : {}),
      // The composite camera draws over this video's frames.
      ...(o.cameras ? { cameras: { ...o.cameras, sourceVideo: { file: o.video, label: sourceUri } } } : {}),
    },
    timed,
  );
  await includeFile(o.video, path.join(o.outDir, sourceUri));
  const summaries = hands.map(({ side, scene, trajectory, cup }, k): VideoHandSummary => {
    const episode = episodes[k]!;
    let sceneNote: string;
    if (cup) {
      const handZ = extractHand(track, side, 0).keypoints_W.map((kp) => kp[0]!.z);
      const cupHeightM = cup.shape.kind === "cylinder" ? cup.shape.heightM : 0;
      const tableZ = cup.poses[0]!.pos[2] - cupHeightM / 2;
      sceneNote = `object ASSUMED: ${cup.shapeSource}, ${cupHeightM.toFixed(3)} m tall; table top at ${tableZ.toFixed(3)} m (wrists between ${Math.min(...handZ).toFixed(3)} and ${Math.max(...handZ).toFixed(3)} m)`;
    } else {
      sceneNote = `scene: ${scene.description}`;
    }
    return {
      side,
      episodeId: episode.id,
      graspSteps: trajectory.steps.filter((s) => s.grasp).length,
      success: episode.success,
      reasons: episode.reasons,
      metrics: episode.metrics,
      sceneNote,
    };
  });
  return {
    outDir: o.outDir,
    video: o.video,
    extract: stats,
    hands: summaries,
    episodes: dataset.episodes,
    successes: dataset.successes,
    frames: dataset.frames,
    ...(augment ? { augment } : {}),
    assumptions: [
      describeHeadCamera(head, o.pitchDownDeg !== undefined),
      `camera intrinsics: ${track.camera?.provenance === "assumed" ? "ASSUMED from a field of view" : (track.camera?.provenance ?? "none")}`,
    ],
    stageS,
  };
}
