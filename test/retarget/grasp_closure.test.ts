import { describe, expect, it } from "vitest";
import { qaxes, type Vec3, vec3 } from "../../src/core/math.js";
import { KP } from "../../src/core/schemas/common.js";
import type { HandTrack } from "../../src/core/schemas/hand_track.js";
import { type ClosureCues, centredAverage, detectClosureGrasp } from "../../src/retarget/grasp_closure.js";
import { gripFrame } from "../../src/retarget/grasp_frame.js";
import { demonstratingSides } from "../../src/retarget/parallel_jaw.js";
import { ParallelJawParamsSchema } from "../../src/retarget/params.js";

const P = ParallelJawParamsSchema.parse({});
const PARAMS = {
  stillBelowMps: P.stillBelowMps,
  closeDropM: P.closeDropM,
  closeWindowS: P.closeWindowS,
  minCarryM: P.minCarryM,
  smoothHalfWindowS: P.closureSmoothS,
};
const HZ = 30;

/** A phase of a scripted hand: for `s` seconds the wrist moves at `v` (m/s along +x, +z lift) and the grip span goes to `span`. */
interface Phase {
  s: number;
  v: [number, number];
  span: number;
}

/**
 * Thumb and fingertips of a hand following the phases: wrist position integrated from the
 * velocities, the span between the thumb tip and the index/middle tips changing linearly over
 * each phase. Returns the cues and the sample index at which each phase starts.
 */
function scripted(phases: Phase[], span0: number): { cues: ClosureCues; starts: number[] } {
  const times: number[] = [];
  const wrist: Vec3[] = [];
  const spans: number[] = [];
  const starts: number[] = [];
  let p = vec3(0, 0, 0.8);
  let span = span0;
  for (const ph of phases) {
    starts.push(times.length);
    const n = Math.round(ph.s * HZ);
    for (let k = 0; k < n; k++) {
      p = vec3(p.x + ph.v[0] / HZ, p.y, p.z + ph.v[1] / HZ);
      const sp = span + ((ph.span - span) * (k + 1)) / n;
      times.push(times.length / HZ);
      wrist.push(p);
      spans.push(sp);
    }
    span = ph.span;
  }
  const tip = (i: number, sign: number) =>
    vec3(wrist[i]!.x + 0.12, wrist[i]!.y + (sign * spans[i]!) / 2, wrist[i]!.z);
  return {
    cues: {
      times,
      wrist_W: wrist,
      thumbTip_W: wrist.map((_, i) => tip(i, -1)),
      indexTip_W: wrist.map((_, i) => tip(i, 1)),
      middleTip_W: wrist.map((_, i) => tip(i, 1)),
    },
    starts,
  };
}

const still = (s: number, span: number): Phase => ({ s, v: [0, 0], span });
const move = (s: number, vx: number, vz: number, span: number): Phase => ({ s, v: [vx, vz], span });

describe("closure grasp cue", () => {
  it("pick and place: holds from the stop where the fingers close to the stop after the carry", () => {
    const { cues, starts } = scripted(
      [
        still(0.5, 0.08), // resting
        move(0.6, 0.5, 0, 0.1), // reach, hand opening
        still(0.5, 0.055), // stop and close on the object
        move(0.6, 0.3, 0.1, 0.055), // carry 18 cm
        still(0.5, 0.07), // set it down, let go
        move(0.6, -0.5, 0, 0.08), // leave
        still(0.5, 0.08),
      ],
      0.08,
    );
    const grasp = detectClosureGrasp(cues, PARAMS);
    const on = grasp.indexOf(true);
    const off = grasp.lastIndexOf(true) + 1;
    expect(grasp.slice(on, off).every(Boolean)).toBe(true);
    // Onset inside the closing stop (the smoothing blurs its edges by a few samples).
    expect(on).toBeGreaterThanOrEqual(starts[2]! - 3);
    expect(on).toBeLessThan(starts[3]!);
    // Release at the stop after the carry.
    expect(Math.abs(off - starts[4]!)).toBeLessThanOrEqual(4);
  });

  it("a stop without closing, a closing without a carry, a hand resting closed that moves off: no grasp", () => {
    const touchAndGo = scripted(
      [move(0.6, 0.5, 0, 0.09), still(0.5, 0.09), move(0.6, 0.5, 0, 0.09), still(0.5, 0.09)],
      0.09,
    );
    expect(detectClosureGrasp(touchAndGo.cues, PARAMS).some(Boolean)).toBe(false);
    const fidget = scripted(
      [move(0.6, 0.5, 0, 0.1), still(0.6, 0.05), still(0.6, 0.1), still(0.6, 0.05)],
      0.1,
    );
    expect(detectClosureGrasp(fidget.cues, PARAMS).some(Boolean)).toBe(false);
    // The lid clip's start: a relaxed, closed hand rests, then rises and stops without closing further.
    const relaxed = scripted([still(0.5, 0.04), move(0.5, 0, 0.25, 0.035), still(0.8, 0.04)], 0.04);
    expect(detectClosureGrasp(relaxed.cues, PARAMS).some(Boolean)).toBe(false);
  });

  it("a grasp carried to the end of the recording holds to the end", () => {
    const { cues, starts } = scripted(
      [move(0.6, 0.5, 0, 0.1), still(0.5, 0.05), move(0.8, 0.2, 0.1, 0.05)],
      0.1,
    );
    const grasp = detectClosureGrasp(cues, PARAMS);
    expect(grasp[grasp.length - 1]).toBe(true);
    // Closed by the time the carry starts (within the smoothing's few samples).
    expect(grasp.indexOf(true)).toBeLessThanOrEqual(starts[2]! + 3);
  });

  it("the centred average has no lag: a ramp is returned unchanged inside the window", () => {
    const t = Array.from({ length: 30 }, (_, i) => i / HZ);
    const ramp = t.map((x) => 2 * x);
    const avg = centredAverage(t, ramp, 0.1);
    for (let i = 3; i < 27; i++) expect(avg[i]).toBeCloseTo(ramp[i]!, 12);
  });
});

/** A flat hand, palm facing down, fingers along +x, at the origin; `mirror` gives a left hand (thumb on the other side). */
function flatHand(mirror: boolean, curl = 0): Vec3[] {
  const s = mirror ? -1 : 1;
  const k: Vec3[] = Array.from({ length: 21 }, () => vec3(0, 0, 0));
  // Right hand, palm down, fingers along +x: the thumb is on the +y side.
  k[0] = vec3(0, 0, 0);
  k[1] = vec3(0.03, s * 0.03, 0);
  k[2] = vec3(0.05, s * 0.05, 0);
  k[3] = vec3(0.07, s * 0.06, 0);
  k[4] = vec3(0.09, s * 0.06, -0.02);
  const fingers = [
    [5, 0.025],
    [9, 0.005],
    [13, -0.015],
    [17, -0.032],
  ] as const;
  for (const [base, y] of fingers) {
    k[base] = vec3(0.09, s * y, 0);
    k[base + 1] = vec3(0.12, s * y, -curl / 2);
    k[base + 2] = vec3(0.14, s * y, -curl);
    k[base + 3] = vec3(0.15, s * y, -1.5 * curl);
  }
  return k;
}

describe("grip frame", () => {
  it("approaches into the palm: a palm-down hand gives a gripper pointing down, jaws from thumb to fingers", () => {
    for (const side of ["right", "left"] as const) {
      const f = gripFrame(flatHand(side === "left"), side)!;
      const [, y, z] = qaxes(f.X_WG.q);
      expect(z.z).toBeLessThan(-0.95);
      expect(Math.abs(y.z)).toBeLessThan(0.3);
      // Thumb → fingers: towards −y for a right hand (thumb on +y), +y for a left one.
      expect(Math.sign(y.y)).toBe(side === "right" ? -1 : 1);
    }
  });

  it("curled fingers decide the palm's side when the side label is wrong", () => {
    const f = gripFrame(flatHand(true, 0.03), "right")!;
    expect(qaxes(f.X_WG.q)[2].z).toBeLessThan(-0.9);
  });
});

/** A two-hand world-frame track from scripted cues (left hand 0.4 m to the left of the right one). */
function twoHands(left: ClosureCues, right: ClosureCues): HandTrack {
  const hand = (c: ClosureCues, i: number, dy: number) => {
    const kp = Array.from({ length: 21 }, (): [number, number, number] => [
      c.wrist_W[i]!.x + 0.06,
      c.wrist_W[i]!.y + dy,
      c.wrist_W[i]!.z,
    ]);
    const at = (k: number, p: Vec3) => {
      kp[k] = [p.x, p.y + dy, p.z];
    };
    at(KP.wrist, c.wrist_W[i]!);
    at(KP.thumbTip, c.thumbTip_W[i]!);
    at(KP.indexTip, c.indexTip_W[i]!);
    at(KP.middleTip, c.middleTip_W[i]!);
    return kp;
  };
  const n = Math.min(left.times.length, right.times.length);
  return {
    format: "egobridge.handtrack",
    version: 2,
    source: { kind: "video", synthetic: false },
    fps: HZ,
    frames: Array.from({ length: n }, (_, i) => ({
      t: left.times[i]!,
      index: i,
      hands: [
        { side: "left" as const, score: 1, keypointsWorld: hand(left, i, 0.4) },
        { side: "right" as const, score: 1, keypointsWorld: hand(right, i, 0) },
      ],
    })),
    objects: [],
  };
}

describe("demonstrating hands", () => {
  const pickAndPlace = (carryS: number) =>
    scripted(
      [
        still(0.5, 0.08),
        move(0.6, 0.5, 0, 0.1),
        still(0.5, 0.055),
        move(carryS, 0.3, 0.1, 0.055),
        still(0.5, 0.07),
        move(0.6, -0.5, 0, 0.08),
        still(3, 0.08),
      ],
      0.08,
    ).cues;
  const resting = scripted([still(6, 0.07)], 0.07).cues;

  it("keep both hands when both carry something, the one that carries farther first", () => {
    // Right carries 0.6 s × 0.32 m/s ≈ 19 cm, left 1.2 s ≈ 38 cm.
    expect(demonstratingSides(twoHands(pickAndPlace(1.2), pickAndPlace(0.6)))).toEqual(["left", "right"]);
  });

  it("keep one hand when the other rests or only jitters a few centimetres while closed", () => {
    expect(demonstratingSides(twoHands(resting, pickAndPlace(0.6)))).toEqual(["right"]);
    // A carry of 0.25 s ≈ 8 cm: a grasp for the manipulating hand, under the second hand's bar (10 cm).
    const short = pickAndPlace(0.25);
    expect(detectClosureGrasp(short, PARAMS).some(Boolean)).toBe(true);
    expect(demonstratingSides(twoHands(short, pickAndPlace(0.6)))).toEqual(["right"]);
    expect(demonstratingSides(twoHands(short, pickAndPlace(0.6)), { side: "left" })).toEqual(["left"]);
  });
});
