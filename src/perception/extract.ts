/**
 * Video → HandTrack: decode (video.ts) → two-stage hand tracking (hand_tracker.ts) → metric 3D in
 * the camera frame (lift_3d.ts, placing the hand of hand_shape.ts: the image landmarks' relative
 * depth at the size of the model's world landmarks or, for models without them, of a canonical
 * palm from canonical_hand.ts) → one side label per tracked hand, from the model's handedness and
 * the 3D hand's chirality over the whole video (handedness.ts, hand_chirality.ts, side_labels.ts)
 * → One-Euro smoothing (smoothing.ts).
 *
 * `extractHandTrack` returns the track (the caller writes it, atomically); `extractHandTrackToFile`
 * writes it itself, frame by frame, with memory flat in the video's length. Either way a failure
 * part-way (a truncated video, say) leaves no partial output.
 */
import { createReadStream, createWriteStream, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import type { ResolveAssetOptions } from "../core/assets.js";
import { InputError } from "../core/errors.js";
import { MAX_JSON_CHARS } from "../core/io.js";
import type { CameraSpec } from "../core/schemas/camera.js";
import { HAND_TRACK_VERSION, type HandFrame, type HandTrack } from "../core/schemas/hand_track.js";
import { writeHandTrackFrames } from "../hands/hand_track_io.js";
import { cameraFromFov, DEFAULT_HFOV_DEG, pixelToRay, type Vec3Tuple } from "./camera_model.js";
import { fingerFlexionM } from "./hand_chirality.js";
import { metricHandShape } from "./hand_shape.js";
import { HandTracker, type TrackerOptions, type TrackerStats } from "./hand_tracker.js";
import { handednessLogOdds, probabilityRight } from "./handedness.js";
import { alignToViewRay, solveTranslation } from "./lift_3d.js";
import type { PerceptionLanes } from "./model_lane.js";
import { DEFAULT_MODEL_PAIR, loadModelPair, MODEL_PAIRS } from "./model_registry.js";
import type { Device } from "./onnx.js";
import { SideEvidenceSum } from "./side_labels.js";
import {
  DEFAULT_SMOOTHING,
  HandSmoother,
  handBrief,
  planSmoothing,
  type SmoothingFrame,
  type SmoothingParams,
} from "./smoothing.js";
import type { TrackerCache } from "./tracker_cache.js";
import {
  DECODE_AHEAD,
  type FfmpegPaths,
  type FrameRange,
  probeVideo,
  readFrames,
  selectedFrames,
  type VideoInfo,
} from "./video.js";

export interface ExtractOptions {
  /** Model pair name (model_registry.ts MODEL_PAIRS; default "default"). */
  models?: string;
  device?: Device;
  intraOpThreads?: number;
  /** Camera intrinsics; when absent, a pinhole camera with `hfovDeg` is assumed (and marked "assumed"). */
  camera?: CameraSpec;
  hfovDeg?: number;
  /** Frames are mirrored (selfie view); default false (egocentric). */
  mirrored?: boolean;
  range?: FrameRange;
  /** One-Euro parameters, or false for raw per-frame output (default: smoothing.ts DEFAULT_SMOOTHING). */
  smoothing?: SmoothingParams | false;
  /** Return a track with no hands instead of failing when none is found. */
  allowEmpty?: boolean;
  tracker?: Omit<TrackerOptions, "device" | "intraOpThreads" | "mirrored">;
  assets?: ResolveAssetOptions;
  ffmpeg?: FfmpegPaths;
  onProgress?: (done: number, total: number) => void;
  /** Keep the loaded models for later calls (a batch job's device lane); default: load and dispose per call. */
  trackers?: TrackerCache;
  /**
   * Run the models through sessions shared with other videos perceived at once (model_lane.ts):
   * their crops go through the models in one batch. The track is the same byte for byte.
   */
  lanes?: PerceptionLanes;
  /** Called once the models are loaded, with the device they run on and what `auto` decided. */
  onDevice?: (device: string, note: string) => void;
}

export interface ExtractStats {
  video: VideoInfo;
  frames: number;
  framesWithHands: number;
  framesWithTwoHands: number;
  wallS: number;
  framesPerS: number;
  device: string;
  deviceNote: string;
  /** Mean reprojection error of the 3D lift (px). */
  meanReprojectionPx: number;
  tracker: TrackerStats;
}

type RawHand = SmoothingFrame["hands"][number] & { score: number; trackId: number; logOddsRight: number };

/** Camera intrinsics for a video: the given calibration (checked against the frame size) or an assumed one. */
export function cameraForVideo(
  info: VideoInfo,
  camera: CameraSpec | undefined,
  hfovDeg = DEFAULT_HFOV_DEG,
): CameraSpec {
  if (!camera) return cameraFromFov(info.widthPx, info.heightPx, hfovDeg);
  if (camera.widthPx !== info.widthPx || camera.heightPx !== info.heightPx) {
    throw new InputError(
      `camera is calibrated for ${camera.widthPx}x${camera.heightPx} but the video is ${info.widthPx}x${info.heightPx}`,
      { hint: "give the calibration of the camera at this resolution" },
    );
  }
  return camera;
}

/**
 * Characters one frame takes in a (compact) hand-track file: two hands measured 4.35 k on the
 * egodex clip, rounded up.
 */
const TRACK_CHARS_PER_FRAME = 5000;
/**
 * The most frames one extraction takes (≈ 54 min at 30 fps): its track must fit in one JSON file
 * (MAX_JSON_CHARS), with a margin. Checked before any frame is decoded, so a too-long video fails
 * at once rather than after hours of perception.
 */
export const MAX_TRACK_FRAMES = Math.floor((0.9 * MAX_JSON_CHARS) / TRACK_CHARS_PER_FRAME);

/** One perceived frame, before side labels and smoothing: what the first pass keeps (or spills). */
interface RawFrame {
  t: number;
  index: number;
  hands: RawHand[];
}

/** What perceiving a video gives besides its frames. */
interface Perception {
  file: string;
  info: VideoInfo;
  sel: ReturnType<typeof selectedFrames>;
  camera: CameraSpec;
  pairName: string;
  device: string;
  deviceNote: string;
  handednessWeight: number;
  worldLandmarks: boolean;
  wallS: number;
  meanReprojectionPx: number;
  tracker: TrackerStats;
}

/**
 * The first pass's summary of the frames, kept whatever the video's length: the side evidence per
 * track and, per frame, each hand's track and sizes (for planning the smoothing), and counts.
 */
class FrameEvidence {
  readonly sides = new SideEvidenceSum();
  private readonly briefs: { trackId: number; extentPx: number; extentCam: number }[][] = [];
  frames = 0;
  withHands = 0;
  withTwoHands = 0;

  add(f: RawFrame): void {
    this.sides.add(f.hands);
    this.briefs.push(f.hands.map((h) => ({ ...handBrief(h), trackId: h.trackId })));
    this.frames++;
    if (f.hands.length > 0) this.withHands++;
    if (f.hands.length === 2) this.withTwoHands++;
  }

  /** The second pass: each frame labelled and smoothed, in order (frames given in the order added). */
  finisher(smoothing: SmoothingParams | false): (i: number, f: RawFrame) => HandFrame {
    // The tracker's labels saw only the past; now that the whole video is in, each track gets one side.
    const sides = this.sides.labels();
    const sideOf = (trackId: number) => sides.get(trackId)!;
    const plan =
      smoothing === false
        ? undefined
        : planSmoothing(this.briefs.map((b) => b.map((h) => ({ ...h, side: sideOf(h.trackId) }))));
    const smoother = smoothing === false ? undefined : new HandSmoother(smoothing);
    return (i, f) => {
      const hands = f.hands.map((h) => ({ ...h, side: sideOf(h.trackId) }));
      smoother?.apply(plan![i]!, f.t, hands);
      return {
        t: f.t,
        index: f.index,
        hands: hands.map((h) => ({
          side: h.side,
          score: h.score,
          keypointsPx: h.keypointsPx,
          keypointsCam: h.keypointsCam,
        })),
      };
    };
  }
}

/**
 * Decodes and perceives the selected frames of `file`, handing each to `each` as it is done (the
 * caller keeps or spills it). Throws before any frame for a video too long for one track file.
 */
async function perceive(
  file: string,
  o: ExtractOptions,
  each: (f: RawFrame) => Promise<void> | void,
): Promise<Perception> {
  const info = await probeVideo(file, o.ffmpeg);
  const sel = selectedFrames(info.frameCount, o.range);
  if (sel.count > MAX_TRACK_FRAMES) {
    throw new InputError(
      `${file}: ${sel.count} frames selected, more than the ${MAX_TRACK_FRAMES} one hand-track file can hold`,
      {
        hint: "extract a part with --start/--end or fewer frames with --stride, or run a job whose video input sets segmentS (one demonstration per segment)",
      },
    );
  }
  const camera = cameraForVideo(info, o.camera, o.hfovDeg);
  const pairName = o.models ?? DEFAULT_MODEL_PAIR;
  const trackerOptions = {
    ...o.tracker,
    device: o.device,
    intraOpThreads: o.intraOpThreads,
    mirrored: o.mirrored ?? false,
  };
  const create = async () =>
    HandTracker.create(await loadModelPair(pairName), trackerOptions, o.assets, o.lanes);
  const key = JSON.stringify([pairName, trackerOptions, o.assets ?? null]);
  // A tracker on lanes holds no session of its own: nothing to keep between videos.
  const cache = o.lanes ? undefined : o.trackers;
  const tracker = cache ? await cache.acquire(key, create) : await create();
  const landmarkSpec = tracker.landmarkSpec;
  const mirrored = trackerOptions.mirrored;
  let trackerStats: TrackerStats | undefined;
  o.onDevice?.(tracker.device, tracker.deviceNote);
  let done = 0;
  let reprojSum = 0;
  let reprojN = 0;
  const t0 = performance.now();
  try {
    for await (const frame of readFrames(info, sel, {
      ...o.ffmpeg,
      reuseBuffer: true,
      ahead: DECODE_AHEAD,
    })) {
      const hands: RawHand[] = [];
      for (const h of await tracker.process(frame)) {
        const lm = h.landmarks;
        const px = lm.image.map((p): [number, number] => [p[0], p[1]]);
        const world = alignToViewRay(metricHandShape(lm), pixelToRay(camera, lm.rect.cx, lm.rect.cy));
        const fit = solveTranslation(camera, world, px);
        reprojSum += fit.rmsPx;
        reprojN++;
        const cues = {
          probRight: probabilityRight(lm.probMirroredRight, mirrored),
          classifierWeight: landmarkSpec.decoder.handednessWeight,
          flexionM: fingerFlexionM(world),
        };
        hands.push({
          side: h.side,
          trackId: h.trackId,
          logOddsRight: handednessLogOdds(cues, mirrored),
          score: Math.min(1, Math.max(0, h.score)),
          keypointsPx: px,
          keypointsCam: world.map((w): Vec3Tuple => [w[0] + fit.t[0], w[1] + fit.t[1], w[2] + fit.t[2]]),
        });
      }
      await each({ t: frame.t, index: frame.index, hands });
      o.onProgress?.(++done, sel.count);
    }
  } finally {
    // Taken before the tracker is given back: the next extraction resets its stats.
    trackerStats = { ...tracker.stats };
    if (cache) await cache.release(key, tracker);
    else await tracker.dispose();
  }
  return {
    file,
    info,
    sel,
    camera,
    pairName,
    device: tracker.device,
    deviceNote: tracker.deviceNote,
    handednessWeight: landmarkSpec.decoder.handednessWeight,
    worldLandmarks: Boolean(landmarkSpec.decoder.outputs.world),
    wallS: (performance.now() - t0) / 1000,
    meanReprojectionPx: reprojN > 0 ? reprojSum / reprojN : 0,
    tracker: trackerStats!,
  };
}

/** Fails a video with no hand in any frame, unless an empty track was asked for. */
function checkHandsFound(p: Perception, e: FrameEvidence, o: ExtractOptions): void {
  if (e.withHands === 0 && !o.allowEmpty) {
    throw new InputError(`no hands found in ${e.frames} frames of ${p.file}`, {
      hint: "check the video shows hands; `egobridge extract` reads a mirrored selfie video with --mirrored, and writes an empty track with --allow-empty",
    });
  }
}

/** Everything of the track but its frames. */
function trackHeader(p: Perception, o: ExtractOptions): Omit<HandTrack, "frames"> {
  const pair = MODEL_PAIRS[p.pairName]!;
  return {
    format: "egobridge.handtrack",
    version: HAND_TRACK_VERSION,
    source: {
      kind: "video",
      uri: p.file,
      synthetic: false,
      description: [
        `egobridge extract: ${pair.detector} + ${pair.landmarks} on ${p.device}`,
        `frames ${p.sel.start}..${p.sel.end - 1} stride ${p.sel.stride}`,
        `handedness for ${o.mirrored ? "mirrored (selfie)" : "non-mirrored (egocentric)"} frames, one side per tracked hand (${p.handednessWeight > 0 ? "the model's handedness and " : ""}the 3D hand's chirality over the whole track, two hands seen together pushed to different sides)`,
        p.worldLandmarks
          ? "3D: relative-depth landmarks scaled to the model's world landmarks, placed by a translation solve"
          : "3D: relative-depth landmarks scaled to a canonical 0.094 m palm, placed by a translation solve",
        p.camera.provenance === "assumed"
          ? `camera ASSUMED: ${p.camera.model}, ${o.hfovDeg ?? DEFAULT_HFOV_DEG} deg horizontal field of view (no calibration given)`
          : `camera ${p.camera.provenance}`,
        o.smoothing === false ? "not smoothed" : "One-Euro smoothed",
      ].join("; "),
    },
    fps: p.info.fps / p.sel.stride,
    camera: p.camera,
    objects: [],
  };
}

function statsOf(p: Perception, e: FrameEvidence): ExtractStats {
  return {
    video: p.info,
    frames: e.frames,
    framesWithHands: e.withHands,
    framesWithTwoHands: e.withTwoHands,
    wallS: p.wallS,
    framesPerS: e.frames / p.wallS,
    device: p.device,
    deviceNote: p.deviceNote,
    meanReprojectionPx: p.meanReprojectionPx,
    tracker: p.tracker,
  };
}

/** Extracts both hands, 21 keypoints each, in image pixels and camera-frame metres. */
export async function extractHandTrack(
  file: string,
  o: ExtractOptions = {},
): Promise<{ track: HandTrack; stats: ExtractStats }> {
  const raw: RawFrame[] = [];
  const evidence = new FrameEvidence();
  const p = await perceive(file, o, (f) => {
    raw.push(f);
    evidence.add(f);
  });
  checkHandsFound(p, evidence, o);
  const finish = evidence.finisher(o.smoothing ?? DEFAULT_SMOOTHING);
  const track: HandTrack = { ...trackHeader(p, o), frames: raw.map((f, i) => finish(i, f)) };
  return { track, stats: statsOf(p, evidence) };
}

/**
 * Extracts the hand track of `file` into the track file `out` with memory flat in the video's
 * length: each frame is spilled to a temporary file as it is perceived, only a few numbers per
 * frame stay in memory (side evidence, the hands' tracks and sizes), and a second pass reads the
 * spill back, labels and smooths each frame and streams it into `out` (written atomically). The
 * file holds the same bytes as `writeHandTrack(out, extractHandTrack(file).track)`, with `posed`
 * (a camera trajectory, say) applied to each frame and `header` to the header.
 */
export async function extractHandTrackToFile(
  file: string,
  out: string,
  o: ExtractOptions & {
    posed?: { header: Partial<Omit<HandTrack, "frames">>; frame: (f: HandFrame) => HandFrame };
  } = {},
): Promise<ExtractStats> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-extract-"));
  try {
    const spillFile = path.join(dir, "frames.ndjson");
    const spill = createWriteStream(spillFile);
    const spillFailed = new Promise<never>((_, reject) => spill.on("error", reject));
    spillFailed.catch(() => {});
    const evidence = new FrameEvidence();
    const p = await perceive(file, o, async (f) => {
      evidence.add(f);
      if (!spill.write(`${JSON.stringify(f)}\n`))
        await Promise.race([new Promise<void>((r) => spill.once("drain", () => r())), spillFailed]);
    });
    await new Promise<void>((resolve, reject) =>
      spill.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    checkHandsFound(p, evidence, o);
    const finish = evidence.finisher(o.smoothing ?? DEFAULT_SMOOTHING);
    async function* frames(): AsyncGenerator<HandFrame> {
      const lines = createInterface({
        input: createReadStream(spillFile),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      let i = 0;
      for await (const line of lines) {
        const f = finish(i++, JSON.parse(line) as RawFrame);
        yield o.posed ? o.posed.frame(f) : f;
      }
    }
    await writeHandTrackFrames(out, { ...trackHeader(p, o), ...o.posed?.header }, frames());
    return statsOf(p, evidence);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
