/**
 * Simulation speed: simulated seconds per wall second for the built-in pick (aisle template by
 * default) with egobridge's full rollout (control, recording, contacts, verdict), for the default
 * gripper (the 2F-85 built from its MJCF) and the simplified box 2F-85. The baseline is Rapier's
 * own stepping inside that very rollout (world.step() timed in place: the same world, the same
 * contacts, the same sleeping), so "overhead" is what egobridge adds per physics step, like for
 * like. Also: raw stepping of the same world with the box gripper parked, with and without every
 * body kept awake (what letting resting objects sleep saves).
 *
 *   npx tsx bench/sim.ts [scene]        (MuJoCo on the same task: node --import tsx bench/crosscheck.ts --scene aisle)
 */
import { performance } from "node:perf_hooks";
import { DEFAULT_EMBODIMENT, loadScene } from "../src/pipeline/catalog.js";
import { ParallelJawGripper } from "../src/sim/gripper.js";
import "../src/sim/mujoco/second_opinion.js";
import { loadRapier } from "../src/sim/rapier.js";
import { buildScene } from "../src/sim/scene_world.js";
import { pickRollout } from "./pick.js";

const REPEATS = 5;
const sceneName = process.argv[2] ?? "aisle";
const scene = await loadScene(sceneName);

/** The full rollout of the procedural pick with one gripper: wall and in-step seconds per episode. */
async function rollout(name: string) {
  const { embodiment: e, trajectory, run } = await pickRollout(scene, name);
  const warm = await run();
  const timing = { stepS: 0 };
  const t0 = performance.now();
  for (let i = 0; i < REPEATS; i++) await run(timing);
  const fullS = (performance.now() - t0) / 1000 / REPEATS;
  return {
    name,
    embodiment: e,
    trajectory,
    simS: trajectory.steps.length / trajectory.controlHz,
    fullS,
    stepS: timing.stepS / REPEATS,
    success: warm.success,
  };
}
const rollouts = [await rollout(DEFAULT_EMBODIMENT), await rollout("robotiq_2f85")];
// The raw-stepping baselines below use the box gripper and its trajectory.
const { embodiment, trajectory, simS } = rollouts[1]!;

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
  `bench/sim.ts — ${sceneName} pick (${scene.items.length} items), 240 Hz physics, 8 solver iterations, 1 core`,
);
console.log(`  episode: ${simS.toFixed(1)} s simulated, ${steps} physics steps`);
for (const r of rollouts) {
  console.log(
    `  ${r.name}: rollout ${(r.simS / r.fullS).toFixed(1)} sim-s per wall-s (${(r.fullS * 1000).toFixed(0)} ms per episode, ${r.success ? "success" : "failed"}); Rapier's steps inside it ${(r.stepS * 1000).toFixed(0)} ms (${((100 * r.stepS) / r.fullS).toFixed(0)} %); overhead ratio (rollout / its own stepping) ${(r.fullS / r.stepS).toFixed(2)}`,
  );
}
console.log(
  `  ${rollouts[0]!.name} / robotiq_2f85 (box) rollout time: ${(rollouts[0]!.fullS / rollouts[1]!.fullS).toFixed(2)}×`,
);
console.log(
  `  raw stepping, box gripper parked (no contact): ${(simS / rawS).toFixed(1)} sim-s per wall-s (${(rawS * 1000).toFixed(0)} ms); with every body kept awake ${(simS / awakeS).toFixed(1)} → sleeping resting objects gives ${(awakeS / rawS).toFixed(2)}×`,
);
