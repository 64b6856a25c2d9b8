/**
 * EgoDex importer: an Apple Vision Pro episode (one HDF5 file) → `HandTrack` v2.
 *
 * EgoDex (Hoque et al. 2025, arXiv 2505.11709) stores, per video frame (30 Hz):
 *   /transforms/<name>   [N, 4, 4]  pose of <name> in the ARKit world (metres, y up), row-major,
 *                                   translation in column 3; `camera` is the head camera (axes as
 *                                   OpenCV: x right, y down, z forward), the hands have 25 joints each
 *   /confidences/<name>  [N]        ARKit's tracking confidence in [0, 1] (every name but camera)
 *   /camera/intrinsic    [3, 3]     pinhole K of the 1920×1080 video
 *   root attributes: task, description, llm_description(2), which_llm_description, object, …
 *
 * What the importer does with them:
 * - world: ARKit's y-up world is turned into egobridge's z-up W by a +90° rotation about x
 *   (x stays, ARKit y becomes z, ARKit z becomes −y). Heights are ARKit's (the world origin is
 *   where the session started; tracked heights of a table and a head match a floor there).
 * - hands: the 25 ARKit joints map by name to MediaPipe's 21 keypoints (`MEDIAPIPE_FROM_ARKIT`);
 *   the four finger metacarpal joints (points along the palm between wrist and knuckle) have no
 *   MediaPipe counterpart and are left out. A hand's score per frame is the mean confidence of
 *   its wrist and its five finger bases (`PALM_JOINTS`): how sure ARKit is of where the hand is.
 *   Fingertip confidence drops whenever the tips are hidden behind the object held (0.12–0.2 for
 *   the index tip while the stapler is held, with the wrist at 1.0), so counting the tips would
 *   mark the hand missing during exactly the grasps worth importing.
 * - camera: the head camera's pose per frame becomes `frames[i].X_WC` with
 *   `cameraTrajectory.provenance = "measured"`; the intrinsics become a CameraSpec.
 * - task: the description the dataset marks as the one for this episode.
 * EgoDex records hands and head, not objects: `objects` is empty.
 */
import path from "node:path";
import { InputError } from "../core/errors.js";
import { Hdf5Reader } from "../core/hdf5_read.js";
import { parseContract } from "../core/io.js";
import { compose, type Pose, poseToJson, qfromAxes, transformPoint, vec3 } from "../core/math.js";
import type { CameraSpec } from "../core/schemas/camera.js";
import {
  HAND_TRACK_VERSION,
  type HandObservation,
  type HandTrack,
  HandTrackSchema,
} from "../core/schemas/hand_track.js";
import type { CameraTrajectoryData } from "./camera_trajectory.js";

/** EgoDex's capture rate (Hz): one pose per video frame. */
export const EGODEX_FPS = 30;

/** ARKit joint names (without the side prefix) for MediaPipe's 21 keypoints, in MediaPipe order. */
export const MEDIAPIPE_FROM_ARKIT: readonly string[] = [
  "Hand", // 0 wrist
  "ThumbKnuckle", // 1 thumb CMC (3.2 cm from the wrist in the samples)
  "ThumbIntermediateBase", // 2 thumb MCP
  "ThumbIntermediateTip", // 3 thumb IP
  "ThumbTip", // 4
  ...["Index", "Middle", "Ring", "Little"].flatMap((f) =>
    ["Knuckle", "IntermediateBase", "IntermediateTip", "Tip"].map((j) => `${f}Finger${j}`),
  ), // 5–20: MCP, PIP, DIP, tip of index, middle, ring, little
];

/** MediaPipe indices of the wrist and the five finger bases (thumb CMC, index/middle/ring/little MCP). */
const PALM_JOINTS = [0, 1, 5, 9, 13, 17] as const;

/** ARKit's y-up world → egobridge's z-up W: +90° about x. */
const X_W_ARKIT: Pose = { p: vec3(0, 0, 0), q: { x: Math.SQRT1_2, y: 0, z: 0, w: Math.SQRT1_2 } };
const WORLD_FRAME =
  "ARKit world (y up) rotated +90° about x into z up: x_W = x, y_W = −z_ARKit, z_W = y_ARKit";

export interface EgoDexOptions {
  startFrame?: number;
  endFrame?: number;
  stride?: number;
}

/** The poses of a [N, 4, 4] transforms dataset, in W. */
function posesInW(h5: Hdf5Reader, name: string, n?: number): Pose[] {
  const { shape, data } = h5.floats(`transforms/${name}`);
  if (shape.length !== 3 || shape[1] !== 4 || shape[2] !== 4 || (n !== undefined && shape[0] !== n)) {
    throw new InputError(
      `${h5.path}: transforms/${name} has shape [${shape.join(", ")}], expected [${n ?? "N"}, 4, 4]`,
    );
  }
  const out: Pose[] = new Array(shape[0]!);
  for (let i = 0; i < shape[0]!; i++) {
    const m = data.subarray(16 * i, 16 * i + 16);
    if (!m.every(Number.isFinite)) {
      throw new InputError(`${h5.path}: transforms/${name}[${i}] is not finite (NaN or Infinity)`);
    }
    const col = (j: number) => vec3(m[j]!, m[4 + j]!, m[8 + j]!);
    const X_AJ: Pose = { p: col(3), q: qfromAxes(col(0), col(1), col(2)) };
    out[i] = compose(X_W_ARKIT, X_AJ);
  }
  return out;
}

function frameCount(h5: Hdf5Reader): number {
  const { shape } = h5.floats("transforms/camera");
  if (shape.length !== 3 || shape[0]! < 1) {
    throw new InputError(`${h5.path}: transforms/camera has shape [${shape.join(", ")}], expected [N, 4, 4]`);
  }
  return shape[0]!;
}

function intrinsics(h5: Hdf5Reader): CameraSpec {
  const { shape, data: K } = h5.floats("camera/intrinsic");
  if (shape.join("x") !== "3x3" || !K.every(Number.isFinite) || !(K[0]! > 0 && K[4]! > 0)) {
    throw new InputError(`${h5.path}: camera/intrinsic is not a 3×3 pinhole matrix`);
  }
  return {
    format: "egobridge.camera",
    version: 1,
    model: "pinhole",
    // The file does not store the image size; the principal point of EgoDex's K is the image centre.
    widthPx: Math.round(2 * K[2]!),
    heightPx: Math.round(2 * K[5]!),
    fx: K[0]!,
    fy: K[4]!,
    cx: K[2]!,
    cy: K[5]!,
    distortion: [],
    provenance: "dataset",
  };
}

async function withEpisode<T>(file: string, fn: (h5: Hdf5Reader) => T): Promise<T> {
  const h5 = await Hdf5Reader.open(file);
  try {
    if (h5.keys("transforms").length === 0) {
      throw new InputError(`${file} has no /transforms group: not an EgoDex episode`, {
        hint: "EgoDex episodes hold /transforms/<joint>, /confidences/<joint> and /camera/intrinsic",
      });
    }
    return fn(h5);
  } finally {
    h5.close();
  }
}

/** The head camera of an EgoDex episode: intrinsics and its measured pose per frame, in W. */
export function readEgoDexCamera(file: string): Promise<CameraTrajectoryData> {
  return withEpisode(file, (h5) => {
    const poses = posesInW(h5, "camera");
    return {
      camera: intrinsics(h5),
      times: poses.map((_, i) => i / EGODEX_FPS),
      poses,
      info: {
        provenance: "measured",
        source: `egodex:${path.basename(file)}#/transforms/camera`,
        worldFrame: WORLD_FRAME,
      },
      videoStartS: 0,
    };
  });
}

/** The episode's task text: the description EgoDex marks as this episode's (reversible tasks have two). */
function taskText(h5: Hdf5Reader): string | undefined {
  const which = h5.attr("which_llm_description");
  const chosen = which === "2" ? h5.attr("llm_description2") : h5.attr("llm_description");
  return [chosen, h5.attr("description"), h5.attr("task")].find((t) => t && t !== "None");
}

/** Reads an EgoDex episode as a HandTrack (v2: world keypoints of both hands, head camera per frame). */
export function importEgoDexFile(file: string, o: EgoDexOptions = {}): Promise<HandTrack> {
  return withEpisode(file, (h5) => {
    const n = frameCount(h5);
    const start = o.startFrame ?? 0;
    const end = Math.min(o.endFrame ?? n, n);
    const stride = o.stride ?? 1;
    if (start < 0 || start >= end || stride < 1) {
      throw new InputError(
        `frame range ${start}..${end} (stride ${stride}) is empty; the episode has ${n} frames`,
      );
    }
    const camera = posesInW(h5, "camera", n);
    const hands = (["left", "right"] as const).map((side) => {
      const joints = MEDIAPIPE_FROM_ARKIT.map((j) => {
        const name = `${side}${j}`;
        const poses = posesInW(h5, name, n);
        const conf = h5.floats(`confidences/${name}`).data;
        if (conf.length !== n)
          throw new InputError(`${file}: confidences/${name} has ${conf.length} values for ${n} frames`);
        return { poses, conf };
      });
      return { side, joints };
    });
    const frames: HandTrack["frames"] = [];
    for (let i = start; i < end; i += stride) {
      const obs: HandObservation[] = hands.map(({ side, joints }) => {
        const conf = PALM_JOINTS.reduce<number>((s, j) => s + joints[j]!.conf[i]!, 0) / PALM_JOINTS.length;
        return {
          side,
          score: Math.min(1, Math.max(0, Number.isFinite(conf) ? conf : 0)),
          keypointsWorld: joints.map((j) => {
            const p = transformPoint(j.poses[i]!, vec3(0, 0, 0));
            return [p.x, p.y, p.z] as [number, number, number];
          }),
        };
      });
      frames.push({ t: (i - start) / EGODEX_FPS, index: i, hands: obs, X_WC: poseToJson(camera[i]!) });
    }
    const task = taskText(h5);
    const track: HandTrack = {
      format: "egobridge.handtrack",
      version: HAND_TRACK_VERSION,
      source: {
        kind: "egodex",
        uri: file,
        synthetic: false,
        description: [
          `EgoDex episode (Apple Vision Pro, ARKit hand and head tracking) ${path.basename(file)}`,
          `frames ${start}..${end - 1} stride ${stride} of ${n}`,
          "25 ARKit joints per hand → 21 MediaPipe keypoints by name (finger metacarpal joints left out)",
          "hand score = mean ARKit confidence of the wrist and finger bases",
          WORLD_FRAME,
          h5.attr("object") ? `objects: ${h5.attr("object")}` : "",
        ]
          .filter(Boolean)
          .join("; "),
      },
      fps: EGODEX_FPS / stride,
      camera: intrinsics(h5),
      cameraTrajectory: {
        provenance: "measured",
        source: `egodex:${path.basename(file)}#/transforms/camera`,
        worldFrame: WORLD_FRAME,
      },
      ...(task ? { task } : {}),
      frames,
      objects: [],
    };
    return parseContract(HandTrackSchema, track, `hand track imported from ${file}`);
  });
}
