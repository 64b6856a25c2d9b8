import { afterEach, describe, expect, it } from "vitest";
import { embodimentNames, loadEmbodiment, loadScene, sceneNames } from "../../src/pipeline/catalog.js";
import { createGripper, linkageOf } from "../../src/sim/gripper_models.js";
import { loadRapier, type World } from "../../src/sim/rapier.js";
import { buildScene } from "../../src/sim/scene_world.js";

let world: World | undefined;
afterEach(() => {
  world?.free();
  world = undefined;
});

describe("built-in models", () => {
  it("ships at least the 2F-85", () => expect(embodimentNames()).toContain("robotiq_2f85"));
  it.each(embodimentNames())("%s loads and builds a gripper that opens to its stroke", async (name) => {
    const e = await loadEmbodiment(name);
    const R = await loadRapier();
    world = new R.World({ x: 0, y: 0, z: 0 });
    world.timestep = 1 / 240;
    const X = { p: { x: 0, y: 0, z: 1 }, q: { x: 0, y: 0, z: 0, w: 1 } };
    const g = createGripper(R, world, e, await linkageOf(e), X, e.strokeM);
    for (let i = 0; i < 120; i++) {
      g.setPalmTarget(X, 1 / 240);
      g.setJawTarget(e.strokeM, 1 / 240);
      world.step();
    }
    expect(g.apertureM()).toBeCloseTo(e.strokeM, 3);
  });
});

describe("built-in scenes", () => {
  it.each(sceneNames())("%s loads, builds and rests without moving", async (name) => {
    const scene = await loadScene(name);
    const R = await loadRapier();
    world = new R.World({ x: scene.gravity[0], y: scene.gravity[1], z: scene.gravity[2] });
    world.timestep = 1 / 240;
    const bodies = buildScene(R, world, scene);
    expect([...bodies.keys()]).toEqual(scene.items.map((i) => i.id));
    const start = new Map([...bodies].map(([id, b]) => [id, { ...b.body.translation() }]));
    for (let i = 0; i < 240; i++) world.step();
    for (const [id, b] of bodies) {
      const p = b.body.translation();
      const p0 = start.get(id)!;
      // Items placed at rest must stay put (within 2 mm) over a simulated second.
      expect(Math.hypot(p.x - p0.x, p.y - p0.y, p.z - p0.z), id).toBeLessThan(0.002);
    }
  });
});
