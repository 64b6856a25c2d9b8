import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/core/rng.js";
import { FEATURE } from "../../../src/dataset/lerobot/layout.js";
import { featureStats, StatsAccumulator } from "../../../src/dataset/lerobot/stats.js";

/** Float64 round-off of sums over ~100 values near 100. */
const MEAN_TOL = 1e-10;
const STD_TOL = 1e-9;

describe("stats", () => {
  it("computes per-component min/max/mean/std (ddof 0) and count of an n × dim array", () => {
    // rows [1, 10], [2, 20], [3, 60]
    const s = featureStats([1, 10, 2, 20, 3, 60], 2);
    expect(s.min).toEqual([1, 10]);
    expect(s.max).toEqual([3, 60]);
    expect(s.mean).toEqual([2, 30]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(s.std[1]).toBeCloseTo(Math.sqrt((400 + 100 + 900) / 3), 12);
    expect(s.count).toEqual([3]);
  });

  it("gives std 0, not NaN, for a single frame, and every quantile the frame's value", () => {
    const q = [4.5];
    expect(featureStats([4.5], 1)).toEqual({
      min: q,
      max: q,
      mean: q,
      std: [0],
      count: [1],
      q01: q,
      q10: q,
      q50: q,
      q90: q,
      q99: q,
    });
  });

  it("computes q01…q99 per component as numpy.quantile does (an independent reference)", () => {
    // Two components of 13 frames: ties, a heavy tail, unsorted; 13 frames put 4 of the 5
    // quantiles between ranks, so the interpolation matters.
    const a = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9.75];
    const b = [-0.5, 2.25, 1e3, 7, 7, 7, -3, 0, 0.125, 42, 1, -17.5, 3.5];
    const ours = featureStats(
      a.flatMap((v, i) => [v, b[i]!]),
      2,
    );
    // numpy.quantile(np.array([a, b]).T, p, axis=0), default method "linear"; the same from
    // numpy 1.24 (Debian's python3-numpy) and 2.4.
    const numpy = {
      q01: [1.0, -15.76],
      q10: [1.2000000000000002, -2.4999999999999996],
      q50: [5.0, 2.25],
      q90: [8.8, 35.00000000000003],
      q99: [9.66, 885.039999999999],
    };
    for (const q of ["q01", "q10", "q50", "q90", "q99"] as const) {
      for (let c = 0; c < 2; c++)
        expect(Math.abs(ours[q][c]! - numpy[q][c]!), `${q}[${c}]`).toBeLessThan(1e-12);
    }
  });

  it("rejects values that are not a non-empty n × dim array", () => {
    expect(() => featureStats([], 2)).toThrow();
    expect(() => featureStats([1, 2, 3], 2)).toThrow();
  });

  it("adds per-episode stats up to the stats of the union (seeded random parts)", () => {
    const rng = createRng(1234);
    const dim = 3;
    const parts = Array.from({ length: 5 }, (_, p) =>
      Array.from({ length: dim * (1 + p * 7) }, () => rng.uniform(95, 105)),
    );
    // Episode by episode, as the streaming writer adds them.
    const acc = new StatsAccumulator();
    for (const v of parts) acc.add({ [FEATURE.action]: featureStats(v, dim) });
    const agg = acc.result()[FEATURE.action]!;
    const direct = featureStats(parts.flat(), dim);
    expect(agg.count).toEqual(direct.count);
    expect(agg.min).toEqual(direct.min);
    expect(agg.max).toEqual(direct.max);
    for (let c = 0; c < dim; c++) {
      expect(Math.abs(agg.mean[c]! - direct.mean[c]!)).toBeLessThan(MEAN_TOL);
      expect(Math.abs(agg.std[c]! - direct.std[c]!)).toBeLessThan(STD_TOL);
    }
    // Quantiles aggregate as LeRobot's aggregate_feature_stats does: the count-weighted mean of
    // the parts' quantiles (an estimate, not the union's quantile).
    const per = parts.map((v) => featureStats(v, dim));
    const total = per.reduce((a, s) => a + s.count[0], 0);
    for (const q of ["q01", "q10", "q50", "q90", "q99"] as const) {
      for (let c = 0; c < dim; c++) {
        const weighted = per.reduce((a, s) => a + s[q][c]! * s.count[0], 0) / total;
        expect(Math.abs(agg[q][c]! - weighted)).toBeLessThan(MEAN_TOL);
      }
    }
  });
});
