import { describe, expect, it } from "vitest";
import {
  FLEXION_NOISE_M,
  handednessLogOdds,
  MAX_CUE_LOG_ODDS,
  probabilityRight,
} from "../../src/perception/handedness.js";

const logit = (p: number) => Math.log(p / (1 - p));

describe("handedness (per-frame evidence)", () => {
  it("MediaPipe's labels assume a mirrored image: inverted for egocentric video", () => {
    expect(probabilityRight(0.9, false)).toBeCloseTo(0.1, 12);
    expect(probabilityRight(0.9, true)).toBe(0.9);
  });

  it("adds the classifier's log-odds and the flexion in units of its noise", () => {
    const lo = handednessLogOdds({ probRight: 0.7, classifierWeight: 1, flexionM: -FLEXION_NOISE_M }, false);
    expect(lo).toBeCloseTo(logit(0.7) - 1, 12);
  });

  it("bounds each cue: a frame says at most MAX_CUE_LOG_ODDS per cue", () => {
    const sure = handednessLogOdds({ probRight: 1, classifierWeight: 1, flexionM: 0.5 }, false);
    expect(sure).toBeCloseTo(2 * MAX_CUE_LOG_ODDS, 12);
    // A confidently wrong score is outvoted by a clearly left hand's shape, not the other way round.
    const wrong = handednessLogOdds({ probRight: 0.85, classifierWeight: 1, flexionM: -0.025 }, false);
    expect(wrong).toBeLessThan(0);
  });

  it("weight 0 ignores the model's score (keijiro), leaving the shape", () => {
    const lo = handednessLogOdds({ probRight: 0.99, classifierWeight: 0, flexionM: -0.002 }, false);
    expect(lo).toBeCloseTo(-0.4, 12);
  });

  it("a mirrored image mirrors the 3D hand: the shape's vote flips", () => {
    const c = { probRight: 0.5, classifierWeight: 1, flexionM: 0.02 };
    expect(handednessLogOdds(c, false)).toBeCloseTo(MAX_CUE_LOG_ODDS, 12);
    expect(handednessLogOdds(c, true)).toBeCloseTo(-MAX_CUE_LOG_ODDS, 12);
  });

  it("non-finite inputs count as no evidence", () => {
    expect(
      handednessLogOdds({ probRight: Number.NaN, classifierWeight: 1, flexionM: Number.NaN }, false),
    ).toBe(0);
  });
});
