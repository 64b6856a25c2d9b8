/**
 * Video input: probe a file with ffprobe, then stream its frames as raw RGB24 from ffmpeg's stdout.
 *
 * Memory stays bounded: one frame is assembled at a time and the generator only reads further
 * from the pipe when its consumer asks for the next frame, so a slow consumer stalls ffmpeg (pipe
 * backpressure) instead of buffering the video. Frame selection (start / end / stride) happens in
 * ffmpeg's `select` filter, so skipped frames are decoded but never converted or piped.
 *
 * Frame times assume a constant frame rate (`index / fps`), which is what head-camera footage
 * and the datasets we read use; variable-rate files get nominal times.
 */
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import { EgobridgeError, InputError } from "../core/errors.js";

export interface VideoInfo {
  file: string;
  /** Frame size after applying the stream's rotation metadata (what ffmpeg decodes to). */
  widthPx: number;
  heightPx: number;
  fps: number;
  /** Frames in the stream (container count, else counted packets). */
  frameCount: number;
  codec: string;
  durationS: number;
}

export interface VideoFrame {
  /** Index of the frame in the source video (0-based, before stride). */
  index: number;
  /** Nominal time of the frame (s): index / fps. */
  t: number;
  widthPx: number;
  heightPx: number;
  /**
   * Row-major RGB24, widthPx · heightPx · 3 bytes. A fresh buffer per frame that the consumer may
   * keep, unless `reuseBuffer` was asked for: then it is overwritten when the next frame is requested.
   */
  rgb: Uint8Array;
}

export interface FrameRange {
  /** First frame index (default 0). */
  start?: number;
  /** End frame index, exclusive (default: the end of the video). */
  end?: number;
  /** Keep every stride-th frame from `start` (default 1). */
  stride?: number;
}

export interface ReadOptions extends FfmpegPaths {
  /**
   * Decode every frame into the same buffer (valid until the consumer asks for the next frame):
   * no 6 MB allocation per 1080p frame, so no garbage-collection churn.
   */
  reuseBuffer?: boolean;
}

export interface FfmpegPaths {
  ffmpeg?: string;
  ffprobe?: string;
}

const FFMPEG_HINT = "install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg)";
/** Bytes of ffmpeg's stderr kept for error messages (the tail is where the reason is). */
const STDERR_KEEP = 4000;

/** Fails early, with a message a user can act on, for files that cannot be videos. */
async function checkFile(file: string): Promise<void> {
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new InputError(`video not found: ${file}`);
    throw new InputError(`cannot read video ${file}: ${(err as Error).message}`);
  }
  if (stat.isDirectory()) throw new InputError(`expected a video file, got a directory: ${file}`);
  if (stat.size === 0) throw new InputError(`video file is empty (0 bytes): ${file}`);
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    proc.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr = (stderr + d).slice(-STDERR_KEEP);
    });
    proc.on("error", (err) => reject(spawnError(cmd, err)));
    proc.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function spawnError(cmd: string, err: Error): EgobridgeError {
  if ((err as NodeJS.ErrnoException).code === "ENOENT")
    return new EgobridgeError(`'${cmd}' was not found on PATH`, { hint: FFMPEG_HINT });
  return new EgobridgeError(`cannot run '${cmd}': ${err.message}`, { cause: err });
}

const tail = (s: string): string =>
  s
    .trim()
    .split("\n")
    .slice(-6)
    .map((l) => `    ${l}`)
    .join("\n");

function parseRate(s: string | undefined): number {
  if (!s) return Number.NaN;
  const [num, den] = s.split("/").map(Number);
  return den === undefined ? num! : num! / den;
}

interface ProbeStream {
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  duration?: string;
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number }[];
}

async function ffprobeJson(file: string, cmd: string, countPackets: boolean) {
  const args = [
    "-v",
    "error",
    "-select_streams",
    "v:0",
    ...(countPackets ? ["-count_packets"] : []),
    "-show_entries",
    "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_frames,nb_read_packets,duration:stream_tags=rotate:stream_side_data=rotation:format=duration,format_name",
    "-of",
    "json",
    file,
  ];
  const r = await run(cmd, args);
  if (r.code !== 0) {
    throw new InputError(
      `not a readable video: ${file}\n  ffprobe says:\n${tail(r.stderr) || "    (nothing)"}`,
      {
        hint: "check that the file is a complete video (a truncated download or a renamed text file fails here)",
      },
    );
  }
  return JSON.parse(r.stdout) as { streams?: ProbeStream[]; format?: { duration?: string } };
}

/**
 * Probes a video with ffprobe. Throws an InputError for a missing, empty or unreadable file, a
 * file without a video stream, or one whose size or rate cannot be read.
 */
export async function probeVideo(file: string, paths: FfmpegPaths = {}): Promise<VideoInfo> {
  await checkFile(file);
  const cmd = paths.ffprobe ?? "ffprobe";
  let probe = await ffprobeJson(file, cmd, false);
  let s = probe.streams?.[0];
  if (!s) throw new InputError(`no video stream in ${file}`);
  if (!s.nb_frames || !(Number(s.nb_frames) > 0)) {
    // Containers such as Matroska / WebM carry no frame count: count the packets (demux only, fast).
    probe = await ffprobeJson(file, cmd, true);
    s = probe.streams?.[0] ?? s;
  }
  const fps = parseRate(s.avg_frame_rate) > 0 ? parseRate(s.avg_frame_rate) : parseRate(s.r_frame_rate);
  let widthPx = s.width ?? 0;
  let heightPx = s.height ?? 0;
  const frameCount = Number(s.nb_frames ?? s.nb_read_packets ?? 0);
  const durationS = Number(s.duration ?? probe.format?.duration ?? frameCount / fps);
  if (!(widthPx > 0 && heightPx > 0 && fps > 0 && frameCount > 0)) {
    throw new InputError(
      `cannot read the size, rate or length of the video stream in ${file} (${widthPx}x${heightPx}, ${fps} fps, ${frameCount} frames)`,
      { hint: "the file may be truncated or damaged" },
    );
  }
  const rotation = Number(
    s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? s.tags?.rotate ?? 0,
  );
  if (Math.abs(rotation) % 180 === 90) [widthPx, heightPx] = [heightPx, widthPx];
  return { file, widthPx, heightPx, fps, frameCount, codec: s.codec_name ?? "unknown", durationS };
}

/** The frame indices a range selects from a video of `frameCount` frames. */
export function selectedFrames(
  frameCount: number,
  range: FrameRange = {},
): { start: number; end: number; stride: number; count: number } {
  const start = range.start ?? 0;
  const stride = range.stride ?? 1;
  const end = Math.min(range.end ?? frameCount, frameCount);
  if (!Number.isInteger(start) || start < 0)
    throw new InputError(`frame start must be a non-negative integer, got ${start}`);
  if (!Number.isInteger(stride) || stride < 1)
    throw new InputError(`frame stride must be a positive integer, got ${stride}`);
  if (!(end > start)) {
    throw new InputError(
      `frame range [${start}, ${range.end ?? frameCount}) selects no frame of a ${frameCount}-frame video`,
    );
  }
  return { start, end, stride, count: Math.ceil((end - start) / stride) };
}

/**
 * Streams the selected frames of a probed video as RGB24. Throws an InputError (with ffmpeg's
 * stderr) when ffmpeg fails or the stream ends early (a truncated file), after the frames that did
 * decode were yielded: consumers must write their outputs only once the generator has finished.
 * Breaking out of the loop early stops ffmpeg.
 */
export async function* readFrames(
  info: VideoInfo,
  range: FrameRange = {},
  paths: ReadOptions = {},
): AsyncGenerator<VideoFrame> {
  const sel = selectedFrames(info.frameCount, range);
  const filter = `select='gte(n\\,${sel.start})*lt(n\\,${sel.end})*not(mod(n-${sel.start}\\,${sel.stride}))'`;
  const args = [
    ...["-hide_banner", "-nostdin", "-v", "error", "-i", info.file],
    ...["-map", "0:v:0", "-vf", filter, "-fps_mode", "passthrough", "-frames:v", String(sel.count)],
    ...["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
  ];
  const cmd = paths.ffmpeg ?? "ffmpeg";
  const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-STDERR_KEEP);
  });
  let spawnFailure: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    proc.on("error", (err) => {
      spawnFailure = err;
      resolve(null);
    });
    proc.on("close", (code) => resolve(code));
  });

  const frameBytes = info.widthPx * info.heightPx * 3;
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  let k = 0;
  let finished = false;
  try {
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          const index = sel.start + k * sel.stride;
          k++;
          yield { index, t: index / info.fps, widthPx: info.widthPx, heightPx: info.heightPx, rgb: frame };
          if (!paths.reuseBuffer) frame = new Uint8Array(frameBytes);
          filled = 0;
        }
      }
    }
    const code = await exited;
    if (spawnFailure) throw spawnError(cmd, spawnFailure);
    if (code !== 0) {
      throw new InputError(`ffmpeg failed to decode ${info.file} (exit code ${code}):\n${tail(stderr)}`, {
        hint: "the file may be truncated or damaged",
      });
    }
    // A truncated file whose header survived decodes without failing but ends early.
    if (k < sel.count - 1) {
      throw new InputError(
        `video ${info.file} ended after ${k} of ${sel.count} expected frames: the file is truncated or damaged${stderr.trim() ? `\n  ffmpeg says:\n${tail(stderr)}` : ""}`,
      );
    }
    finished = true;
  } finally {
    if (!finished && proc.exitCode === null) {
      proc.kill("SIGKILL");
      await exited;
    }
  }
}
