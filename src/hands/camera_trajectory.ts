/**
 * Camera trajectories of head-worn captures: where the camera was at each instant, in the scene
 * frame W (gravity-aligned, z up, metres), as the capture device's own head tracking measured it.
 *
 * Sources (see `readCameraSource`): an EgoDex episode (HDF5), an Aria MPS folder (closed-loop
 * trajectory + online calibration), a TUM trajectory file (`timestamp tx ty tz qx qy qz qw` per
 * line), or a CameraSpec JSON (intrinsics only: the head is then assumed static).
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { InputError } from "../core/errors.js";
import { parseContract, readJson } from "../core/io.js";
import {
  distance,
  type Pose,
  poseInterp,
  poseToJson,
  qangle,
  qfromXyzw,
  qnormalize,
  vec3,
} from "../core/math.js";
import { type CameraSpec, CameraSpecSchema } from "../core/schemas/camera.js";
import type { CameraTrajectory, HandFrame, HandTrack } from "../core/schemas/hand_track.js";
import { HAND_TRACK_VERSION } from "../core/schemas/hand_track.js";

export interface CameraTrajectoryData {
  /** Intrinsics, when the source has them. */
  camera?: CameraSpec;
  /** Sample times (s) on the source's clock, strictly increasing. */
  times: number[];
  /** The camera's pose in W (OpenCV camera axes: x right, y down, z forward) per sample. */
  poses: Pose[];
  /** Provenance, recorded in the hand track. */
  info: CameraTrajectory;
  /**
   * Source time of a video's first frame (s), when the source knows it (EgoDex: one pose per video
   * frame from 0). Otherwise the caller gives the offset.
   */
  videoStartS?: number;
}

/** How far past either end of a trajectory a pose may still be held (s): about one video frame. */
const EDGE_TOLERANCE_S = 0.04;

/**
 * The camera pose at source time `t`: linear in position, slerp in rotation between the two
 * samples around it. Null outside the trajectory (beyond `EDGE_TOLERANCE_S` of its ends).
 */
export function cameraPoseAt(traj: CameraTrajectoryData, t: number): Pose | null {
  const { times, poses } = traj;
  const n = times.length;
  if (n === 0 || t < times[0]! - EDGE_TOLERANCE_S || t > times[n - 1]! + EDGE_TOLERANCE_S) return null;
  if (t <= times[0]!) return poses[0]!;
  if (t >= times[n - 1]!) return poses[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid;
  }
  const s = (t - times[lo]!) / (times[hi]! - times[lo]!);
  return poseInterp(poses[lo]!, poses[hi]!, s);
}

/**
 * Attaches the camera pose of each frame (`frames[i].X_WC`) to a track of camera-frame keypoints,
 * frame time `t` mapped to source time `t + startS`. A frame outside the trajectory is an error:
 * its keypoints could not be placed in W.
 */
export function attachCameraTrajectory(
  track: HandTrack,
  traj: CameraTrajectoryData,
  startS: number,
): HandTrack {
  const frames = track.frames.map((f) => posedFrame(f, traj, startS));
  return { ...track, version: HAND_TRACK_VERSION, frames, cameraTrajectory: traj.info };
}

/** A frame with the camera's pose at its time (`X_WC`); an error when the trajectory does not cover it. */
export function posedFrame(f: HandFrame, traj: CameraTrajectoryData, startS: number): HandFrame {
  const X = cameraPoseAt(traj, f.t + startS);
  if (!X) {
    throw new InputError(
      `frame ${f.index ?? "?"} at ${f.t.toFixed(3)} s (source time ${(f.t + startS).toFixed(3)} s) is outside the camera trajectory (${traj.times[0]!.toFixed(3)}..${traj.times[traj.times.length - 1]!.toFixed(3)} s, ${traj.info.source})`,
      {
        hint: "give --camera-start (source time of the video's first frame), or a trajectory covering the video",
      },
    );
  }
  return { ...f, X_WC: poseToJson(X) };
}

/** Source time of a video's first frame: the given one, else the trajectory's own; an error when neither is known. */
export function trajectoryStart(traj: CameraTrajectoryData, given: number | undefined): number {
  if (given !== undefined) {
    if (!Number.isFinite(given)) throw new InputError("--camera-start must be a number of seconds");
    return given;
  }
  if (traj.videoStartS !== undefined) return traj.videoStartS;
  throw new InputError(
    `the camera trajectory ${traj.info.source} does not say when the video starts on its clock`,
    {
      hint: `give --camera-start <s> (its samples span ${traj.times[0]!.toFixed(3)}..${traj.times[traj.times.length - 1]!.toFixed(3)} s)`,
    },
  );
}

/** How far the camera moved over a trajectory: path length (m) and largest rotation from the start (deg). */
export function cameraMotion(poses: readonly Pose[]): { pathM: number; maxTurnDeg: number } {
  let pathM = 0;
  let maxTurn = 0;
  for (let i = 1; i < poses.length; i++) {
    pathM += distance(poses[i]!.p, poses[i - 1]!.p);
    maxTurn = Math.max(maxTurn, qangle(poses[0]!.q, poses[i]!.q));
  }
  return { pathM, maxTurnDeg: (maxTurn * 180) / Math.PI };
}

/**
 * Reads a TUM-format trajectory: per line `timestamp tx ty tz qx qy qz qw` (seconds, metres,
 * quaternion scalar-last), `#` comments, whitespace or comma separated. The poses are taken as
 * the camera's pose in a gravity-aligned, z-up world (as egobridge's W); the caller states that.
 */
export async function readTumTrajectory(file: string): Promise<CameraTrajectoryData> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read camera trajectory ${file}: ${(err as Error).message}`);
  }
  const times: number[] = [];
  const poses: Pose[] = [];
  for (const [k, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const v = line.split(/[\s,]+/).map(Number);
    if (v.length !== 8 || !v.every(Number.isFinite)) {
      throw new InputError(
        `${file}:${k + 1}: expected 8 numbers 'timestamp tx ty tz qx qy qz qw', got '${line.slice(0, 80)}'`,
      );
    }
    const [t, x, y, z, qx, qy, qz, qw] = v as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (times.length > 0 && t <= times[times.length - 1]!) {
      throw new InputError(
        `${file}:${k + 1}: timestamps must increase strictly (${t} after ${times[times.length - 1]})`,
      );
    }
    const qn = Math.hypot(qx, qy, qz, qw);
    if (Math.abs(qn - 1) > 1e-2)
      throw new InputError(`${file}:${k + 1}: quaternion norm ${qn.toFixed(4)}, not 1`);
    times.push(t);
    poses.push({ p: vec3(x, y, z), q: qnormalize(qfromXyzw([qx, qy, qz, qw])) });
  }
  if (times.length === 0) throw new InputError(`${file} holds no trajectory samples`);
  return {
    times,
    poses,
    info: {
      provenance: "measured",
      source: `tum:${path.basename(file)}`,
      worldFrame: "as given (TUM file: camera pose in a gravity-aligned world, z up)",
    },
  };
}

/** What `--camera` gave: intrinsics, a trajectory, or both. */
export interface CameraSource {
  camera?: CameraSpec;
  trajectory?: CameraTrajectoryData;
}

/**
 * Reads what `--camera` names, by what it is: a directory is an Aria MPS folder; `.hdf5`/`.h5` an
 * EgoDex episode; `.txt`/`.tum`/`.csv` a TUM trajectory; `.json` a CameraSpec (intrinsics only).
 */
export async function readCameraSource(file: string): Promise<CameraSource> {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat) throw new InputError(`camera file not found: ${file}`);
  if (stat.isDirectory()) {
    const { readAriaMpsCamera } = await import("./aria_mps.js");
    const trajectory = await readAriaMpsCamera(file);
    return { camera: trajectory.camera, trajectory };
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === ".hdf5" || ext === ".h5") {
    const { readEgoDexCamera } = await import("./egodex.js");
    const trajectory = await readEgoDexCamera(file);
    return { camera: trajectory.camera, trajectory };
  }
  if (ext === ".txt" || ext === ".tum" || ext === ".csv")
    return { trajectory: await readTumTrajectory(file) };
  if (ext === ".json") {
    return { camera: parseContract(CameraSpecSchema, await readJson(file), `camera (${file})`) };
  }
  throw new InputError(`--camera ${file}: unknown kind of camera file '${ext}'`, {
    hint: "give a CameraSpec .json, an EgoDex .hdf5 episode, an Aria MPS folder or a TUM trajectory (.txt)",
  });
}
