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
import { type Pose, qfromAxes, transformPoint, vec3 } from "../core/math.js";
import type { CameraSpec } from "../core/schemas/camera.js";
import type { Episode } from "../core/schemas/episode.js";
import type { HandTrack, ObjectTrack } from "../core/schemas/hand_track.js";
import type { RobotTrajectory } from "../core/schemas/trajectory.js";
import { writeLeRobotDataset } from "../dataset/lerobot/index.js";
import { type ExtractOptions, type ExtractStats, extractHandTrack } from "../perception/extract.js";
import { retargetParallelJaw } from "../retarget/parallel_jaw.js";
import { sceneFromObjectTrack } from "../sim/scene_from_track.js";
import { simulateEpisode } from "../sim/simulate.js";
import { DEFAULT_EMBODIMENT, loadEmbodiment } from "./catalog.js";
import { stageTimer } from "./stage_timer.js";

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

/**
 * A takeaway paper cup (m, kg): its height is chosen so the grasp point sits `graspBelowTopM`
 * under its rim, within the range of real cups.
 */
export const CUP = {
  radiusM: 0.04,
  massKg: 0.05,
  graspBelowTopM: 0.03,
  minHeightM: 0.08,
  maxHeightM: 0.2,
} as const;

/**
 * X_WC of a head camera at `heightM` above the floor looking along +x, pitched down by
 * `pitchDownDeg`. Camera axes (OpenCV): x right (−y in W), y down in the image, z forward.
 */
export function headCameraPose(heightM = 1.25, pitchDownDeg = 50): Pose {
  const p = (pitchDownDeg * Math.PI) / 180;
  const z_C = vec3(Math.cos(p), 0, -Math.sin(p));
  const x_C = vec3(0, -1, 0);
  const y_C = vec3(-Math.sin(p), 0, -Math.cos(p)); // z_C × x_C
  return { p: vec3(0, 0, heightM), q: qfromAxes(x_C, y_C, z_C) };
}

/**
 * The downward pitch (deg, 30–70 in 1° steps: how far a seated person looks down at a table) under
 * which the wrists of a camera-frame track move most nearly level (least variance of their
 * height): hands working over a table stay close to its plane, so this recovers roughly how the
 * head was tilted. Noisy depth pushes it to the ends of the range; it is a plausible pose, no more.
 */
export function levelPitchDeg(track: HandTrack): number {
  const wrists = track.frames.flatMap((f) =>
    f.hands.flatMap((h) => (h.keypointsCam ? [h.keypointsCam[0]!] : [])),
  );
  if (wrists.length < 2) return 50;
  let best = 50;
  let bestVar = Number.POSITIVE_INFINITY;
  for (let deg = 30; deg <= 70; deg++) {
    const X_WC = headCameraPose(0, deg);
    const z = wrists.map((p) => transformPoint(X_WC, vec3(p[0], p[1], p[2])).z);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    if (variance < bestVar) {
      bestVar = variance;
      best = deg;
    }
  }
  return best;
}

const poseJson = (X: Pose) => ({
  pos: [X.p.x, X.p.y, X.p.z] as [number, number, number],
  quatXyzw: [X.q.x, X.q.y, X.q.z, X.q.w] as [number, number, number, number],
});

/** The table top stays this far below the lowest TCP point (the finger pads reach below the TCP). */
const TABLE_CLEARANCE_M = 0.03;

/**
 * The object the retargeted grasp implies: a cup standing where the gripper first closes (or,
 * without a grasp, under the lowest TCP point), its base on a table below everything the gripper
 * reaches.
 */
export function cupFromTrajectory(trajectory: RobotTrajectory, frames: number): ObjectTrack {
  const steps = trajectory.steps;
  const grasp = steps.find((s) => s.grasp);
  const lowest = steps.reduce((a, s) => (s.tcp.pos[2] < a.tcp.pos[2] ? s : a), steps[0]!);
  const at = (grasp ?? lowest).tcp.pos;
  const minZ = lowest.tcp.pos[2];
  const baseZ = Math.min(at[2] - CUP.minHeightM + CUP.graspBelowTopM, minZ - TABLE_CLEARANCE_M);
  const heightM = Math.min(CUP.maxHeightM, Math.max(CUP.minHeightM, at[2] - baseZ + CUP.graspBelowTopM));
  const pose = {
    pos: [at[0], at[1], baseZ + heightM / 2] as [number, number, number],
    quatXyzw: [0, 0, 0, 1] as [number, number, number, number],
  };
  return {
    name: "cup",
    shape: { kind: "cylinder", radiusM: CUP.radiusM, heightM },
    shapeSource: `assumed paper cup, placed at the ${grasp ? "first grasp" : "lowest gripper point (no grasp detected)"} of the retargeted trajectory`,
    massKg: CUP.massKg,
    poses: Array.from({ length: frames }, () => pose),
  };
}

/** Runs extract → retarget → simulate → dataset on a real video. */
export async function runVideoDemo(o: VideoDemoOptions): Promise<VideoDemoSummary> {
  const seed = o.seed ?? 0;
  const { stageS, timed } = stageTimer();
  const embodiment = await loadEmbodiment(o.embodiment ?? DEFAULT_EMBODIMENT);
  const { track: camTrack, stats } = await timed("extract", () =>
    extractHandTrack(o.video, { ...o.extract, ...(o.camera ? { camera: o.camera } : {}) }),
  );
  const heightM = o.cameraHeightM ?? 1.25;
  const pitchDownDeg = o.pitchDownDeg ?? levelPitchDeg(camTrack);
  const X_WC = headCameraPose(heightM, pitchDownDeg);
  const track: HandTrack = { ...camTrack, X_WC: poseJson(X_WC) };
  const trajectory = await timed("retarget", () => retargetParallelJaw(track, embodiment));
  const cup = cupFromTrajectory(trajectory, track.frames.length);
  const scene = sceneFromObjectTrack({ ...track, objects: [cup] }, "table_cup_from_video");
  const episode: Episode = await timed("sim", () =>
    simulateEpisode({
      scene,
      embodiment,
      trajectory,
      seed,
      id: `video-${scene.name}-${embodiment.name}-s${seed}`,
      task: "Lift the cup and put it back where it stood.",
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
