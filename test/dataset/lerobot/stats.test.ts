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

  it("gives std 0, not NaN, for a single frame", () => {
    expect(featureStats([4.5], 1)).toEqual({ min: [4.5], max: [4.5], mean: [4.5], std: [0], count: [1] });
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
  });
});
