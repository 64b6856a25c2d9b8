/**
 * The cheat suite: rollouts that a lenient simulator would score as successes. Each runs in real
 * Rapier physics and must fail for the reason that names what went wrong.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  distance,
  fromArray3,
  type Quat,
  qfromAxes,
  qfromAxisAngle,
  qmul,
  qslerp,
  vec3,
} from "../../src/core/math.js";
import type { Embodiment } from "../../src/core/schemas/embodiment.js";
import type { SceneItem, SceneSpec } from "../../src/core/schemas/scene.js";
import { SceneSpecSchema } from "../../src/core/schemas/scene.js";
import type { RobotTrajectory, TrajectoryStep } from "../../src/core/schemas/trajectory.js";
import { proceduralPickToTote } from "../../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";
import { linkageOf } from "../../src/sim/gripper_models.js";
import { sceneryIncursion } from "../../src/sim/scenery_clearance.js";
import { simulateEpisode } from "../../src/sim/simulate.js";
import { PROTECTIVE_STOP_HOLD_S } from "../../src/sim/verdict.js";

const HZ = 30;
/** Gripper pointing down (approach −z_W), jaws opening along ±x_W. */
const DOWN: Quat = qfromAxes(vec3(0, 1, 0), vec3(1, 0, 0), vec3(0, 0, -1));

interface Waypoint {
  p: [number, number, number];
  q?: Quat;
  apertureM: number;
  grasp: boolean;
  /** Seconds to get here from the previous waypoint (0 for the first). */
  s: number;
}

/** A trajectory through the waypoints at 30 Hz (linear in position, slerp in rotation). */
function trajectory(points: Waypoint[]): RobotTrajectory {
  const steps: TrajectoryStep[] = [];
  const human = (k: number) => ({
    frameIndex: k,
    t: k / HZ,
    keypointsWorld: Array.from({ length: 21 }, () => [0, 0, 0] as [number, number, number]),
  });
  const add = (p: [number, number, number], q: Quat, w: Waypoint) => {
    const k = steps.length;
    steps.push({
      t: k / HZ,
      tcp: { pos: p, quatXyzw: [q.x, q.y, q.z, q.w] },
      apertureM: w.apertureM,
      grasp: w.grasp,
      confidence: 1,
      human: human(k),
    });
  };
  let prev = points[0]!;
  add(prev.p, prev.q ?? DOWN, prev);
  for (const w of points.slice(1)) {
    const n = Math.max(1, Math.round(w.s * HZ));
    for (let i = 1; i <= n; i++) {
      const s = i / n;
      const p = prev.p.map((v, k) => v + (w.p[k]! - v) * s) as [number, number, number];
      add(p, qslerp(prev.q ?? DOWN, w.q ?? DOWN, s), w);
    }
    prev = w;
  }
  return {
    format: "egobridge.trajectory",
    version: 1,
    embodiment: "robotiq_2f85",
    controlHz: HZ,
    frame: "W",
    source: { kind: "procedural", side: "right", synthetic: true },
    method: "waypoints",
    params: {},
    steps,
  };
}

let e: Embodiment;
let shelfToTote: SceneSpec;
beforeAll(async () => {
  e = await loadEmbodiment("robotiq_2f85");
  shelfToTote = await loadScene("shelf_to_tote");
});

async function run(scene: SceneSpec, traj: RobotTrajectory) {
  const episode = await simulateEpisode({
    scene,
    embodiment: e,
    trajectory: traj,
    seed: 0,
    id: "cheat",
    task: "cheat",
    lineageSource: "test",
  });
  // Whatever the verdict, the recorded gripper never sits inside fixed scenery.
  const inc = sceneryIncursion(episode.steps, scene, e, await linkageOf(e));
  expect(inc.maxDepthM, JSON.stringify(inc)).toBeLessThan(0.005);
  return episode;
}

/** A table (top at 0.75 m) with a 4 × 6 × 10 cm carton on it and the tote of shelf_to_tote beside it. */
function tableScene(
  extra: SceneItem[] = [],
  cartonSizeM: [number, number, number] = [0.06, 0.04, 0.1],
): SceneSpec {
  const tote = shelfToTote.items.find((i) => i.id === "tote")!;
  const cart = shelfToTote.items.find((i) => i.id === "cart")!;
  return SceneSpecSchema.parse({
    format: "egobridge.scene",
    version: 1,
    name: "cheat_table",
    items: [
      { kind: "floor", id: "floor" },
      {
        kind: "box",
        id: "table",
        dynamic: false,
        pose: { pos: [0, 0, 0.375], quatXyzw: [0, 0, 0, 1] },
        sizeM: [0.6, 0.6, 0.75],
      },
      {
        kind: "box",
        id: "carton",
        role: "target",
        pose: { pos: [0, 0, 0.75 + cartonSizeM[2] / 2], quatXyzw: [0, 0, 0, 1] },
        sizeM: cartonSizeM,
        massKg: 0.15,
        friction: 0.7,
      },
      cart,
      tote,
      ...extra,
    ],
    task: shelfToTote.task,
  });
}

/** The 2F-85's full opening (m). */
const OPEN = 0.085;

/** Down onto the carton on the table, close, lift to 0.95 m. */
function pickFromTable(): Waypoint[] {
  return [
    { p: [0, 0, 1.0], apertureM: OPEN, grasp: false, s: 0 },
    { p: [0, 0, 0.82], apertureM: OPEN, grasp: false, s: 1 },
    { p: [0, 0, 0.82], apertureM: 0, grasp: true, s: 0.6 },
    { p: [0, 0, 0.95], apertureM: 0, grasp: true, s: 0.6 },
  ];
}

describe("cheat suite: physically impossible or unearned successes fail, for the named reason", () => {
  it("a palm driven down through a shelf board stops at the board and fails as a hard collision", async () => {
    const traj = trajectory([
      { p: [0.25, 0.45, 1.0], apertureM: OPEN, grasp: false, s: 0 },
      { p: [0.25, 0.45, 0.65], apertureM: OPEN, grasp: false, s: 1.5 },
      { p: [0.25, 0.45, 0.65], apertureM: OPEN, grasp: false, s: 0.5 },
    ]);
    const ep = await run(shelfToTote, traj);
    expect(ep.success).toBe(false);
    expect(ep.reasons).toContain("hard_collision");
    expect(ep.metrics["maxGripperSceneryForceN"]).toBeGreaterThan(e.limits.collisionForceN);
    // The fingertips (2.25 cm below the TCP) rest on the board's top at 0.8 m.
    const lowest = Math.min(...ep.steps.map((s) => s.state.tcp.pos[2]));
    expect(lowest).toBeGreaterThan(0.8);
    // A protective stop: the first step over the collision force ends the motion; the arm holds
    // there for PROTECTIVE_STOP_HOLD_S while the scene settles, then the episode ends.
    const force = (k: number) =>
      Math.max(
        0,
        ...ep.steps[k]!.contacts.filter((c) => c.a === "shelf" || c.b === "shelf").map((c) => c.forceN),
      );
    const stopAt = ep.steps.findIndex((_, k) => force(k) > e.limits.collisionForceN);
    expect(stopAt).toBeGreaterThan(0);
    expect(ep.steps.length).toBe(stopAt + 1 + Math.round(PROTECTIVE_STOP_HOLD_S * HZ));
    expect(ep.steps.length).toBeLessThan(traj.steps.length);
    const at = fromArray3(ep.steps[stopAt]!.state.tcp.pos);
    for (const s of ep.steps.slice(stopAt))
      expect(distance(fromArray3(s.state.tcp.pos), at)).toBeLessThan(0.01);
  });

  it("a gripper swept through a tote wall stops at the wall and fails as a hard collision", async () => {
    const traj = trajectory([
      { p: [0.2, 0, 0.9], apertureM: OPEN, grasp: false, s: 0 },
      { p: [0.2, 0, 0.72], apertureM: OPEN, grasp: false, s: 0.6 },
      { p: [0.55, 0, 0.72], apertureM: OPEN, grasp: false, s: 1.2 },
      { p: [0.55, 0, 0.72], apertureM: OPEN, grasp: false, s: 0.5 },
    ]);
    const ep = await run(shelfToTote, traj);
    expect(ep.success).toBe(false);
    expect(ep.reasons).toContain("hard_collision");
    // The wall's outer face is at x = 0.35 m: the TCP stays outside it (finger half-width 1.1 cm).
    const furthest = Math.max(...ep.steps.map((s) => s.state.tcp.pos[0]));
    expect(furthest).toBeLessThan(0.35);
  });

  it("an object spawned inside the open jaws is refused, never clamped into a grasp", async () => {
    // A 10 cm wide carton where the 8.5 cm jaws start: it overlaps both fingers.
    const scene = tableScene([], [0.1, 0.04, 0.1]);
    const traj = trajectory([
      { p: [0, 0, 0.82], apertureM: OPEN, grasp: false, s: 0 },
      { p: [0, 0, 0.95], apertureM: OPEN, grasp: false, s: 1 },
    ]);
    const ep = await run(scene, traj);
    expect(ep.success).toBe(false);
    expect(ep.reasons).toEqual(["object_overlaps_gripper_at_start"]);
  });

  it("an object that starts inside another object is refused, never shot out of it by the solver", async () => {
    // A second carton whose centre is 3 cm beside the target's: they overlap by 3 cm along x.
    const neighbourAt = (x: number): SceneItem => ({
      kind: "box",
      id: "neighbour",
      pose: { pos: [x, 0, 0.8], quatXyzw: [0, 0, 0, 1] },
      sizeM: [0.06, 0.04, 0.1],
      dynamic: true,
      massKg: 0.15,
      friction: 0.7,
      restitution: 0,
    });
    const ep = await run(tableScene([neighbourAt(0.03)]), trajectory(pickFromTable()));
    expect(ep.success).toBe(false);
    expect(ep.reasons).toEqual(["objects_overlap_at_start"]);
    expect(ep.steps).toHaveLength(1);
    expect(ep.metrics["spawnOverlapM:carton|neighbour"]).toBeCloseTo(0.03, 3);
    // Side by side, 2 cm apart, they are simulated.
    const ok = await run(tableScene([neighbourAt(0.08)]), trajectory(pickFromTable()));
    expect(ok.reasons).not.toContain("objects_overlap_at_start");
    expect(ok.steps.length).toBeGreaterThan(1);
  });

  it("jaws never commanded closed but the object wedged between them is not a grasp", async () => {
    // The pads are set to 5.8 cm around a 6 cm carton, the grasp never commanded: the finger
    // position motors squeeze it anyway, enough to lift it.
    const traj = trajectory([
      { p: [0, 0, 1.0], apertureM: OPEN, grasp: false, s: 0 },
      { p: [0, 0, 0.82], apertureM: OPEN, grasp: false, s: 1 },
      { p: [0, 0, 0.82], apertureM: 0.058, grasp: false, s: 0.5 },
      { p: [0, 0, 0.95], apertureM: 0.058, grasp: false, s: 0.8 },
      { p: [0, 0, 0.95], apertureM: 0.058, grasp: false, s: 0.6 },
    ]);
    const scene = { ...tableScene(), task: { targetId: "carton", liftM: 0.05 } };
    const ep = await run(scene, traj);
    const carton = ep.steps[ep.steps.length - 1]!.objects["carton"]!.pos[2];
    expect(carton).toBeGreaterThan(0.8 + 0.05 + 0.03); // it really came up with the jaws
    expect(ep.success).toBe(false);
    expect(ep.reasons[0]).toBe("grasp_not_commanded");
  });

  it("open jaws pressing the object onto the table before any close stop there as a hard collision", async () => {
    // The TCP 4.25 cm to the side of the 6 cm carton: the left finger comes down on its top.
    const traj = trajectory([
      { p: [0.0425, 0, 1.0], apertureM: OPEN, grasp: false, s: 0 },
      { p: [0.0425, 0, 0.8], apertureM: OPEN, grasp: false, s: 1 },
      { p: [0.0425, 0, 0.8], apertureM: 0, grasp: true, s: 0.5 },
      { p: [0.0425, 0, 0.95], apertureM: 0, grasp: true, s: 0.6 },
    ]);
    const ep = await run(tableScene(), traj);
    expect(ep.success).toBe(false);
    expect(ep.reasons).toContain("hard_collision");
    expect(ep.metrics["collisionForceN:gripper.finger_left|carton"]).toBeGreaterThan(
      e.limits.collisionForceN,
    );
    expect(ep.metrics["maxGripperSceneryForceN"]).toBeLessThanOrEqual(e.limits.collisionForceN);
    // The arm stopped on the carton: the close was never reached, the episode ended early.
    expect(ep.steps.some((s) => s.action.grasp)).toBe(false);
    expect(ep.steps.length).toBeLessThan(traj.steps.length);
  });

  it("an object thrown into the tote is not placed", async () => {
    const traj = trajectory([
      ...pickFromTable(),
      // Swing towards the tote at 1.5 m/s and open on the way.
      { p: [0.3, 0, 0.95], apertureM: 0, grasp: true, s: 0.2 },
      { p: [0.45, 0, 0.95], apertureM: OPEN, grasp: false, s: 0.1 },
      { p: [0.55, 0, 1.0], apertureM: OPEN, grasp: false, s: 0.3 },
      { p: [0.55, 0, 1.0], apertureM: OPEN, grasp: false, s: 1.5 },
    ]);
    const ep = await run(tableScene(), traj);
    expect(ep.success).toBe(false);
    expect(ep.reasons).toContain("thrown");
  });

  it("an object set down on its side in the tote has toppled", async () => {
    const side = qmul(qfromAxisAngle(vec3(1, 0, 0), Math.PI / 2), DOWN);
    const traj = trajectory([
      ...pickFromTable(),
      { p: [0.55, 0, 0.95], q: side, apertureM: 0, grasp: true, s: 1.2 },
      { p: [0.55, 0, 0.68], q: side, apertureM: 0, grasp: true, s: 0.8 },
      { p: [0.55, 0, 0.68], q: side, apertureM: OPEN, grasp: false, s: 0.5 },
      { p: [0.55, 0, 0.95], q: side, apertureM: OPEN, grasp: false, s: 0.6 },
      { p: [0.55, 0, 0.95], q: side, apertureM: OPEN, grasp: false, s: 0.8 },
    ]);
    // A task that asks for the object upright (the shelf-to-tote drop does not).
    const table = tableScene();
    const ep = await run({ ...table, task: { ...table.task, upright: true } }, traj);
    expect(ep.reasons).toContain("lifted");
    expect(ep.success).toBe(false);
    expect(ep.reasons).toContain("toppled");
  });

  it("a gripper sweeping other items off the table disturbs the scene", async () => {
    const others: SceneItem[] = [0.12, 0.2].map((x, i) => ({
      kind: "box",
      id: `item${i}`,
      role: "distractor",
      dynamic: true,
      pose: { pos: [x, -0.15, 0.8], quatXyzw: [0, 0, 0, 1] },
      sizeM: [0.05, 0.05, 0.1],
      massKg: 0.2,
      friction: 0.6,
      restitution: 0,
    }));
    const traj = trajectory([
      { p: [-0.1, -0.15, 1.0], apertureM: OPEN, grasp: false, s: 0 },
      { p: [-0.1, -0.15, 0.82], apertureM: OPEN, grasp: false, s: 0.6 },
      { p: [0.4, -0.15, 0.82], apertureM: OPEN, grasp: false, s: 1.2 },
      { p: [0.4, -0.15, 0.82], apertureM: OPEN, grasp: false, s: 0.5 },
    ]);
    const ep = await run(tableScene(others), traj);
    expect(ep.success).toBe(false);
    expect(ep.reasons).toContain("disturbed_scene");
    expect(ep.metrics["maxDisturbanceM"]).toBeGreaterThan(0.03);
  });

  it("a source whose pinch stops at 3 cm never closes the jaws and never succeeds", async () => {
    // A hand seen without its object (as from video): only the pinch can signal a grasp.
    const track = { ...proceduralPickToTote(shelfToTote, { seed: 0 }), objects: [] };
    const THUMB_TIP = 4;
    const INDEX_TIP = 8;
    // Hold the thumb and index tips 3 cm apart (or more) at every frame: a pinch that never closes.
    for (const f of track.frames) {
      for (const h of f.hands) {
        const kp = h.keypointsWorld!;
        const a = fromArray3(kp[THUMB_TIP]!);
        const b = fromArray3(kp[INDEX_TIP]!);
        const d = Math.hypot(b.x - a.x, b.y - a.y, b.z - a.z);
        if (d >= 0.03) continue;
        const mid = [(a.x + b.x) / 2, (a.y + b.y) / 2, (a.z + b.z) / 2];
        const u = d > 1e-9 ? [(b.x - a.x) / d, (b.y - a.y) / d, (b.z - a.z) / d] : [1, 0, 0];
        kp[THUMB_TIP] = mid.map((m, k) => m - 0.015 * u[k]!) as [number, number, number];
        kp[INDEX_TIP] = mid.map((m, k) => m + 0.015 * u[k]!) as [number, number, number];
      }
    }
    const traj = retargetParallelJaw(track, e);
    expect(traj.steps.some((s) => s.grasp)).toBe(false);
    const ep = await run(shelfToTote, traj);
    expect(ep.success).toBe(false);
    expect(["never_grasped", "grasp_not_commanded"]).toContain(ep.reasons[0]);
  });
});
