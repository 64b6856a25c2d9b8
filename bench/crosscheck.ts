/**
 * Rapier vs MuJoCo on the same task: simulated seconds per wall second.
 *
 *   node --import tsx bench/crosscheck.ts [--scene shelf_to_tote] [--runs 3]
 *
 * The task: the built-in demo pick (procedural pick into a tote, seed 0) in the scene, retargeted
 * onto the 2F-85. Rapier: src/sim's simulateEpisode end to end (world build, settle, control,
 * recording), with egobridge's parametric gripper at 240 Hz. MuJoCo: the cross-check replay of
 * the commands that rollout gave, with the real 2F-85 MJCF at ≤ 2 ms steps, end to end and
 * without compiling the model. Each is run once to warm up, then `runs` times; medians reported.
 * Needs EGOBRIDGE_ASSETS (the 2F-85 MJCF). Timings depend on the machine: compare within one run.
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { proceduralPickToTote } from "../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../src/retarget/parallel_jaw.js";
import { replayInMujoco } from "../src/sim/mujoco/replay_mujoco.js";
import { loadRobotiq2f85 } from "../src/sim/mujoco/robotiq_2f85.js";
import { simulateEpisode } from "../src/sim/simulate.js";

const { values } = parseArgs({
  options: { scene: { type: "string", default: "shelf_to_tote" }, runs: { type: "string", default: "3" } },
});
const runs = Number(values.runs);
const SETTLE_S = 0.25;

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const scene = await loadScene(values.scene);
const embodiment = await loadEmbodiment("robotiq_2f85");
const trajectory = retargetParallelJaw(proceduralPickToTote(scene, { seed: 0 }), embodiment);
const gripper = await loadRobotiq2f85();

const rapier: number[] = [];
const mujoco: number[] = [];
const mujocoNoCompile: number[] = [];
let simulatedS = 0;
let rapierDtS = 0;
let mujocoDtS = 0;
let successes = "";
for (let k = 0; k <= runs; k++) {
  const t0 = performance.now();
  const episode = await simulateEpisode({
    scene,
    embodiment,
    trajectory,
    seed: 0,
    id: "bench",
    task: "bench",
    lineageSource: "bench",
    settleS: SETTLE_S,
  });
  const rapierWallS = (performance.now() - t0) / 1000;
  const rapierSimS = episode.steps.length / episode.controlHz + SETTLE_S;
  const mj = await replayInMujoco({
    scene,
    embodiment,
    gripper,
    controlHz: episode.controlHz,
    settleS: SETTLE_S,
    commands: episode.steps.map((s) => ({ t: s.t, action: s.action, human: s.human })),
  });
  simulatedS = rapierSimS;
  rapierDtS = episode.physics.dtS;
  mujocoDtS = mj.timestepS;
  successes = `Rapier ${episode.success ? "success" : "failure"}, MuJoCo ${mj.verdict.success ? "success" : "failure"}`;
  if (k === 0) continue; // warm-up
  rapier.push(rapierSimS / rapierWallS);
  mujoco.push(mj.simulatedS / mj.wallS);
  mujocoNoCompile.push(mj.simulatedS / (mj.wallS - mj.compileS));
}

const rows: [string, number, number][] = [
  [
    `Rapier (src/sim simulateEpisode, parametric gripper, ${(1 / rapierDtS).toFixed(0)} Hz)`,
    median(rapier),
    rapierDtS,
  ],
  [`MuJoCo (2F-85 MJCF replay, end to end, ${(1 / mujocoDtS).toFixed(0)} Hz)`, median(mujoco), mujocoDtS],
  ["MuJoCo (2F-85 MJCF replay, without model compile)", median(mujocoNoCompile), mujocoDtS],
];
process.stdout.write(
  `task: demo pick in '${scene.name}', ${simulatedS.toFixed(2)} simulated s per run (${successes}); median of ${runs}\n`,
);
for (const [label, v, dt] of rows) {
  const stepsPerS = (v / dt).toFixed(0).padStart(7);
  process.stdout.write(
    `  ${label.padEnd(62)} ${v.toFixed(1).padStart(6)} sim-s / wall-s  ${stepsPerS} steps / wall-s\n`,
  );
}
process.stdout.write(
  `${JSON.stringify({ scene: scene.name, simulatedS, rapierSimSPerWallS: median(rapier), mujocoSimSPerWallS: median(mujoco), mujocoNoCompileSimSPerWallS: median(mujocoNoCompile), runs })}\n`,
);
