/**
 * What the arm costs a rollout: the built-in pick with the Franka Panda (`franka_panda`: arm,
 * hand on its flange) against the same hand moving free (`franka_hand`), interleaved in one run,
 * wall seconds per control step and their ratio; and, inside the arm's rollouts, the share spent
 * on the arm (inverse kinematics per step, the links' clearance query, moving the link bodies).
 *
 *   npx tsx bench/arm.ts [scene] [--json]
 */
import { performance } from "node:perf_hooks";
import { loadScene } from "../src/pipeline/catalog.js";
import { pickRollout } from "./pick.js";

process.env.EGOBRIDGE_ASSETS ??= "../shared/assets";
const REPEATS = 5;
const args = process.argv.slice(2);
const json = args.includes("--json");
const sceneName = args.find((a) => !a.startsWith("--")) ?? "shelf_to_tote";
const scene = await loadScene(sceneName);
const free = await pickRollout(scene, "franka_hand");
const arm = await pickRollout(scene, "franka_panda");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (r: typeof free, timing?: { stepS: number; armS: number }) => {
  const t0 = performance.now();
  const e = await r.run(timing);
  return { s: (performance.now() - t0) / 1000, steps: e.steps.length, reasons: e.reasons };
};
// Warm-up: loads the models, hulls and the arm's base search once.
const armFirst = await time(arm);
const freeFirst = await time(free);
const freeS: number[] = [];
const armS: number[] = [];
const armShare: number[] = [];
for (let r = 0; r < REPEATS; r++) {
  const f = await time(free);
  freeS.push(f.s / f.steps);
  const timing = { stepS: 0, armS: 0 };
  const a = await time(arm, timing);
  armS.push(a.s / a.steps);
  armShare.push(timing.armS / a.s);
}
const result = {
  scene: sceneName,
  freeMsPerStep: median(freeS) * 1000,
  armMsPerStep: median(armS) * 1000,
  ratio: median(armS) / median(freeS),
  armShareOfRollout: median(armShare),
  freeVerdict: freeFirst.reasons.join(","),
  armVerdict: armFirst.reasons.join(","),
  armSteps: armFirst.steps,
};
if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  process.stdout.write(
    `${sceneName}: free hand ${result.freeMsPerStep.toFixed(3)} ms/step (${result.freeVerdict}); ` +
      `Panda ${result.armMsPerStep.toFixed(3)} ms/step (${result.armVerdict}, ${result.armSteps} steps); ` +
      `ratio ${result.ratio.toFixed(2)}×; arm share of the Panda's rollout ${(100 * result.armShareOfRollout).toFixed(1)} %\n`,
  );
}
