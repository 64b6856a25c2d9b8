import { beforeAll, describe, expect, it } from "vitest";
import type { SceneSpec } from "../../src/core/schemas/scene.js";
import { builtinCases, type CrosscheckCase } from "../../src/crosscheck/cases.js";
import { runCase, summarize } from "../../src/crosscheck/crosscheck.js";
import { loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { rapierFriction, sceneXml } from "../../src/sim/mujoco/mjcf_scene.js";
import { replayInMujoco } from "../../src/sim/mujoco/replay_mujoco.js";
import { loadRobotiq2f85, type MjcfGripper } from "../../src/sim/mujoco/robotiq_2f85.js";
import { grabCase } from "../sim/fixtures.js";

/** Largest lag of the MuJoCo gripper behind its commanded base pose (m): the weld with its velocity lead. */
const MAX_TRACKING_ERROR_M = 0.003;

let gripper: MjcfGripper;
let cases: CrosscheckCase[];
beforeAll(async () => {
  gripper = await loadRobotiq2f85();
  cases = await builtinCases();
});

describe("built-in cross-check set", () => {
  it("has at least 20 trajectories: the demo, the GRAB sequences and bad variants of each", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const base of [
      "demo_s0",
      "demo_s1",
      "demo_s2",
      "grab_cylindersmall_lift",
      "grab_cylindersmall_pass_1",
      "grab_apple_lift",
    ]) {
      expect(cases.map((c) => c.id)).toContain(base);
      expect(cases.map((c) => c.id)).toContain(`${base}/wide`);
      expect(cases.map((c) => c.id)).toContain(`${base}/offset`);
    }
    expect(cases.filter((c) => c.variant === "heavy").length).toBeGreaterThanOrEqual(2);
    expect(cases.filter((c) => c.variant === "slippery").length).toBeGreaterThanOrEqual(2);
  });

  it("variants change only what they say", () => {
    const nominal = cases.find((c) => c.id === "demo_s0")!;
    const wide = cases.find((c) => c.id === "demo_s0/wide")!;
    expect(wide.trajectory.steps.every((s) => !s.grasp && s.apertureM === wide.embodiment.strokeM)).toBe(
      true,
    );
    const offset = cases.find((c) => c.id === "demo_s0/offset")!;
    const d = offset.trajectory.steps.map((s, i) =>
      Math.hypot(...s.tcp.pos.map((v, k) => v - nominal.trajectory.steps[i]!.tcp.pos[k]!)),
    );
    for (const v of d) expect(v).toBeCloseTo(0.08, 9);
    const heavy = cases.find((c) => c.id === "demo_s0/heavy")!;
    const mass = (c: CrosscheckCase) =>
      (c.scene.items.find((i) => i.id === c.scene.task.targetId) as { massKg: number }).massKg;
    // Negative controls by a clear margin: the heavy object's weight is 3× what the grip holds
    // by friction and what the arm lifts; the slippery one's friction lets the grip hold 1/4 of it.
    const target = (c: CrosscheckCase) =>
      c.scene.items.find((i) => i.id === c.scene.task.targetId) as { massKg: number; friction: number };
    const e = nominal.embodiment;
    const gripHoldN = 2 * Math.min(target(nominal).friction, e.finger.padFriction) * e.gripForceN;
    expect(mass(heavy) * 9.81).toBeCloseTo(3 * Math.max(gripHoldN, e.limits.maxForceN), 9);
    expect(heavy.trajectory).toBe(nominal.trajectory);
    const slippery = cases.find((c) => c.id === "demo_s0/slippery")!;
    expect(2 * target(slippery).friction * e.gripForceN).toBeCloseTo((mass(nominal) * 9.81) / 4, 9);
    expect(mass(slippery)).toBe(mass(nominal));
  });
});

describe("MuJoCo scene from a SceneSpec", () => {
  it("has the gripper on a welded mocap body, every item, and explicit pairs with Rapier's friction", async () => {
    const c = await grabCase("apple_lift_frames200-300_hand_glob_poses.json");
    const e = await loadEmbodiment("robotiq_2f85");
    const { xml, geoms } = sceneXml(c.scene, e, gripper, {
      timestepS: 0.002,
      X_WB0: { p: { x: 0, y: 0, z: 1 }, q: { x: 0, y: 0, z: 0, w: 1 } },
      padFriction: 1,
    });
    expect(xml).toContain('<attach model="gripper" body="base" prefix="g_"/>');
    expect(xml).toMatch(/<body name="gripper_target" mocap="true"/);
    expect(xml).toMatch(/<weld body1="gripper_target" body2="g_base"/);
    expect(geoms.map((g) => g.item)).toEqual(["floor", "table", "apple"]);
    // The apple is the same faceted, capped ellipsoid Rapier collides with.
    expect(xml).toMatch(/<geom name="apple" type="mesh" mesh="apple\/hull"/);
    const apple = c.scene.items.find((i) => i.id === "apple")!;
    const table = c.scene.items.find((i) => i.id === "table")!;
    const mu = rapierFriction(apple.friction, table.friction);
    expect(xml).toContain(`<pair geom1="apple" geom2="table" friction="${mu} ${mu}`);
    expect(xml).toContain(
      `<pair geom1="apple" geom2="g_left_pad1" condim="4" friction="${rapierFriction(apple.friction, 1)}`,
    );
    const pairs = xml.match(/<pair /g)!.length;
    expect(pairs).toBe(2 + gripper.collisionGeoms.length);
  });
});

describe("cross-check of Rapier and MuJoCo", () => {
  // The demo, its bad variants, and a real GRAB grasp: the small cylinder picked from the side
  // and set down where the human set it, which both engines must see succeed.
  const SUCCEEDS = new Set(["demo_s0", "grab_cylindersmall_pass_1"]);
  it.each(["demo_s0", "demo_s0/wide", "demo_s0/offset", "grab_cylindersmall_pass_1"])(
    "%s: both engines reach the same verdict from the same commands",
    async (id) => {
      const r = await runCase(cases.find((c) => c.id === id)!, gripper);
      expect(r.agree).toBe(true);
      expect(r.rapier.success).toBe(SUCCEEDS.has(id));
      expect(r.mujoco.success).toBe(SUCCEEDS.has(id));
      expect(r.mujoco.maxTrackingErrorM).toBeLessThan(MAX_TRACKING_ERROR_M);
      if (SUCCEEDS.has(id)) {
        expect(r.mujoco.reasons).toEqual(["grasped", "lifted", "placed_in_region"]);
        // Both carry the object to where it belongs: its final positions agree to a centimetre.
        expect(r.finalTargetGapM).toBeLessThan(0.01);
      }
      expect(summarize([r])).toEqual({
        trajectories: 1,
        agree: 1,
        rapierSuccess: r.rapier.success ? 1 : 0,
        mujocoSuccess: r.mujoco.success ? 1 : 0,
        disagreements: [],
      });
    },
  );
});

describe("an object at rest exactly on a face", () => {
  it("a can turned a few degrees on a tote's floor stays put in MuJoCo, as in Rapier", async () => {
    // A variant puts its target exactly on its support (distance 0). There, MuJoCo's native
    // convex collision once reported the can 13 cm deep in the tote's floor and shot it 4 m up.
    const scene = structuredClone(await loadScene("tote_to_tote"));
    const can = scene.items.find((i) => i.id === scene.task.targetId) as Extract<
      SceneSpec["items"][number],
      { kind: "cylinder" }
    >;
    // The pose and size a variant gave it (seed 0 of tote_to_tote's augmentation), resting on the floor.
    can.radiusM = 0.03363983416403644;
    can.heightM = 0.12232666968740523;
    can.pose = {
      pos: [-0.2352730812318623, 0.2515527089126408, 0.76 + can.heightM / 2],
      quatXyzw: [0, 0, -0.06357385137445745, 0.9979771367227901],
    };
    const e = await loadEmbodiment("robotiq_2f85_mjcf");
    const r = await replayInMujoco({
      scene,
      embodiment: e,
      gripper,
      controlHz: 30,
      commands: [
        {
          t: 0,
          action: { tcp: { pos: [0, -0.5, 1.5], quatXyzw: [1, 0, 0, 0] }, apertureM: 0.085, grasp: false },
          human: { frameIndex: 0, t: 0, keypointsWorld: Array.from({ length: 21 }, () => [0, 0, 0]) },
        },
      ],
    });
    const end = r.steps[0]!.objects[can.id]!.pos;
    expect(Math.hypot(...end.map((v, k) => v - can.pose.pos[k]!))).toBeLessThan(0.001);
  });
});
