/**
 * Slide tasks: a hand that takes an object and moves it along the table without lifting it gets
 * a scene whose task is that slide, and the simulation judges it as one; a push with closed jaws
 * slides too. Controls: the same slide judged as a lift fails, and a push that stops short or a
 * carry that lifts fail the slide.
 */
import { describe, expect, it } from "vitest";
import type { Episode } from "../../src/core/schemas/episode.js";
import type { SceneSpec } from "../../src/core/schemas/scene.js";
import { SceneSpecSchema } from "../../src/core/schemas/scene.js";
import type { RobotTrajectory, TrajectoryStep } from "../../src/core/schemas/trajectory.js";
import { loadEmbodiment } from "../../src/pipeline/catalog.js";
import { anchorTrajectory } from "../../src/sim/anchored_scene.js";
import { simulateEpisode } from "../../src/sim/simulate.js";

const HZ = 30;
/** Gripper pointing straight down (approach +z_G = −z), jaws along y. */
const DOWN: [number, number, number, number] = [0, 1, 0, 0];
/** The hand's keypoints lie this far under the TCP (fingertips at the object's base, the table just below). */
const HAND_BELOW_TCP_M = 0.04;

interface Phase {
  s: number;
  to: [number, number, number];
  grasp: boolean;
  apertureM: number;
}

/** A scripted trajectory through `phases` (linear moves), from `start`. */
function scripted(start: [number, number, number], phases: Phase[]): RobotTrajectory {
  const steps: TrajectoryStep[] = [];
  let at = start;
  for (const ph of phases) {
    const n = Math.round(ph.s * HZ);
    for (let k = 1; k <= n; k++) {
      const pos = at.map((a, i) => a + ((ph.to[i]! - a) * k) / n) as [number, number, number];
      const t = steps.length / HZ;
      steps.push({
        t,
        tcp: { pos, quatXyzw: DOWN },
        apertureM: ph.apertureM,
        grasp: ph.grasp,
        confidence: 1,
        human: {
          frameIndex: steps.length,
          t,
          keypointsWorld: Array.from({ length: 21 }, (): [number, number, number] => [
            pos[0],
            pos[1],
            pos[2] - HAND_BELOW_TCP_M,
          ]),
          status: "observed",
          confidence: 1,
        },
      });
    }
    at = ph.to;
  }
  return {
    format: "egobridge.trajectory",
    version: 1,
    embodiment: "robotiq_2f85",
    controlHz: HZ,
    frame: "W",
    source: { kind: "video", uri: "scripted", side: "right", synthetic: true },
    method: "scripted",
    params: {},
    steps,
  };
}

const OPEN = 0.085;
const Z = 0.85;
/** Reach, close on the carton, carry it `dx` along x rising `rise`, let go, leave. */
const carry = (dx: number, rise: number) =>
  scripted(
    [0.5, 0, Z + 0.1],
    [
      { s: 0.5, to: [0.5, 0, Z + 0.1], grasp: false, apertureM: OPEN },
      { s: 1, to: [0.5, 0, Z], grasp: false, apertureM: OPEN },
      { s: 0.6, to: [0.5, 0, Z], grasp: true, apertureM: 0 },
      { s: 0.75, to: [0.5 + dx / 2, 0, Z + rise], grasp: true, apertureM: 0 },
      { s: 0.75, to: [0.5 + dx, 0, Z], grasp: true, apertureM: 0 },
      { s: 0.6, to: [0.5 + dx, 0, Z], grasp: false, apertureM: OPEN },
      { s: 1, to: [0.5 + dx, 0, Z + 0.1], grasp: false, apertureM: OPEN },
    ],
  );

async function run(scene: SceneSpec, trajectory: RobotTrajectory): Promise<Episode> {
  return simulateEpisode({
    scene,
    embodiment: await loadEmbodiment("robotiq_2f85"),
    trajectory,
    seed: 0,
    id: "slide",
    task: "t",
    lineageSource: "scripted",
  });
}

describe("slide tasks", () => {
  it("a carry along the table that never rises 5 cm is a slide, and it validates as one", async () => {
    const embodiment = await loadEmbodiment("robotiq_2f85");
    const { scene, trajectory } = anchorTrajectory(carry(0.15, 0.01), embodiment, "slide");
    expect(scene.task.motion).toBe("slide");
    expect(scene.description).toMatch(/slid 15 cm along the table/);
    const e = await run(scene, trajectory);
    expect(e.reasons).toEqual(["grasped", "slid", "placed_in_region"]);
    expect(e.success).toBe(true);
    expect(e.metrics["slideM"]).toBeGreaterThan(0.1);
    expect(e.metrics["maxRiseM"]).toBeLessThan(0.05);
    // Control: the same rollout judged as a lift task fails, for the lift it never made.
    const lift = SceneSpecSchema.parse({ ...scene, task: { ...scene.task, motion: undefined } });
    const asLift = await run(lift, trajectory);
    expect(asLift.success).toBe(false);
    expect(asLift.reasons).toContain("not_lifted");
  });

  it("a carry that rises 8 cm on the way stays a lift task, and fails as a slide", async () => {
    const embodiment = await loadEmbodiment("robotiq_2f85");
    const { scene, trajectory } = anchorTrajectory(carry(0.15, 0.08), embodiment, "lift");
    expect(scene.task.motion).toBeUndefined();
    const e = await run(scene, trajectory);
    expect(e.reasons).toEqual(["grasped", "lifted", "placed_in_region"]);
    const asSlide = await run(
      SceneSpecSchema.parse({ ...scene, task: { ...scene.task, motion: "slide" } }),
      trajectory,
    );
    expect(asSlide.success).toBe(false);
    expect(asSlide.reasons).toContain("lifted_not_slid");
  });

  /** A carton on a table, to be pushed 15 cm along +x into a region; the jaws stay closed. */
  const pushScene = SceneSpecSchema.parse({
    format: "egobridge.scene",
    version: 1,
    name: "push",
    items: [
      { kind: "floor", id: "floor" },
      {
        kind: "box",
        id: "table",
        role: "support",
        dynamic: false,
        pose: { pos: [0.6, 0, 0.4], quatXyzw: [0, 0, 0, 1] },
        sizeM: [0.8, 0.8, 0.8],
      },
      {
        kind: "box",
        id: "object",
        role: "target",
        dynamic: true,
        massKg: 0.15,
        friction: 0.5,
        pose: { pos: [0.5, 0, 0.835], quatXyzw: [0, 0, 0, 1] },
        sizeM: [0.06, 0.06, 0.07],
      },
    ],
    task: {
      targetId: "object",
      motion: "slide",
      placeRegion: { centerM: [0.65, 0, 0.835], halfExtentsM: [0.05, 0.05, 0.05] },
    },
  });
  /** Closed jaws come down behind the carton (−x side) and push it `dx` along x. */
  const push = (dx: number) =>
    scripted(
      [0.44, 0, 0.93],
      [
        { s: 0.5, to: [0.44, 0, 0.93], grasp: false, apertureM: 0 },
        { s: 1, to: [0.44, 0, 0.84], grasp: false, apertureM: 0 },
        { s: 2, to: [0.44 + dx, 0, 0.84], grasp: false, apertureM: 0 },
        { s: 1, to: [0.44 + dx - 0.03, 0, 0.84], grasp: false, apertureM: 0 },
        { s: 1, to: [0.44 + dx - 0.03, 0, 0.95], grasp: false, apertureM: 0 },
      ],
    );

  it("a push with closed jaws slides the carton into place; one that stops short does not", async () => {
    const e = await run(pushScene, push(0.15));
    expect(e.reasons).toEqual(["slid", "placed_in_region"]);
    expect(e.success).toBe(true);
    const short = await run(pushScene, push(0.04));
    expect(short.success).toBe(false);
    expect(short.reasons).toEqual(["not_slid"]);
  });
});
