/**
 * The scene a video implies, placed around its hand track: where the head camera was (ASSUMED:
 * `headCameraPose`, pitch from `levelPitchDeg` unless given) and what was handled (ASSUMED: a
 * paper cup where the retargeted gripper first closes, `cupFromTrajectory`). Shared by
 * `egobridge demo --video` and the batch job's simulation units, which must not load perception.
 */
import { type Pose, qfromAxes, transformPoint, vec3 } from "../core/math.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { HandTrack, ObjectTrack } from "../core/schemas/hand_track.js";
import type { SceneSpec } from "../core/schemas/scene.js";
import type { RobotTrajectory } from "../core/schemas/trajectory.js";
import type { Side } from "../retarget/hand_samples.js";
import { demonstratingSides, retargetParallelJaw } from "../retarget/parallel_jaw.js";
import type { ParallelJawParamsInput } from "../retarget/params.js";
import { anchorTrajectory } from "../sim/anchored_scene.js";
import type { GripperLinkage } from "../sim/linkage_gripper.js";
import { sceneFromObjectTrack, type TrackSceneOptions } from "../sim/scene_from_track.js";
import { taskSentence } from "../sim/verdict.js";

/** The task of a video demonstration's episode with an assumed head camera (and so an assumed cup). */
export const VIDEO_TASK = "Lift the cup and put it back where it stood.";
/** The task of an anchored video episode whose source gives no task text. */
export const ANCHORED_TASK = "Pick up the object and put it down where the human did.";
/** Default height of the assumed head camera above the floor (m): a seated person at a table. */
export const DEFAULT_CAMERA_HEIGHT_M = 1.25;

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

/** Where the head camera was: measured per frame (the track's own trajectory) or assumed static. */
export type HeadCamera =
  | { kind: "measured"; source: string }
  | { kind: "assumed"; X_WC: Pose; heightM: number; pitchDownDeg: number };

/**
 * The track with its camera placed in W. A track whose frames carry the measured head pose
 * (`cameraTrajectory`) is returned as it is. Otherwise the head camera is ASSUMED static:
 * `cameraHeightM` above the floor, pitched down by `pitchDownDeg`, or by the pitch that keeps the
 * wrists most level when not given.
 */
export function placeHeadCamera(
  track: HandTrack,
  o: { cameraHeightM?: number; pitchDownDeg?: number } = {},
): { track: HandTrack; head: HeadCamera } {
  if (track.cameraTrajectory) {
    return { track, head: { kind: "measured", source: track.cameraTrajectory.source } };
  }
  const heightM = o.cameraHeightM ?? DEFAULT_CAMERA_HEIGHT_M;
  const pitchDownDeg = o.pitchDownDeg ?? levelPitchDeg(track);
  const X_WC = headCameraPose(heightM, pitchDownDeg);
  return {
    track: { ...track, X_WC: poseJson(X_WC) },
    head: { kind: "assumed", X_WC, heightM, pitchDownDeg },
  };
}

/** A describing line for people: where the camera was, and whether that was measured or assumed. */
export function describeHeadCamera(head: HeadCamera, pitchGiven: boolean): string {
  if (head.kind === "measured") return `camera pose X_WC MEASURED per frame: ${head.source}`;
  return `camera pose X_WC ASSUMED: head camera ${head.heightM} m above the floor, pitched down ${head.pitchDownDeg} deg${pitchGiven ? "" : " (the pitch that keeps the wrists most level)"}; no calibration of where the camera was`;
}

/** The assumed cup and the table scene around it, for a retargeted video track. */
export function videoScene(
  track: HandTrack,
  trajectory: RobotTrajectory,
  table: TrackSceneOptions = {},
): { cup: ObjectTrack; scene: SceneSpec } {
  const cup = cupFromTrajectory(trajectory, track.frames.length);
  const scene = sceneFromObjectTrack({ ...track, objects: [cup] }, "table_cup_from_video", table);
  return { cup, scene };
}

/** One hand's demonstration in a video, ready to simulate: its robot trajectory, scene and task. */
export interface VideoHandEpisode {
  side: Side;
  trajectory: RobotTrajectory;
  scene: SceneSpec;
  task: string;
  /** The assumed cup (assumed head only). */
  cup?: ObjectTrack;
}

/**
 * A video's hand track made ready to simulate, the same way for `demo --video` and the batch job:
 * the camera placed (`placeHeadCamera`) and the demonstrating hands found (`demonstratingSides`:
 * the manipulating hand first); `episode(side)` then retargets one hand into its single-arm
 * episode, so a caller that simulates one hand does not retarget the other. With the head measured, the hands are in a
 * metric, gravity-aligned world: each scene follows what its hand did (`anchorTrajectory`). With
 * an assumed head, a paper cup where the gripper first closes, on a table below everything it
 * reaches (`videoScene`).
 */
export function videoEpisodeSetup(
  track: HandTrack,
  embodiment: Embodiment,
  o: {
    cameraHeightM?: number;
    pitchDownDeg?: number;
    retarget?: ParallelJawParamsInput;
    table?: TrackSceneOptions;
    /** The gripper's linkage where the embodiment is simulated from one (`linkageOf`). */
    linkage?: GripperLinkage;
  } = {},
): {
  track: HandTrack;
  head: HeadCamera;
  sides: Side[];
  episode: (side: Side) => VideoHandEpisode;
} {
  const placed = placeHeadCamera(track, o);
  const episode = (side: Side): VideoHandEpisode => {
    const retargeted = retargetParallelJaw(placed.track, embodiment, { ...o.retarget, side }, o.linkage);
    if (placed.head.kind === "measured") {
      const anchored = anchorTrajectory(retargeted, embodiment, "anchored_video", o.linkage);
      return {
        side,
        trajectory: anchored.trajectory,
        scene: anchored.scene,
        task:
          placed.track.task ??
          (anchored.scene.task.motion === "slide" ? taskSentence(anchored.scene) : ANCHORED_TASK),
      };
    }
    const { cup, scene } = videoScene(placed.track, retargeted, o.table);
    return { side, trajectory: retargeted, scene, task: VIDEO_TASK, cup };
  };
  return { ...placed, sides: demonstratingSides(placed.track, o.retarget), episode };
}
