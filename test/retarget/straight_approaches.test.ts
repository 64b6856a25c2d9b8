/**
 * Straight approaches and retreats around the holds of a recorded track, checked against poses
 * built by hand: a hand that moves along +y_W with the gripper pointing down (approach −z_W).
 */
import { describe, expect, it } from "vitest";
import type { TrajectoryStep } from "../../src/core/schemas/trajectory.js";
import { loadEmbodiment } from "../../src/pipeline/catalog.js";
import { straightApproaches } from "../../src/retarget/parallel_jaw.js";

const DOWN: [number, number, number, number] = [1, 0, 0, 0]; // 180° about x: z_G = −z_W
const APPROACH_M = 0.05;
const COUNT = 6;

/** A hand path along +y at 2 mm per step, 0.5 m up, closed where `closed(i)`. */
function steps(n: number, closed: (i: number) => boolean): TrajectoryStep[] {
  return Array.from({ length: n }, (_, i) => ({
    t: i / 30,
    tcp: { pos: [0, 0.002 * i, 0.5], quatXyzw: DOWN },
    apertureM: closed(i) ? 0 : 0.03,
    grasp: closed(i),
    confidence: 1,
    human: { frameIndex: i, t: i / 30, keypointsWorld: [], status: "observed" },
  }));
}

const dist = (a: TrajectoryStep, b: TrajectoryStep) =>
  Math.hypot(...a.tcp.pos.map((v, k) => v - b.tcp.pos[k]!));

describe("straightApproaches", () => {
  it("comes in straight down the approach axis from approachM back, jaws open, and backs out the same way", async () => {
    const e = await loadEmbodiment("robotiq_2f85");
    const input = steps(60, (i) => i >= 30 && i < 40);
    const out = straightApproaches(input, e, APPROACH_M, COUNT);
    // The straight part: above the close point, rising linearly to approachM at its start.
    for (let j = 30 - COUNT; j < 30; j++) {
      expect(out[j]!.tcp.pos[0]).toBeCloseTo(0, 12);
      expect(out[j]!.tcp.pos[1]).toBeCloseTo(input[30]!.tcp.pos[1], 12);
      expect(out[j]!.tcp.pos[2]).toBeCloseTo(0.5 + APPROACH_M * (1 - (j - 30 + COUNT + 1) / (COUNT + 1)), 12);
    }
    for (let j = 30 - 2 * COUNT; j < 30; j++) expect(out[j]!.apertureM).toBe(e.strokeM);
    for (let j = 30; j < 40; j++) expect(out[j]).toEqual(input[j]);
    // Out the same way from the release pose, then back onto the hand's path.
    for (let j = 40; j < 40 + COUNT; j++) expect(out[j]!.tcp.pos[1]).toBeCloseTo(input[39]!.tcp.pos[1], 12);
    expect(out[40 + COUNT - 1]!.tcp.pos[2]).toBeGreaterThan(0.5 + 0.8 * APPROACH_M);
    for (let j = 40 + 2 * COUNT; j < 60; j++) expect(out[j]).toEqual(input[j]);
  });

  it("between holds too close to rejoin the hand's path, backs out and goes straight to the next pre-grasp, leaving both holds as they were", async () => {
    const e = await loadEmbodiment("robotiq_2f85");
    // A release at 20 and the next close at 32: 12 steps, less than the 4 × 6 the full
    // retreat, rejoin, blend and approach take.
    const input = steps(60, (i) => (i >= 10 && i < 20) || (i >= 32 && i < 42));
    const out = straightApproaches(input, e, APPROACH_M, COUNT);
    for (let j = 10; j < 20; j++) expect(out[j]).toEqual(input[j]);
    for (let j = 32; j < 42; j++) expect(out[j]).toEqual(input[j]);
    for (let j = 20; j < 32; j++) {
      expect(out[j]!.apertureM).toBe(e.strokeM);
      // Never lower than the holds: the gripper stays above what it set down and will pick up.
      expect(out[j]!.tcp.pos[2]).toBeGreaterThanOrEqual(0.5 - 1e-12);
    }
    // A third of the gap each: straight up from the release, across, straight down to the close.
    expect(out[23]!.tcp.pos[1]).toBeCloseTo(input[19]!.tcp.pos[1], 12);
    expect(out[28]!.tcp.pos[1]).toBeCloseTo(input[32]!.tcp.pos[1], 12);
    // No jump: consecutive commands at most a few millimetres apart.
    for (let j = 1; j < out.length; j++) expect(dist(out[j]!, out[j - 1]!)).toBeLessThan(0.02);
  });
});
