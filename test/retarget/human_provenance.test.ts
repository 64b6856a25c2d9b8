/**
 * The human half of a trajectory says where each sample came from: observed, interpolated across
 * a gap (and how long), or held; with the observation confidence behind it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { HandTrack } from "../../src/core/schemas/hand_track.js";
import { proceduralPickToTote } from "../../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";

/** Source frames 60–71 lose the hand (a 13-frame gap between the observations at 59 and 72). */
const GAP = { first: 60, last: 71 };
const FPS = 30;

let track: HandTrack;
beforeAll(async () => {
  track = proceduralPickToTote(await loadScene("shelf_to_tote"), { seed: 0, fps: FPS });
  track = {
    ...track,
    frames: track.frames.map((f, i) => (i >= GAP.first && i <= GAP.last ? { ...f, hands: [] } : f)),
  };
});

describe("human provenance through retargeting", () => {
  it("marks samples in a gap interpolated with the gap's length, the rest observed, the lead-in held", async () => {
    const e = await loadEmbodiment("robotiq_2f85");
    const traj = retargetParallelJaw(track, e, { controlHz: FPS, dwellOnGraspChange: false, settleS: 0 });
    const gapStartS = (GAP.first - 1) / FPS;
    const gapEndS = (GAP.last + 1) / FPS;
    const leadIn = traj.steps.findIndex((s) => s.human.status !== "held");
    expect(leadIn).toBeGreaterThan(0);
    for (const s of traj.steps.slice(0, leadIn)) expect(s.human.t).toBe(traj.steps[0]!.human.t);
    let interpolated = 0;
    for (const s of traj.steps.slice(leadIn)) {
      const inGap = s.human.t > gapStartS + 1e-9 && s.human.t < gapEndS - 1e-9;
      if (inGap) {
        interpolated++;
        expect(s.human.status).toBe("interpolated");
        expect(s.human.gapS).toBeCloseTo(gapEndS - gapStartS, 9);
        expect(s.human.confidence).toBeLessThan(1);
      } else {
        expect(s.human.status).toBe("observed");
        expect(s.human.gapS).toBeUndefined();
        expect(s.human.confidence).toBe(1);
      }
    }
    expect(interpolated).toBe(GAP.last - GAP.first + 1);
  });

  it("marks the repeated samples of jaw dwells held", async () => {
    const e = await loadEmbodiment("robotiq_2f85");
    const traj = retargetParallelJaw(track, e, { controlHz: FPS, leadInM: 0 });
    const held = traj.steps.filter((s) => s.human.status === "held");
    expect(held.length).toBeGreaterThan(0);
    // Each held sample repeats the human sample of a step that follows it.
    for (const h of held)
      expect(traj.steps.some((s) => s.human.status !== "held" && s.human.t === h.human.t)).toBe(true);
  });
});

describe("a recording that starts mid-grasp", () => {
  it("gets an open-jaw lead-in, then closes at the first pose before the recorded motion", async () => {
    const e = await loadEmbodiment("robotiq_2f85");
    const whole = retargetParallelJaw(track, e, { controlHz: FPS, leadInM: 0, dwellOnGraspChange: false });
    const firstClosed = whole.steps.findIndex((s) => s.grasp);
    // The same hand track, cut to begin a quarter second after the fingers closed.
    const cutAt = track.frames.findIndex((f) => f.t >= whole.steps[firstClosed]!.human.t + 0.25);
    const t0 = track.frames[cutAt]!.t;
    const cut: HandTrack = {
      ...track,
      frames: track.frames.slice(cutAt).map((f) => ({ ...f, t: f.t - t0 })),
      objects: track.objects.map((o) => ({ ...o, poses: o.poses.slice(cutAt) })),
    };
    const traj = retargetParallelJaw(cut, e, { controlHz: FPS, dwellOnGraspChange: false });
    const firstRecorded = traj.steps.findIndex((s) => s.human.status !== "held");
    const lead = traj.steps.slice(0, firstRecorded);
    expect(traj.steps[firstRecorded]!.grasp).toBe(true);
    const opening = lead.filter((s) => !s.grasp);
    const closing = lead.filter((s) => s.grasp);
    expect(opening.length).toBeGreaterThan(0);
    for (const s of opening) expect(s.apertureM).toBe(e.strokeM);
    // Closing waits at the first recorded pose for as long as the jaws take to travel the stroke.
    expect(closing.length).toBeGreaterThanOrEqual(Math.ceil((e.strokeM / e.fingerSpeedMps) * FPS));
    for (const s of closing) expect(s.tcp).toEqual(traj.steps[firstRecorded]!.tcp);
    expect(lead.findIndex((s) => s.grasp)).toBe(opening.length);
  });
});

describe("the robot holds still at the end", () => {
  it("repeats the last step for settleS, human sample held, pose and jaws unchanged", async () => {
    const e = await loadEmbodiment("robotiq_2f85");
    const without = retargetParallelJaw(track, e, { controlHz: FPS, settleS: 0 });
    const traj = retargetParallelJaw(track, e, { controlHz: FPS, settleS: 0.5 });
    expect(traj.steps.length).toBe(without.steps.length + 15);
    const last = without.steps[without.steps.length - 1]!;
    for (const [k, s] of traj.steps.slice(without.steps.length).entries()) {
      expect(s.t).toBeCloseTo((without.steps.length + k) / FPS, 12);
      expect(s.tcp).toEqual(last.tcp);
      expect([s.apertureM, s.grasp]).toEqual([last.apertureM, last.grasp]);
      expect(s.human).toEqual({ ...last.human, status: "held" });
    }
  });
});

describe("long gaps split the demonstration", () => {
  /** The hand unseen for frames 40–79 (1.33 s at 30 Hz): too long to invent the motion across. */
  const LONG = { first: 40, last: 79 };
  const longGap = (): HandTrack => ({
    ...track,
    frames: track.frames.map((f, i) => (i >= LONG.first && i <= LONG.last ? { ...f, hands: [] } : f)),
  });

  it("retargets the longest stretch the hand was seen in, says which, and fills no long gap", async () => {
    const e = await loadEmbodiment("robotiq_2f85");
    const t = longGap();
    const traj = retargetParallelJaw(t, e, { controlHz: FPS });
    const lastFrame = t.frames.length - 1;
    // Before the gap: frames 0..39 (40); after it: 80..end. The later stretch is the longer.
    expect(lastFrame - 80 + 1).toBeGreaterThan(40);
    expect(traj.source.segment).toEqual({ index: 1, of: 2 });
    expect(traj.source.frames).toEqual([80, lastFrame]);
    for (const s of traj.steps) {
      expect(s.human.frameIndex).toBeGreaterThanOrEqual(80);
      expect(s.human.gapS ?? 0).toBeLessThanOrEqual(0.5);
    }
    const first = retargetParallelJaw(t, e, { controlHz: FPS, segment: 0 });
    expect(first.source.frames).toEqual([0, LONG.first - 1]);
    expect(() => retargetParallelJaw(t, e, { segment: 2 })).toThrow(/split the track into 2/);
  });

  it("a gap shorter than maxGapS stays one demonstration, interpolated", async () => {
    const e = await loadEmbodiment("robotiq_2f85");
    const traj = retargetParallelJaw(longGap(), e, { controlHz: FPS, maxGapS: 2 });
    expect(traj.source.segment).toBeUndefined();
    expect(traj.steps.some((s) => s.human.status === "interpolated" && (s.human.gapS ?? 0) > 1.3)).toBe(true);
  });
});
