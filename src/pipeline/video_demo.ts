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
import { InputError } from "../core/errors.js";
import { transformPoint, vec3 } from "../core/math.js";
import type { CameraSpec } from "../core/schemas/camera.js";
import type { Episode } from "../core/schemas/episode.js";
import { writeLeRobotDataset } from "../dataset/lerobot/index.js";
import { type ExtractOptions, type ExtractStats, extractHandTrack } from "../perception/extract.js";
import { retargetParallelJaw } from "../retarget/parallel_jaw.js";
import { simulateEpisode } from "../sim/simulate.js";
import { DEFAULT_EMBODIMENT, loadEmbodiment } from "./catalog.js";
import { stageTimer } from "./stage_timer.js";
import { placeHeadCamera, VIDEO_TASK, videoScene } from "./video_scene.js";

export interface VideoDemoOptions {
  video: string;
  outDir: string;
  seed?: number;
  embodiment?: string;
  camera?: CameraSpec;
  /** Perception options (models, device, range, …). */
  extract?: Omit<ExtractOptions, "camera">;
  /** Camera height above the floor (m) and downward pitch (deg) of the assumed head pose. */
  cameraHeightM?: number;
  pitchDownDeg?: number;
}

export interface VideoDemoSummary {
  outDir: string;
  video: string;
  extract: ExtractStats;
  side: "left" | "right";
  graspSteps: number;
  episodes: number;
  successes: number;
  frames: number;
  reasons: string[];
  metrics: Record<string, number>;
  /** What was assumed rather than measured, for the user to read. */
  assumptions: string[];
  stageS: Record<string, number>;
}

/** Runs extract → retarget → simulate → dataset on a real video. */
export async function runVideoDemo(o: VideoDemoOptions): Promise<VideoDemoSummary> {
  const seed = o.seed ?? 0;
  const { stageS, timed } = stageTimer();
  const embodiment = await loadEmbodiment(o.embodiment ?? DEFAULT_EMBODIMENT);
  const { track: camTrack, stats } = await timed("extract", () =>
    extractHandTrack(o.video, { ...o.extract, ...(o.camera ? { camera: o.camera } : {}) }),
  );
  const { track, X_WC, heightM, pitchDownDeg } = placeHeadCamera(camTrack, o);
  const trajectory = await timed("retarget", () => retargetParallelJaw(track, embodiment));
  const { cup, scene } = videoScene(track, trajectory);
  const episode: Episode = await timed("sim", () =>
    simulateEpisode({
      scene,
      embodiment,
      trajectory,
      seed,
      id: `video-${scene.name}-${embodiment.name}-s${seed}`,
      task: VIDEO_TASK,
      lineageSource: `video:${o.video}`,
    }),
  );
  const dataset = await timed("dataset", () =>
    writeLeRobotDataset(o.outDir, [episode], { fps: trajectory.controlHz, robotType: embodiment.name }),
  );
  const wrist = track.frames.flatMap((f) => f.hands.map((h) => h.keypointsCam![0]!));
  if (wrist.length === 0) throw new InputError(`no hands in ${o.video}`);
  const cupHeightM = cup.shape.kind === "cylinder" ? cup.shape.heightM : 0;
  const tableZ = cup.poses[0]!.pos[2] - cupHeightM / 2;
  const handZ = wrist.map((p) => transformPoint(X_WC, vec3(p[0], p[1], p[2])).z);
  return {
    outDir: o.outDir,
    video: o.video,
    extract: stats,
    side: trajectory.source.side,
    graspSteps: trajectory.steps.filter((s) => s.grasp).length,
    episodes: dataset.episodes,
    successes: dataset.successes,
    frames: dataset.frames,
    reasons: episode.reasons,
    metrics: episode.metrics,
    assumptions: [
      `camera pose X_WC ASSUMED: head camera ${heightM} m above the floor, pitched down ${pitchDownDeg} deg${o.pitchDownDeg === undefined ? " (the pitch that keeps the wrists most level)" : ""}; no calibration of where the camera was`,
      `camera intrinsics: ${track.camera?.provenance === "assumed" ? "ASSUMED from a field of view" : (track.camera?.provenance ?? "none")}`,
      `object ASSUMED: ${cup.shapeSource}, ${cupHeightM.toFixed(3)} m tall; table top at ${tableZ.toFixed(3)} m (wrists between ${Math.min(...handZ).toFixed(3)} and ${Math.max(...handZ).toFixed(3)} m)`,
    ],
    stageS,
  };
}
