/**
 * Holds of recorded tracks with objects, fitted to a rigid gripper over a table: a small cylinder
 * on a table, pinched from the side with the gripper's housing hanging below the TCP (as a hand
 * lying flat on the table pinches it). Checked against the table as a box, by the separating-axis
 * overlap of the gripper's boxes (not by the lowest-point search the function itself uses), and
 * against poses built by hand.
 */
import { describe, expect, it } from "vitest";
import { dot, type Pose, qaxes, qfromAxisAngle, qmul, vec3 } from "../../src/core/math.js";
import type { ObjectShape } from "../../src/core/schemas/hand_track.js";
import { loadEmbodiment } from "../../src/pipeline/catalog.js";
import { clearHoldsOfSurface } from "../../src/retarget/parallel_jaw.js";
import { boxPenetrationM, gripperBoxes, type OrientedBox } from "../../src/sim/scenery_clearance.js";

const TABLE_TOP = 0.8;
const CLEARANCE = 0.005;
// Approach (z_G) along +x_W, jaws (y_G) along +y_W, so x_G points down: the housing hangs below.
const q = qfromAxisAngle(vec3(0, 1, 0), Math.PI / 2);
const times = Array.from({ length: 12 }, (_, i) => i * 0.1);
// Closed from sample 4 to 8; the hand lifts the cylinder 5 cm and sets it down again, its pinch
// point slipping 8 mm down the cylinder by the put-down (sample 8).
const grasp = times.map((_, i) => i >= 4 && i <= 8);
const rise = [0, 0, 0, 0, 0, 0.02, 0.05, 0.02, 0, 0, 0, 0];
const slip = [0, 0, 0, 0, 0, 0, 0.002, 0.005, 0.008, 0.008, 0.008, 0.008];
const cylinder = (heightM: number): { shape: ObjectShape; poses: Pose[] } => ({
  shape: { kind: "cylinder", radiusM: 0.02, heightM },
  poses: times.map((_, i) => ({
    p: vec3(0, 0, TABLE_TOP + heightM / 2 + rise[i]!),
    q: { x: 0, y: 0, z: 0, w: 1 },
  })),
});
const handPoses = (heightM: number): Pose[] =>
  times.map((_, i) => ({
    p: vec3(-0.1 + Math.min(i, 4) * 0.025, 0, TABLE_TOP + heightM / 2 + rise[i]! - slip[i]!),
    q,
  }));
/** The table: a 2 × 2 × 0.2 m slab with its top at topZ. */
const table = (topZ: number): OrientedBox => ({
  center: vec3(0, 0, topZ - 0.1),
  axes: [vec3(1, 0, 0), vec3(0, 1, 0), vec3(0, 0, 1)],
  half: [1, 1, 0.1],
});

describe("clearHoldsOfSurface", () => {
  it("turns the hold about the jaw axis and raises it until no part is within the clearance of the table", async () => {
    const e = await loadEmbodiment("robotiq_2f85");
    const h = 0.03;
    const poses = handPoses(h);
    // As the hand did it, the housing is in the table.
    const before = gripperBoxes(e, poses[4]!, 0.04).map((g) => boxPenetrationM(g.box, table(TABLE_TOP)));
    expect(Math.max(...before)).toBeGreaterThan(0.01);
    const out = clearHoldsOfSurface(poses, times, grasp, [cylinder(h)], e, CLEARANCE, 0.2);
    for (let i = 4; i <= 8; i++) {
      const X = out[i]!;
      // The jaws close along the same axis, over the same point of the floor.
      expect(dot(qaxes(X.q)[1], qaxes(q)[1])).toBeCloseTo(1, 9);
      expect(X.p.x).toBeCloseTo(poses[i]!.p.x, 9);
      // Closed on the cylinder (4 cm), and open at the close and the release: clear of a table
      // raised by just under the clearance.
      const apertures = i === 4 || i === 8 ? [0.04, e.strokeM] : [0.04];
      for (const a of apertures)
        for (const g of gripperBoxes(e, X, a))
          expect(boxPenetrationM(g.box, table(TABLE_TOP + CLEARANCE - 1e-4))).toBe(0);
      // The pads stay on the cylinder, at least 5 mm under its top.
      expect(X.p.z).toBeLessThanOrEqual(TABLE_TOP + h + rise[i]! - 0.005 + 1e-9);
    }
    // One turn for the whole hold: the cylinder is set down the way up it was picked.
    const turn = (i: number) => dot(qaxes(out[i]!.q)[2], qaxes(q)[2]);
    expect(turn(4)).toBeLessThan(0.9999);
    for (let i = 5; i <= 8; i++) expect(turn(i)).toBeCloseTo(turn(4), 9);
    // The pinch point slipped 8 mm down by the put-down: the held cylinder does not follow it
    // into the table, so the hold rises by the slip on top of the raise of the close.
    expect(out[8]!.p.z - poses[8]!.p.z - (out[4]!.p.z - poses[4]!.p.z)).toBeCloseTo(0.008, 9);
  });

  it("fades in before the close and out after the release", async () => {
    const e = await loadEmbodiment("robotiq_2f85");
    const poses = handPoses(0.03);
    const out = clearHoldsOfSurface(poses, times, grasp, [cylinder(0.03)], e, CLEARANCE, 0.2);
    const angle = (a: Pose, b: Pose) =>
      2 * Math.acos(Math.min(1, Math.abs(qmul(a.q, { ...b.q, w: -b.q.w }).w)));
    // 0.1 s out: half the turn; 0.2 s and more: the hand's pose.
    expect(angle(out[3]!, poses[3]!)).toBeCloseTo(angle(out[4]!, poses[4]!) / 2, 6);
    expect(angle(out[9]!, poses[9]!)).toBeCloseTo(angle(out[8]!, poses[8]!) / 2, 6);
    for (const i of [0, 1, 11]) expect(out[i]).toEqual(poses[i]);
  });

  it("leaves a hold no turn can clear as the hand did it", async () => {
    const e = await loadEmbodiment("robotiq_2f85");
    // A 6 mm coin: the fingers reach below the TCP further than the pads may rise.
    const poses = handPoses(0.006);
    const out = clearHoldsOfSurface(poses, times, grasp, [cylinder(0.006)], e, CLEARANCE, 0.2);
    for (let i = 0; i < 4; i++) expect(out[i]).toEqual(poses[i]);
    for (let i = 4; i <= 8; i++) expect(out[i]!.q).toEqual(poses[i]!.q);
  });
});
