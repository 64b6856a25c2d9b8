/**
 * Encoding rendered frames with ffmpeg, the way LeRobot stores camera streams: MP4, yuv420p, a
 * keyframe every 2 frames (LeRobot's default `g=2`, so a trainer's random access decodes at most
 * one frame before the one it wants), constant frame rate, no audio.
 *
 * Codecs: H.264 (libx264, the default) or AV1 (libsvtav1, LeRobot's own default). H.264 is the
 * default because it encodes several times faster on a CPU node and plays in every browser; AV1
 * gives smaller files. Both are deterministic here: fixed thread count, bit-exact muxing and no
 * encoder or creation-time metadata, so the same frames give the same bytes.
 */
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import { EgobridgeError } from "../core/errors.js";
import { fixedSizeFrames } from "../core/frames.js";

export const VIDEO_CODECS = ["h264", "av1"] as const;
export type VideoCodec = (typeof VIDEO_CODECS)[number];

/** What info.json says of a stream (`video.codec` as ffprobe names it). */
export const CODEC_INFO: Readonly<Record<VideoCodec, { encoder: string; name: string }>> = {
  h264: { encoder: "libx264", name: "h264" },
  av1: { encoder: "libsvtav1", name: "av1" },
};
export const PIX_FMT = "yuv420p";
/** Frames between keyframes (LeRobot's `g`). */
export const GOP = 2;

const codecArgs = (codec: VideoCodec): string[] =>
  codec === "h264"
    ? [
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-bf",
        "0",
        "-threads",
        "2",
        "-x264-params",
        "log=-1",
      ]
    : ["-c:v", "libsvtav1", "-preset", "8", "-crf", "30", "-svtav1-params", "lp=2"];

/**
 * How a stream is stored: a LeRobot video (lossy, yuv420p MP4) or, for formats that keep pixels
 * (robomimic), the exact rendered RGB: FFV1 (lossless, every frame a keyframe) in Matroska.
 */
export type StreamCodec = VideoCodec | "lossless";

const outputArgs = (codec: StreamCodec): string[] =>
  codec === "lossless"
    ? [
        "-c:v",
        "ffv1",
        "-level",
        "3",
        "-g",
        "1",
        "-slices",
        "4",
        "-threads",
        "1",
        "-pix_fmt",
        "bgr0",
        "-f",
        "matroska",
      ]
    : [...codecArgs(codec), "-pix_fmt", PIX_FMT, "-g", String(GOP), "-movflags", "+faststart", "-f", "mp4"];

const FFMPEG_HINT = "install ffmpeg with libx264 / libsvtav1 (Debian: apt-get install ffmpeg)";

export interface EncoderOptions {
  widthPx: number;
  heightPx: number;
  fps: number;
  codec: StreamCodec;
  ffmpeg?: string;
}

/**
 * Starts ffmpeg with `args` (stderr piped). `exited` resolves once it has ended: its exit code
 * (null when it could not start) and the tail of what it wrote on stderr, or why it did not start.
 */
function startFfmpeg(
  ffmpeg: string,
  args: string[],
  stdio: { stdin: "pipe" | "ignore"; stdout: "pipe" | "ignore" },
) {
  const proc = spawn(ffmpeg, args, { stdio: [stdio.stdin, stdio.stdout, "pipe"] });
  let stderr = "";
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    proc.on("error", (err) => {
      const why =
        (err as NodeJS.ErrnoException).code === "ENOENT" ? "ffmpeg was not found on PATH" : err.message;
      resolve({ code: null, stderr: stderr + why });
    });
    proc.on("close", (code) => resolve({ code, stderr }));
  });
  return { proc, exited };
}

/**
 * An ffmpeg process taking RGBA frames (rows bottom first, as WebGL reads them) on stdin and
 * writing `file`. `write` resolves once ffmpeg has taken the frames; `finish` once the file is
 * complete. A failed encode throws with ffmpeg's own words.
 */
export class FrameEncoder {
  private stderr = "";
  private readonly exited: Promise<number | null>;
  private readonly proc;
  frames = 0;

  constructor(
    readonly file: string,
    readonly o: EncoderOptions,
  ) {
    const args = [
      ...["-hide_banner", "-nostdin", "-v", "error", "-y"],
      ...["-f", "rawvideo", "-pix_fmt", "rgba", "-s", `${o.widthPx}x${o.heightPx}`, "-r", String(o.fps)],
      ...["-i", "pipe:0", "-vf", "vflip", "-fflags", "+bitexact", "-flags:v", "+bitexact"],
      ...["-map_metadata", "-1", ...outputArgs(o.codec), file],
    ];
    const started = startFfmpeg(o.ffmpeg ?? "ffmpeg", args, { stdin: "pipe", stdout: "ignore" });
    this.proc = started.proc;
    this.exited = started.exited.then((r) => {
      this.stderr = r.stderr;
      return r.code;
    });
    this.proc.stdin!.on("error", () => {});
  }

  async write(rgba: Uint8Array): Promise<void> {
    const taken = new Promise<void>((resolve) => this.proc.stdin!.write(rgba, () => resolve()));
    const code = await Promise.race([taken.then(() => undefined), this.exited]);
    if (code !== undefined) throw this.failure(code);
    this.frames += rgba.length / (this.o.widthPx * this.o.heightPx * 4);
  }

  async finish(): Promise<void> {
    this.proc.stdin!.end();
    const code = await this.exited;
    if (code !== 0) throw this.failure(code);
  }

  async abort(): Promise<void> {
    this.proc.kill("SIGKILL");
    await this.exited;
    await fs.rm(this.file, { force: true });
  }

  private failure(code: number | null): EgobridgeError {
    return new EgobridgeError(
      `ffmpeg could not encode ${this.file} (${this.o.codec === "lossless" ? "ffv1" : CODEC_INFO[this.o.codec].encoder}, exit code ${code}): ${this.stderr.trim()}`,
      { hint: FFMPEG_HINT },
    );
  }
}

/**
 * Joins MP4 files of the same stream parameters into `out` without re-encoding (ffmpeg's concat
 * demuxer). Each file's duration is given exactly (frames / fps): otherwise the demuxer takes it
 * from the MP4 header, rounded to the millisecond, and every later episode would start up to
 * 0.5 ms off its frame grid, beyond the 0.1 ms LeRobot tolerates between a frame's timestamp and
 * the one it asks for.
 */
export async function concatVideos(
  files: readonly { file: string; frames: number }[],
  fps: number,
  out: string,
  ffmpeg = "ffmpeg",
): Promise<void> {
  const list = `${out}.list.txt`;
  const entry = (f: { file: string; frames: number }) =>
    `file '${f.file.replaceAll("'", "'\\''")}'\nduration ${(f.frames / fps).toFixed(9)}\n`;
  await fs.writeFile(list, files.map(entry).join(""));
  const args = [
    ...["-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", list],
    ...["-c", "copy", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1"],
    ...["-movflags", "+faststart", "-f", "mp4", out],
  ];
  const { code, stderr } = await startFfmpeg(ffmpeg, args, { stdin: "ignore", stdout: "ignore" }).exited;
  await fs.rm(list, { force: true });
  if (code !== 0)
    throw new EgobridgeError(`ffmpeg could not join ${files.length} videos into ${out}: ${stderr.trim()}`, {
      hint: FFMPEG_HINT,
    });
}

/**
 * The frames of a lossless stream (FrameEncoder with codec "lossless") as RGB, rows top first:
 * exactly the pixels that were rendered. Throws unless the file holds `frames` frames of `size`.
 */
export async function readLosslessFrames(
  file: string,
  size: { widthPx: number; heightPx: number },
  frames: number,
  ffmpeg = "ffmpeg",
): Promise<Uint8Array> {
  const bytes = frames * size.widthPx * size.heightPx * 3;
  const out = new Uint8Array(bytes);
  const args = [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    "-i",
    file,
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "pipe:1",
  ];
  const { proc, exited } = startFfmpeg(ffmpeg, args, { stdin: "ignore", stdout: "pipe" });
  let at = 0;
  let over = false;
  proc.stdout!.on("data", (chunk: Buffer) => {
    if (at + chunk.length > bytes) over = true;
    else out.set(chunk, at);
    at += chunk.length;
  });
  const { code, stderr } = await exited;
  if (code !== 0)
    throw new EgobridgeError(`ffmpeg could not read ${file} (exit code ${code}): ${stderr.trim()}`, {
      hint: FFMPEG_HINT,
    });
  if (over || at !== bytes) {
    const frameBytes = size.widthPx * size.heightPx * 3;
    throw new EgobridgeError(
      `${file} holds ${(at / frameBytes).toFixed(2)} frames of ${size.widthPx}x${size.heightPx}, expected ${frames}`,
      { hint: "the rendered images are damaged: remove them and render again" },
    );
  }
  return out;
}

/**
 * The raw frames ffmpeg writes on stdout for `args` (which end with `-f rawvideo … pipe:1`),
 * `frameBytes` each, one at a time: a frame's buffer is fresh and the consumer may keep it. Reads
 * no further than the consumer asks (the pipe's back-pressure holds ffmpeg), so memory stays at a
 * frame or two whatever the video's length. Returning early stops ffmpeg; a decode that fails, or
 * ends inside a frame, throws with ffmpeg's own words.
 */
export async function* rawFrames(
  args: string[],
  frameBytes: number,
  what: string,
  ffmpeg = "ffmpeg",
): AsyncGenerator<Uint8Array> {
  const { proc, exited } = startFfmpeg(ffmpeg, args, { stdin: "ignore", stdout: "pipe" });
  const tail = { bytes: 0 };
  let finished = false;
  try {
    yield* fixedSizeFrames(proc.stdout! as AsyncIterable<Buffer>, frameBytes, tail);
    const { code, stderr } = await exited;
    finished = true;
    if (code !== 0)
      throw new EgobridgeError(`ffmpeg could not decode ${what} (exit code ${code}): ${stderr.trim()}`, {
        hint: FFMPEG_HINT,
      });
    if (tail.bytes !== 0)
      throw new EgobridgeError(`${what} ended inside a frame (${tail.bytes} of ${frameBytes} bytes)`);
  } finally {
    if (!finished) {
      proc.kill("SIGKILL");
      await exited;
    }
  }
}
