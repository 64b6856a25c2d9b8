/**
 * The two-stage hand tracker (MediaPipe hand_landmark_tracking graph): a palm detector finds
 * hands, the landmark model regresses 21 keypoints in a rotated crop around each, and each hand's
 * landmarks give its crop in the next frame. The detector runs on every frame while no hand is
 * tracked, every `searchEveryFrames` frames while some but fewer than `maxHands` are (MediaPipe
 * searches on every frame then; with one hand in view that doubles the cost for nothing), and, if
 * asked, every `redetectEveryFrames` frames when all are. A hand is dropped when its presence
 * score falls below the model's threshold.
 *
 * Owns its two ONNX sessions, or two clients of sessions shared across videos (model_lane.ts):
 * call `dispose()` either way.
 */
import type { AssetRef, ResolveAssetOptions } from "../core/assets.js";
import { resolveAsset } from "../core/assets.js";
import { type Anchor, ssdAnchors } from "./anchors.js";
import { detectionToImage, detectionToRect } from "./detection_to_rect.js";
import { assignSides, probabilityRight, type Side } from "./handedness.js";
import { cropToTensor, type RgbImage, tensorSize } from "./image_to_tensor.js";
import { landmarksToRect } from "./landmarks_to_rect.js";
import type { ModelRunner, PerceptionLanes } from "./model_lane.js";
import type { HandLandmarkModel, PalmDetectorModel, PerceptionModel } from "./model_registry.js";
import { type Box2, boxArea, intersectionArea, iou, weightedNms } from "./non_max_suppression.js";
import { type Device, OnnxModel, type SessionOptions } from "./onnx.js";
import { rectBounds, squareTiles } from "./rect_transform.js";
import { tensorsToDetections } from "./tensors_to_detections.js";
import { tensorsToLandmarks } from "./tensors_to_landmarks.js";
import type { Detection, HandLandmarks, Rect } from "./types.js";

export interface TrackerOptions {
  device?: Device;
  intraOpThreads?: number;
  /** Most hands tracked at once (default 2). */
  maxHands?: number;
  /** Frames are mirrored (selfie view); false for egocentric video (default). */
  mirrored?: boolean;
  /** Look for more hands every N processed frames while fewer than maxHands are tracked (default 3: a new hand is picked up within 0.1 s at 30 Hz; 1 = MediaPipe). */
  searchEveryFrames?: number;
  /** Also run the detector every N processed frames when all hands are tracked (0 = never; default 0). */
  redetectEveryFrames?: number;
  /** Override the registry's detection score threshold. */
  minDetectionScore?: number;
  /** Override the registry's presence threshold. */
  minPresence?: number;
  /** Square detector tiles across the frame (rect_transform.ts squareTiles; default "auto"). */
  detectorTiles?: number | "auto";
  /** Run both hands' crops through the landmark model in one batch when the model allows (default true). */
  batchCrops?: boolean;
  /** Observer of every landmark-model input (benchmarks re-run the model alone on these). */
  onLandmarkInput?: (input: Float32Array, batch: number) => void;
}

/** One hand in one frame. */
export interface TrackedHand {
  /** Stable while the hand is tracked; a new id after it was lost. */
  trackId: number;
  /**
   * Online side, from the model's score averaged over the track so far (handedness.ts assignSides):
   * all a live caller has. extract.ts replaces it with one side per track decided over the whole
   * video, with the 3D hand's chirality (side_labels.ts).
   */
  side: Side;
  /** Probability that this is the person's right hand, averaged over the track so far. */
  probRightHand: number;
  /** Score in [0, 1]: the landmark model's presence. */
  score: number;
  landmarks: HandLandmarks;
  /** Whether this frame's crop came from the detector (true) or from the previous landmarks. */
  detected: boolean;
}

export interface TrackerStats {
  frames: number;
  detectorRuns: number;
  landmarkRuns: number;
  landmarkCrops: number;
  detectorMs: number;
  landmarkMs: number;
  cropMs: number;
}

interface Track {
  id: number;
  rect: Rect;
  detected: boolean;
  sumProbRight: number;
  n: number;
}

/** The IoU above which a detection is the same hand as a tracked one (MediaPipe AssociationNormRect: 0.5). */
const SAME_HAND_IOU = 0.5;

export async function loadModelFile(m: PerceptionModel, assets: ResolveAssetOptions = {}): Promise<string> {
  const ref: AssetRef = {
    name: m.asset.name,
    sha256: m.asset.sha256,
    sizeBytes: m.asset.sizeBytes,
    url: m.asset.url,
  };
  return resolveAsset(ref, assets);
}

export class HandTracker {
  readonly stats: TrackerStats = {
    frames: 0,
    detectorRuns: 0,
    landmarkRuns: 0,
    landmarkCrops: 0,
    detectorMs: 0,
    landmarkMs: 0,
    cropMs: 0,
  };
  private tracks: Track[] = [];
  private nextId = 0;
  private framesSinceDetect = 0;
  private readonly anchors: Anchor[];
  private readonly detInput: Float32Array;
  private readonly lmInput: Float32Array;

  private constructor(
    readonly detectorSpec: PalmDetectorModel,
    readonly landmarkSpec: HandLandmarkModel,
    private readonly detector: ModelRunner,
    readonly landmarkModel: ModelRunner,
    private readonly o: TrackerOptions,
  ) {
    this.anchors = ssdAnchors(detectorSpec.decoder.anchors);
    if (this.anchors.length !== detectorSpec.decoder.numBoxes) {
      throw new RangeError(
        `${detectorSpec.name}: anchors config gives ${this.anchors.length} anchors, the model has ${detectorSpec.decoder.numBoxes}`,
      );
    }
    this.detInput = new Float32Array(tensorSize(detectorSpec.input));
    this.lmInput = new Float32Array(tensorSize(landmarkSpec.input) * this.maxHands);
  }

  /**
   * Loads both models (resolving and checking their files) on the requested device; with `lanes`,
   * the tracker runs them through the lanes' shared sessions instead of sessions of its own.
   */
  static async create(
    models: { detector: PalmDetectorModel; landmarks: HandLandmarkModel },
    o: TrackerOptions = {},
    assets: ResolveAssetOptions = {},
    lanes?: PerceptionLanes,
  ): Promise<HandTracker> {
    const detFile = await loadModelFile(models.detector, assets);
    const lmFile = await loadModelFile(models.landmarks, assets);
    const open = async (file: string, options: SessionOptions): Promise<ModelRunner> =>
      lanes
        ? (await lanes.lane(file, options, () => OnnxModel.load(file, options))).client()
        : OnnxModel.load(file, options);
    const detector = await open(detFile, { device: o.device, intraOpThreads: o.intraOpThreads });
    try {
      // `auto` settles on the detector's device; the landmark model follows it rather than probing again.
      const landmarks = await open(lmFile, {
        device: detector.device,
        intraOpThreads: o.intraOpThreads,
        dynamicBatch: models.landmarks.batchable && o.batchCrops !== false,
      });
      return new HandTracker(models.detector, models.landmarks, detector, landmarks, o);
    } catch (err) {
      await detector.dispose();
      throw err;
    }
  }

  get device(): string {
    return this.detector.device;
  }

  /** What `--device auto` decided, if anything worth saying. */
  get deviceNote(): string {
    return this.detector.note;
  }

  get maxHands(): number {
    return this.o.maxHands ?? 2;
  }

  /** Forgets the tracked hands and zeroes the stats (e.g. before an unrelated clip). */
  reset(): void {
    this.tracks = [];
    this.framesSinceDetect = 0;
    for (const k of Object.keys(this.stats) as (keyof TrackerStats)[]) this.stats[k] = 0;
  }

  /** Palm detections in image pixels, as hand rects, best first (all tiles, merged by weighted NMS). */
  async detect(image: RgbImage): Promise<{ rect: Rect; score: number }[]> {
    const spec = this.detectorSpec;
    const dec = spec.decoder;
    const dims =
      spec.input.layout === "NHWC"
        ? [1, spec.input.height, spec.input.width, 3]
        : [1, 3, spec.input.height, spec.input.width];
    const found: Detection[] = [];
    for (const tile of squareTiles(image.widthPx, image.heightPx, this.o.detectorTiles ?? "auto")) {
      let t0 = performance.now();
      cropToTensor(image, tile, spec.input, this.detInput, 0);
      this.stats.cropMs += performance.now() - t0;
      t0 = performance.now();
      const out = await this.detector.run(spec.input.name, this.detInput, dims);
      this.stats.detectorMs += performance.now() - t0;
      this.stats.detectorRuns++;
      const boxes = out[dec.outputs.boxes];
      const scores = out[dec.outputs.scores];
      if (!boxes || !scores)
        throw new Error(`${spec.name}: outputs ${dec.outputs.boxes}/${dec.outputs.scores} missing`);
      const raw = tensorsToDetections(boxes.data, scores.data, this.anchors, {
        ...dec,
        minScore: this.o.minDetectionScore ?? dec.minScore,
      });
      // IoU is invariant to the uniform scaling into image pixels, so NMS can run there, across tiles.
      for (const d of raw) found.push(detectionToImage(d, tile));
    }
    return weightedNms(found, dec.nms).map((d) => ({ rect: detectionToRect(d, dec.roi), score: d.score }));
  }

  /** Runs the landmark model on rotated crops of the image (one batch when the model allows). */
  async landmarks(image: RgbImage, rects: readonly Rect[]): Promise<HandLandmarks[]> {
    const spec = this.landmarkSpec;
    const per = tensorSize(spec.input);
    const batched = this.landmarkModel.inputShape(spec.input.name)[0] !== 1;
    const out: HandLandmarks[] = [];
    const groups = batched ? [rects] : rects.map((r) => [r]);
    for (const group of groups) {
      if (group.length === 0) continue;
      let t0 = performance.now();
      group.forEach((r, b) => {
        cropToTensor(image, r, spec.input, this.lmInput, b);
      });
      this.stats.cropMs += performance.now() - t0;
      const input = this.lmInput.subarray(0, per * group.length);
      this.o.onLandmarkInput?.(input, group.length);
      const n = group.length;
      const dims =
        spec.input.layout === "NHWC"
          ? [n, spec.input.height, spec.input.width, 3]
          : [n, 3, spec.input.height, spec.input.width];
      t0 = performance.now();
      const t = await this.landmarkModel.run(spec.input.name, input, dims);
      this.stats.landmarkMs += performance.now() - t0;
      this.stats.landmarkRuns++;
      this.stats.landmarkCrops += n;
      const names = spec.decoder.outputs;
      const get = (name: string) => {
        const v = t[name];
        if (!v) throw new Error(`${spec.name}: output ${name} missing`);
        return v.data;
      };
      const tensors = {
        landmarks: get(names.landmarks),
        presence: get(names.presence),
        handedness: get(names.handedness),
        ...(names.world ? { world: get(names.world) } : {}),
      };
      group.forEach((r, b) => {
        out.push(
          tensorsToLandmarks(tensors, b, r, {
            inputWidth: spec.input.width,
            inputHeight: spec.input.height,
            presenceIsLogit: spec.decoder.presenceIsLogit,
            handednessIsLogit: spec.decoder.handednessIsLogit,
            handednessLabel: spec.decoder.handednessLabel,
            normalizeZ: spec.decoder.normalizeZ,
          }),
        );
      });
    }
    return out;
  }

  /** Tracks hands through one frame; frames must come in order. */
  async process(image: RgbImage): Promise<TrackedHand[]> {
    this.stats.frames++;
    const every =
      this.tracks.length === 0
        ? 1
        : this.tracks.length < this.maxHands
          ? (this.o.searchEveryFrames ?? 3)
          : (this.o.redetectEveryFrames ?? 0);
    const needDetect = every > 0 && this.framesSinceDetect + 1 >= every;
    if (needDetect) {
      this.framesSinceDetect = 0;
      for (const d of await this.detect(image)) {
        if (this.tracks.length >= this.maxHands) break;
        const b = rectBounds(d.rect);
        if (this.tracks.some((t) => iou(rectBounds(t.rect), b) > SAME_HAND_IOU)) continue;
        this.tracks.push({ id: this.nextId++, rect: d.rect, detected: true, sumProbRight: 0, n: 0 });
      }
    } else this.framesSinceDetect++;
    if (this.tracks.length === 0) return [];

    const found = await this.landmarks(
      image,
      this.tracks.map((t) => t.rect),
    );
    const minPresence = this.o.minPresence ?? this.landmarkSpec.decoder.minPresence;
    const mirrored = this.o.mirrored ?? false;
    let kept: { track: Track; lm: HandLandmarks }[] = [];
    this.tracks.forEach((track, i) => {
      const lm = found[i]!;
      if (lm.presence < minPresence) return;
      track.sumProbRight += probabilityRight(lm.probMirroredRight, mirrored);
      track.n++;
      kept.push({ track, lm });
    });
    kept = dedupe(kept);
    const sides = assignSides(kept.map((k) => k.track.sumProbRight / k.track.n));
    const hands = kept.map(
      ({ track, lm }, i): TrackedHand => ({
        trackId: track.id,
        side: sides[i]!,
        probRightHand: track.sumProbRight / track.n,
        score: lm.presence,
        landmarks: lm,
        detected: track.detected,
      }),
    );
    // Next frame's crops come from this frame's landmarks.
    this.tracks = kept.map(({ track, lm }) => ({
      ...track,
      rect: landmarksToRect(lm.image, this.landmarkSpec.decoder.roi.transform),
      detected: false,
    }));
    return hands;
  }

  async dispose(): Promise<void> {
    await this.detector.dispose();
    await this.landmarkModel.dispose();
  }
}

/**
 * A skeleton whose box lies mostly inside another's is the same hand found twice (a second track
 * or detection on an edge-on hand): on the webcam clip such duplicates overlap 0.95–1.0 of the
 * smaller box, while the two real hands of the egodex clip, even touching around the cup, overlap
 * at most 0.08.
 */
export const DUPLICATE_OVERLAP = 0.6;

/** Intersection over the smaller box's area. */
export function overlapOfSmaller(a: Box2, b: Box2): number {
  const smaller = Math.min(boxArea(a), boxArea(b));
  return smaller > 0 ? intersectionArea(a, b) / smaller : 0;
}

/** Drops skeletons duplicating a higher-presence one (landmark boxes, see DUPLICATE_OVERLAP). */
function dedupe<T extends { lm: HandLandmarks }>(hands: T[]): T[] {
  const box = (lm: HandLandmarks) => ({
    xMin: Math.min(...lm.image.map((p) => p[0])),
    yMin: Math.min(...lm.image.map((p) => p[1])),
    xMax: Math.max(...lm.image.map((p) => p[0])),
    yMax: Math.max(...lm.image.map((p) => p[1])),
  });
  const sorted = [...hands].sort((a, b) => b.lm.presence - a.lm.presence);
  const out: T[] = [];
  for (const h of sorted) {
    if (out.every((o) => overlapOfSmaller(box(o.lm), box(h.lm)) <= DUPLICATE_OVERLAP)) out.push(h);
  }
  return hands.filter((h) => out.includes(h));
}
