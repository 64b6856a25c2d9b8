/**
 * Grasp state from a hand's thumb and index tips (src/retarget/grasp_state.ts): the pinch cue with
 * hysteresis, removal of short flickers, and the object cue on a sphere.
 */
import { describe, expect, it } from "vitest";
import type { Pose, Vec3 } from "../../src/core/math.js";
import { detectGrasp, type GraspCues, removeShortRuns } from "../../src/retarget/grasp_state.js";
import { type ParallelJawParamsInput, ParallelJawParamsSchema } from "../../src/retarget/params.js";

const FPS = 30;

const params = (overrides: ParallelJawParamsInput = {}) => ParallelJawParamsSchema.parse(overrides);
const DEFAULTS = params();

const times = (n: number, fps = FPS): number[] => Array.from({ length: n }, (_, i) => i / fps);
const repeat = <T>(value: T, n: number): T[] => Array.from({ length: n }, () => value);

/** Pinch cues only: thumb tip at a fixed point, index tip `apertureM` away along x; no objects. */
function pinchCues(aperturesM: readonly number[], fps = FPS): GraspCues {
  const thumb: Vec3 = { x: 0.4, y: -0.1, z: 0.9 };
  return {
    times: times(aperturesM.length, fps),
    thumbTip_W: aperturesM.map(() => thumb),
    indexTip_W: aperturesM.map((a) => ({ x: thumb.x + a, y: thumb.y, z: thumb.z })),
    objects: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Object cue: a ball of radius 4 cm; tips given relative to its starting centre.

const BALL_RADIUS_M = 0.04;
const BALL_CENTRE: Vec3 = { x: 0.5, y: 0.2, z: 0.8 };
const BALL_ROTATION = { x: 0.2, y: -0.4, z: 0.1, w: Math.sqrt(1 - 0.04 - 0.16 - 0.01) };

const at = (offset: Vec3, dz = 0): Vec3 => ({
  x: BALL_CENTRE.x + offset.x,
  y: BALL_CENTRE.y + offset.y,
  z: BALL_CENTRE.z + offset.z + dz,
});

/** Tips just outside the surface (1 mm) on opposite sides: a power grasp across the ball. */
const ACROSS = { thumb: { x: -0.041, y: 0, z: 0 }, index: { x: 0.041, y: 0, z: 0 } };
/** Tips straddling the ball but 3 cm off its surface: hand open around it. */
const AROUND = { thumb: { x: -0.07, y: 0, z: 0 }, index: { x: 0.07, y: 0, z: 0 } };
/** Both tips against the +x side, 6 cm apart: fingers flat on one side, pinch point outside. */
const ONE_SIDE = { thumb: { x: 0.041, y: -0.03, z: 0 }, index: { x: 0.041, y: 0.03, z: 0 } };

interface BallSample {
  tips: { thumb: Vec3; index: Vec3 };
  /** Rise of the hand above the tips' offsets (m). */
  handDz?: number;
  /** Rise of the ball above its start (m). */
  ballDz?: number;
}

function ballCues(samples: readonly BallSample[]): GraspCues {
  const poses: Pose[] = samples.map((s) => ({
    p: at({ x: 0, y: 0, z: 0 }, s.ballDz ?? 0),
    q: BALL_ROTATION,
  }));
  return {
    times: times(samples.length),
    thumbTip_W: samples.map((s) => at(s.tips.thumb, s.handDz ?? 0)),
    indexTip_W: samples.map((s) => at(s.tips.index, s.handDz ?? 0)),
    objects: [{ shape: { kind: "sphere", radiusM: BALL_RADIUS_M }, poses }],
  };
}

const hold = (tips: BallSample["tips"], n: number): BallSample[] => repeat({ tips }, n);

/** Index of every transition in a boolean sequence. */
const transitions = (xs: readonly boolean[]): number[] =>
  xs.flatMap((x, i) => (i > 0 && x !== xs[i - 1] ? [i] : []));

describe("grasp_state", () => {
  it("uses the documented default thresholds", () => {
    // The scenarios below are built around these numbers.
    expect(DEFAULTS.closeBelowM).toBe(0.03);
    expect(DEFAULTS.openAboveM).toBe(0.06);
    expect(DEFAULTS.contactM).toBe(0.012);
    expect(DEFAULTS.liftOffM).toBe(0.003);
  });

  describe("pinch cue", () => {
    it("closes below closeBelowM, stays closed in the band, opens above openAboveM (0.08 → 0.02 → 0.045 → 0.07)", () => {
      const n = 10; // 0.33 s per level, longer than minGraspS / minReleaseS
      const apertures = [...repeat(0.08, n), ...repeat(0.02, n), ...repeat(0.045, n), ...repeat(0.07, n)];
      const grasp = detectGrasp(pinchCues(apertures), DEFAULTS);
      expect(grasp).toEqual([...repeat(false, n), ...repeat(true, 2 * n), ...repeat(false, n)]);
    });

    it("stays open in the band when it was open (0.08 → 0.045 → 0.08)", () => {
      const apertures = [...repeat(0.08, 10), ...repeat(0.045, 10), ...repeat(0.08, 10)];
      expect(detectGrasp(pinchCues(apertures), DEFAULTS).some(Boolean)).toBe(false);
    });

    it("switches at the first sample past each threshold on a slow close-and-open ramp", () => {
      const n = 121;
      const apertures = Array.from({ length: n }, (_, i) => 0.02 + (0.06 * Math.abs(i - 60)) / 60);
      const closeAt = apertures.findIndex((a) => a < DEFAULTS.closeBelowM);
      const openAt = apertures.findIndex((a, i) => i > closeAt && a > DEFAULTS.openAboveM);
      const grasp = detectGrasp(pinchCues(apertures), DEFAULTS);
      expect(grasp).toEqual(apertures.map((_, i) => i >= closeAt && i < openAt));
    });
  });

  describe("short runs", () => {
    // 100 Hz and 50 ms minimum runs: runs shorter than 5 samples are noise.
    const FAST = 100;
    const p = params({ minGraspS: 0.05, minReleaseS: 0.05 });
    const OPEN = 0.08;
    const CLOSED = 0.02;

    it.each([1, 2, 4])("removes a %i-sample grasp flicker", (k) => {
      const apertures = [...repeat(OPEN, 20), ...repeat(CLOSED, k), ...repeat(OPEN, 20)];
      expect(detectGrasp(pinchCues(apertures, FAST), p).some(Boolean)).toBe(false);
    });

    it("keeps a grasp of exactly the minimum length", () => {
      const apertures = [...repeat(OPEN, 20), ...repeat(CLOSED, 5), ...repeat(OPEN, 20)];
      expect(detectGrasp(pinchCues(apertures, FAST), p).filter(Boolean).length).toBe(5);
    });

    it.each([1, 2, 4])("fills a %i-sample release flicker inside a grasp", (k) => {
      const apertures = [
        ...repeat(OPEN, 10),
        ...repeat(CLOSED, 20),
        ...repeat(OPEN, k),
        ...repeat(CLOSED, 20),
        ...repeat(OPEN, 10),
      ];
      const grasp = detectGrasp(pinchCues(apertures, FAST), p);
      expect(grasp).toEqual([...repeat(false, 10), ...repeat(true, 40 + k), ...repeat(false, 10)]);
    });

    it("keeps a short release at the end of the track (the hand ends open)", () => {
      const apertures = [...repeat(OPEN, 10), ...repeat(CLOSED, 20), ...repeat(OPEN, 2)];
      const grasp = detectGrasp(pinchCues(apertures, FAST), p);
      expect(grasp.slice(-2)).toEqual([false, false]);
    });

    it("removeShortRuns flips only runs shorter than minLen", () => {
      const T = true;
      const F = false;
      expect(removeShortRuns([F, T, T, F, T, T, T, F], true, 3)).toEqual([F, F, F, F, T, T, T, F]);
      // Release gaps at either end are real; interior ones are filled.
      expect(removeShortRuns([F, T, T, F, T, T, F], false, 2)).toEqual([F, T, T, T, T, T, F]);
    });
  });

  describe("object cue (ball)", () => {
    it("grasps when the tips touch opposite sides of the ball", () => {
      const grasp = detectGrasp(ballCues([...hold(AROUND, 10), ...hold(ACROSS, 20)]), DEFAULTS);
      expect(grasp).toEqual([...repeat(false, 10), ...repeat(true, 20)]);
    });

    it("does not grasp when both tips are on the same side", () => {
      const cues = ballCues(hold(ONE_SIDE, 30));
      // Guard: the scenario is what it claims (aperture above the pinch threshold).
      expect(Math.abs(cues.indexTip_W[0]!.y - cues.thumbTip_W[0]!.y)).toBeGreaterThan(DEFAULTS.closeBelowM);
      expect(detectGrasp(cues, DEFAULTS).some(Boolean)).toBe(false);
    });

    it("does not grasp when the open hand surrounds the ball without touching it", () => {
      expect(detectGrasp(ballCues(hold(AROUND, 30)), DEFAULTS).some(Boolean)).toBe(false);
    });

    it("releases when the hand slides away while the ball stays", () => {
      const slideStepM = 0.002;
      const samples = [
        ...hold(ACROSS, 10),
        ...Array.from({ length: 40 }, (_, k) => ({ tips: ACROSS, handDz: (k + 1) * slideStepM })),
      ];
      const grasp = detectGrasp(ballCues(samples), DEFAULTS);
      const handDz = samples.map((s) => s.handDz ?? 0);
      // Held while the slip is below releaseSlipM; open once the tips are well clear of the ball.
      handDz.forEach((dz, i) => {
        if (dz < DEFAULTS.releaseSlipM) expect(grasp[i]).toBe(true);
        if (dz >= 0.05) expect(grasp[i]).toBe(false);
      });
      expect(transitions(grasp).length).toBe(1);
    });

    it("releases when the fingers open off the ball", () => {
      const grasp = detectGrasp(ballCues([...hold(ACROSS, 20), ...hold(AROUND, 20)]), DEFAULTS);
      expect(grasp).toEqual([...repeat(true, 20), ...repeat(false, 20)]);
    });

    // The hold ends when "the fingers open releaseOpenM wider than at the grasp", even while the
    // tips are still within contactM of the surface (a release must not be re-grasped in the same sample).
    it("releases when the fingers open releaseOpenM wider while still near the surface", () => {
      const wider = { thumb: { x: -0.05, y: 0, z: 0 }, index: { x: 0.05, y: 0, z: 0 } }; // +18 mm, 10 mm off the surface
      const grasp = detectGrasp(ballCues([...hold(ACROSS, 20), ...hold(wider, 20)]), DEFAULTS);
      expect(grasp.slice(20).some(Boolean)).toBe(false);
    });

    it("starts the hold when the ball starts to move with the hand (liftOffM), not at first contact", () => {
      const liftStepM = 0.002;
      const samples: BallSample[] = [
        ...hold(AROUND, 10),
        ...hold(ACROSS, 21), // fingers settle on the ball at rest (samples 10–30)
        ...Array.from({ length: 20 }, (_, k) => ({
          tips: ACROSS,
          handDz: (k + 1) * liftStepM,
          ballDz: (k + 1) * liftStepM,
        })),
      ];
      const grasp = detectGrasp(ballCues(samples), DEFAULTS);
      const ballDz = samples.map((s) => s.ballDz ?? 0);
      const movedAt = ballDz.findIndex((dz) => dz > DEFAULTS.liftOffM);
      expect(movedAt).toBe(32);
      // Not grasped while the ball is still where it started.
      ballDz.forEach((dz, i) => {
        if (dz === 0) expect(grasp[i]).toBe(false);
      });
      // Grasped from the sample where it has moved liftOffM to the end (carried rigidly).
      expect(grasp.slice(movedAt).every(Boolean)).toBe(true);
      expect(transitions(grasp).length).toBe(1);
    });

    it("starts the hold at first contact when the ball never moves", () => {
      const grasp = detectGrasp(
        ballCues([...hold(AROUND, 10), ...hold(ACROSS, 15), ...hold(AROUND, 10)]),
        DEFAULTS,
      );
      expect(grasp).toEqual([...repeat(false, 10), ...repeat(true, 15), ...repeat(false, 10)]);
    });
  });
});
