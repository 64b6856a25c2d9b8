/**
 * Temporal smoothing of extracted hands with the One-Euro filter (src/core/filters/one_euro.ts, shared
 * with retargeting rather than written twice), as MediaPipe's LandmarksSmoothingCalculator does
 * for tracked landmarks: each coordinate filtered on its own, values divided by the hand's size so
 * that the speed-dependent cutoff works in hand-sizes per second whatever the hand's distance.
 *
 * Filtering restarts wherever a hand is missing for a frame or its track changes. Frames are given
 * in order; times (s) must increase strictly.
 */
import { type OneEuroParams, oneEuroFilter } from "../core/filters/one_euro.js";
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

/** Filters each coordinate of a run of point sets, scaled by the run's median size. */
function smoothRun<T extends number[]>(times: number[], runs: T[][], dims: number, p: OneEuroParams): T[][] {
  const scale = median(runs.map((pts) => extent(pts, Math.min(dims, 2)))) || 1;
  const out = runs.map((pts) => pts.map((q) => [...q] as T));
  const n = runs[0]!.length;
  for (let k = 0; k < n; k++) {
    for (let d = 0; d < dims; d++) {
      const filtered = oneEuroFilter(
        times,
        runs.map((pts) => [pts[k]![d]! / scale]),
        p,
      );
      filtered.forEach((v, i) => {
        out[i]![k]![d] = v[0]! * scale;
      });
    }
  }
  return out;
}

/** A smoothed copy of the frames: per side, per uninterrupted run of frames. */
export function smoothHands(
  frames: readonly SmoothingFrame[],
  p: SmoothingParams = DEFAULT_SMOOTHING,
): SmoothingFrame[] {
  const out: SmoothingFrame[] = frames.map((f) => ({ t: f.t, hands: f.hands.map((h) => ({ ...h })) }));
  for (const side of ["left", "right"] as const) {
    let i = 0;
    while (i < out.length) {
      if (!out[i]!.hands.some((h) => h.side === side)) {
        i++;
        continue;
      }
      const id = out[i]!.hands.find((h) => h.side === side)!.trackId;
      let j = i;
      while (j < out.length && out[j]!.hands.some((h) => h.side === side && h.trackId === id)) j++;
      const run = out.slice(i, j).map((f) => f.hands.find((h) => h.side === side)!);
      if (run.length > 1) {
        const times = out.slice(i, j).map((f) => f.t);
        const px = smoothRun(
          times,
          run.map((h) => h.keypointsPx),
          2,
          p.px,
        );
        const cam = smoothRun(
          times,
          run.map((h) => h.keypointsCam),
          3,
          p.cam,
        );
        run.forEach((h, r) => {
          h.keypointsPx = px[r]!;
          h.keypointsCam = cam[r]!;
        });
      }
      i = j;
    }
  }
  return out;
}
