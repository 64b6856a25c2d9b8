/**
 * Perception measured against a reference track: a `HandTrack` whose frames carry the camera pose
 * (`X_WC`) and both hands' keypoints in W (`keypointsWorld`), such as an EgoDex episode imported by
 * src/hands/egodex.ts (Apple Vision Pro ARKit joints). The reference is taken into the camera frame
 * (p_C = X_WC⁻¹ · p_W) and projected with the reference's intrinsics; the extracted track is compared
 * with it frame by frame (matched by frame index).
 *
 * Definitions (all medians are over hand-frames unless said otherwise):
 * - A reference hand is *in front* when all 21 keypoints have z_C > 0, *in view* when moreover at
 *   least 11 of its 21 projected keypoints lie inside the image.
 * - Detections are assigned to reference hands in front by 2D distance (the assignment with the
 *   smallest sum of median keypoint distances); an assignment counts when the median distance is
 *   under the reference hand's box size (a detection farther away than a hand's size is a false
 *   detection). *Detection rate* = in-view reference hands with an assigned detection / in-view
 *   reference hands. *Side-label error rate* = assigned detections whose side label differs from
 *   their reference hand's / assigned detections.
 * - Errors are reported twice: `bySide` compares each detection with the reference hand of the side
 *   it is labelled with (what a consumer of the track gets); `byNearest` with the hand it was
 *   assigned to in 2D (the keypoints and depth alone, whatever the label).
 * - Box: the axis-aligned bounding box of the reference hand's 21 projected keypoints; its size is
 *   its larger side (px). PCK@0.2: the fraction of keypoints within 0.2 × box size of the reference.
 * - 2D error: the median over all keypoints of all compared hands (px). 3D: per hand-frame the mean
 *   over the 21 keypoints of ‖p_est − p_ref‖ (m), and the wrist's; depth: signed z_est − z_ref of
 *   the wrist and of the keypoints' mean (positive = estimate too deep), and of the wrist relative
 *   to the keypoints' mean (the hand's shape in depth, apart from its placement).
 *
 * Pure measurement: nothing here feeds back into perception.
 */
import { InputError } from "../core/errors.js";
import { fromArray3, invert, poseFromJson, transformPoint } from "../core/math.js";
import type { CameraSpec } from "../core/schemas/camera.js";
import type { HandTrack } from "../core/schemas/hand_track.js";
import { projectPoint, type Vec3Tuple } from "./camera_model.js";
import { type ExtractOptions, type ExtractStats, extractHandTrack } from "./extract.js";

type Side = "left" | "right";
type Px = [number, number];

/** One reference hand in one frame, in the camera frame. */
export interface ReferenceHand {
  side: Side;
  /** 21 × [x, y, z] camera frame (m, OpenCV axes). */
  keypointsCam: Vec3Tuple[];
  /** 21 × [u, v] projected with the reference intrinsics (px); NaN behind the camera. */
  keypointsPx: Px[];
  inFront: boolean;
  inView: boolean;
  /** Larger side of the projected keypoints' bounding box (px). */
  boxPx: number;
}

/** Fraction of the box size within which a keypoint counts as correct (PCK@0.2). */
export const PCK_FRACTION = 0.2;
/** Projected keypoints that must lie inside the image for a hand to count as in view. */
export const MIN_KEYPOINTS_IN_IMAGE = 11;

/** The reference's hands per frame index, in the camera frame, with their projections. */
export function referenceInCamera(ref: HandTrack, camera: CameraSpec): Map<number, ReferenceHand[]> {
  const out = new Map<number, ReferenceHand[]>();
  ref.frames.forEach((f, i) => {
    if (!f.X_WC) {
      throw new InputError(`reference frame ${i} has no camera pose X_WC`, {
        hint: "the reference must carry the camera pose per frame (an EgoDex import does)",
      });
    }
    const X_CW = invert(poseFromJson(f.X_WC));
    const hands: ReferenceHand[] = [];
    for (const h of f.hands) {
      if (!h.keypointsWorld) continue;
      const cam = h.keypointsWorld.map((p): Vec3Tuple => {
        const q = transformPoint(X_CW, fromArray3(p));
        return [q.x, q.y, q.z];
      });
      const px = cam.map((p) => projectPoint(camera, p));
      const inFront = cam.every((p) => p[2] > 0);
      const inside = px.filter(([u, v]) => u >= 0 && u < camera.widthPx && v >= 0 && v < camera.heightPx);
      const us = px.map((p) => p[0]);
      const vs = px.map((p) => p[1]);
      hands.push({
        side: h.side,
        keypointsCam: cam,
        keypointsPx: px,
        inFront,
        inView: inFront && inside.length >= MIN_KEYPOINTS_IN_IMAGE,
        boxPx: Math.max(Math.max(...us) - Math.min(...us), Math.max(...vs) - Math.min(...vs)),
      });
    }
    out.set(f.index ?? i, hands);
  });
  return out;
}

/** Errors of a set of compared hand-frames. NaN where nothing was compared. */
export interface ErrorSummary {
  /** Hand-frames compared. */
  hands: number;
  /** Median 2D keypoint error over all keypoints (px). */
  medianPx: number;
  /** Fraction of keypoints within PCK_FRACTION × the reference box size. */
  pck: number;
  /** Median over hand-frames of the mean 3D keypoint error (m). */
  meanKeypointM: number;
  /** Median wrist 3D error (m). */
  wristM: number;
  /** Median signed wrist depth error z_est − z_ref (m; positive = too deep). */
  wristDepthM: number;
  /** Median signed mean-keypoint depth error (m). */
  meanDepthM: number;
  /**
   * Median of the wrist's signed depth error minus the keypoints' mean one (m): how far the wrist
   * sits behind (+) or before (−) where it should relative to the rest of the hand, whatever the
   * hand's overall depth. A flat 3D hand seen with its fingers pointing away has it positive.
   */
  wristRelativeDepthM: number;
  /** Median 2D error per keypoint index (21, px). */
  perKeypointPx: number[];
  /** Median 3D error per keypoint index (21, m). */
  perKeypointM: number[];
}

export interface TrackEvaluation {
  /** Extracted frames that have a reference frame. */
  frames: number;
  referenceHandsInView: number;
  detections: number;
  detectionRate: number;
  sideLabelErrorRate: number;
  /** Detections no reference hand in front was near (see the module comment). */
  falseDetections: number;
  bySide: ErrorSummary;
  byNearest: ErrorSummary;
}

const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const dist2 = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!);
const dist3 = (a: readonly number[], b: readonly number[]) =>
  Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

interface Detected {
  side: Side;
  px: readonly (readonly number[])[];
  cam: readonly (readonly number[])[];
}

const medianPxDistance = (d: Detected, r: ReferenceHand) =>
  median(d.px.map((p, k) => dist2(p, r.keypointsPx[k]!)));

/** Pairs (detection, reference) with the smallest summed 2D distance; at most two hands each. */
function assign(dets: readonly Detected[], refs: readonly ReferenceHand[]): [number, number][] {
  const cost = dets.map((d) => refs.map((r) => medianPxDistance(d, r)));
  const ok = (i: number, j: number) => cost[i]![j]! < refs[j]!.boxPx;
  let best: [number, number][] = [];
  let bestScore = [-1, 0]; // more pairs first, then less distance
  const consider = (pairs: [number, number][]) => {
    const valid = pairs.filter(([i, j]) => ok(i, j));
    const sum = valid.reduce((s, [i, j]) => s + cost[i]![j]!, 0);
    if (valid.length > bestScore[0]! || (valid.length === bestScore[0] && sum < bestScore[1]!)) {
      best = valid;
      bestScore = [valid.length, sum];
    }
  };
  // With at most two hands on each side, the assignments are few enough to list.
  const n = dets.length;
  const m = refs.length;
  if (n === 0 || m === 0) return [];
  for (let j0 = 0; j0 < m; j0++) {
    if (n === 1) consider([[0, j0]]);
    else
      for (let j1 = 0; j1 < m; j1++) {
        if (j1 !== j0)
          consider([
            [0, j0],
            [1, j1],
          ]);
        else if (m === 1) {
          consider([[0, j0]]);
          consider([[1, j0]]);
        }
      }
  }
  return best;
}

class Accumulator {
  private px: number[] = [];
  private pck = 0;
  private kps = 0;
  private meanKp: number[] = [];
  private wrist: number[] = [];
  private wristDepth: number[] = [];
  private meanDepth: number[] = [];
  private wristRelDepth: number[] = [];
  private perKpPx: number[][] = Array.from({ length: 21 }, () => []);
  private perKpM: number[][] = Array.from({ length: 21 }, () => []);

  add(d: Detected, r: ReferenceHand) {
    let e3 = 0;
    let dz = 0;
    d.px.forEach((p, k) => {
      const e = dist2(p, r.keypointsPx[k]!);
      this.px.push(e);
      this.perKpPx[k]!.push(e);
      if (e <= PCK_FRACTION * r.boxPx) this.pck++;
      this.kps++;
      const c = d.cam[k]!;
      const g = r.keypointsCam[k]!;
      const e3k = dist3(c, g);
      this.perKpM[k]!.push(e3k);
      e3 += e3k;
      dz += c[2]! - g[2];
    });
    this.meanKp.push(e3 / d.px.length);
    this.wrist.push(dist3(d.cam[0]!, r.keypointsCam[0]!));
    const wristDz = d.cam[0]![2]! - r.keypointsCam[0]![2];
    this.wristDepth.push(wristDz);
    this.meanDepth.push(dz / d.px.length);
    this.wristRelDepth.push(wristDz - dz / d.px.length);
  }

  summary(): ErrorSummary {
    return {
      hands: this.meanKp.length,
      medianPx: median(this.px),
      pck: this.kps > 0 ? this.pck / this.kps : Number.NaN,
      meanKeypointM: median(this.meanKp),
      wristM: median(this.wrist),
      wristDepthM: median(this.wristDepth),
      meanDepthM: median(this.meanDepth),
      wristRelativeDepthM: median(this.wristRelDepth),
      perKeypointPx: this.perKpPx.map(median),
      perKeypointM: this.perKpM.map(median),
    };
  }
}

/**
 * Compares an extracted track (keypointsPx and keypointsCam per hand) with a reference track
 * (X_WC and keypointsWorld per frame) on the frames both have, by frame index. `camera`: the
 * intrinsics to project the reference with (default: the reference's, else the extracted track's).
 */
export function evaluateTrack(est: HandTrack, ref: HandTrack, camera?: CameraSpec): TrackEvaluation {
  const cam = camera ?? ref.camera ?? est.camera;
  if (!cam) throw new InputError("no camera intrinsics to project the reference with");
  const refs = referenceInCamera(ref, cam);
  const bySide = new Accumulator();
  const byNearest = new Accumulator();
  let frames = 0;
  let inView = 0;
  let found = 0;
  let detections = 0;
  let assigned = 0;
  let wrongSide = 0;
  est.frames.forEach((f, i) => {
    const r = refs.get(f.index ?? i);
    if (!r) return;
    frames++;
    const dets: Detected[] = f.hands
      .filter((h) => h.keypointsPx && h.keypointsCam)
      .map((h) => ({ side: h.side, px: h.keypointsPx!, cam: h.keypointsCam! }));
    detections += dets.length;
    const front = r.filter((h) => h.inFront);
    inView += front.filter((h) => h.inView).length;
    const pairs = assign(dets, front);
    for (const [di, rj] of pairs) {
      const d = dets[di]!;
      const h = front[rj]!;
      assigned++;
      if (h.inView) found++;
      if (d.side !== h.side) wrongSide++;
      byNearest.add(d, h);
    }
    for (const d of dets) {
      const h = front.find((x) => x.side === d.side);
      if (h) bySide.add(d, h);
    }
  });
  return {
    frames,
    referenceHandsInView: inView,
    detections,
    detectionRate: inView > 0 ? found / inView : Number.NaN,
    sideLabelErrorRate: assigned > 0 ? wrongSide / assigned : Number.NaN,
    falseDetections: detections - assigned,
    bySide: bySide.summary(),
    byNearest: byNearest.summary(),
  };
}

/**
 * Runs `extract` on a video with the reference's intrinsics and evaluates the track against the
 * reference. The reference's frames must be the video's frames (one pose per video frame, as in
 * EgoDex); `o.range` selects frames as for extraction.
 */
export async function evaluateExtraction(
  video: string,
  ref: HandTrack,
  o: ExtractOptions = {},
): Promise<{ evaluation: TrackEvaluation; track: HandTrack; stats: ExtractStats }> {
  if (!ref.camera) throw new InputError("the reference track has no camera intrinsics");
  const { track, stats } = await extractHandTrack(video, { ...o, camera: ref.camera, allowEmpty: true });
  return { evaluation: evaluateTrack(track, ref, ref.camera), track, stats };
}
