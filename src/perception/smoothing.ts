/**
 * Temporal smoothing of extracted hands with the One-Euro filter (src/core/filters/one_euro.ts, shared
 * with retargeting rather than written twice), as MediaPipe's LandmarksSmoothingCalculator does
 * for tracked landmarks: each coordinate filtered on its own, values divided by the hand's size so
 * that the speed-dependent cutoff works in hand-sizes per second whatever the hand's distance.
 *
 * Filtering restarts wherever a hand is missing for a frame or its track changes. Frames are given
 * in order; times (s) must increase strictly.
 */
import { type OneEuroParams, OneEuroState } from "../core/filters/one_euro.js";
import type { Side } from "./handedness.js";

/** MediaPipe's landmark smoothing settings (min_cutoff 0.05, beta 80, derivate_cutoff 1). */
export const MEDIAPIPE_ONE_EURO: OneEuroParams = { minCutoffHz: 0.05, beta: 80, derivativeCutoffHz: 1 };

export interface SmoothingParams {
  /** For image keypoints (default: MediaPipe's settings, little lag). */
  px: OneEuroParams;
  /**
   * For camera-frame keypoints. Their depth comes from a per-frame scale fit and jitters far more
   * than the image position (egodex clip: 21 mm mean second difference of the wrist depth), which
   * MediaPipe's settings leave almost untouched (20.5 mm); 3 Hz / beta 1 roughly halves it (12.5 mm)
   * for a mean shift of 8 mm from the raw depth.
   */
  cam: OneEuroParams;
}

export const DEFAULT_SMOOTHING: SmoothingParams = {
  px: MEDIAPIPE_ONE_EURO,
  cam: { minCutoffHz: 3, beta: 1, derivativeCutoffHz: 1 },
};

export interface HandSample {
  side: Side;
  /** Track identity from the tracker: a change (the hand was lost and found again) restarts the filter. */
  trackId?: number;
  keypointsPx: [number, number][];
  keypointsCam: [number, number, number][];
}

export interface SmoothingFrame {
  t: number;
  hands: HandSample[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 1;
};

/** Size of a point set: the larger side of its bounding box. */
function extent(points: readonly (readonly number[])[], dims: number): number {
  let size = 0;
  for (let d = 0; d < dims; d++) {
    const v = points.map((p) => p[d]!);
    size = Math.max(size, Math.max(...v) - Math.min(...v));
  }
  return size;
}

/** What planning the smoothing needs of a hand: its side, its track and its sizes. */
export interface HandBrief {
  side: Side;
  trackId?: number;
  /** `extent` of its image keypoints (px) and of its camera-frame keypoints' x, y (m). */
  extentPx: number;
  extentCam: number;
}

/** The brief of a hand sample. */
export const handBrief = (h: HandSample): HandBrief => ({
  side: h.side,
  ...(h.trackId === undefined ? {} : { trackId: h.trackId }),
  extentPx: extent(h.keypointsPx, 2),
  extentCam: extent(h.keypointsCam, 2),
});

/** At one frame, for one side: which hand is smoothed, with its run's scales; `restart` opens a run. */
export interface SmoothStep {
  hand: number;
  scalePx: number;
  scaleCam: number;
  restart: boolean;
}

/** Per frame, per side, the smoothing step (absent: the hand, if any, is left as it is). */
export type SmoothingPlan = Partial<Record<Side, SmoothStep>>[];

/**
 * Plans the smoothing from the hands' briefs alone (small: the keypoints themselves are not
 * needed), so that a long video's frames can then be smoothed one at a time as they are read:
 * per side, per uninterrupted run of the same track; the first hand of the side in each frame is
 * smoothed, each coordinate divided by the run's median size.
 */
export function planSmoothing(frames: readonly (readonly HandBrief[])[]): SmoothingPlan {
  const plan: SmoothingPlan = frames.map(() => ({}));
  for (const side of ["left", "right"] as const) {
    const first = (k: number) => frames[k]!.findIndex((h) => h.side === side);
    let i = 0;
    while (i < frames.length) {
      if (first(i) < 0) {
        i++;
        continue;
      }
      const id = frames[i]![first(i)]!.trackId;
      let j = i;
      while (j < frames.length && frames[j]!.some((h) => h.side === side && h.trackId === id)) j++;
      if (j - i > 1) {
        const run = Array.from({ length: j - i }, (_, r) => frames[i + r]![first(i + r)]!);
        const scalePx = median(run.map((h) => h.extentPx)) || 1;
        const scaleCam = median(run.map((h) => h.extentCam)) || 1;
        for (let k = i; k < j; k++) plan[k]![side] = { hand: first(k), scalePx, scaleCam, restart: k === i };
      }
      i = j;
    }
  }
  return plan;
}

/** Smooths frames one at a time, in order, as a plan says. */
export class HandSmoother {
  private readonly filters: Partial<Record<Side, { px: OneEuroState[]; cam: OneEuroState[] }>> = {};

  constructor(private readonly p: SmoothingParams = DEFAULT_SMOOTHING) {}

  /** Replaces the planned hands' keypoints of a frame at time `t` by their smoothed values. */
  apply(step: SmoothingPlan[number], t: number, hands: HandSample[]): void {
    for (const side of ["left", "right"] as const) {
      const s = step[side];
      if (!s) continue;
      if (s.restart || !this.filters[side]) {
        this.filters[side] = {
          px: Array.from({ length: 21 * 2 }, () => new OneEuroState(this.p.px)),
          cam: Array.from({ length: 21 * 3 }, () => new OneEuroState(this.p.cam)),
        };
      }
      const f = this.filters[side]!;
      const h = hands[s.hand]!;
      const filter = <T extends number[]>(
        pts: T[],
        dims: number,
        states: OneEuroState[],
        scale: number,
      ): T[] =>
        pts.map((q, k) => q.map((v, d) => states[k * dims + d]!.next(t, [v / scale])[0]! * scale) as T);
      h.keypointsPx = filter(h.keypointsPx, 2, f.px, s.scalePx);
      h.keypointsCam = filter(h.keypointsCam, 3, f.cam, s.scaleCam);
    }
  }
}

/** A smoothed copy of the frames: per side, per uninterrupted run of frames. */
export function smoothHands(
  frames: readonly SmoothingFrame[],
  p: SmoothingParams = DEFAULT_SMOOTHING,
): SmoothingFrame[] {
  const plan = planSmoothing(frames.map((f) => f.hands.map(handBrief)));
  const smoother = new HandSmoother(p);
  return frames.map((f, i) => {
    const hands = f.hands.map((h) => ({ ...h }));
    smoother.apply(plan[i]!, f.t, hands);
    return { t: f.t, hands };
  });
}
