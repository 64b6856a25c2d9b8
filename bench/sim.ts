/**
 * Simulation speed: simulated seconds per wall second for the built-in pick (aisle template by default) with
 * egobridge's full rollout (control, recording, contacts, verdict), next to raw Rapier stepping of
 * the same world with the gripper parked (the ratio is egobridge's overhead per physics step), and
 * raw stepping with every body kept awake (what letting resting objects sleep saves).
 *
 *   npx tsx bench/sim.ts [scene]        (MuJoCo on the same task: node --import tsx bench/crosscheck.ts --scene aisle)
 */
import { performance } from "node:perf_hooks";
import { proceduralPickToTote } from "../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../src/retarget/parallel_jaw.js";
import { ParallelJawGripper } from "../src/sim/gripper.js";
import { loadRapier } from "../src/sim/rapier.js";
import { buildScene } from "../src/sim/scene_world.js";
import { simulateEpisode } from "../src/sim/simulate.js";

const REPEATS = 5;
const sceneName = process.argv[2] ?? "aisle";
const scene = await loadScene(sceneName);
const embodiment = await loadEmbodiment("robotiq_2f85");
const trajectory = retargetParallelJaw(proceduralPickToTote(scene, { seed: 0 }), embodiment);
const simS = trajectory.steps.length / trajectory.controlHz;

await simulateEpisode({
  scene,
  embodiment,
  trajectory,
  seed: 0,
  id: "warmup",
  task: "t",
  lineageSource: "bench",
});
const t0 = performance.now();
for (let i = 0; i < REPEATS; i++) {
  await simulateEpisode({
    scene,
    embodiment,
    trajectory,
    seed: 0,
    id: "b",
    task: "t",
    lineageSource: "bench",
  });
}
const fullS = (performance.now() - t0) / 1000 / REPEATS;

const R = await loadRapier();
const steps = Math.round(simS * 240);

/**
 * Raw stepping of the same world with the gripper parked; `awake` wakes every body each step, as
 * if sleeping were off (the scene's resting objects other than the target may sleep).
 */
function rawStepping(awake: boolean): number {
  const t = performance.now();
  for (let i = 0; i < REPEATS; i++) {
    const world = new R.World({ x: 0, y: 0, z: -9.81 });
    world.timestep = 1 / 240;
    world.numSolverIterations = 8;
    world.integrationParameters.contact_natural_frequency = 300;
    const bodies = [...buildScene(R, world, scene).values()].map((b) => b.body);
    const first = trajectory.steps[0]!.tcp;
    const X = {
      p: { x: first.pos[0], y: first.pos[1], z: first.pos[2] },
      q: { x: first.quatXyzw[0], y: first.quatXyzw[1], z: first.quatXyzw[2], w: first.quatXyzw[3] },
    };
    new ParallelJawGripper(R, world, embodiment, X, 0.085);
    for (let k = 0; k < steps; k++) {
      if (awake) for (const b of bodies) if (b.isDynamic()) b.wakeUp();
      world.step();
    }
    world.free();
  }
  return (performance.now() - t) / 1000 / REPEATS;
}
const rawS = rawStepping(false);
const awakeS = rawStepping(true);

console.log(
  `bench/sim.ts — ${sceneName} pick (${scene.items.length} items), Robotiq 2F-85, 240 Hz physics, 8 solver iterations, 1 core`,
);
console.log(`  episode: ${simS.toFixed(1)} s simulated, ${steps} physics steps`);
console.log(
  `  egobridge rollout : ${(simS / fullS).toFixed(1)} sim-s per wall-s (${(fullS * 1000).toFixed(0)} ms per episode)`,
);
console.log(
  `  raw Rapier stepping: ${(simS / rawS).toFixed(1)} sim-s per wall-s (${(rawS * 1000).toFixed(0)} ms)`,
);
console.log(`  overhead ratio (rollout / raw): ${(fullS / rawS).toFixed(2)}`);
console.log(
  `  raw stepping with every body kept awake: ${(simS / awakeS).toFixed(1)} sim-s per wall-s → sleeping resting objects gives ${(awakeS / rawS).toFixed(2)}×`,
);
