/**
 * Project Aria Machine Perception Services (MPS) output → camera trajectory and `HandTrack`.
 *
 * An MPS folder (projectaria_tools website/docs/data_formats/mps) holds, among others:
 *   trajectory/closed_loop_trajectory.csv   the device pose T_world_device at ~1 kHz:
 *       tracking_timestamp_us, {tx,ty,tz,qx,qy,qz,qw}_world_device (quaternion w LAST),
 *       gravity_{x,y,z}_world (m/s²), graph_uid (which map, i.e. which world frame), …
 *   trajectory/online_calibration.jsonl     one record per line: CameraCalibrations[] with Label,
 *       Projection {Name, Params} and T_Device_Camera {Translation, UnitQuaternion [w, [x, y, z]]}
 *       (w FIRST: the sample's left SLAM camera, which is the device frame, reads [1, [0, 0, 0]])
 *   hand_tracking/hand_tracking_results_v2.csv (or _v1)  one row per tracked frame:
 *       tracking_timestamp_us, {left,right}_tracking_confidence (−1: hand not seen),
 *       t{x,y,z}_{left,right}_landmark_{0..20}_device (m, device frame)
 * Columns are found by name, never by position.
 *
 * Frames: A = the MPS world of one map, D = the device (Aria's left SLAM camera), C = the camera
 * (camera-rgb by default), W = egobridge's world (gravity-aligned, z up): X_WC = X_WA · X_AD · X_DC.
 *
 * Camera axes. A calibrated Aria camera frame is OpenCV's with respect to the image its
 * intrinsics describe (FisheyeRadTanThinPrism maps x/z to columns and y/z to rows with f > 0), so
 * no axis change is needed. That image is the raw sensor image, which is mounted sideways: in the
 * sample, world-up is ≈ −x of the RGB camera frame (image columns run downward), which is why Aria
 * RGB frames are shown rotated 90° clockwise to look upright. Poses and intrinsics here describe
 * the raw image; keypoints extracted from an upright-rotated video live in a camera frame turned
 * 90° about z from this one.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { z } from "zod";
import { InputError } from "../core/errors.js";
import { parseContract } from "../core/io.js";
import {
  add,
  compose,
  cross,
  invert,
  norm,
  POSE_IDENTITY,
  type Pose,
  poseToJson,
  qfromAxisAngle,
  qfromWxyz,
  qfromXyzw,
  qnormalize,
  scale,
  toArray3,
  transformPoint,
  type Vec3,
  vec3,
  ZERO3,
} from "../core/math.js";
import type { CameraSpec } from "../core/schemas/camera.js";
import {
  HAND_TRACK_VERSION,
  type HandFrame,
  type HandTrack,
  HandTrackSchema,
} from "../core/schemas/hand_track.js";
import { type CameraTrajectoryData, cameraPoseAt } from "./camera_trajectory.js";

const TRAJECTORY_CSV = path.join("trajectory", "closed_loop_trajectory.csv");
const CALIBRATION_JSONL = path.join("trajectory", "online_calibration.jsonl");
/** Newest format first; v1 lacks only the palm and wrist normals, which are not read. */
const HAND_TRACKING_CSVS = ["v2", "v1"].map((v) =>
  path.join("hand_tracking", `hand_tracking_results_${v}.csv`),
);

const FOLDER_HINT =
  "give the MPS output folder of one Aria recording: it holds trajectory/closed_loop_trajectory.csv, " +
  "trajectory/online_calibration.jsonl and hand_tracking/hand_tracking_results_v2.csv";

/** The closed-loop trajectory is ~1 kHz; poses are kept at most one per 10 ms (see `readDevicePoses`). */
const MIN_POSE_SPACING_S = 0.01;
/** Mean gravity within this angle of −z counts as already z-up. */
const GRAVITY_ALIGNED_RAD = (0.1 * Math.PI) / 180;

/**
 * Aria's 21 hand landmarks by index (projectaria_tools core/mps/HandTracking.h, enum HandLandmark):
 * fingertips first, wrist 5, palm centre 20.
 */
export const ARIA_HAND_LANDMARKS = [
  "THUMB_FINGERTIP",
  "INDEX_FINGERTIP",
  "MIDDLE_FINGERTIP",
  "RING_FINGERTIP",
  "PINKY_FINGERTIP",
  "WRIST",
  "THUMB_INTERMEDIATE",
  "THUMB_DISTAL",
  "INDEX_PROXIMAL",
  "INDEX_INTERMEDIATE",
  "INDEX_DISTAL",
  "MIDDLE_PROXIMAL",
  "MIDDLE_INTERMEDIATE",
  "MIDDLE_DISTAL",
  "RING_PROXIMAL",
  "RING_INTERMEDIATE",
  "RING_DISTAL",
  "PINKY_PROXIMAL",
  "PINKY_INTERMEDIATE",
  "PINKY_DISTAL",
  "PALM_CENTER",
] as const;
export type AriaHandLandmark = (typeof ARIA_HAND_LANDMARKS)[number];

/**
 * The Aria landmark placed at each MediaPipe keypoint (0..20). Aria names a joint after the bone
 * that starts there (its skeleton runs WRIST → X_PROXIMAL → X_INTERMEDIATE → X_DISTAL → X_FINGERTIP):
 * PROXIMAL is the MCP joint, INTERMEDIATE the PIP, DISTAL the DIP. The thumb has one joint fewer:
 * THUMB_INTERMEDIATE is its MCP, THUMB_DISTAL its IP (in the sample they lie 3.4 cm and 2.5 cm
 * from the next joint: the thumb's proximal and distal phalanges).
 * SUBSTITUTE: Aria has no thumb CMC; keypoint 1 gets a copy of Aria's WRIST, the nearest landmark
 * it measures (so the bone 0–1 has zero length). PALM_CENTER has no MediaPipe slot and is unused.
 */
export const MEDIAPIPE_FROM_ARIA: readonly AriaHandLandmark[] = [
  "WRIST", // 0 wrist
  "WRIST", // 1 thumb CMC (substitute, see above)
  "THUMB_INTERMEDIATE", // 2 thumb MCP
  "THUMB_DISTAL", // 3 thumb IP
  "THUMB_FINGERTIP", // 4 thumb tip
  "INDEX_PROXIMAL", // 5 index MCP
  "INDEX_INTERMEDIATE", // 6 index PIP
  "INDEX_DISTAL", // 7 index DIP
  "INDEX_FINGERTIP", // 8 index tip
  "MIDDLE_PROXIMAL", // 9
  "MIDDLE_INTERMEDIATE", // 10
  "MIDDLE_DISTAL", // 11
  "MIDDLE_FINGERTIP", // 12
  "RING_PROXIMAL", // 13
  "RING_INTERMEDIATE", // 14
  "RING_DISTAL", // 15
  "RING_FINGERTIP", // 16
  "PINKY_PROXIMAL", // 17
  "PINKY_INTERMEDIATE", // 18
  "PINKY_DISTAL", // 19
  "PINKY_FINGERTIP", // 20
];

const LANDMARK_NOTE =
  "Aria's 21 landmarks mapped by name to MediaPipe's order; SUBSTITUTED: keypoint 1 (thumb CMC), which " +
  "Aria does not track, is a copy of Aria's WRIST; Aria's PALM_CENTER is unused";

/**
 * Image sizes of Aria Gen1 cameras by calibration label. The calibration holds no image size: the
 * one whose centre is within 5% of the principal point is taken (camera-rgb: 2880×2880 full
 * resolution or 1408×1408 binned; the sample's cx, cy = 1461, 1447 give 2880).
 */
const ARIA_IMAGE_SIZES_PX: Readonly<Record<string, readonly (readonly [number, number])[]>> = {
  "camera-rgb": [
    [2880, 2880],
    [1408, 1408],
  ],
  "camera-slam-left": [[640, 480]],
  "camera-slam-right": [[640, 480]],
};

// ---------------------------------------------------------------------------------------------
// Camera trajectory

/**
 * The trajectory of an Aria camera (`camera-rgb` unless `cameraLabel` says otherwise) from an MPS
 * folder: closed-loop device poses composed with the camera's calibrated mounting, in a gravity-
 * aligned z-up W, and the camera's intrinsics when Aria's FisheyeRadTanThinPrism model and the
 * image size are known (`fisheye624`), else `camera` is undefined.
 */
export async function readAriaMpsCamera(
  folder: string,
  o: { cameraLabel?: string } = {},
): Promise<CameraTrajectoryData> {
  return (await readAriaTrajectory(folder, o.cameraLabel ?? "camera-rgb")).trajectory;
}

async function readAriaTrajectory(
  folder: string,
  label: string,
): Promise<{ trajectory: CameraTrajectoryData; X_DC: Pose }> {
  await requireFolder(folder);
  const calibration = await readCameraCalibration(path.join(folder, CALIBRATION_JSONL), label);
  const device = await readDevicePoses(path.join(folder, TRAJECTORY_CSV));
  const { X_WA, worldFrame } = gravityAlignment(device, path.join(folder, TRAJECTORY_CSV));
  const trajectory: CameraTrajectoryData = {
    ...(calibration.camera && { camera: calibration.camera }),
    times: device.times,
    poses: device.X_AD.map((X_AD) => compose(compose(X_WA, X_AD), calibration.X_DC)),
    info: {
      provenance: "measured",
      source: `aria-mps:${path.basename(path.resolve(folder))}/trajectory/closed_loop_trajectory.csv`,
      worldFrame,
    },
  };
  return { trajectory, X_DC: calibration.X_DC };
}

interface DevicePoses {
  times: number[];
  X_AD: Pose[];
  /** Mean of the gravity_*_world columns over all rows (m/s², in A). */
  gravity_A: Vec3;
  rows: number;
  graphUid: string | undefined;
}

const TRAJECTORY_COLUMNS = [
  "tracking_timestamp_us",
  ...["tx", "ty", "tz", "qx", "qy", "qz", "qw"].map((c) => `${c}_world_device`),
  ...["x", "y", "z"].map((a) => `gravity_${a}_world`),
];

/**
 * Streams the closed-loop trajectory. Poses are kept at most one per `MIN_POSE_SPACING_S` (plus the
 * last row, so the span ends where the file does): a 1 kHz file of an hour would otherwise hold
 * 3.6 M poses, and head motion within 10 ms is well within what `cameraPoseAt` interpolates.
 */
async function readDevicePoses(file: string): Promise<DevicePoses> {
  const times: number[] = [];
  const X_AD: Pose[] = [];
  let gravitySum = ZERO3;
  let graphUid: string | undefined;
  let skipped: { t: number; X: Pose } | undefined;
  let lastT = Number.NEGATIVE_INFINITY;
  const rows = await forEachCsvRow(file, TRAJECTORY_COLUMNS, (row) => {
    const t = row.num("tracking_timestamp_us") / 1e6;
    if (!(t > lastT)) throw row.error("tracking_timestamp_us", "timestamps must increase strictly");
    lastT = t;
    // Each map (graph_uid) has its own world frame: poses of two maps cannot share one W.
    if (row.has("graph_uid")) {
      const g = row.text("graph_uid");
      graphUid ??= g;
      if (g !== graphUid) {
        const hint = "import the part of the recording that one map covers (the rows of one graph_uid)";
        throw row.error("graph_uid", `the trajectory switches from map ${graphUid} to ${g}`, { hint });
      }
    }
    gravitySum = add(
      gravitySum,
      vec3(row.num("gravity_x_world"), row.num("gravity_y_world"), row.num("gravity_z_world")),
    );
    const q = ["qx", "qy", "qz", "qw"].map((c) => row.num(`${c}_world_device`));
    const qn = Math.hypot(...q);
    if (Math.abs(qn - 1) > 1e-2)
      throw row.error("qw_world_device", `quaternion norm ${qn.toFixed(4)}, not 1`);
    const X: Pose = {
      p: vec3(row.num("tx_world_device"), row.num("ty_world_device"), row.num("tz_world_device")),
      q: qnormalize(qfromXyzw(q)),
    };
    if (times.length === 0 || t - times[times.length - 1]! >= MIN_POSE_SPACING_S) {
      times.push(t);
      X_AD.push(X);
      skipped = undefined;
    } else {
      skipped = { t, X };
    }
  });
  if (skipped) {
    times.push(skipped.t);
    X_AD.push(skipped.X);
  }
  return { times, X_AD, gravity_A: scale(gravitySum, 1 / rows), rows, graphUid };
}

/** X_WA: the identity when A's gravity already points along −z, else the smallest rotation making it so. */
function gravityAlignment(device: DevicePoses, file: string): { X_WA: Pose; worldFrame: string } {
  const g = device.gravity_A;
  const gNorm = norm(g);
  const given = `gravity_{x,y,z}_world (mean of ${device.rows} rows) = (${[g.x, g.y, g.z].map((v) => v.toFixed(3)).join(", ")}) m/s²`;
  if (!(gNorm > 1)) {
    throw new InputError(`${file}: ${given}, not a gravity vector: cannot tell which way is up`, {
      hint: "MPS closed-loop trajectories state gravity in every row (0, 0, -9.81); is this file complete?",
    });
  }
  const map = device.graphUid ? ` (map ${device.graphUid})` : "";
  const angle = Math.acos(Math.min(1, Math.max(-1, -g.z / gNorm)));
  if (angle < GRAVITY_ALIGNED_RAD) {
    return {
      X_WA: POSE_IDENTITY,
      worldFrame: `Aria MPS closed-loop world${map} used as is: ${given} is along -z, so z is up; origin and heading as MPS chose them`,
    };
  }
  const axis = cross(g, vec3(0, 0, -1)); // rotation axis taking ĝ onto −z (x when they are opposite)
  const q = qfromAxisAngle(norm(axis) > 1e-9 ? axis : vec3(1, 0, 0), angle);
  return {
    X_WA: { p: ZERO3, q },
    worldFrame: `Aria MPS closed-loop world${map} rotated by ${((angle * 180) / Math.PI).toFixed(2)}° (the smallest rotation taking ${given} onto -z), so z is up; origin and heading as MPS chose them`,
  };
}

const vec3Json = z.tuple([z.number(), z.number(), z.number()]);
/** One entry of an online-calibration record's CameraCalibrations (fields not read are allowed). */
const AriaCameraCalibrationSchema = z.object({
  Label: z.string(),
  Projection: z.object({ Name: z.string(), Params: z.array(z.number()) }),
  T_Device_Camera: z.object({ Translation: vec3Json, UnitQuaternion: z.tuple([z.number(), vec3Json]) }),
});
const OnlineCalibrationRecordSchema = z.object({ CameraCalibrations: z.array(z.unknown()) });

/**
 * The camera's mounting X_DC and intrinsics from the online calibration. MPS re-estimates it along
 * the recording (one record per ~0.1 s); the changes are far below what hand keypoints resolve (nil
 * in the sample), so the middle record stands for the whole recording.
 */
async function readCameraCalibration(
  file: string,
  label: string,
): Promise<{ X_DC: Pose; camera?: CameraSpec }> {
  await requireFile(file);
  const lines = (await fs.readFile(file, "utf8").catch(cannotRead(file)))
    .split(/\r?\n/)
    .flatMap((text, i) => (text.trim() ? [{ text, line: i + 1 }] : []));
  if (lines.length === 0)
    throw new InputError(`${file} is empty: expected one JSON calibration record per line`, {
      hint: FOLDER_HINT,
    });
  const { text, line } = lines[Math.floor(lines.length / 2)]!;
  const where = `${file}:${line}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${where}: not valid JSON (truncated or corrupted?): ${(err as Error).message}`, {
      hint: FOLDER_HINT,
    });
  }
  const record = parseContract(OnlineCalibrationRecordSchema, json, `online calibration record (${where})`);
  const labels = record.CameraCalibrations.map((c) => (c as { Label?: unknown }).Label);
  const entry = record.CameraCalibrations[labels.indexOf(label)];
  if (entry === undefined) {
    throw new InputError(`${where}: no camera labelled '${label}' (cameras: ${labels.join(", ")})`, {
      hint: "give one of the labels listed as the camera label",
    });
  }
  const cam = parseContract(AriaCameraCalibrationSchema, entry, `calibration of ${label} (${where})`);
  const [w, xyz] = cam.T_Device_Camera.UnitQuaternion;
  const X_DC: Pose = {
    p: vec3(...cam.T_Device_Camera.Translation),
    q: qnormalize(qfromWxyz([w, ...xyz])),
  };
  const camera = fisheye624Spec(cam.Projection, label);
  return camera ? { X_DC, camera } : { X_DC };
}

/**
 * Aria's Fisheye624 parameters [f, cx, cy, k0..k5, p0, p1, s0..s3] as a CameraSpec, or undefined for
 * another projection model or when the image size cannot be told (see ARIA_IMAGE_SIZES_PX). The
 * principal point is kept as given (Aria puts pixel centres at integers, egobridge at +0.5: a half
 * pixel, far below what hand keypoints resolve).
 */
function fisheye624Spec(
  projection: { Name: string; Params: number[] },
  label: string,
): CameraSpec | undefined {
  if (projection.Name !== "FisheyeRadTanThinPrism" || projection.Params.length !== 15) return undefined;
  const [f, cx, cy, ...distortion] = projection.Params as [number, number, number, ...number[]];
  const size = (ARIA_IMAGE_SIZES_PX[label] ?? []).find(
    ([w, h]) => Math.abs(cx - w / 2) < 0.05 * w && Math.abs(cy - h / 2) < 0.05 * h,
  );
  if (!size) return undefined;
  return {
    format: "egobridge.camera",
    version: 1,
    model: "fisheye624",
    widthPx: size[0],
    heightPx: size[1],
    fx: f,
    fy: f,
    cx,
    cy,
    distortion,
    provenance: "calibrated",
  };
}

// ---------------------------------------------------------------------------------------------
// Hand tracking

type Side = "left" | "right";
const SIDES: readonly Side[] = ["left", "right"];

interface HandRow {
  /** Device time (s). */
  t: number;
  hands: { side: Side; score: number; p_D: Vec3[] }[];
}

const landmarkColumn = (axis: string, side: Side, name: AriaHandLandmark): string =>
  `t${axis}_${side}_landmark_${ARIA_HAND_LANDMARKS.indexOf(name)}_device`;

const HAND_COLUMNS = [
  "tracking_timestamp_us",
  ...SIDES.flatMap((side) => [
    `${side}_tracking_confidence`,
    ...ARIA_HAND_LANDMARKS.flatMap((name) => ["x", "y", "z"].map((a) => landmarkColumn(a, side, name))),
  ]),
];

/**
 * Imports MPS hand tracking as a HandTrack: per row (time = tracking_timestamp_us / 1e6 s, device
 * time), each hand with confidence ≥ 0 (score = confidence), its landmarks in MediaPipe order
 * (MEDIAPIPE_FROM_ARIA) as `keypointsCam` in the camera-rgb frame, and, for rows the closed-loop
 * trajectory covers, `keypointsWorld` and the frame's camera pose `X_WC` (the track then carries
 * `cameraTrajectory`). Rows outside the trajectory (e.g. before SLAM starts) are dropped when some
 * rows are inside it; when none is, all rows are kept with camera-frame keypoints only, and the
 * track cannot be placed in W (retargeting refuses it). Nothing is printed: what was substituted,
 * dropped or left unplaced is written in `source.description`.
 *
 * `handTracking`: the hand-tracking CSV to read instead of `<folder>/hand_tracking/
 * hand_tracking_results_v2.csv` (or `_v1.csv` when v2 is absent).
 */
export async function importAriaMps(folder: string, o: { handTracking?: string } = {}): Promise<HandTrack> {
  await requireFolder(folder);
  const file = o.handTracking ?? (await findHandTrackingCsv(folder));
  const rows = await readHandRows(file);
  const { trajectory, X_DC } = await readAriaTrajectory(folder, "camera-rgb");
  const X_CD = invert(X_DC);
  const X_WC = rows.map((r) => cameraPoseAt(trajectory, r.t));
  const placed = X_WC.filter((X) => X !== null).length;
  const frames: HandFrame[] = [];
  rows.forEach((r, index) => {
    const X = X_WC[index]!;
    if (placed > 0 && !X) return;
    frames.push({
      t: r.t,
      index,
      hands: r.hands.map((h) => {
        const p_C = h.p_D.map((p) => transformPoint(X_CD, p));
        return {
          side: h.side,
          score: h.score,
          keypointsCam: p_C.map(toArray3),
          ...(X && { keypointsWorld: p_C.map((p) => toArray3(transformPoint(X, p))) }),
        };
      }),
      ...(X && { X_WC: poseToJson(X) }),
    });
  });
  const observed = rows.reduce((n, r) => n + r.hands.length, 0);
  const description = [
    `Project Aria MPS hand tracking ${path.basename(file)}: ${rows.length} rows, ${observed} hand observations`,
    LANDMARK_NOTE,
    `keypointsCam in the camera-rgb frame (raw sensor image orientation)`,
    placementNote(rows, placed, trajectory),
  ].join("; ");
  const track: HandTrack = {
    format: "egobridge.handtrack",
    version: HAND_TRACK_VERSION,
    source: { kind: "aria-mps", uri: folder, synthetic: false, description },
    fps: medianRate(rows.map((r) => r.t)),
    ...(trajectory.camera && { camera: trajectory.camera }),
    ...(placed > 0 && { cameraTrajectory: trajectory.info }),
    frames,
    objects: [],
  };
  return parseContract(HandTrackSchema, track, `Aria MPS hand track (${file})`);
}

function placementNote(rows: HandRow[], placed: number, trajectory: CameraTrajectoryData): string {
  const span = (a: number, b: number) => `${a.toFixed(3)}..${b.toFixed(3)} s`;
  const trajSpan = span(trajectory.times[0]!, trajectory.times[trajectory.times.length - 1]!);
  if (placed === rows.length)
    return `every row lies within the closed-loop trajectory (${trajSpan}): X_WC and keypointsWorld per frame`;
  if (placed > 0)
    return `${rows.length - placed} rows outside the closed-loop trajectory (${trajSpan}) were DROPPED; the others have X_WC and keypointsWorld`;
  return `NOT PLACED IN THE WORLD: the rows (${span(rows[0]!.t, rows[rows.length - 1]!.t)}) lie outside the closed-loop trajectory (${trajSpan}), so frames carry camera-frame keypoints only and the track cannot be retargeted`;
}

async function findHandTrackingCsv(folder: string): Promise<string> {
  for (const name of HAND_TRACKING_CSVS) {
    const file = path.join(folder, name);
    if (await isFile(file)) return file;
  }
  throw new InputError(`no MPS hand tracking in ${folder}: looked for ${HAND_TRACKING_CSVS.join(" and ")}`, {
    hint: FOLDER_HINT,
  });
}

async function readHandRows(file: string): Promise<HandRow[]> {
  const rows: HandRow[] = [];
  await forEachCsvRow(file, HAND_COLUMNS, (row) => {
    const t = row.num("tracking_timestamp_us") / 1e6;
    const last = rows[rows.length - 1];
    if (last && !(t > last.t)) throw row.error("tracking_timestamp_us", "timestamps must increase strictly");
    const hands: HandRow["hands"] = [];
    for (const side of SIDES) {
      const score = row.num(`${side}_tracking_confidence`);
      if (score < 0) continue; // −1: the hand was not seen (its landmark columns are not read)
      const p_D = MEDIAPIPE_FROM_ARIA.map((name) =>
        vec3(
          ...(["x", "y", "z"].map((a) => row.num(landmarkColumn(a, side, name))) as [number, number, number]),
        ),
      );
      hands.push({ side, score, p_D });
    }
    rows.push({ t, hands });
  });
  if (rows.length < 2) {
    throw new InputError(`${file} has one row: a hand track needs at least two to know its frame rate`, {
      hint: FOLDER_HINT,
    });
  }
  return rows;
}

/** 1 / the median interval between successive times (Hz). */
function medianRate(times: number[]): number {
  const dt = times.slice(1).map((t, i) => t - times[i]!);
  dt.sort((a, b) => a - b);
  const mid = dt.length >> 1;
  return 1 / (dt.length % 2 ? dt[mid]! : (dt[mid - 1]! + dt[mid]!) / 2);
}

// ---------------------------------------------------------------------------------------------
// Files and CSV

async function isFile(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => null))?.isFile() ?? false;
}

async function requireFolder(folder: string): Promise<void> {
  const stat = await fs.stat(folder).catch(() => null);
  if (!stat) throw new InputError(`Aria MPS folder not found: ${folder}`, { hint: FOLDER_HINT });
  if (!stat.isDirectory())
    throw new InputError(`expected an Aria MPS folder, got a file: ${folder}`, { hint: FOLDER_HINT });
}

/** A `.catch` handler turning an OS error on reading `file` (permissions, I/O) into an InputError. */
const cannotRead =
  (file: string) =>
  (err: Error): never => {
    throw new InputError(`cannot read ${file}: ${err.message}`, { hint: "check the file's permissions" });
  };

async function requireFile(file: string): Promise<void> {
  const stat = await fs.stat(file).catch(() => null);
  if (!stat) throw new InputError(`file not found: ${file}`, { hint: FOLDER_HINT });
  if (!stat.isFile())
    throw new InputError(`expected a file, got a directory: ${file}`, { hint: FOLDER_HINT });
}

/** One data row of a CSV file, read by column name; errors name the file, line and column. */
interface CsvRow {
  line: number;
  has(column: string): boolean;
  text(column: string): string;
  /** The column's value as a finite number (an empty field is not a number). */
  num(column: string): number;
  error(column: string, problem: string, o?: { hint?: string }): InputError;
}

/**
 * Streams a comma-separated file line by line (node:readline): a header line naming the columns,
 * which must include `required`, then data rows with as many fields as the header. Blank lines are
 * skipped. Returns the number of data rows; an empty file or one without rows is an InputError.
 */
async function forEachCsvRow(
  file: string,
  required: readonly string[],
  onRow: (row: CsvRow) => void,
): Promise<number> {
  await requireFile(file);
  const handle = await fs.open(file).catch(cannotRead(file));
  const lines = readline.createInterface({
    input: handle.createReadStream(),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let columns: Map<string, number> | undefined;
  let width = 0;
  let lineNo = 0;
  let rows = 0;
  try {
    for await (const text of lines) {
      lineNo++;
      if (text.trim() === "") continue;
      const fields = text.split(",");
      if (!columns) {
        columns = new Map(fields.map((name, i) => [name.trim(), i]));
        width = fields.length;
        const missing = required.filter((c) => !columns!.has(c));
        if (missing.length > 0) {
          const more = missing.length > 3 ? ` and ${missing.length - 3} more` : "";
          throw new InputError(
            `${file}:${lineNo}: the header lacks ${missing.slice(0, 3).join(", ")}${more}`,
            {
              hint: `is this an Aria MPS ${path.basename(file)}? ${FOLDER_HINT}`,
            },
          );
        }
        continue;
      }
      if (fields.length !== width) {
        throw new InputError(
          `${file}:${lineNo}: ${fields.length} fields where the header has ${width} (a truncated or corrupted line)`,
          { hint: "re-export or re-download the MPS output" },
        );
      }
      onRow(csvRow(file, lineNo, columns, fields));
      rows++;
    }
  } finally {
    lines.close();
    await handle.close();
  }
  if (!columns)
    throw new InputError(`${file} is empty: expected a CSV header line and rows`, { hint: FOLDER_HINT });
  if (rows === 0) throw new InputError(`${file} has a header but no rows`, { hint: FOLDER_HINT });
  return rows;
}

function csvRow(file: string, line: number, columns: Map<string, number>, fields: string[]): CsvRow {
  const error = (column: string, problem: string, o: { hint?: string } = {}) =>
    new InputError(`${file}:${line}: column '${column}': ${problem}`, {
      hint: o.hint ?? "the file is corrupted or not an Aria MPS output; re-export it",
    });
  const text = (column: string): string => {
    const i = columns.get(column);
    if (i === undefined) throw error(column, "no such column in the header");
    return fields[i]!.trim();
  };
  return {
    line,
    has: (column) => columns.has(column),
    text,
    num: (column) => {
      const raw = text(column);
      const v = raw === "" ? Number.NaN : Number(raw);
      if (!Number.isFinite(v)) throw error(column, `'${raw.slice(0, 40)}' is not a number`);
      return v;
    },
    error,
  };
}
