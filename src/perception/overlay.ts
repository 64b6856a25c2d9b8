/**
 * QA overlay: the source video with each hand of a HandTrack drawn on it, encoded with ffmpeg
 * (libx264 when this ffmpeg has it, else MPEG-4 Part 2; yuv420p so every player opens it).
 *
 * Drawn per hand: the 2D skeleton (left hand cyan, right hand magenta, joints white), an L or R
 * label by its wrist and, when the track has a camera, the camera-frame 3D keypoints projected
 * back into the image (small yellow dots): where they sit on the joints, the metric lift agrees
 * with the image. Every frame also shows its frame number (top left) and a legend of the colours
 * (bottom left), in a built-in bitmap font (bitmap_font.ts).
 *
 * The video is decoded again (a second pass) so the overlay shows exactly what the track file
 * holds, smoothing included. The output is written to a temporary sibling and renamed into place
 * when ffmpeg has finished, so a failure leaves no partial file.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { EgobridgeError } from "../core/errors.js";
import type { HandTrack } from "../core/schemas/hand_track.js";
import { drawText, fillRect, textSize } from "./bitmap_font.js";
import { projectPoint } from "./camera_model.js";
import { drawSkeleton, fillDisc, type Rgb } from "./draw.js";
import { DECODE_AHEAD, type FfmpegPaths, probeVideo, readFrames } from "./video.js";

export const SIDE_COLOURS: Record<"left" | "right", Rgb> = { left: [0, 210, 255], right: [255, 60, 170] };
const JOINT: Rgb = [255, 255, 255];
const REPROJECTED: Rgb = [255, 230, 0];
/** Backing of the labels, so they read on any background. */
const BACKING: Rgb = [0, 0, 0];

/** Font pixel size of the labels: about 1/200 of the frame height, at least 2. */
const labelScale = (heightPx: number): number => Math.max(2, Math.round(heightPx / 200));

/** Text on a black backing box with a margin of one font pixel; returns the box's width. */
function label(
  img: { widthPx: number; heightPx: number; rgb: Uint8Array },
  x: number,
  y: number,
  text: string,
  colour: Rgb,
  scale: number,
): number {
  const { widthPx, heightPx } = textSize(text, scale);
  fillRect(img, x, y, widthPx + 2 * scale, heightPx + 2 * scale, BACKING);
  drawText(img, x + scale, y + scale, text, colour, scale);
  return widthPx + 2 * scale;
}

/**
 * The frame number (top left) and the legend (bottom left): the sides' colours, joints and, for
 * tracks with a camera, the reprojected 3D keypoints.
 */
export function drawLegend(
  img: { widthPx: number; heightPx: number; rgb: Uint8Array },
  frameIndex: number,
  withCamera: boolean,
): void {
  const s = labelScale(img.heightPx);
  const pad = 2 * s;
  label(img, pad, pad, `FRAME ${frameIndex}`, JOINT, s);
  const entries: [string, Rgb][] = [
    ["L = LEFT", SIDE_COLOURS.left],
    ["R = RIGHT", SIDE_COLOURS.right],
    ["JOINTS", JOINT],
    ...(withCamera ? ([["3D KEYPOINTS REPROJECTED", REPROJECTED]] as [string, Rgb][]) : []),
  ];
  // Left to right along the bottom, wrapping upwards when a row is full.
  let y = img.heightPx - pad - 9 * s;
  let x = pad;
  for (const [text, colour] of entries) {
    const w = textSize(text, s).widthPx + 2 * s;
    if (x > pad && x + w > img.widthPx - pad) {
      x = pad;
      y -= 9 * s + pad;
    }
    x += label(img, x, y, text, colour, s) + pad;
  }
}

export interface OverlayOptions extends FfmpegPaths {
  onProgress?: (done: number, total: number) => void;
}

let encoderCache: Promise<string> | undefined;

/** libx264 when the local ffmpeg was built with it, else the always-present mpeg4 encoder. */
export function pickEncoder(ffmpeg = "ffmpeg"): Promise<string> {
  encoderCache ??= new Promise((resolve) => {
    const proc = spawn(ffmpeg, ["-hide_banner", "-encoders"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    proc.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    proc.on("error", () => resolve("mpeg4"));
    proc.on("close", () => resolve(/\slibx264\s/.test(out) ? "libx264" : "mpeg4"));
  });
  return encoderCache;
}

/** Draws one frame's hands into an RGB frame buffer. */
export function drawHands(
  img: { widthPx: number; heightPx: number; rgb: Uint8Array },
  frame: HandTrack["frames"][number],
  camera: HandTrack["camera"],
): void {
  const thickness = Math.max(2, Math.round(img.widthPx / 480));
  const s = labelScale(img.heightPx);
  for (const h of frame.hands) {
    if (h.keypointsPx) {
      drawSkeleton(img, h.keypointsPx, SIDE_COLOURS[h.side], JOINT, thickness);
      // The side label above the hand's box (the fingers; a head camera sees wrists at the bottom
      // edge), or below it when the hand is at the top of the frame.
      const xs = h.keypointsPx.map((p) => p[0]);
      const ys = h.keypointsPx.map((p) => p[1]);
      const above = Math.min(...ys) - 2 * thickness - 9 * s;
      const y = above >= 0 ? above : Math.max(...ys) + 2 * thickness;
      label(img, Math.min(...xs), y, h.side === "left" ? "L" : "R", SIDE_COLOURS[h.side], s);
    }
    if (h.keypointsCam && camera) {
      for (const p of h.keypointsCam) {
        const [u, v] = projectPoint(camera, p);
        if (Number.isFinite(u) && Number.isFinite(v)) fillDisc(img, u, v, thickness * 0.8, REPROJECTED);
      }
    }
  }
}

/** Renders `track` over the frames of `videoFile` it was extracted from into `outFile` (.mp4). */
export async function renderOverlay(
  videoFile: string,
  track: HandTrack,
  outFile: string,
  o: OverlayOptions = {},
): Promise<{ codec: string; frames: number }> {
  const info = await probeVideo(videoFile, o);
  const indices = track.frames.map((f, i) => f.index ?? i);
  const stride = indices.length > 1 ? indices[1]! - indices[0]! : 1;
  const range = { start: indices[0]!, end: indices[indices.length - 1]! + 1, stride: Math.max(1, stride) };
  const byIndex = new Map(track.frames.map((f, i) => [indices[i]!, f]));
  const codec = await pickEncoder(o.ffmpeg);
  await fs.mkdir(path.dirname(path.resolve(outFile)), { recursive: true });
  const tmp = `${outFile}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const quality = codec === "libx264" ? ["-preset", "veryfast", "-crf", "23"] : ["-q:v", "4"];
  const args = [
    ...["-hide_banner", "-nostdin", "-v", "error", "-y"],
    ...["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${info.widthPx}x${info.heightPx}`],
    ...["-r", String(info.fps / range.stride), "-i", "pipe:0"],
    ...["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", codec, ...quality, "-pix_fmt", "yuv420p"],
    ...["-movflags", "+faststart", "-f", "mp4", tmp],
  ];
  const enc = spawn(o.ffmpeg ?? "ffmpeg", args, { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  enc.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => {
    enc.on("error", () => resolve(null));
    enc.on("close", (code) => resolve(code));
  });
  // A closed pipe (ffmpeg died) surfaces through its exit code below, not as an unhandled error.
  enc.stdin.on("error", () => {});
  let frames = 0;
  try {
    for await (const frame of readFrames(info, range, { ...o, reuseBuffer: true, ahead: DECODE_AHEAD })) {
      const f = byIndex.get(frame.index);
      if (f) drawHands(frame, f, track.camera);
      drawLegend(frame, frame.index, track.camera !== undefined);
      // The frame buffer is reused by the decoder: wait until ffmpeg has taken this frame.
      const written = new Promise<void>((resolve) => enc.stdin.write(frame.rgb, () => resolve()));
      await Promise.race([written, exited]);
      if (enc.exitCode !== null) break;
      frames++;
      o.onProgress?.(frames, track.frames.length);
    }
    enc.stdin.end();
    const code = await exited;
    if (code !== 0) {
      throw new EgobridgeError(
        `ffmpeg could not encode the overlay ${outFile} (${codec}, exit code ${code}):\n${stderr.trim()}`,
      );
    }
    await fs.rename(tmp, outFile);
  } catch (err) {
    enc.kill("SIGKILL");
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return { codec, frames };
}
