/**
 * The One-Euro filter (src/core/filters/one_euro.ts), against closed forms of the algorithm of
 * Casiez, Roussel & Vogel (CHI 2012): with beta = 0 it is an exponential moving average, and on a
 * ramp it settles to a lag that solves a fixed-point equation.
 */
import { describe, expect, it } from "vitest";
import { type OneEuroParams, oneEuroFilter, oneEuroZeroPhase } from "../../../src/core/filters/one_euro.js";
import { createRng } from "../../../src/core/rng.js";
import { ParallelJawParamsSchema } from "../../../src/retarget/params.js";

const FPS = 30;
const DT = 1 / FPS;

/** Named tolerances. */
const TOL = {
  /** Round-off of a few hundred recursive multiply-adds on unit-scale values. */
  recursion: 1e-12,
  /** Relative error of a steady-state lag after the transient has decayed below 1e-12. */
  steadyLagRel: 1e-9,
};

const params = (overrides: Partial<OneEuroParams> = {}): OneEuroParams => ({
  minCutoffHz: 1,
  beta: 0,
  derivativeCutoffHz: 1,
  ...overrides,
});

const uniformTimes = (n: number, dt = DT): number[] => Array.from({ length: n }, (_, i) => i * dt);

/** Smoothing factor of a first-order low-pass sampled at dt: a = 2π f dt / (1 + 2π f dt). */
const smoothing = (cutoffHz: number, dt: number): number => {
  const w = 2 * Math.PI * cutoffHz * dt;
  return w / (1 + w);
};

const rms = (xs: readonly number[]): number => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);

/**
 * Steady-state lag of the filter on a ramp of speed v (paper's algorithm: the speed is taken
 * between the new sample and the previous *filtered* value). With lag L, x_n − y_{n−1} = v·dt + L,
 * so the speed estimate settles at v/a, the cutoff at fc + β·v/a, and L = v·dt·(1 − a)/a, where a
 * solves a = smoothing(fc + β·v/a, dt). Solved here by bisection (the left side minus the right
 * rises monotonically in a).
 */
function steadyStateLag(p: OneEuroParams, speed: number, dt: number): number {
  let lo = 1e-9;
  let hi = 1;
  for (let i = 0; i < 200; i++) {
    const a = (lo + hi) / 2;
    if (a - smoothing(p.minCutoffHz + (p.beta * speed) / a, dt) > 0) hi = a;
    else lo = a;
  }
  const a = (lo + hi) / 2;
  return (speed * dt * (1 - a)) / a;
}

describe("one_euro", () => {
  it("keeps a constant signal constant (irregular sample times, 3-D)", () => {
    const rng = createRng(1);
    let t = 0;
    const times = Array.from({ length: 200 }, () => (t += rng.uniform(0.01, 0.05)));
    const c = [0.3, -1.2, 4.5];
    const out = oneEuroFilter(
      times,
      times.map(() => c.slice()),
      params({ beta: 5 }),
    );
    for (const y of out)
      for (let k = 0; k < 3; k++) expect(Math.abs(y[k]! - c[k]!)).toBeLessThan(TOL.recursion);
  });

  it("is exactly an exponential moving average when beta = 0", () => {
    const rng = createRng(2);
    let t = 0;
    const times = Array.from({ length: 300 }, () => (t += rng.uniform(0.02, 0.04)));
    const xs = times.map(() => [rng.normal(), rng.uniform(-1, 1)]);
    const p = params({ minCutoffHz: 2.5 });
    const out = oneEuroFilter(times, xs, p);
    let ema = xs[0]!.slice();
    expect(out[0]).toEqual(ema);
    for (let i = 1; i < xs.length; i++) {
      const a = smoothing(p.minCutoffHz, times[i]! - times[i - 1]!);
      ema = ema.map((prev, k) => prev + a * (xs[i]![k]! - prev));
      for (let k = 0; k < 2; k++) expect(Math.abs(out[i]![k]! - ema[k]!)).toBeLessThan(TOL.recursion);
    }
  });

  it("converges to a step without overshoot, at least as fast as the minimum cutoff allows", () => {
    const n = 90;
    const stepAt = 15;
    const xs = Array.from({ length: n }, (_, i) => [i < stepAt ? 0 : 1]);
    const p = params({ minCutoffHz: 1, beta: 0.5 });
    const out = oneEuroFilter(uniformTimes(n), xs, p).map((y) => y[0]!);
    // The cutoff never drops below minCutoffHz, so each sample removes at least a fraction
    // a_min of the remaining error: error_n ≤ (1 − a_min)^(n − stepAt + 1).
    const aMin = smoothing(p.minCutoffHz, DT);
    for (let i = 0; i < n; i++) {
      if (i < stepAt) expect(out[i]).toBe(0);
      else {
        expect(out[i]!).toBeGreaterThanOrEqual(out[i - 1]!);
        expect(out[i]!).toBeLessThanOrEqual(1);
        expect(1 - out[i]!).toBeLessThanOrEqual((1 - aMin) ** (i - stepAt + 1) + TOL.recursion);
      }
    }
    expect(1 - out[n - 1]!).toBeLessThan(1e-6);
  });

  describe("noise on a slow sine", () => {
    /** A slow sine (10 s period, 1 cm amplitude) plus 5 mm of seeded white noise, at 30 Hz. */
    function noisySine(seed: number) {
      const rng = createRng(seed);
      const times = uniformTimes(30 * FPS);
      const clean = times.map((t) => 0.01 * Math.sin(((2 * Math.PI) / 10) * t));
      const noisy = clean.map((x) => x + 0.005 * rng.normal());
      return { times, clean, noisy };
    }

    it("matches the theoretical noise variance ratio a/(2 − a) of a first-order low-pass (beta = 0)", () => {
      const rng = createRng(3);
      const n = 20_000;
      const noise = Array.from({ length: n }, () => [rng.normal()]);
      const p = params({ minCutoffHz: 1 });
      const out = oneEuroFilter(uniformTimes(n), noise, p).map((y) => y[0]!);
      const a = smoothing(p.minCutoffHz, DT);
      const ratio = rms(out.slice(100)) ** 2 / rms(noise.slice(100).map((x) => x[0]!)) ** 2;
      // The output is AR(1) with φ = 1 − a ≈ 0.83: about n(1 − φ)/(1 + φ) ≈ 1900 effective samples,
      // a relative standard error of √(2/1900) ≈ 3% on the variance; 5 SE is 16%.
      expect(Math.abs(ratio / (a / (2 - a)) - 1)).toBeLessThan(0.16);
    });

    it("reduces the RMS error against the clean signal by at least half (beta = 0, 1 Hz)", () => {
      // Expected: noise 5 mm × √(a/(2 − a)) ≈ 1.5 mm, plus a lag error of about ωτ·A/√2 ≈ 0.7 mm.
      const { times, clean, noisy } = noisySine(4);
      const out = oneEuroFilter(
        times,
        noisy.map((x) => [x]),
        params({ minCutoffHz: 1 }),
      );
      const before = rms(noisy.map((x, i) => x - clean[i]!));
      const after = rms(out.map((y, i) => y[0]! - clean[i]!));
      expect(after).toBeLessThan(0.5 * before);
    });

    it("reduces the RMS error with the retargeting defaults", () => {
      const { times, clean, noisy } = noisySine(5);
      const out = oneEuroFilter(
        times,
        noisy.map((x) => [x]),
        ParallelJawParamsSchema.parse({}).smoothing,
      );
      const before = rms(noisy.map((x, i) => x - clean[i]!));
      const after = rms(out.map((y, i) => y[0]! - clean[i]!));
      expect(after).toBeLessThan(before);
    });
  });

  describe("lag on a ramp", () => {
    const speed = 0.5; // m/s
    const n = 4 * FPS;
    const times = uniformTimes(n);

    const lagAtEnd = (beta: number): number => {
      const out = oneEuroFilter(
        times,
        times.map((t) => [speed * t]),
        params({ beta }),
      );
      return speed * times[n - 1]! - out[n - 1]![0]!;
    };

    it.each([0, 0.5, 2, 10])("settles to the closed-form steady-state lag for beta = %s", (beta) => {
      const expected = steadyStateLag(params({ beta }), speed, DT);
      expect(Math.abs(lagAtEnd(beta) / expected - 1)).toBeLessThan(TOL.steadyLagRel);
    });

    it("lags less with a larger beta", () => {
      const lags = [0, 0.5, 2, 10].map(lagAtEnd);
      for (let i = 1; i < lags.length; i++) expect(lags[i]!).toBeLessThan(lags[i - 1]!);
      expect(lags[0]!).toBeGreaterThan(0);
    });

    it("uses the speed of the whole vector: a diagonal 3-D ramp lags like a 1-D ramp of the same speed", () => {
      const dir = [1 / 3, -2 / 3, 2 / 3];
      const out = oneEuroFilter(
        times,
        times.map((t) => dir.map((d) => d * speed * t)),
        params({ beta: 2 }),
      );
      const expected = steadyStateLag(params({ beta: 2 }), speed, DT);
      for (let k = 0; k < 3; k++) {
        const lag = dir[k]! * speed * times[n - 1]! - out[n - 1]![k]!;
        expect(Math.abs(lag - dir[k]! * expected)).toBeLessThan(TOL.steadyLagRel * expected);
      }
    });
  });

  describe("edge cases", () => {
    it("returns [] for an empty signal", () => {
      expect(oneEuroFilter([], [], params())).toEqual([]);
    });

    it("throws a RangeError when times and values differ in length", () => {
      expect(() => oneEuroFilter([0, 1], [[0]], params())).toThrow(RangeError);
    });

    it("does not modify its inputs and returns copies", () => {
      const times = [0, 0.1, 0.2];
      const values = [[1], [2], [3]];
      const out = oneEuroFilter(times, values, params());
      expect(values).toEqual([[1], [2], [3]]);
      expect(out[0]).not.toBe(values[0]);
    });
  });
});

describe("one_euro zero phase (forward–backward)", () => {
  it("cancels the lag on a ramp: away from the ends the output is the input", () => {
    const n = 6 * FPS;
    const times = uniformTimes(n);
    const speed = 0.4;
    for (const beta of [0, 2, 10]) {
      const lag = steadyStateLag(params({ beta }), speed, DT);
      const out = oneEuroZeroPhase(
        times,
        times.map((t) => [speed * t]),
        params({ beta }),
      );
      // 2 s (60 samples) from either end the start-up transients have decayed to (1 − a)^60 ≈ 1e-5
      // of their size for the slowest case (beta 0: a = 0.17 at 1 Hz), well below 1e-4 of the lag;
      // a forward-only filter would be off by the whole lag there.
      for (let i = 2 * FPS; i < 4 * FPS; i++) {
        expect(Math.abs(out[i]![0]! - speed * times[i]!)).toBeLessThan(1e-4 * lag);
      }
    }
  });

  it("keeps a moving signal aligned in time where the forward filter trails it (retargeting defaults)", () => {
    const p = ParallelJawParamsSchema.parse({}).smoothing;
    const n = 8 * FPS;
    const times = uniformTimes(n);
    const x = times.map((t) => [0.1 * Math.sin(2 * Math.PI * 0.8 * t)]);
    /** The shift (samples, −8..8) that best aligns the output with the input, over the middle half. */
    const bestShift = (y: number[][]): number => {
      let best = 0;
      let bestErr = Number.POSITIVE_INFINITY;
      for (let k = -8; k <= 8; k++) {
        let err = 0;
        for (let i = n / 4; i < (3 * n) / 4; i++) err += (y[i + k]![0]! - x[i]![0]!) ** 2;
        if (err < bestErr) [best, bestErr] = [k, err];
      }
      return best;
    };
    expect(bestShift(oneEuroFilter(times, x, p))).toBeGreaterThan(0);
    expect(bestShift(oneEuroZeroPhase(times, x, p))).toBe(0);
  });
});
