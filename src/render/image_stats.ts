/**
 * Per-channel statistics of a camera stream as LeRobot keeps them for image features: pixel
 * values scaled to [0, 1], one figure per channel (R, G, B). Counted exactly from a histogram of
 * every pixel of every frame (LeRobot samples frames and downsizes them; its figures for the same
 * video differ by sampling only), so quantiles follow numpy's "linear" method over all pixels.
 */
import { type FeatureStats, QUANTILES, type QuantileName } from "../dataset/lerobot/stats.js";

const CHANNELS = 3;

export class ImageStatsAccumulator {
  private readonly hist = [0, 1, 2].map(() => new Float64Array(256));
  private frames = 0;

  /** Adds `count` RGBA frames (alpha ignored). */
  add(rgba: Uint8Array, count: number): void {
    const [r, g, b] = this.hist as [Float64Array, Float64Array, Float64Array];
    for (let i = 0; i < rgba.length; i += 4) {
      r[rgba[i]!]!++;
      g[rgba[i + 1]!]!++;
      b[rgba[i + 2]!]!++;
    }
    this.frames += count;
  }

  stats(): FeatureStats {
    if (this.frames === 0) throw new Error("no frames to take image stats of");
    const per = this.hist.map(channelStats);
    const pick = (f: (c: ChannelStats) => number) => per.map(f);
    const quantiles = Object.fromEntries(
      (Object.keys(QUANTILES) as QuantileName[]).map((q) => [q, pick((c) => c.quantiles[q])]),
    ) as Record<QuantileName, number[]>;
    return {
      min: pick((c) => c.min),
      max: pick((c) => c.max),
      mean: pick((c) => c.mean),
      std: pick((c) => c.std),
      count: [this.frames],
      ...quantiles,
    };
  }
}

interface ChannelStats {
  min: number;
  max: number;
  mean: number;
  std: number;
  quantiles: Record<QuantileName, number>;
}

function channelStats(h: Float64Array): ChannelStats {
  let n = 0;
  let sum = 0;
  for (let v = 0; v < 256; v++) {
    n += h[v]!;
    sum += v * h[v]!;
  }
  const mean = sum / n;
  let sq = 0;
  let min = 255;
  let max = 0;
  for (let v = 0; v < 256; v++) {
    if (h[v]! === 0) continue;
    sq += h[v]! * (v - mean) ** 2;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  /** The value at rank k (0-based) of the sorted pixels. */
  const atRank = (k: number): number => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += h[v]!;
      if (seen > k) return v;
    }
    return 255;
  };
  const quantile = (p: number): number => {
    const x = (n - 1) * p;
    const lo = Math.floor(x);
    const a = atRank(lo);
    const b = atRank(Math.min(lo + 1, n - 1));
    return (a + (x - lo) * (b - a)) / 255;
  };
  return {
    min: min / 255,
    max: max / 255,
    mean: mean / 255,
    std: Math.sqrt(sq / n) / 255,
    quantiles: Object.fromEntries(Object.entries(QUANTILES).map(([q, p]) => [q, quantile(p)])) as Record<
      QuantileName,
      number
    >,
  };
}

export { CHANNELS as IMAGE_CHANNELS };
