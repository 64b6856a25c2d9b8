import { InputError } from "../core/errors.js";
import {
  fromArray3,
  lerp3,
  type Pose,
  qfromXyzw,
  transformPoint,
  type Vec3,
  fromArray3 as v,
} from "../core/math.js";
import type { HandFrame, HandObservation, HandTrack } from "../core/schemas/hand_track.js";

export type Side = "left" | "right";

/** One hand's keypoints per frame, in W, with gaps (low score, not seen) filled by interpolation. */
export interface HandSamples {
  side: Side;
  times: number[];
  frameIndex: number[];
  /** 21 keypoints per frame, in W (m). */
  keypoints_W: Vec3[][];
  /** Observation score per frame; 0 where the frame was filled in. */
  score: number[];
  /** Per frame: seen, filled between two observations, or a copy of the first / last one. */
  fill: ("observed" | "interpolated" | "held")[];
  /** Per frame: for a filled frame, the time between the observations around it (s); else 0. */
  gapS: number[];
  /** Per frame: the source camera's pose in W (the frame's own, else the track's static one), or null. */
  X_WC: (Pose | null)[];
}

/** The side seen (above `minScore`) in most frames; ties go to the right hand. */
export function dominantSide(track: HandTrack, minScore: number): Side {
  let left = 0;
  let right = 0;
  for (const f of track.frames) {
    for (const h of f.hands) {
      if (h.score < minScore) continue;
      if (h.side === "left") left++;
      else right++;
    }
  }
  return left > right ? "left" : "right";
}

/**
 * The hand's keypoints in W: world keypoints as they are; camera keypoints through the camera
 * pose of their own frame (a moving head camera), else the track's static X_WC.
 */
function keypointsWorld(h: HandObservation, frame: HandFrame, track: HandTrack): Vec3[] | null {
  if (h.keypointsWorld) return h.keypointsWorld.map(v);
  const pose = frame.X_WC ?? track.X_WC;
  if (h.keypointsCam && pose) {
    const X_WC: Pose = { p: fromArray3(pose.pos), q: qfromXyzw(pose.quatXyzw) };
    return h.keypointsCam.map((k) => transformPoint(X_WC, v(k)));
  }
  return null;
}

/**
 * Extracts one hand from a track, in the scene frame W. Frames where the hand is missing or below
 * `minScore` are filled by linear interpolation between the nearest good frames (held constant
 * before the first and after the last). Throws an InputError when the hand is never seen or the
 * keypoints cannot be placed in W (camera-frame keypoints without a calibration X_WC).
 */
export function extractHand(track: HandTrack, side: Side, minScore: number): HandSamples {
  const n = track.frames.length;
  const raw: (Vec3[] | null)[] = new Array(n).fill(null);
  const score = new Array<number>(n).fill(0);
  let sawCamOnly = false;
  for (let i = 0; i < n; i++) {
    const h = track.frames[i]!.hands.find((o) => o.side === side && o.score >= minScore);
    if (!h) continue;
    const kp = keypointsWorld(h, track.frames[i]!, track);
    if (!kp) {
      sawCamOnly = true;
      continue;
    }
    raw[i] = kp;
    score[i] = h.score;
  }
  const good = raw.flatMap((k, i) => (k ? [i] : []));
  if (good.length === 0) {
    if (sawCamOnly) {
      throw new InputError(
        `the ${side} hand has only camera-frame keypoints and the track has no calibration X_WC`,
        {
          hint: "add X_WC (camera pose in the scene) to the hand track, or pass a calibration",
        },
      );
    }
    throw new InputError(`the hand track has no ${side} hand with score >= ${minScore}`, {
      hint: "choose the other hand (retarget --side), or lower minScore (a job's retarget settings)",
    });
  }
  const keypoints_W: Vec3[][] = new Array(n);
  const fill = new Array<HandSamples["fill"][number]>(n).fill("held");
  const gapS = new Array<number>(n).fill(0);
  for (let g = 0; g < good.length; g++) {
    const i0 = good[g]!;
    keypoints_W[i0] = raw[i0]!;
    fill[i0] = "observed";
    const i1 = good[g + 1];
    if (i1 === undefined) continue;
    const gap = track.frames[i1]!.t - track.frames[i0]!.t;
    for (let i = i0 + 1; i < i1; i++) {
      const s = (track.frames[i]!.t - track.frames[i0]!.t) / gap;
      keypoints_W[i] = raw[i0]!.map((p, k) => lerp3(p, raw[i1]![k]!, s));
      fill[i] = "interpolated";
      gapS[i] = gap;
    }
  }
  for (let i = 0; i < good[0]!; i++) keypoints_W[i] = raw[good[0]!]!;
  for (let i = good[good.length - 1]! + 1; i < n; i++) keypoints_W[i] = raw[good[good.length - 1]!]!;
  return {
    side,
    times: track.frames.map((f) => f.t),
    frameIndex: track.frames.map((f, i) => f.index ?? i),
    keypoints_W,
    score,
    fill,
    gapS,
    X_WC: track.frames.map((f) => {
      const pose = f.X_WC ?? track.X_WC;
      return pose ? { p: fromArray3(pose.pos), q: qfromXyzw(pose.quatXyzw) } : null;
    }),
  };
}

/**
 * The stretches of a hand's samples that were seen, split wherever the hand went unseen for
 * longer than `maxGapS` (a shorter gap is interpolated and stays inside its stretch). Each is an
 * inclusive index range from an observed sample to an observed sample: frames held before the
 * first or after the last sighting are left out, as are gaps too long to fill honestly.
 */
export function observedSegments(hand: HandSamples, maxGapS: number): [number, number][] {
  const seen = hand.fill.flatMap((f, i) => (f === "observed" ? [i] : []));
  const out: [number, number][] = [];
  let start = seen[0]!;
  for (let k = 1; k <= seen.length; k++) {
    const prev = seen[k - 1]!;
    const next = seen[k];
    if (next === undefined || hand.times[next]! - hand.times[prev]! > maxGapS) {
      out.push([start, prev]);
      if (next !== undefined) start = next;
    }
  }
  return out;
}

/** Samples `a..b` (inclusive) of a hand. */
export function sliceHand(hand: HandSamples, a: number, b: number): HandSamples {
  const cut = <T>(xs: T[]): T[] => xs.slice(a, b + 1);
  return {
    side: hand.side,
    times: cut(hand.times),
    frameIndex: cut(hand.frameIndex),
    keypoints_W: cut(hand.keypoints_W),
    score: cut(hand.score),
    fill: cut(hand.fill),
    gapS: cut(hand.gapS),
    X_WC: cut(hand.X_WC),
  };
}
