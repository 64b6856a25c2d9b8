/**
 * Video input: probe a file with ffprobe, then stream its frames as raw RGB24 from ffmpeg's stdout.
 *
 * Memory stays bounded: frames are assembled into a fixed number of buffers, and a slow consumer
 * stalls ffmpeg (pipe backpressure) instead of buffering the video. Frame selection (start / end /
 * stride) happens in ffmpeg's `select` filter, so skipped frames are decoded but never converted
 * or piped.
 *
 * With `ahead` (what extraction uses), a decoder thread drains ffmpeg's pipe into a ring of
 * `ahead` + 1 frame buffers while the consumer works: a 1080p frame is 6 MB and the pipe holds
 * 64 KB, so without it ffmpeg waits whenever the consumer's thread is busy (an ONNX run blocks
 * it), and decoding and inference take turns instead of overlapping.
 *
 * Frame times assume a constant frame rate (`index / fps`), which is what head-camera footage
 * and the datasets we read use; variable-rate files get nominal times.
 */
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import { Worker } from "node:worker_threads";
import { EgobridgeError, InputError } from "../core/errors.js";
import { fixedSizeFrames } from "../core/frames.js";

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
  /**
   * Frames decoded ahead of the consumer in a decoder thread (0: none, read in this thread). With
   * `ahead`, a frame's buffer is also valid only until the consumer asks for the next frame, as
   * with `reuseBuffer`; the frames are the same bytes either way.
   */
  ahead?: number;
}

/**
 * Frames extraction decodes ahead of inference: two, so one is ready the moment a frame is done
 * while ffmpeg fills the next (18 MB at 1080p).
 */
export const DECODE_AHEAD = 2;

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
  const frameOf = (k: number, rgb: Uint8Array): VideoFrame => {
    const index = sel.start + k * sel.stride;
    return { index, t: index / info.fps, widthPx: info.widthPx, heightPx: info.heightPx, rgb };
  };
  if ((paths.ahead ?? 0) > 0) {
    yield* framesFromDecoder(info, sel.count, cmd, args, paths.ahead!, frameOf);
    return;
  }
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
  let k = 0;
  let finished = false;
  try {
    const stdout = proc.stdout as AsyncIterable<Buffer>;
    for await (const frame of fixedSizeFrames(stdout, frameBytes, { bytes: 0 }, paths.reuseBuffer === true))
      yield frameOf(k++, frame);
    const code = await exited;
    if (spawnFailure) throw spawnError(cmd, spawnFailure);
    checkDecodeEnd(info, sel.count, k, code, stderr);
    finished = true;
  } finally {
    if (!finished && proc.exitCode === null) {
      proc.kill("SIGKILL");
      await exited;
    }
  }
}

/** After ffmpeg exited: fails for a non-zero exit, or for fewer frames than selected. */
function checkDecodeEnd(
  info: VideoInfo,
  count: number,
  k: number,
  code: number | null,
  stderr: string,
): void {
  if (code !== 0) {
    throw new InputError(`ffmpeg failed to decode ${info.file} (exit code ${code}):\n${tail(stderr)}`, {
      hint: "the file may be truncated or damaged",
    });
  }
  // A truncated file whose header survived decodes without failing but ends early.
  if (k < count - 1) {
    throw new InputError(
      `video ${info.file} ended after ${k} of ${count} expected frames: the file is truncated or damaged${stderr.trim() ? `\n  ffmpeg says:\n${tail(stderr)}` : ""}`,
    );
  }
}

/**
 * The decoder thread (plain JavaScript, evaluated: it needs nothing of egobridge). It runs ffmpeg
 * and assembles its stdout into the ring's free buffers, sending each full frame to the consumer
 * (transferred, not copied); a buffer comes back when the consumer is done with it. With no free
 * buffer it stops reading, so ffmpeg waits on the full pipe: memory stays `slots` frames.
 * Messages out: {pid}, {frame}, then {end: {code, stderr, error}} after the last frame.
 */
const DECODER_THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { spawn } = require("node:child_process");
const { cmd, args, frameBytes, slots, keep } = workerData;
const free = Array.from({ length: slots }, () => new ArrayBuffer(frameBytes));
let cur = null, filled = 0, pending = null, stderr = "", exit = null, ended = false;
const proc = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
// The end goes out once ffmpeg has exited and every byte it wrote has gone out as frames.
const maybeEnd = () => {
  if (exit === null || pending !== null || ended) return;
  ended = true;
  parentPort.postMessage({ end: { ...exit, stderr } });
  parentPort.close();
};
proc.on("error", (e) => {
  exit = { code: null, error: { code: e.code, message: e.message } };
  maybeEnd();
});
proc.on("close", (code) => {
  if (exit === null) exit = { code, error: null };
  maybeEnd();
});
if (proc.pid !== undefined) parentPort.postMessage({ pid: proc.pid });
proc.stderr.setEncoding("utf8").on("data", (d) => { stderr = (stderr + d).slice(-keep); });
const consume = (chunk) => {
  let off = 0;
  while (off < chunk.length) {
    if (cur === null) {
      const b = free.pop();
      if (b === undefined) {
        pending = chunk.subarray(off);
        proc.stdout.pause();
        return;
      }
      cur = new Uint8Array(b);
      filled = 0;
    }
    const n = Math.min(frameBytes - filled, chunk.length - off);
    cur.set(chunk.subarray(off, off + n), filled);
    filled += n;
    off += n;
    if (filled === frameBytes) {
      parentPort.postMessage({ frame: cur.buffer }, [cur.buffer]);
      cur = null;
    }
  }
};
proc.stdout.on("data", consume);
parentPort.on("message", (m) => {
  free.push(m);
  if (pending !== null) {
    const p = pending;
    pending = null;
    consume(p);
    if (pending === null) {
      proc.stdout.resume();
      maybeEnd();
    }
  }
});
`;

type DecoderMessage =
  | { pid: number }
  | { frame: ArrayBuffer }
  | { end: { code: number | null; stderr: string; error: { code?: string; message: string } | null } };

/** readFrames through the decoder thread: the same frames, `ahead` of the consumer. */
async function* framesFromDecoder(
  info: VideoInfo,
  count: number,
  cmd: string,
  args: string[],
  ahead: number,
  frameOf: (k: number, rgb: Uint8Array) => VideoFrame,
): AsyncGenerator<VideoFrame> {
  const frameBytes = info.widthPx * info.heightPx * 3;
  const worker = new Worker(DECODER_THREAD, {
    eval: true,
    workerData: { cmd, args, frameBytes, slots: ahead + 1, keep: STDERR_KEEP },
  });
  const inbox: DecoderMessage[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  worker.on("message", (m: DecoderMessage) => {
    inbox.push(m);
    wake?.();
  });
  worker.on("error", (err) => {
    failure = err;
    wake?.();
  });
  let exited = false;
  worker.on("exit", () => {
    exited = true;
    wake?.();
  });
  let pid: number | undefined;
  let finished = false;
  let k = 0;
  try {
    for (;;) {
      while (inbox.length === 0 && failure === undefined && !exited)
        await new Promise<void>((r) => (wake = r));
      if (failure) throw failure;
      if (inbox.length === 0) throw new Error(`the decoder thread of ${info.file} stopped before the end`);
      const m = inbox.shift()!;
      if ("pid" in m) pid = m.pid;
      else if ("frame" in m) {
        yield frameOf(k++, new Uint8Array(m.frame));
        // The consumer asked for the next frame: this buffer goes back to the ring.
        worker.postMessage(m.frame, [m.frame]);
      } else {
        const { code, stderr, error } = m.end;
        if (error) throw spawnError(cmd, Object.assign(new Error(error.message), { code: error.code }));
        checkDecodeEnd(info, count, k, code, stderr);
        finished = true;
        return;
      }
    }
  } finally {
    if (!finished && pid !== undefined) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await worker.terminate();
  }
}
