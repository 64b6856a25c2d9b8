/**
 * Feature statistics as LeRobot stores them (`compute_stats.py`): per component of a feature,
 * min / max / mean / std (population, ddof = 0), the frame count, and the quantiles q01, q10, q50,
 * q90, q99 that LeRobot's QUANTILES normalisation (π0.5 and others) reads. Per-episode stats go in
 * the episodes table; the dataset's stats.json aggregates them the way LeRobot's
 * `aggregate_feature_stats` does (count-weighted mean, pooled variance, and each quantile as the
 * count-weighted mean of the episodes' quantiles), so both agree.
 *
 * An episode's quantiles are exact (numpy's default "linear" method over its frames); LeRobot
 * estimates them from a histogram, so its own figures for the same frames differ by up to a bin.
 */
import { type EpisodeFrames, FEATURES, type FeatureSpec, featureSize } from "./features.js";
import type { FeatureKey } from "./layout.js";

/** The quantiles LeRobot stores, by name, at their probabilities. */
export const QUANTILES = { q01: 0.01, q10: 0.1, q50: 0.5, q90: 0.9, q99: 0.99 } as const;
export type QuantileName = keyof typeof QUANTILES;
const QUANTILE_NAMES = Object.keys(QUANTILES) as QuantileName[];
const perQuantile = (f: (q: QuantileName) => number[]): Record<QuantileName, number[]> =>
  Object.fromEntries(QUANTILE_NAMES.map((q) => [q, f(q)])) as Record<QuantileName, number[]>;

export interface FeatureStats extends Record<QuantileName, number[]> {
  min: number[];
  max: number[];
  mean: number[];
  std: number[];
  /** Number of frames, as a one-element array (LeRobot's shape). */
  count: [number];
}

/** Quantile p of ascending `sorted` with numpy's default ("linear") interpolation. */
export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Stats of `values`, a row-major `n × dim` array. Two passes (mean, then squared deviations)
 * rather than a running sum of squares, to keep precision for values far from zero.
 */
export function featureStats(values: ArrayLike<number>, dim: number): FeatureStats {
  if (!Number.isInteger(dim) || dim < 1)
    throw new Error(`feature dimension must be a positive integer, got ${dim}`);
  if (values.length === 0 || values.length % dim !== 0) {
    throw new Error(`${values.length} values do not form a non-empty n × ${dim} array`);
  }
  const n = values.length / dim;
  const min = new Array<number>(dim).fill(Number.POSITIVE_INFINITY);
  const max = new Array<number>(dim).fill(Number.NEGATIVE_INFINITY);
  const sum = new Array<number>(dim).fill(0);
  for (let i = 0; i < values.length; i++) {
    const c = i % dim;
    const v = values[i]!;
    if (v < min[c]!) min[c] = v;
    if (v > max[c]!) max[c] = v;
    sum[c]! += v;
  }
  const mean = sum.map((s) => s / n);
  const sq = new Array<number>(dim).fill(0);
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean[i % dim]!;
    sq[i % dim]! += d * d;
  }
  const quantiles = perQuantile(() => new Array<number>(dim));
  const column = new Float64Array(n);
  for (let c = 0; c < dim; c++) {
    for (let r = 0; r < n; r++) column[r] = values[r * dim + c]!;
    column.sort();
    for (const q of QUANTILE_NAMES) quantiles[q][c] = quantileOfSorted(column, QUANTILES[q]);
  }
  return { min, max, mean, std: sq.map((s) => Math.sqrt(s / n)), count: [n], ...quantiles };
}

/**
 * min / max / mean and the sum of squared deviations (M2) of a growing set of frames, and the
 * count-weighted sums of its parts' quantiles.
 */
interface Running {
  n: number;
  min: number[];
  max: number[];
  mean: number[];
  m2: number[];
  quantileSums: Record<QuantileName, number[]>;
}

/**
 * Adds the stats of a disjoint set of frames to `acc` (Chan, Golub & LeVeque's pairwise update:
 * no sum of squares, so precision holds for values far from zero). The result equals LeRobot's
 * `aggregate_feature_stats` (count-weighted mean, pooled variance) up to rounding.
 */
function absorb(acc: Running | undefined, s: FeatureStats): Running {
  const nb = s.count[0];
  if (!acc)
    return {
      n: nb,
      min: [...s.min],
      max: [...s.max],
      mean: [...s.mean],
      m2: s.std.map((d) => d * d * nb),
      quantileSums: perQuantile((q) => s[q].map((v) => v * nb)),
    };
  if (s.mean.length !== acc.mean.length) {
    throw new Error(`cannot combine stats of ${acc.mean.length} and ${s.mean.length} components`);
  }
  const na = acc.n;
  const n = na + nb;
  for (let c = 0; c < acc.mean.length; c++) {
    const delta = s.mean[c]! - acc.mean[c]!;
    acc.mean[c]! += (delta * nb) / n;
    acc.m2[c]! += s.std[c]! ** 2 * nb + (delta * delta * na * nb) / n;
    acc.min[c] = Math.min(acc.min[c]!, s.min[c]!);
    acc.max[c] = Math.max(acc.max[c]!, s.max[c]!);
    for (const q of QUANTILE_NAMES) acc.quantileSums[q][c]! += s[q][c]! * nb;
  }
  acc.n = n;
  return acc;
}

const finish = (r: Running): FeatureStats => ({
  min: [...r.min],
  max: [...r.max],
  mean: [...r.mean],
  std: r.m2.map((m) => Math.sqrt(m / r.n)),
  count: [r.n],
  ...perQuantile((q) => r.quantileSums[q].map((v) => v / r.n)),
});

/** Stats by feature key (the table's features, then any camera streams). */
export type DatasetStats = Partial<Record<string, FeatureStats>>;

/**
 * The dataset's stats built episode by episode, in constant memory: what a streaming writer
 * needs. Features keep the key order of the first episode; every later one must have them all.
 */
export class StatsAccumulator {
  private readonly running = new Map<string, Running>();
  private episodes = 0;

  add(stats: DatasetStats): void {
    const keys = this.episodes === 0 ? Object.keys(stats) : [...this.running.keys()];
    for (const k of keys) {
      const s = stats[k];
      if (!s) throw new Error(`episode ${this.episodes} has no stats for '${k}'`);
      this.running.set(k, absorb(this.running.get(k), s));
    }
    this.episodes++;
  }

  result(): DatasetStats {
    return Object.fromEntries([...this.running].map(([k, r]) => [k, finish(r)]));
  }
}

/** Stats of every feature of one episode, in the features' order. */
export function episodeStats(
  frames: EpisodeFrames,
  features: Readonly<Record<FeatureKey, FeatureSpec>> = FEATURES,
): DatasetStats {
  return Object.fromEntries(
    (Object.keys(features) as FeatureKey[]).map((k) => [
      k,
      featureStats(frames.values[k], featureSize(features[k])),
    ]),
  );
}
