/**
 * The seeded generator of src/core/rng.ts: determinism, a bit-exact comparison with a BigInt
 * reference of xoshiro128**, and distribution checks whose tolerances come from standard errors.
 */
import { describe, expect, it } from "vitest";
import { createRng, hashString32, type Rng } from "../../src/core/rng.js";

const draw = (rng: Rng, n: number, f: (r: Rng) => number = (r) => r.next()): number[] =>
  Array.from({ length: n }, () => f(rng));

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: readonly number[]): number => {
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
};

/**
 * Tolerances are 5 standard errors of the statistic, so a correct generator fails with
 * probability below 1e-6 (and, being seeded, either always or never).
 */
const SIGMAS = 5;
const N = 100_000;

// ---------------------------------------------------------------------------------------------
// Independent reference in BigInt arithmetic (no Math.imul, no >>> tricks): the seeding described
// in rng.ts (a golden-ratio Weyl sequence through the murmur3 fmix32 finaliser) feeding
// xoshiro128** as published by Blackman & Vigna (prng.di.unimi.it/xoshiro128starstar.c).

const M32 = 0xffffffffn;
const rotl32 = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & M32;

function referenceU32(seed: number, count: number): number[] {
  let s = BigInt(seed);
  const seedNext = (): bigint => {
    s = (s + 0x9e3779b9n) & M32;
    let z = s;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M32;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M32;
    return z ^ (z >> 16n);
  };
  const st = [seedNext(), seedNext(), seedNext(), seedNext()] as [bigint, bigint, bigint, bigint];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const result = (rotl32((st[1] * 5n) & M32, 7n) * 9n) & M32;
    const t = (st[1] << 9n) & M32;
    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl32(st[3], 11n);
    out.push(Number(result));
  }
  return out;
}

describe("rng", () => {
  describe("determinism", () => {
    it("gives the same sequence for the same seed", () => {
      expect(draw(createRng(1234), 1000)).toEqual(draw(createRng(1234), 1000));
    });

    it("gives different sequences for different seeds", () => {
      const a = draw(createRng(1), 1000);
      const b = draw(createRng(2), 1000);
      // Two independent 32-bit streams agree at a position with probability 2^-32.
      expect(a.filter((x, i) => x === b[i]).length).toBe(0);
    });

    it.each([0, 1, 42, 0x7fffffff, 0xffffffff])(
      "matches the BigInt xoshiro128** reference for seed %i",
      (seed) => {
        const rng = createRng(seed);
        const actual = draw(rng, 2000, (r) => r.next() * 4294967296);
        expect(actual).toEqual(referenceU32(seed, 2000));
      },
    );
  });

  describe("hashString32", () => {
    it.each([
      // Published FNV-1a 32-bit test vectors (Fowler/Noll/Vo reference test suite).
      { text: "", hash: 0x811c9dc5 },
      { text: "a", hash: 0xe40c292c },
      { text: "foobar", hash: 0xbf9cf968 },
    ])("hashes '$text' like the FNV-1a reference", ({ text, hash }) => {
      expect(hashString32(text)).toBe(hash);
    });
  });

  describe("next / uniform", () => {
    const xs = draw(createRng(7), N);

    it("stays in [0, 1)", () => {
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...xs)).toBeLessThan(1);
    });

    it("has mean 1/2 within 5 standard errors (σ = √(1/12), SE = σ/√N ≈ 9.1e-4)", () => {
      const se = Math.sqrt(1 / 12 / N);
      expect(Math.abs(mean(xs) - 0.5)).toBeLessThan(SIGMAS * se);
    });

    it("has variance 1/12 within 5 standard errors (SE = √((μ₄ − σ⁴)/N), μ₄ = 1/80)", () => {
      const se = Math.sqrt((1 / 80 - 1 / 144) / N);
      expect(Math.abs(variance(xs) - 1 / 12)).toBeLessThan(SIGMAS * se);
    });

    it("uniform(lo, hi) scales into [lo, hi)", () => {
      const ys = draw(createRng(8), 10_000, (r) => r.uniform(-3, 5));
      expect(Math.min(...ys)).toBeGreaterThanOrEqual(-3);
      expect(Math.max(...ys)).toBeLessThan(5);
      // Mean 1, σ = 8/√12; 5 SE on 10k samples.
      expect(Math.abs(mean(ys) - 1)).toBeLessThan((SIGMAS * 8) / Math.sqrt(12 * 10_000));
    });
  });

  describe("normal", () => {
    const zs = draw(createRng(9), N, (r) => r.normal());

    it("has mean 0 within 5 standard errors (SE = 1/√N)", () => {
      expect(Math.abs(mean(zs))).toBeLessThan(SIGMAS / Math.sqrt(N));
    });

    it("has standard deviation 1 within 5 standard errors (SE of s ≈ 1/√(2N))", () => {
      expect(Math.abs(Math.sqrt(variance(zs)) - 1)).toBeLessThan(SIGMAS / Math.sqrt(2 * N));
    });

    it("puts 5% of samples beyond ±1.96 (binomial SE = √(p(1 − p)/N)), so the shape is Gaussian", () => {
      const p = 2 * 0.024997895; // two-sided tail of the standard normal beyond 1.96
      const tail = zs.filter((z) => Math.abs(z) > 1.96).length / N;
      expect(Math.abs(tail - p)).toBeLessThan(SIGMAS * Math.sqrt((p * (1 - p)) / N));
    });

    it("never returns NaN or ±Infinity", () => {
      expect(zs.every(Number.isFinite)).toBe(true);
    });
  });

  describe("int", () => {
    it("returns integers in [0, n)", () => {
      const rng = createRng(10);
      for (const n of [1, 2, 7, 10, 1000]) {
        const ks = draw(rng, 2000, (r) => r.int(n));
        expect(ks.every((k) => Number.isInteger(k) && k >= 0 && k < n)).toBe(true);
      }
      expect(draw(rng, 100, (r) => r.int(1)).every((k) => k === 0)).toBe(true);
    });

    it.each([7, 10])("is uniform over %i bins by a chi-square test", (bins) => {
      const counts = new Array<number>(bins).fill(0);
      for (const k of draw(createRng(11), N, (r) => r.int(bins))) counts[k]!++;
      const expected = N / bins;
      const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
      // Upper 0.1% points of the chi-square distribution: 22.458 for 6 and 27.877 for 9 degrees of freedom.
      const critical = { 7: 22.458, 10: 27.877 }[bins as 7 | 10];
      expect(chi2).toBeLessThan(critical);
    });

    it.each([0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY])("throws a RangeError for n = %s", (n) => {
      expect(() => createRng(1).int(n)).toThrow(RangeError);
    });
  });

  describe("fork", () => {
    it("depends only on the seed and the label, not on how much the parent has drawn", () => {
      const fresh = createRng(5).fork("augment");
      const parent = createRng(5);
      draw(parent, 123);
      const late = parent.fork("augment");
      expect(draw(late, 500)).toEqual(draw(fresh, 500));
    });

    it("does not advance the parent", () => {
      const a = createRng(5);
      a.fork("x");
      a.fork("y");
      expect(draw(a, 100)).toEqual(draw(createRng(5), 100));
    });

    it("gives different streams for different labels, different seeds, and the parent", () => {
      const streams = [
        draw(createRng(5).fork("a"), 200),
        draw(createRng(5).fork("b"), 200),
        draw(createRng(6).fork("a"), 200),
        draw(createRng(5), 200),
      ];
      for (let i = 0; i < streams.length; i++)
        for (let j = i + 1; j < streams.length; j++)
          expect(streams[i]!.filter((x, k) => x === streams[j]![k]).length).toBe(0);
    });
  });

  describe("seed validation", () => {
    it.each([-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY])(
      "throws a RangeError for seed %s",
      (seed) => {
        expect(() => createRng(seed)).toThrow(RangeError);
      },
    );

    it("accepts the extremes 0 and 2^32 − 1", () => {
      expect(createRng(0).seed).toBe(0);
      expect(createRng(0xffffffff).seed).toBe(0xffffffff);
    });
  });
});
