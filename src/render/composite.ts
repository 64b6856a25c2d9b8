/**
 * The "robot in the human's place" camera (`composite`): the source video's own frames, with the
 * demonstrating hand and forearm masked out and filled in, and the rendered robot drawn over them
 * from the source camera — so a policy can train on real backgrounds (the idea of Phantom,
 * Lepert et al. 2025).
 *
 * - Background: the source frame the step was taken from (the step's human.frameIndex), decoded
 *   by ffmpeg at the output size exactly as the head camera's intrinsics are fitted (scaled to
 *   fit, centred, black bars).
 * - Mask: the episode's hand keypoints (21 per step, in W) projected through the source camera at
 *   that step: a disc stamped along every bone, sized from a finger's half-width at the point's
 *   depth, the palm filled; the arm as capsules from the wrist along the hand's axis (the forearm)
 *   and on to a shoulder ASSUMED beside and below the head camera. Only the demonstrating hand
 *   and arm are masked: another hand in the frame stays, as recorded.
 * - Fill: pull-push (a coarse-to-fine pyramid of the unmasked pixels' means), deterministic.
 * - Robot: the gripper alone rendered over a transparent background (`layer: "robot"`) with the
 *   head camera's intrinsics and poses, drawn over the filled frame.
 *
 * Only a source demonstration of a video with a pinhole camera placed in W gets a real
 * background: a variant moves the objects and the hand away from what the video shows, a fisheye
 * image cannot be matched by the pinhole renderer, and other sources have no video. Those get the
 * rendered head view instead, and the lineage says which and why (`CompositeBackground`).
 */

import { add, invert, normalize, poseFromJson, scale, sub, transformPoint, type Vec3 } from "../core/math.js";
import { HAND_CONNECTIONS, KP } from "../core/schemas/common.js";
import type { Episode } from "../core/schemas/episode.js";
import { forEachDiscPixel } from "../perception/draw.js";
import type { CameraSize } from "./cameras.js";
import { rawFrames } from "./encode.js";
import type { SourceVideo } from "./episode_videos.js";
import type { RenderCameraInput } from "./protocol.js";

/** Half-widths of the masked hand and arm parts (m), with a margin for keypoint error. */
const FINGER_RADIUS_M = 0.016;
const PALM_RADIUS_M = 0.022;
const ARM_RADIUS_M = 0.055;
const FOREARM_LENGTH_M = 0.28;
/**
 * The demonstrating side's shoulder, ASSUMED in the head camera's frame (x right, y down, z
 * forward; m): the arm is masked from the hand towards it. Used for the mask only.
 */
const SHOULDER_C = { x: 0.22, y: 0.35, z: 0.05 } as const;
/** Closer than this to the camera plane a point is not stamped (its disc would cover the frame; m). */
const NEAR_M = 0.15;

/** Where an episode's composite camera got its background, as its lineage records it. */
export type CompositeBackground =
  | {
      background: "source_video";
      /** The source video, as the source names it (a job's label, or the file given). */
      video: string;
      /** Source frames shown: first and last. */
      frames: [number, number];
      /** The hand's keypoints projected, and the arm towards a shoulder assumed beside the head. */
      mask: "projected_hand_keypoints_assumed_arm";
      fill: "pull_push";
      /** Mean share of each frame's pixels masked and filled. */
      maskedShare: number;
    }
  | { background: "rendered"; why: string };

/** Why `e` cannot have a real background from `video`; undefined when it can. */
export function compositeRefusal(e: Episode, video: string | undefined): string | undefined {
  if (video === undefined) return "no source video (not a video source, or the video was not given)";
  if (e.lineage.variant !== undefined)
    return "a variant: its objects and motion differ from what the source video shows";
  const cam = e.source.camera;
  if (!cam || !e.steps.every((s) => s.human.X_WC)) return "the source camera is not placed in the scene";
  if (cam.model !== "pinhole") return `a ${cam.model} source camera: the renderer draws pinhole views only`;
  return undefined;
}

/** The size and offset the source image takes inside `size` (as fitIntrinsics places it). */
function fitted(cam: NonNullable<Episode["source"]["camera"]>, size: CameraSize) {
  const s = Math.min(size.widthPx / cam.widthPx, size.heightPx / cam.heightPx);
  const w = Math.max(2, Math.round(cam.widthPx * s));
  const h = Math.max(2, Math.round(cam.heightPx * s));
  return { w, h, x: Math.floor((size.widthPx - w) / 2), y: Math.floor((size.heightPx - h) / 2) };
}

/**
 * The frames of `file` from `first` on, as RGBA at `size`, rows bottom first (as the renderer's),
 * the image fitted the way `fitIntrinsics` fits the camera: scaled to fit, centred, black bars.
 */
export function sourceFrames(
  file: string,
  cam: NonNullable<Episode["source"]["camera"]>,
  size: CameraSize,
  first: number,
): AsyncGenerator<Uint8Array> {
  const f = fitted(cam, size);
  const vf = [
    `select='gte(n\\,${first})'`,
    `scale=${f.w}:${f.h}:flags=area+accurate_rnd+bitexact+full_chroma_int`,
    `pad=${size.widthPx}:${size.heightPx}:${f.x}:${f.y}:black`,
    "vflip",
    "format=rgba",
  ].join(",");
  const args = [
    ...["-hide_banner", "-nostdin", "-v", "error", "-i", file, "-map", "0:v:0"],
    ...["-vf", vf, "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgba", "pipe:1"],
  ];
  return rawFrames(args, size.widthPx * size.heightPx * 4, file);
}

/** Reads a video's frames by index, forwards (restarting the decoder for a step back). */
export class SourceFrameReader {
  private frames: AsyncGenerator<Uint8Array> | undefined;
  private index = -1;
  private current: Uint8Array | undefined;

  constructor(
    private readonly file: string,
    private readonly cam: NonNullable<Episode["source"]["camera"]>,
    private readonly size: CameraSize,
  ) {}

  /** Frame `n` (RGBA, rows bottom first). The buffer is shared: copy it before changing it. */
  async at(n: number): Promise<Uint8Array> {
    if (this.current && n === this.index) return this.current;
    if (!this.frames || n < this.index) {
      await this.close();
      this.frames = sourceFrames(this.file, this.cam, this.size, n);
      this.index = n - 1;
    }
    while (this.index < n) {
      const next = await this.frames!.next();
      if (next.done) throw new Error(`${this.file} has no frame ${n} (it ends after frame ${this.index})`);
      this.current = next.value;
      this.index++;
    }
    return this.current!;
  }

  async close(): Promise<void> {
    await this.frames?.return(undefined);
    this.frames = undefined;
    this.current = undefined;
  }
}

/** A mask (1 = masked) with rows bottom first, as the frames are. */
export class FrameMask {
  readonly data: Uint8Array;
  constructor(
    readonly widthPx: number,
    readonly heightPx: number,
  ) {
    this.data = new Uint8Array(widthPx * heightPx);
  }

  /** Marks the disc of radius `r` px around (u, v) (OpenCV pixel coordinates: centres at integers, v down). */
  disc(u: number, v: number, r: number): void {
    const { widthPx: w, heightPx: h, data } = this;
    forEachDiscPixel(w, h, u + 0.5, v + 0.5, r, (x, y) => {
      data[(h - 1 - y) * w + x] = 1;
    });
  }

  count(): number {
    let n = 0;
    for (const m of this.data) n += m;
    return n;
  }
}

/**
 * The hand's mask at step `t` of camera `c`: capsules of `radiusM` along the 3D segments, each
 * sampled finely enough (in the image) that its discs overlap, so perspective and points behind
 * the camera are handled point by point.
 */
export function handMask(
  c: RenderCameraInput,
  t: number,
  keypoints: readonly Vec3[],
  side: "left" | "right",
): FrameMask {
  const mask = new FrameMask(c.widthPx, c.heightPx);
  const X_CW = invert(poseFromJson(c.poses[t]!));
  const focal = Math.max(c.fx, c.fy);
  const stamp = (p_W: Vec3, radiusM: number) => {
    const p = transformPoint(X_CW, p_W);
    if (p.z < NEAR_M) return Number.POSITIVE_INFINITY;
    const r = (focal * radiusM) / p.z;
    mask.disc(c.fx * (p.x / p.z) + c.cx, c.fy * (p.y / p.z) + c.cy, r);
    return r;
  };
  const capsule = (a: Vec3, b: Vec3, radiusM: number) => {
    const ra = stamp(a, radiusM);
    const rb = stamp(b, radiusM);
    // Project both ends to bound the segment's length in pixels; sample at a third of the smaller radius.
    const pa = transformPoint(X_CW, a);
    const pb = transformPoint(X_CW, b);
    const zMin = Math.max(NEAR_M, Math.min(pa.z, pb.z));
    const lengthPx = (focal * Math.hypot(b.x - a.x, b.y - a.y, b.z - a.z)) / zMin;
    const rMin = Math.max(0.5, Math.min(ra, rb, (focal * radiusM) / zMin));
    const n = Math.min(2000, Math.ceil(lengthPx / (rMin / 3)));
    for (let k = 1; k < n; k++) stamp(add(a, scale(sub(b, a), k / n)), radiusM);
  };
  for (const [i, j] of HAND_CONNECTIONS) capsule(keypoints[i]!, keypoints[j]!, FINGER_RADIUS_M);
  // The palm: a fan from the wrist to each knuckle (their discs overlap across it), and the web of the thumb.
  for (const k of [KP.thumbCmc, KP.indexMcp, KP.middleMcp, KP.ringMcp, KP.pinkyMcp])
    capsule(keypoints[KP.wrist]!, keypoints[k]!, PALM_RADIUS_M);
  capsule(keypoints[KP.thumbMcp]!, keypoints[KP.indexMcp]!, PALM_RADIUS_M);
  // The arm: the forearm behind the wrist (along the middle knuckle → wrist direction), and from
  // the wrist and the forearm's end to the assumed shoulder.
  const wrist = keypoints[KP.wrist]!;
  const X_WC = poseFromJson(c.poses[t]!);
  const shoulder = transformPoint(X_WC, { ...SHOULDER_C, x: side === "left" ? -SHOULDER_C.x : SHOULDER_C.x });
  capsule(wrist, shoulder, ARM_RADIUS_M);
  const along = sub(wrist, keypoints[KP.middleMcp]!);
  if (Math.hypot(along.x, along.y, along.z) > 1e-4) {
    const elbow = add(wrist, scale(normalize(along), FOREARM_LENGTH_M));
    capsule(wrist, elbow, ARM_RADIUS_M);
    capsule(elbow, shoulder, ARM_RADIUS_M);
  }
  return mask;
}

/**
 * Fills the masked pixels of an RGBA frame in place by pull-push: a pyramid of the means of the
 * unmasked pixels (each level half the size), then, from the coarsest level down, every pixel with
 * less than full weight takes the rest from the level above. Unmasked pixels are left exactly as
 * they were; alpha is set opaque.
 */
export function fillMasked(rgba: Uint8Array, mask: FrameMask): void {
  const { widthPx: w0, heightPx: h0 } = mask;
  type Level = { w: number; h: number; c: Float32Array; a: Float32Array };
  const base: Level = { w: w0, h: h0, c: new Float32Array(w0 * h0 * 3), a: new Float32Array(w0 * h0) };
  let masked = 0;
  for (let i = 0; i < w0 * h0; i++) {
    const known = mask.data[i] === 0 ? 1 : 0;
    masked += 1 - known;
    base.a[i] = known;
    for (let k = 0; k < 3; k++) base.c[i * 3 + k] = known * rgba[i * 4 + k]!;
  }
  if (masked === 0) return;
  // Pull: colours stored premultiplied by weight; a coarse weight is the sum of its children's, capped at 1.
  const levels: Level[] = [base];
  while (levels[levels.length - 1]!.w > 1 || levels[levels.length - 1]!.h > 1) {
    const f = levels[levels.length - 1]!;
    const w = Math.ceil(f.w / 2);
    const h = Math.ceil(f.h / 2);
    const l: Level = { w, h, c: new Float32Array(w * h * 3), a: new Float32Array(w * h) };
    for (let y = 0; y < f.h; y++) {
      for (let x = 0; x < f.w; x++) {
        const i = y * f.w + x;
        const j = (y >> 1) * w + (x >> 1);
        l.a[j]! += f.a[i]!;
        for (let k = 0; k < 3; k++) l.c[j * 3 + k]! += f.c[i * 3 + k]!;
      }
    }
    for (let j = 0; j < w * h; j++) {
      const s = l.a[j]!;
      if (s > 1) {
        for (let k = 0; k < 3; k++) l.c[j * 3 + k]! /= s;
        l.a[j] = 1;
      }
    }
    levels.push(l);
  }
  // Push: a pixel of weight a keeps its own a·colour and takes (1 − a) of the level above,
  // interpolated bilinearly at its centre (no blocks where a hole spans several parents).
  for (let n = levels.length - 2; n >= 0; n--) {
    const f = levels[n]!;
    const p = levels[n + 1]!;
    for (let y = 0; y < f.h; y++) {
      const py = Math.min(p.h - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
      const y0 = Math.floor(py);
      const y1 = Math.min(p.h - 1, y0 + 1);
      const fy = py - y0;
      for (let x = 0; x < f.w; x++) {
        const i = y * f.w + x;
        const a = f.a[i]!;
        if (a >= 1) continue;
        const px = Math.min(p.w - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
        const x0 = Math.floor(px);
        const x1 = Math.min(p.w - 1, x0 + 1);
        const fx = px - x0;
        const w00 = (1 - fx) * (1 - fy);
        const w01 = fx * (1 - fy);
        const w10 = (1 - fx) * fy;
        const w11 = fx * fy;
        const j00 = (y0 * p.w + x0) * 3;
        const j01 = (y0 * p.w + x1) * 3;
        const j10 = (y1 * p.w + x0) * 3;
        const j11 = (y1 * p.w + x1) * 3;
        for (let k = 0; k < 3; k++) {
          const up = w00 * p.c[j00 + k]! + w01 * p.c[j01 + k]! + w10 * p.c[j10 + k]! + w11 * p.c[j11 + k]!;
          f.c[i * 3 + k] = f.c[i * 3 + k]! + (1 - a) * up;
        }
        f.a[i] = 1;
      }
    }
  }
  for (let i = 0; i < w0 * h0; i++) {
    if (mask.data[i] === 0) continue;
    for (let k = 0; k < 3; k++) rgba[i * 4 + k] = Math.round(base.c[i * 3 + k]!);
    rgba[i * 4 + 3] = 255;
  }
}

/** Draws `robot` (RGBA with alpha, rendered over a transparent background) over `background` into `robot`. */
export function drawOver(robot: Uint8Array, background: Uint8Array): void {
  for (let i = 0; i < robot.length; i += 4) {
    const a = robot[i + 3]!;
    if (a === 255) continue;
    if (a === 0) {
      robot[i] = background[i]!;
      robot[i + 1] = background[i + 1]!;
      robot[i + 2] = background[i + 2]!;
    } else {
      // Premultiplied (WebGL's default drawing buffer): colour + background · (1 − alpha).
      const rest = (255 - a) / 255;
      for (let k = 0; k < 3; k++)
        robot[i + k] = Math.min(255, Math.round(robot[i + k]! + background[i + k]! * rest));
    }
    robot[i + 3] = 255;
  }
}

/**
 * The composite camera of one episode (its observed steps), fed the rendered frames batch by
 * batch: with a real background, the robot layer drawn over the filled source frames; without,
 * the rendered head view as it is.
 */
export class CompositeLayer {
  /** The camera to render: the robot layer with a real background, else the head view itself. */
  readonly input: RenderCameraInput;
  private readonly reader: SourceFrameReader | undefined;
  private readonly why: string | undefined;
  private masked = 0;
  private frames = 0;

  constructor(
    private readonly e: Episode,
    private readonly camera: RenderCameraInput,
    size: CameraSize,
    private readonly video: SourceVideo | undefined,
  ) {
    this.why = compositeRefusal(e, video?.file);
    this.input = this.why === undefined ? { ...camera, layer: "robot" } : camera;
    if (this.why === undefined) this.reader = new SourceFrameReader(video!.file, e.source.camera!, size);
  }

  /** Draws frames [first, first + count) of the robot layer over their filled source frames, in place. */
  async drawOver(first: number, count: number, rgba: Uint8Array): Promise<void> {
    if (!this.reader) return;
    const bytes = this.camera.widthPx * this.camera.heightPx * 4;
    for (let k = 0; k < count; k++) {
      const t = first + k;
      const step = this.e.steps[t]!;
      const frame = (await this.reader.at(step.human.frameIndex)).slice();
      const mask = handMask(
        this.camera,
        t,
        step.human.keypointsWorld.map(([x, y, z]) => ({ x, y, z })),
        this.e.source.side,
      );
      this.masked += mask.count() / mask.data.length;
      this.frames++;
      fillMasked(frame, mask);
      drawOver(rgba.subarray(k * bytes, (k + 1) * bytes), frame);
    }
  }

  /** What the lineage records of the composite's background (once every frame is drawn). */
  background(): CompositeBackground {
    if (this.why !== undefined) return { background: "rendered", why: this.why };
    const idx = this.e.steps.map((s) => s.human.frameIndex);
    return {
      background: "source_video",
      video: this.video!.label,
      frames: [Math.min(...idx), Math.max(...idx)],
      mask: "projected_hand_keypoints_assumed_arm",
      fill: "pull_push",
      maskedShare: this.frames === 0 ? 0 : Math.round((this.masked / this.frames) * 1e4) / 1e4,
    };
  }

  close(): Promise<void> {
    return this.reader?.close() ?? Promise.resolve();
  }
}
