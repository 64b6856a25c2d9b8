/**
 * Video → HandTrack: decode (video.ts) → two-stage hand tracking (hand_tracker.ts) → metric 3D in
 * the camera frame (lift_3d.ts, placing the hand of hand_shape.ts: the image landmarks' relative
 * depth at the size of the model's world landmarks or, for models without them, of a canonical
 * palm from canonical_hand.ts) → one side label per tracked hand, from the model's handedness and
 * the 3D hand's chirality over the whole video (handedness.ts, hand_chirality.ts, side_labels.ts)
 * → One-Euro smoothing (smoothing.ts).
 *
 * Nothing is written here: the caller writes the returned track (atomically) once everything has
 * succeeded, so a failure part-way (a truncated video, say) leaves no partial output.
 */
import { performance } from "node:perf_hooks";
import type { ResolveAssetOptions } from "../core/assets.js";
import { InputError } from "../core/errors.js";
import { MAX_JSON_CHARS } from "../core/io.js";
import type { CameraSpec } from "../core/schemas/camera.js";
import { HAND_TRACK_VERSION, type HandTrack } from "../core/schemas/hand_track.js";
import { cameraFromFov, DEFAULT_HFOV_DEG, pixelToRay, type Vec3Tuple } from "./camera_model.js";
import { fingerFlexionM } from "./hand_chirality.js";
import { metricHandShape } from "./hand_shape.js";
import { HandTracker, type TrackerOptions, type TrackerStats } from "./hand_tracker.js";
import { handednessLogOdds, probabilityRight } from "./handedness.js";
import { alignToViewRay, solveTranslation } from "./lift_3d.js";
import { DEFAULT_MODEL_PAIR, loadModelPair, MODEL_PAIRS } from "./model_registry.js";
import type { Device } from "./onnx.js";
import { labelTracks } from "./side_labels.js";
import { DEFAULT_SMOOTHING, type SmoothingFrame, type SmoothingParams, smoothHands } from "./smoothing.js";
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

/** Extracts both hands, 21 keypoints each, in image pixels and camera-frame metres. */
export async function extractHandTrack(
  file: string,
  o: ExtractOptions = {},
): Promise<{ track: HandTrack; stats: ExtractStats }> {
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
  const create = async () => HandTracker.create(await loadModelPair(pairName), trackerOptions, o.assets);
  const key = JSON.stringify([pairName, trackerOptions, o.assets ?? null]);
  const tracker = o.trackers ? await o.trackers.acquire(key, create) : await create();
  const landmarkSpec = tracker.landmarkSpec;
  const mirrored = trackerOptions.mirrored;
  let trackerStats: TrackerStats | undefined;
  o.onDevice?.(tracker.device, tracker.deviceNote);
  const raw: { t: number; index: number; hands: RawHand[] }[] = [];
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
      raw.push({ t: frame.t, index: frame.index, hands });
      o.onProgress?.(raw.length, sel.count);
    }
  } finally {
    // Taken before the tracker is given back: the next extraction resets its stats.
    trackerStats = { ...tracker.stats };
    if (o.trackers) await o.trackers.release(key, tracker);
    else await tracker.dispose();
  }
  const wallS = (performance.now() - t0) / 1000;
  const framesWithHands = raw.filter((f) => f.hands.length > 0).length;
  if (framesWithHands === 0 && !o.allowEmpty) {
    throw new InputError(`no hands found in ${raw.length} frames of ${file}`, {
      hint: "check the video shows hands; `egobridge extract` reads a mirrored selfie video with --mirrored, and writes an empty track with --allow-empty",
    });
  }
  // The tracker's labels saw only the past; now that the whole video is in, each track gets one side.
  const sides = labelTracks(raw.map((f) => f.hands));
  for (const f of raw) for (const h of f.hands) h.side = sides.get(h.trackId)!;
  const smoothed = o.smoothing === false ? raw : smoothHands(raw, o.smoothing ?? DEFAULT_SMOOTHING);
  const pair = MODEL_PAIRS[pairName]!;
  const track: HandTrack = {
    format: "egobridge.handtrack",
    version: HAND_TRACK_VERSION,
    source: {
      kind: "video",
      uri: file,
      synthetic: false,
      description: [
        `egobridge extract: ${pair.detector} + ${pair.landmarks} on ${tracker.device}`,
        `frames ${sel.start}..${sel.end - 1} stride ${sel.stride}`,
        `handedness for ${o.mirrored ? "mirrored (selfie)" : "non-mirrored (egocentric)"} frames, one side per tracked hand (${landmarkSpec.decoder.handednessWeight > 0 ? "the model's handedness and " : ""}the 3D hand's chirality over the whole track, two hands seen together pushed to different sides)`,
        landmarkSpec.decoder.outputs.world
          ? "3D: relative-depth landmarks scaled to the model's world landmarks, placed by a translation solve"
          : "3D: relative-depth landmarks scaled to a canonical 0.094 m palm, placed by a translation solve",
        camera.provenance === "assumed"
          ? `camera ASSUMED: ${camera.model}, ${o.hfovDeg ?? DEFAULT_HFOV_DEG} deg horizontal field of view (no calibration given)`
          : `camera ${camera.provenance}`,
        o.smoothing === false ? "not smoothed" : "One-Euro smoothed",
      ].join("; "),
    },
    fps: info.fps / sel.stride,
    camera,
    frames: smoothed.map((f, i) => ({
      t: f.t,
      index: raw[i]!.index,
      hands: f.hands.map((h, k) => ({
        side: h.side,
        score: raw[i]!.hands[k]!.score,
        keypointsPx: h.keypointsPx,
        keypointsCam: h.keypointsCam,
      })),
    })),
    objects: [],
  };
  return {
    track,
    stats: {
      video: info,
      frames: raw.length,
      framesWithHands,
      framesWithTwoHands: raw.filter((f) => f.hands.length === 2).length,
      wallS,
      framesPerS: raw.length / wallS,
      device: tracker.device,
      deviceNote: tracker.deviceNote,
      meanReprojectionPx: reprojN > 0 ? reprojSum / reprojN : 0,
      tracker: trackerStats!,
    },
  };
}
