/**
 * The cameras a rendered episode is seen from, as pinhole intrinsics at the output size and a
 * pose X_WC per control step (OpenCV camera frame: x right, y down, z forward):
 *
 * - head: the human's viewpoint. For a video source whose steps carry the camera's pose
 *   (human.X_WC: measured per frame, or the track's static pose) it is the source camera itself:
 *   its intrinsics, scaled so the whole source image fits the output centred (pinhole: a fisheye
 *   source is drawn with its focal length and no distortion), at each step's pose. Otherwise it
 *   is ASSUMED: eyes 1.6 m above the floor, 0.35 m behind where the hand starts (seen from the
 *   object), looking at the object; 90° horizontal field of view. `headSource` says which.
 * - wrist: fixed to the gripper housing, 9 cm off the jaw axis (perpendicular to the opening) and
 *   2 cm ahead of the flange, looking at a point 3 cm past the TCP; 100° horizontal field of view.
 * - scene: fixed, 1.5 m in front of the object and to its side, 0.7 m above it; 60°.
 *
 * A variant's lineage may jitter each camera (position in cm, orientation in degrees) from its
 * seed; the jitter is part of the look (see look.ts).
 */
import {
  add,
  compose,
  cross,
  fromArray3,
  invert,
  normalize,
  type Pose,
  poseFromJson,
  poseToJson,
  qfromAxes,
  qfromAxisAngle,
  qmul,
  scale,
  sub,
  transformPoint,
  type Vec3,
  vec3,
} from "../core/math.js";
import type { Episode } from "../core/schemas/episode.js";
import type { RenderCameraInput } from "./protocol.js";

export const CAMERA_KEYS = ["head", "wrist", "scene", "composite"] as const;
export type CameraKey = (typeof CAMERA_KEYS)[number];
/** What a dataset gets when cameras are asked for without naming them. */
export const DEFAULT_CAMERAS: readonly CameraKey[] = ["head", "wrist"];
export const DEFAULT_IMAGE_SIZE = { widthPx: 224, heightPx: 224 } as const;

/** What each camera's pose and intrinsics rest on, for the dataset card and info.json. */
export const CAMERA_PROVENANCE: Readonly<Record<CameraKey, string>> = {
  head: "the source video's camera where the episode carries it (its intrinsics; its pose per step, measured or static: the episode's source.headPose and lineage.params.render.head say which), else assumed: a static head 1.6 m above the floor, 0.35 m behind the hand's start, looking at the target; 90° horizontal field of view",
  wrist:
    "fixed mount on the gripper housing: 9 cm off the jaw axis, 2 cm ahead of the flange, looking 3 cm past the TCP; 100° horizontal field of view",
  scene:
    "fixed: 1.5 m in front of the target, 0.5 m to its side, 0.7 m above it, looking at it; 60° horizontal field of view",
  composite:
    "the head camera; for a source demonstration of a video, the video's own frames with the demonstrating hand and forearm masked (projected keypoints) and filled (pull-push), the rendered gripper drawn over them; else the rendered head view (lineage.params.render.composite says which, and why)",
};

const HFOV_DEG: Readonly<Record<CameraKey, number>> = { head: 90, wrist: 100, scene: 60, composite: 90 };
const EYE_HEIGHT_M = 1.6;
const HEAD_BEHIND_HAND_M = 0.35;
const WRIST_OFFSET_M = 0.09;
const WRIST_LOOK_PAST_TCP_M = 0.03;
const WRIST_FORWARD_M = 0.02;

export interface CameraSize {
  widthPx: number;
  heightPx: number;
}

/** `WIDTHxHEIGHT`, even (yuv420p halves both), 16…4096 pixels each; undefined for anything else. */
export function imageSizeOf(text: string): CameraSize | undefined {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  const w = m ? Number(m[1]) : Number.NaN;
  const h = m ? Number(m[2]) : Number.NaN;
  const ok = w >= 16 && h >= 16 && w <= 4096 && h <= 4096 && w % 2 === 0 && h % 2 === 0;
  return ok ? { widthPx: w, heightPx: h } : undefined;
}

/** Small random offsets of the cameras (a variant's domain randomisation). */
export interface CameraJitter {
  /** Position offset in W (m). */
  positionM: [number, number, number];
  /** Rotation about the camera's own x, y, z axes (rad). */
  rotationRad: [number, number, number];
}

/** A camera frame (OpenCV axes) at `eye` looking at `at`, with image "up" as close to `up` as it can. */
export function lookAt(eye: Vec3, at: Vec3, up: Vec3 = vec3(0, 0, 1)): Pose {
  const z = normalize(sub(at, eye));
  let x = cross(z, up);
  if (Math.hypot(x.x, x.y, x.z) < 1e-6) x = cross(z, vec3(0, 1, 0));
  x = normalize(x);
  const y = cross(z, x);
  return { p: eye, q: qfromAxes(x, y, z) };
}

/** Intrinsics of a centred pinhole with a horizontal field of view, square pixels. */
export function pinhole(size: CameraSize, hfovDeg: number) {
  const fx = size.widthPx / 2 / Math.tan((hfovDeg * Math.PI) / 360);
  return { ...size, fx, fy: fx, cx: (size.widthPx - 1) / 2, cy: (size.heightPx - 1) / 2 };
}

function applyJitter(X: Pose, j: CameraJitter | undefined): Pose {
  if (!j) return X;
  const [rx, ry, rz] = j.rotationRad;
  let q = X.q;
  q = qmul(q, qfromAxisAngle(vec3(1, 0, 0), rx));
  q = qmul(q, qfromAxisAngle(vec3(0, 1, 0), ry));
  q = qmul(q, qfromAxisAngle(vec3(0, 0, 1), rz));
  return { p: add(X.p, fromArray3(j.positionM)), q };
}

/** Where the target object starts (its pose in the scene spec), else the first TCP. */
function targetStart(e: Episode): Vec3 {
  const item = e.scene.items.find((i) => i.id === e.scene.task.targetId);
  if (item && "pose" in item) return fromArray3(item.pose.pos);
  return fromArray3(e.steps[0]!.state.tcp.pos);
}

/** The assumed static head: behind the hand's start as seen from the target, at eye height. */
export function assumedHead(e: Episode): Pose {
  const target = targetStart(e);
  const wrist = fromArray3(e.steps[0]!.human.keypointsWorld[0]!);
  let away = vec3(wrist.x - target.x, wrist.y - target.y, 0);
  if (Math.hypot(away.x, away.y) < 0.05) away = vec3(0, -1, 0);
  away = normalize(away);
  const hand = vec3(wrist.x, wrist.y, 0);
  const eye = add(
    add(hand, scale(away, HEAD_BEHIND_HAND_M)),
    vec3(0, 0, Math.max(EYE_HEIGHT_M, target.z + 0.4)),
  );
  return lookAt(eye, target);
}

function fixedScene(e: Episode, head: Pose): Pose {
  const target = targetStart(e);
  const front = normalize(vec3(head.p.x - target.x, head.p.y - target.y, 0));
  const side = vec3(-front.y, front.x, 0);
  const eye = add(add(target, scale(front, 1.5)), add(scale(side, 0.5), vec3(0, 0, 0.7)));
  return lookAt(eye, target);
}

/** The wrist camera's pose in the gripper frame G (constant). */
export function wristMount(e: Episode): Pose {
  const eye = vec3(WRIST_OFFSET_M, 0, -e.embodiment.tcpOffsetM + WRIST_FORWARD_M);
  return lookAt(eye, vec3(0, 0, WRIST_LOOK_PAST_TCP_M), vec3(1, 0, 0));
}

/** Where an episode's head camera comes from. */
export type HeadSource = "capture_measured" | "capture_static" | "assumed";

export function headSource(e: Episode): HeadSource {
  if (!e.source.camera || !e.steps.every((s) => s.human.X_WC)) return "assumed";
  return e.source.headPose === "measured" ? "capture_measured" : "capture_static";
}

/** The source camera's intrinsics scaled so its whole image fits `size`, centred. */
export function fitIntrinsics(cam: NonNullable<Episode["source"]["camera"]>, size: CameraSize) {
  const s = Math.min(size.widthPx / cam.widthPx, size.heightPx / cam.heightPx);
  const padX = (size.widthPx - cam.widthPx * s) / 2;
  const padY = (size.heightPx - cam.heightPx * s) / 2;
  // Pixel centres: OpenCV's pixel (0, 0) is the centre of the first pixel, so scale about its corner.
  return {
    ...size,
    fx: cam.fx * s,
    fy: cam.fy * s,
    cx: (cam.cx + 0.5) * s - 0.5 + padX,
    cy: (cam.cy + 0.5) * s - 0.5 + padY,
  };
}

/**
 * The render inputs of `keys` for an episode, each at `size`, jittered per camera where given.
 * The composite camera is the head camera (with the head's jitter).
 */
export function episodeCameras(
  e: Episode,
  keys: readonly CameraKey[],
  size: CameraSize,
  jitter: Partial<Record<CameraKey, CameraJitter>> = {},
): RenderCameraInput[] {
  const head = assumedHead(e);
  return keys.map((key) => {
    if (key === "composite") return { ...episodeCameras(e, ["head"], size, jitter)[0]!, key };
    let poses: Pose[];
    if (key === "wrist") {
      const X_GC = wristMount(e);
      poses = e.steps.map((s) => applyJitter(compose(poseFromJson(s.state.tcp), X_GC), jitter.wrist));
    } else if (key === "head" && headSource(e) !== "assumed") {
      // The source camera as it was: no jitter, so the view stays the video's.
      const intrinsics = fitIntrinsics(e.source.camera!, size);
      return { key, ...intrinsics, poses: e.steps.map((s) => s.human.X_WC!) };
    } else {
      const X = applyJitter(key === "head" ? head : fixedScene(e, head), jitter[key]);
      poses = e.steps.map(() => X);
    }
    return { key, ...pinhole(size, HFOV_DEG[key]), poses: poses.map(poseToJson) };
  });
}

/** Where a point in W lands in a camera's image at a step (u right, v down, px); undefined behind it. */
export function project(c: RenderCameraInput, step: number, p_W: Vec3): [number, number] | undefined {
  const p = transformPoint(invert(poseFromJson(c.poses[step]!)), p_W);
  if (p.z <= 0) return undefined;
  return [c.fx * (p.x / p.z) + c.cx, c.fy * (p.y / p.z) + c.cy];
}
