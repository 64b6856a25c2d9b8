import { beforeAll, describe, expect, it } from "vitest";
import type { Embodiment } from "../../src/core/schemas/embodiment.js";
import type { EpisodeStep } from "../../src/core/schemas/episode.js";
import type { SceneSpec } from "../../src/core/schemas/scene.js";
import { loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { failureCause, HOLD_FORCE_N, judge, REST_WINDOW_S, THROW_SPEED_MPS } from "../../src/sim/verdict.js";

const HZ = 30;
const human = {
  frameIndex: 0,
  t: 0,
  keypointsWorld: Array.from({ length: 21 }, () => [0, 0, 0] as [number, number, number]),
};
type V3 = [number, number, number];
const DOWN: [number, number, number, number] = [1, 0, 0, 0];
const UPRIGHT: [number, number, number, number] = [0, 0, 0, 1];

const held = [
  { a: "carton", b: "gripper.finger_left", forceN: 2 * HOLD_FORCE_N },
  { a: "carton", b: "gripper.finger_right", forceN: 2 * HOLD_FORCE_N },
];

interface Phase {
  /** Carton position at the end of the phase (linear in between); the TCP sits 1 cm above it while held. */
  to: V3;
  seconds: number;
  grasp: boolean;
  contacts?: EpisodeStep["contacts"];
  /** TCP position at the end of the phase when not carrying (default: where it was). */
  tcpTo?: V3;
  quat?: [number, number, number, number];
}

/**
 * A recorded rollout, built by hand: the carton starts on the shelf at `start`, the phases move it
 * (and the gripper). Steps at 30 Hz.
 */
function rollout(start: V3, phases: Phase[]): EpisodeStep[] {
  const steps: EpisodeStep[] = [];
  let obj = start;
  let tcp: V3 = [start[0], start[1], start[2] + 0.01];
  let t = 0;
  const push = (o: V3, g: V3, p: Phase) =>
    steps.push({
      t,
      state: { tcp: { pos: g, quatXyzw: DOWN }, apertureM: p.grasp ? 0.04 : 0.085 },
      action: { tcp: { pos: g, quatXyzw: DOWN }, apertureM: p.grasp ? 0 : 0.085, grasp: p.grasp },
      objects: { carton: { pos: o, quatXyzw: p.quat ?? UPRIGHT } },
      contacts: p.contacts ?? [],
      human,
    });
  push(obj, tcp, phases[0]!);
  for (const p of phases) {
    const n = Math.round(p.seconds * HZ);
    const o0 = obj;
    const g0 = tcp;
    const g1: V3 = p.tcpTo ?? (p.contacts === held ? [p.to[0], p.to[1], p.to[2] + 0.01] : tcp);
    for (let i = 1; i <= n; i++) {
      t += 1 / HZ;
      const s = i / n;
      const o = o0.map((v, k) => v + (p.to[k]! - v) * s) as V3;
      const g = g0.map((v, k) => v + (g1[k]! - v) * s) as V3;
      push(o, g, p);
    }
    obj = p.to;
    tcp = g1;
  }
  return steps;
}

const START: V3 = [0, 0.43, 0.85];
const IN_TOTE: V3 = [0.55, 0, 0.66];

/** Grasp on the shelf, lift 7 cm, carry over the tote, lower, release, rest. */
function pickAndPlace(over: Partial<Record<"release" | "rest", Partial<Phase>>> = {}): EpisodeStep[] {
  return rollout(START, [
    { to: START, seconds: 0.3, grasp: true, contacts: held },
    { to: [0, 0.43, 0.92], seconds: 0.5, grasp: true, contacts: held },
    { to: [0.55, 0, 0.8], seconds: 1, grasp: true, contacts: held },
    { to: [0.55, 0, 0.7], seconds: 0.5, grasp: true, contacts: held, ...over.release },
    { to: IN_TOTE, seconds: 0.2, grasp: false, tcpTo: [0.55, 0, 0.9] },
    { to: IN_TOTE, seconds: 1, grasp: false, ...over.rest },
  ]);
}

describe("judge", () => {
  let scene: SceneSpec;
  let e: Embodiment;
  beforeAll(async () => {
    scene = await loadScene("shelf_to_tote");
    e = await loadEmbodiment("robotiq_2f85");
  });

  it("scores a carried lift and a placement at rest in the region as success", () => {
    const v = judge(pickAndPlace(), scene, e, null);
    expect(v.reasons).toEqual(["grasped", "lifted", "placed_in_region"]);
    expect(v.success).toBe(true);
    expect(v.metrics["restAtEndS"]).toBeGreaterThanOrEqual(REST_WINDOW_S);
  });

  it("contact without a commanded close is not a grasp (an object wedged in open jaws)", () => {
    const steps = pickAndPlace().map((s) => ({ ...s, action: { ...s.action, grasp: false } }));
    const v = judge(steps, scene, e, null);
    expect(v.success).toBe(false);
    expect(v.reasons[0]).toBe("grasp_not_commanded");
  });

  it("a held object that does not come along with the gripper is not grasped", () => {
    // Both fingers touch and the close is commanded, but the gripper rises while the carton stays.
    const steps = rollout(START, [
      { to: START, seconds: 0.3, grasp: true, contacts: held },
      { to: START, seconds: 0.5, grasp: true, contacts: held, tcpTo: [0, 0.33, 1.0] },
    ]);
    const v = judge(steps, scene, e, null);
    expect(v.reasons[0]).toBe("not_carried");
    expect(v.success).toBe(false);
  });

  it("an object still moving at the end, or released at speed, is not placed", () => {
    const rolling = pickAndPlace({ rest: { to: [0.6, 0.05, 0.66] } });
    expect(judge(rolling, scene, e, null).reasons).toContain("not_at_rest");
    const fast = pickAndPlace({ release: { to: [0.55, 0, 0.7], seconds: 0.05 } });
    const v = judge(fast, scene, e, null);
    expect(v.metrics["releaseSpeedMps"]).toBeGreaterThan(THROW_SPEED_MPS);
    expect(v.reasons).toContain("thrown");
  });

  it("an object lying on its side in the region has toppled", () => {
    const side: [number, number, number, number] = [Math.SQRT1_2, 0, 0, Math.SQRT1_2];
    const steps = pickAndPlace();
    const last = steps.length - 1;
    for (let k = last - 20; k <= last; k++) steps[k]!.objects["carton"]!.quatXyzw = side;
    // Where the task asks for it upright; the shelf-to-tote drop takes it in any attitude.
    const v = judge(steps, { ...scene, task: { ...scene.task, upright: true } }, e, null);
    expect(v.reasons).toContain("toppled");
    expect(v.success).toBe(false);
    expect(scene.task.upright).toBe(false);
    const any = judge(steps, scene, e, null);
    expect(any.reasons).toContain("placed_in_region");
    expect(any.metrics["targetTiltRad"]).toBeCloseTo(Math.PI / 2, 6);
  });

  it("a hold at the end counts only at rest between the pads for REST_WINDOW_S", () => {
    const noRegion = { ...scene, task: { ...scene.task, placeRegion: undefined } };
    // Grasp, lift 7 cm, hold still for 0.6 s.
    const hold = (slideM: number, padsShiftM: number) => {
      const steps = rollout(START, [
        { to: START, seconds: 0.3, grasp: true, contacts: held },
        { to: [0, 0.43, 0.92], seconds: 0.5, grasp: true, contacts: held },
        { to: [0, 0.43, 0.92], seconds: 0.6, grasp: true, contacts: held },
      ]);
      // Over the last 0.3 s the carton moves `slideM` along the gripper's opening axis (y_G, world
      // −y with DOWN), and the pads' midpoint `padsShiftM` along it.
      const n = Math.round(0.3 * HZ);
      steps.forEach((st, k) => {
        const f = Math.max(0, k - (steps.length - 1 - n)) / n;
        st.objects["carton"]!.pos[1] -= f * slideM;
        st.state.padsYM = [-0.02 + f * padsShiftM, 0.02 + f * padsShiftM];
      });
      return judge(steps, noRegion, e, null);
    };
    const still = hold(0, 0);
    expect(still.reasons, JSON.stringify(still)).toEqual(["grasped", "lifted", "held_at_end"]);
    expect(still.metrics["restInGripAtEndS"]).toBeGreaterThanOrEqual(REST_WINDOW_S);
    // 1 cm in 0.3 s between the pads: slipping out.
    const slipping = hold(0.01, 0);
    expect(slipping.reasons).toContain("slipping_in_grip");
    expect(slipping.success).toBe(false);
    // The pads and the carton move together: still a hold.
    const together = hold(0.01, 0.01);
    expect(together.reasons, JSON.stringify(together)).toEqual(["grasped", "lifted", "held_at_end"]);
  });

  it("open fingers pressing on the target before the close are a hard collision; the grip itself is not", () => {
    const steps = pickAndPlace();
    const squeeze = e.limits.collisionForceN + 10;
    // While held, the fingers squeeze harder than the collision force: the grip, not a collision.
    for (const st of steps.filter((x) => x.action.grasp))
      st.contacts = held.map((c) => ({ ...c, forceN: squeeze }));
    expect(judge(steps, scene, e, null).reasons).not.toContain("hard_collision");
    // The same press with the jaws open, before any close is commanded.
    const early = steps.map((st) => ({ ...st, contacts: [...st.contacts] }));
    early.unshift({
      ...early[0]!,
      t: -1 / HZ,
      action: { ...early[0]!.action, grasp: false },
      contacts: [held[1]!].map((c) => ({ ...c, forceN: squeeze })),
    });
    const v = judge(early, scene, e, null);
    expect(v.reasons).toContain("hard_collision");
    expect(v.metrics["collisionForceN:gripper.finger_right|carton"]).toBe(squeeze);
    expect(v.metrics["hardCollisionStep"]).toBe(0);
  });

  it("a gripper contact with fixed scenery above the embodiment's collision force fails, reported per pair", () => {
    const steps = pickAndPlace();
    steps[10]!.contacts = [...held, { a: "gripper.palm", b: "shelf", forceN: e.limits.collisionForceN + 1 }];
    const v = judge(steps, scene, e, null);
    expect(v.reasons).toContain("hard_collision");
    expect(v.success).toBe(false);
    expect(v.metrics["hardCollisionStep"]).toBe(10);
    expect(v.metrics["collisionForceN:gripper.palm|shelf"]).toBeGreaterThan(e.limits.collisionForceN);
  });

  it("a collision that stops the arm while it carries is counted as the cause, not the hold it leaves", () => {
    // A protective stop on the tote wall: the arm holds where it stopped, the carton still in the
    // jaws at the end.
    const steps = rollout(START, [
      { to: START, seconds: 0.3, grasp: true, contacts: held },
      { to: [0, 0.43, 0.92], seconds: 0.5, grasp: true, contacts: held },
      { to: [0.55, 0, 0.8], seconds: 1, grasp: true, contacts: held },
      { to: [0.55, 0, 0.8], seconds: 0.5, grasp: true, contacts: held },
    ]);
    steps[steps.length - 16]!.contacts = [
      ...held,
      { a: "gripper.palm", b: "tote", forceN: e.limits.collisionForceN + 5 },
    ];
    const v = judge(steps, scene, e, null);
    expect(v.reasons).toEqual(expect.arrayContaining(["not_released", "hard_collision"]));
    expect(v.reasons.indexOf("not_released")).toBeLessThan(v.reasons.indexOf("hard_collision"));
    expect(failureCause(v.reasons)).toBe("hard_collision");
    expect(failureCause(["grasped", "not_released", "physics_fault_nan"])).toBe("physics_fault_nan");
    expect(failureCause(["grasped", "lifted", "not_at_rest"])).toBe("not_at_rest");
  });

  it("a gripper inside a shelf board fails from the recorded poses alone, with no contact reported", () => {
    const steps = pickAndPlace();
    // Gripper pointing down with its TCP 12 cm below the top of the 0.8 m board: the housing
    // (4.5–13 cm behind the TCP) spans the 2 cm board; it must move 3 cm to get out.
    const k = steps.length - 5;
    steps[k]!.state.tcp = { pos: [0, 0.43, 0.68], quatXyzw: DOWN };
    const v = judge(steps, scene, e, null);
    expect(v.reasons).toContain("scenery_penetration");
    expect(v.metrics["maxSceneryPenetrationM"]).toBeCloseTo(0.03, 3);
    expect(v.metrics["sceneryPenetrationStep"]).toBe(k);
    expect(v.success).toBe(false);
  });

  it("a lift of less than task.liftM is not a lift; a physics fault fails whatever else", () => {
    const low = rollout(START, [
      { to: START, seconds: 0.3, grasp: true, contacts: held },
      { to: [0, 0.4, 0.85 + scene.task.liftM / 2], seconds: 0.5, grasp: true, contacts: held },
    ]);
    expect(judge(low, scene, e, null).reasons).toContain("not_lifted");
    const fault = judge(pickAndPlace(), scene, e, "physics_fault_nan");
    expect(fault.success).toBe(false);
    expect(fault.reasons[0]).toBe("physics_fault_nan");
  });
});
