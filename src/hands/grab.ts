/**
 * GRAB importer: MoCap right-hand joints and the grasped object's pose → `HandTrack`.
 *
 * GRAB (Taheri et al. 2020, grab.is.tue.mpg.de) records MANO hands and objects at 120 Hz in a
 * world frame W with z up, in metres. The files read here are the t800_retargeting exports
 * (`data/grab/s1/*.pkl`, `data/apple/*.pkl`) as JSON (see the asset folder's SOURCE.txt).
 *
 * Layout (a), one file per sequence (`cylindersmall_lift.json`):
 *   data.hand.joints_target  (N, 21, 3)  MANO joints in W — used. (`joints_to_retarget` is
 *                                        wrist-centred and rotated into the retargeter's frame.)
 *   data.object.name         string
 *   data.object.loc          (N, 3)      object origin in W
 *   data.object.rot          (N, 4)      object rotation, scalar-first [w, x, y, z] (scipy)
 * Layout (b), the `apple_lift_frames200-300` pair (process_grab_data.py):
 *   <prefix>_hand_glob_poses.json  data.joints_seq (N, 21, 3) MANO joints in W (= MANO joints + transl)
 *   <prefix>_object_poses.json     data.name, data.tran_seq (N, 3), data.rot_seq (N, 4) [w, x, y, z]
 * Checked on the data: in (b) joints_seq[i][0] equals the hand's tran_seq and the fingertips sit
 * 41–57 mm from the apple's centre while it is held, so hand and object share W.
 * `<prefix>_human_hand_joints.json` is wrist-centred (no world frame) and is refused.
 *
 * MANO's 21-joint order (manopth) is MediaPipe's order, so joints are copied as they are.
 */
import path from "node:path";
import { InputError } from "../core/errors.js";
import { parseContract, readJson } from "../core/io.js";
import { qfromWxyz, qnormalize, qtoXyzw } from "../core/math.js";
import {
  HAND_TRACK_VERSION,
  type HandTrack,
  HandTrackSchema,
  type ObjectShape,
} from "../core/schemas/hand_track.js";

/** GRAB's native capture rate (Hz). */
export const GRAB_FPS = 120;

export interface GrabObjectInfo {
  /** In the object's local frame, centred on the pose's origin. */
  shape: ObjectShape;
  /** Where the shape comes from, for whoever has to trust it. */
  shapeSource: string;
  massKg: number;
}

/** Shapes of the GRAB objects in the shipped sequences, by GRAB object name. */
export const GRAB_OBJECTS: Readonly<Record<string, GrabObjectInfo>> = Object.freeze({
  apple: {
    shape: { kind: "ellipsoid", radiiM: [0.04338, 0.04095, 0.0547], capZ: 0.9 },
    shapeSource:
      "GRAB apple mesh (object_meshes/apple.ply): axis-aligned bounds 0.0868 x 0.0819 x 0.0985 m, centred on the " +
      "mesh origin. Modelled as an ellipsoid with those x/y half-extents whose ends are flat caps at z = ±0.0492 m " +
      "(z semi-axis 0.0547, capZ 0.9): an apple rests on its flattened ends, a plain ellipsoid would balance on its " +
      "tip and roll. Consistent with the data: resting upright, its centre is 0.0492 m above the table top. " +
      "Mass: estimate for an apple of this size.",
    massKg: 0.2,
  },
  cylindersmall: {
    shape: { kind: "cylinder", radiusM: 0.02, heightM: 0.04 },
    shapeSource:
      "No GRAB mesh shipped; estimated from the sequences. Axis along the object's local z. Standing, its centre " +
      "rests 20.4 mm above the table top (table origin + 4.6 mm, the offset the apple mesh gives) => height 0.04 m; " +
      "lying on its side (cylindersmall_lift frames ~1276-1396, 1540-1600) the centre rests only 0.4 mm lower, so " +
      "radius ~ height / 2 = 0.02 m. Fingertip joints (MANO tip skin vertices) sit 21-23 mm from the axis in the " +
      "side grasp of cylindersmall_pass_1 and 19-21 mm from the centre along the axis in the end-cap pinches of " +
      "cylindersmall_lift. Mass: estimate (a solid 3D-printed part of this size weighs ~0.06 kg; 0.1 kg is " +
      "conservative for grasp checks).",
    massKg: 0.1,
  },
});

/** Frames keep their source index and time (t = index / 120), so a clip lines up with the whole sequence. */
export interface GrabImportOptions {
  /** First source frame to import (default 0). */
  startFrame?: number;
  /** One past the last source frame to import (default: all). */
  endFrame?: number;
  /** Keep every `stride`-th frame (default 1); the track's fps becomes 120 / stride. */
  stride?: number;
  /** Object shapes by name (default GRAB_OBJECTS). */
  objects?: Readonly<Record<string, GrabObjectInfo>>;
}

/** The arrays a track is built from, with the field names used in error messages. */
interface GrabArrays {
  joints: unknown[];
  jointsField: string;
  objectName: string;
  objectLoc: unknown[];
  objectLocField: string;
  objectRot: unknown[];
  objectRotField: string;
  description: string;
}

/** Imports layout (a): one t800_retargeting GRAB sequence (`data.hand`, `data.object`). */
export function importGrab(json: unknown, uri: string, opts: GrabImportOptions = {}): HandTrack {
  const data = field(record(json, uri, "(root)"), "data", uri, "");
  const root = record(data, uri, "data");
  if (!("hand" in root) && "joints_seq" in root) {
    fail(
      uri,
      "data",
      "is a hand_glob_poses file (layout b): import it with importGrabFile or importGrabSplit",
    );
  }
  const hand = record(field(root, "hand", uri, "data"), uri, "data.hand");
  const object = record(field(root, "object", uri, "data"), uri, "data.object");
  return buildTrack(
    {
      joints: array(field(hand, "joints_target", uri, "data.hand"), uri, "data.hand.joints_target"),
      jointsField: "data.hand.joints_target",
      objectName: name(object, uri, "data.object"),
      objectLoc: array(field(object, "loc", uri, "data.object"), uri, "data.object.loc"),
      objectLocField: "data.object.loc",
      objectRot: array(field(object, "rot", uri, "data.object"), uri, "data.object.rot"),
      objectRotField: "data.object.rot",
      description: `GRAB subject s1, ${path.basename(uri)}: right hand (MANO joints_target, world frame)`,
    },
    uri,
    opts,
  );
}

/** A parsed JSON document and where it came from (for error messages and `source.uri`). */
export interface GrabDocument {
  json: unknown;
  uri: string;
}

/**
 * Imports layout (b): a `*_hand_glob_poses.json` document and its `*_object_poses.json` partner.
 * The track's `source.uri` is the hand document's.
 */
export function importGrabSplit(
  hand: GrabDocument,
  object: GrabDocument,
  opts: GrabImportOptions = {},
): HandTrack {
  const h = record(field(record(hand.json, hand.uri, "(root)"), "data", hand.uri, ""), hand.uri, "data");
  const o = record(
    field(record(object.json, object.uri, "(root)"), "data", object.uri, ""),
    object.uri,
    "data",
  );
  const jointsField = "data.joints_seq";
  const objects = {
    loc: `${path.basename(object.uri)} data.tran_seq`,
    rot: `${path.basename(object.uri)} data.rot_seq`,
  };
  return buildTrack(
    {
      joints: array(field(h, "joints_seq", hand.uri, "data"), hand.uri, jointsField),
      jointsField,
      objectName: name(o, object.uri, "data"),
      objectLoc: array(field(o, "tran_seq", object.uri, "data"), object.uri, "data.tran_seq"),
      objectLocField: objects.loc,
      objectRot: array(field(o, "rot_seq", object.uri, "data"), object.uri, "data.rot_seq"),
      objectRotField: objects.rot,
      description: `GRAB, ${path.basename(hand.uri)}: right hand (MANO joints_seq, world frame)`,
    },
    hand.uri,
    opts,
  );
}

const HAND_GLOB_SUFFIX = "hand_glob_poses.json";
const OBJECT_POSES_SUFFIX = "object_poses.json";
const WRIST_CENTRED_SUFFIX = "human_hand_joints.json";

/**
 * Imports a GRAB JSON file of either layout. For layout (b) pass either file of the pair; the
 * other is found beside it by name (`<prefix>hand_glob_poses.json` / `<prefix>object_poses.json`).
 */
export async function importGrabFile(file: string, opts: GrabImportOptions = {}): Promise<HandTrack> {
  const base = path.basename(file);
  if (base.endsWith(WRIST_CENTRED_SUFFIX)) {
    const prefix = base.slice(0, -WRIST_CENTRED_SUFFIX.length);
    throw new InputError(
      `${file}: wrist-centred, aligned joints with no world frame and no object; cannot make a GRAB hand track`,
      { hint: `import ${path.join(path.dirname(file), prefix + HAND_GLOB_SUFFIX)} instead` },
    );
  }
  const pair = splitPair(file);
  if (pair !== undefined) {
    const [handJson, objectJson] = await Promise.all([readJson(pair.hand), readJson(pair.object)]);
    return importGrabSplit({ json: handJson, uri: pair.hand }, { json: objectJson, uri: pair.object }, opts);
  }
  return importGrab(await readJson(file), file, opts);
}

function splitPair(file: string): { hand: string; object: string } | undefined {
  const dir = path.dirname(file);
  const base = path.basename(file);
  for (const [suffix, other] of [
    [HAND_GLOB_SUFFIX, OBJECT_POSES_SUFFIX],
    [OBJECT_POSES_SUFFIX, HAND_GLOB_SUFFIX],
  ] as const) {
    if (base.endsWith(suffix)) {
      const sibling = path.join(dir, base.slice(0, -suffix.length) + other);
      return suffix === HAND_GLOB_SUFFIX ? { hand: file, object: sibling } : { hand: sibling, object: file };
    }
  }
  return undefined;
}

function buildTrack(a: GrabArrays, uri: string, opts: GrabImportOptions): HandTrack {
  const table = opts.objects ?? GRAB_OBJECTS;
  const info = table[a.objectName];
  if (info === undefined) {
    const known = Object.keys(table).sort().join(", ");
    throw new InputError(`${uri}: unknown GRAB object '${a.objectName}' (known: ${known})`, {
      hint: "add its shape to GRAB_OBJECTS or pass it in the `objects` option",
    });
  }
  const n = a.joints.length;
  if (n === 0) fail(uri, a.jointsField, "is empty: the sequence has no frames");
  for (const [arr, fieldName] of [
    [a.objectLoc, a.objectLocField],
    [a.objectRot, a.objectRotField],
  ] as const) {
    if (arr.length !== n)
      fail(uri, fieldName, `has ${arr.length} entries but ${a.jointsField} has ${n} frames`);
  }
  const sources = frameIndices(n, opts, uri);
  const frames = sources.map((s) => ({
    t: s / GRAB_FPS,
    index: s,
    hands: [
      {
        side: "right" as const,
        score: 1,
        keypointsWorld: keypoints(a.joints[s], uri, `${a.jointsField}[${s}]`),
      },
    ],
  }));
  const poses = sources.map((s) => ({
    pos: vector(a.objectLoc[s], 3, uri, `${a.objectLocField}[${s}]`) as [number, number, number],
    quatXyzw: quatXyzwFromWxyz(a.objectRot[s], uri, `${a.objectRotField}[${s}]`),
  }));
  const stride = opts.stride ?? 1;
  const track = {
    format: "egobridge.handtrack",
    version: HAND_TRACK_VERSION,
    source: {
      kind: "grab",
      uri,
      synthetic: false,
      description: `${a.description} with ${a.objectName}; source frames ${sources[0]}..${sources.at(-1)} step ${stride} at ${GRAB_FPS} Hz`,
    },
    fps: GRAB_FPS / stride,
    frames,
    objects: [
      { name: a.objectName, shape: info.shape, shapeSource: info.shapeSource, massKg: info.massKg, poses },
    ],
  };
  return parseContract(HandTrackSchema, track, `GRAB hand track (${uri})`);
}

/** Source frame indices selected by start/end/stride; rejects ranges that do not fit the file. */
function frameIndices(n: number, opts: GrabImportOptions, uri: string): number[] {
  const start = opts.startFrame ?? 0;
  const end = opts.endFrame ?? n;
  const stride = opts.stride ?? 1;
  const ok =
    Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(stride) && stride >= 1 && start >= 0;
  if (!ok || start >= end || end > n) {
    throw new InputError(
      `${uri}: frame range startFrame=${start}, endFrame=${end}, stride=${stride} does not fit a sequence of ${n} frames`,
      { hint: `use integers with 0 <= startFrame < endFrame <= ${n} and stride >= 1` },
    );
  }
  const out: number[] = [];
  for (let s = start; s < end; s += stride) out.push(s);
  return out;
}

/** Scalar-first [w, x, y, z] → unit [x, y, z, w]; refuses what is clearly not a rotation. */
function quatXyzwFromWxyz(v: unknown, uri: string, at: string): [number, number, number, number] {
  const wxyz = vector(v, 4, uri, at);
  const normValue = Math.hypot(...wxyz);
  // scipy writes unit quaternions, rounded to 1e-6 in the JSON; far from 1 means a corrupt file.
  if (Math.abs(normValue - 1) > 1e-2) fail(uri, at, `is not a unit quaternion (norm ${normValue})`);
  return qtoXyzw(qnormalize(qfromWxyz(wxyz)));
}

function keypoints(v: unknown, uri: string, at: string): [number, number, number][] {
  const rows = array(v, uri, at);
  if (rows.length !== 21) fail(uri, at, `must hold 21 joints of [x, y, z], got ${rows.length}`);
  return rows.map((row, k) => vector(row, 3, uri, `${at}[${k}]`) as [number, number, number]);
}

function vector(v: unknown, length: number, uri: string, at: string): number[] {
  const items = array(v, uri, at);
  if (items.length !== length) fail(uri, at, `must hold ${length} numbers, got ${items.length}`);
  for (const [k, x] of items.entries()) {
    // JSON has no NaN: a dropped sample usually arrives as null; in memory it may be NaN itself.
    if (typeof x !== "number" || !Number.isFinite(x)) {
      fail(uri, `${at}[${k}]`, `must be a finite number, got ${x === null ? "null" : String(x)}`);
    }
  }
  return items as number[];
}

function array(v: unknown, uri: string, at: string): unknown[] {
  if (!Array.isArray(v)) fail(uri, at, `must be an array, got ${describe(v)}`);
  return v;
}

function record(v: unknown, uri: string, at: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    fail(uri, at, `must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function field(obj: Record<string, unknown>, key: string, uri: string, at: string): unknown {
  if (!(key in obj)) fail(uri, at === "" ? key : `${at}.${key}`, "is missing");
  return obj[key];
}

function name(obj: Record<string, unknown>, uri: string, at: string): string {
  const v = field(obj, "name", uri, at);
  if (typeof v !== "string" || v === "")
    fail(uri, `${at}.name`, `must be a non-empty string, got ${describe(v)}`);
  return v;
}

const describe = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? `an array of ${v.length}` : typeof v;

function fail(uri: string, at: string, problem: string): never {
  throw new InputError(`${uri}: ${at} ${problem}`);
}
