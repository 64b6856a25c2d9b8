/**
 * Feature statistics as LeRobot stores them (`compute_stats.py`): per component of a feature,
 * min / max / mean / std (population, ddof = 0) and the frame count. Per-episode stats go in the
 * episodes table; the dataset's stats.json aggregates them the way LeRobot's
 * `aggregate_feature_stats` does (count-weighted mean, pooled variance), so both agree.
 */
import { type EpisodeFrames, FEATURES, type FeatureSpec, featureSize } from "./features.js";
import type { FeatureKey } from "./layout.js";

export interface FeatureStats {
  min: number[];
  max: number[];
  mean: number[];
  std: number[];
  /** Number of frames, as a one-element array (LeRobot's shape). */
  count: [number];
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
  return { min, max, mean, std: sq.map((s) => Math.sqrt(s / n)), count: [n] };
}

/** Combines the stats of disjoint sets of frames into the stats of their union. */
export function aggregateFeatureStats(parts: readonly FeatureStats[]): FeatureStats {
  if (parts.length === 0) throw new Error("cannot aggregate stats of zero parts");
  const dim = parts[0]!.mean.length;
  const total = parts.reduce((s, p) => s + p.count[0], 0);
  const component = (f: (p: FeatureStats, c: number) => number) =>
    Array.from({ length: dim }, (_, c) => parts.reduce((s, p) => s + f(p, c), 0));
  const mean = component((p, c) => (p.mean[c]! * p.count[0]) / total);
  const variance = component(
    (p, c) => ((p.std[c]! ** 2 + (p.mean[c]! - mean[c]!) ** 2) * p.count[0]) / total,
  );
  return {
    // reduce, not Math.min(...spread): a dataset may have more episodes than the call stack allows.
    min: Array.from({ length: dim }, (_, c) =>
      parts.reduce((m, p) => Math.min(m, p.min[c]!), Number.POSITIVE_INFINITY),
    ),
    max: Array.from({ length: dim }, (_, c) =>
      parts.reduce((m, p) => Math.max(m, p.max[c]!), Number.NEGATIVE_INFINITY),
    ),
    mean,
    std: variance.map(Math.sqrt),
    count: [total],
  };
}

export type DatasetStats = Partial<Record<FeatureKey, FeatureStats>>;

/** Aggregates per-episode stats feature by feature, keeping the key order of the first episode. */
export function aggregateStats(episodes: readonly DatasetStats[]): DatasetStats {
  if (episodes.length === 0) return {};
  const keys = Object.keys(episodes[0]!) as FeatureKey[];
  return Object.fromEntries(
    keys.map((k) => {
      const parts = episodes.map((e, i) => {
        const s = e[k];
        if (!s) throw new Error(`episode ${i} has no stats for '${k}'`);
        return s;
      });
      return [k, aggregateFeatureStats(parts)];
    }),
  );
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
