/**
 * The third-party files the perception tests read, resolved through EGOBRIDGE_ASSETS (test/setup.ts
 * points it at ../shared/assets): a missing file fails the test with resolveAsset's message saying
 * where it looked and how to provide it.
 */
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { resolveAsset } from "../../src/core/assets.js";

export const EGODEX_CUP = {
  name: "video/egodex_cup/sample.mp4",
  sha256: "1a0ec11f438e100ad27d702ed098fc63f392348e6a3fb8b882f84c7751497af9",
  sizeBytes: 1472629,
};
export const WEBCAM_RIGHT_HAND = {
  name: "video/webcam_right_hand/human_hand_video.mp4",
  sha256: "d306af128862940fc6e3c737a42ec6b00a137fff1c37b10805fe2c143c62ddb8",
  sizeBytes: 596459,
};
/** MediaPipe's own pipeline on WEBCAM_RIGHT_HAND: 621 × 21 × 3 world landmarks (m), see its SOURCE.txt. */
export const WEBCAM_MEDIAPIPE_JOINTS = {
  name: "video/webcam_right_hand/human_joint_right.json",
  sha256: "4e77fe14037e64da9e24d6c8efc6f44d92002bfa2935c004f280df6b910ca726",
  sizeBytes: 402490,
};

export const asset = (ref: { name: string; sha256: string; sizeBytes: number }): Promise<string> =>
  resolveAsset(ref);

export const EGODEX_CAMERA = path.join(import.meta.dirname, "fixtures", "egodex_camera.json");

/**
 * Broken inputs made from the real sample: a cut-off copy (`head -c`, which loses the mp4 index at
 * the end), a cut-off copy of a faststart remux (index first, so it probes fine and ends early), a
 * text file named .mp4, an empty file; plus a real clip without hands (the top half of the egodex
 * frames: wall and curtain).
 */
export async function makeBadVideos(dir: string, sample: string) {
  const p = (n: string) => path.join(dir, n);
  execFileSync("sh", ["-c", `head -c 700000 "${sample}" > "${p("truncated.mp4")}"`]);
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-i",
    sample,
    "-c",
    "copy",
    "-movflags",
    "+faststart",
    p("faststart.mp4"),
  ]);
  execFileSync("sh", ["-c", `head -c 700000 "${p("faststart.mp4")}" > "${p("truncated_faststart.mp4")}"`]);
  await fs.writeFile(p("text.mp4"), "this is not a video\n");
  await fs.writeFile(p("empty.mp4"), "");
  execFileSync("ffmpeg", [
    ...["-v", "error", "-y", "-i", sample, "-vf", "crop=1920:480:0:0", "-frames:v", "8"],
    ...["-c:v", "mpeg4", "-q:v", "3", p("no_hands.mp4")],
  ]);
  // 100 000 tiny black frames (at 1000 fps): more than one hand-track file holds.
  execFileSync("ffmpeg", [
    ...["-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=16x16:r=1000", "-t", "100"],
    ...["-c:v", "libx264", "-preset", "ultrafast", p("too_long.mp4")],
  ]);
  return {
    truncated: p("truncated.mp4"),
    truncatedFaststart: p("truncated_faststart.mp4"),
    text: p("text.mp4"),
    empty: p("empty.mp4"),
    missing: p("missing.mp4"),
    noHands: p("no_hands.mp4"),
    tooLong: p("too_long.mp4"),
  };
}
