/**
 * Inverse kinematics cost per control step, against the rollout it will sit in: the Franka Panda
 * (real MJCF) following the TCP trajectory of the built-in shelf-to-tote pick, warm-started from
 * the previous step (an assumed base on a pedestal: 0.5 m behind the first TCP pose along its
 * approach, 0.4 m below it, facing it), next to the wall time per control step of that very pick's rollout with the
 * default gripper, measured in the same run. The ratio is what IK would add to a rollout
 * (the bar: ≤ 5 %).
 *
 *   npx tsx bench/ik.ts [scene]
 */
import { performance } from "node:perf_hooks";
import { resolveAsset } from "../src/core/assets.js";
import { type Pose, poseFromJson, QUAT_IDENTITY, qfromAxisAngle, qrotate, vec3 } from "../src/core/math.js";
import { DEFAULT_EMBODIMENT, loadScene } from "../src/pipeline/catalog.js";
import { armChain, solveIk } from "../src/robots/ik.js";
import { loadMjcf } from "../src/robots/mjcf.js";
import { pickRollout } from "./pick.js";

process.env.EGOBRIDGE_ASSETS ??= "../shared/assets";
const REPEATS = 5;
const sceneName = process.argv[2] ?? "shelf_to_tote";
const scene = await loadScene(sceneName);
const { trajectory, run } = await pickRollout(scene, DEFAULT_EMBODIMENT);
const steps = trajectory.steps.length;

// The rollout: wall seconds per control step, median of REPEATS after a warm-up.
const rollout = async () => {
  const t0 = performance.now();
  await run();
  return (performance.now() - t0) / 1000;
};
await rollout();
const rollouts: number[] = [];
for (let r = 0; r < REPEATS; r++) rollouts.push(await rollout());

// IK on the same TCP poses, relative to a base behind the target's start, facing it.
// The hand's TCP: 0.1034 m along its approach axis (Franka's flange-to-TCP), jaws opening along y as G's.
const chain = armChain(
  await loadMjcf(await resolveAsset({ name: "robots/franka_panda_mjcf/panda.xml" })),
  "hand",
  {
    p: vec3(0, 0, 0.1034),
    q: QUAT_IDENTITY,
  },
);
const X_WG0 = poseFromJson(trajectory.steps[0]!.tcp);
const approach = qrotate(X_WG0.q, vec3(0, 0, 1));
const yaw = Math.atan2(approach.y, approach.x);
const X_WB: Pose = {
  p: vec3(X_WG0.p.x - 0.5 * Math.cos(yaw), X_WG0.p.y - 0.5 * Math.sin(yaw), X_WG0.p.z - 0.4),
  q: qfromAxisAngle(vec3(0, 0, 1), yaw),
};
const targets = trajectory.steps.map((s) => poseFromJson(s.tcp));
const ready = [0, -Math.PI / 4, 0, (-3 * Math.PI) / 4, 0, Math.PI / 2, Math.PI / 4];
const ik = () => {
  let q = ready;
  let reached = 0;
  let iterations = 0;
  const t0 = performance.now();
  for (const target of targets) {
    const r = solveIk(chain, target, q, X_WB);
    q = r.q;
    if (r.reached) reached++;
    iterations += r.iterations;
  }
  return { s: (performance.now() - t0) / 1000, reached, iterations };
};
ik();
const iks: ReturnType<typeof ik>[] = [];
for (let r = 0; r < REPEATS; r++) iks.push(ik());

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rolloutStepUs = (median(rollouts) / steps) * 1e6;
const ikStepUs = (median(iks.map((x) => x.s)) / steps) * 1e6;
console.log(`${sceneName}: ${steps} control steps`);
console.log(
  `  rollout (${DEFAULT_EMBODIMENT}, free gripper): ${rolloutStepUs.toFixed(0)} µs per control step`,
);
console.log(
  `  IK (Panda, warm-started): ${ikStepUs.toFixed(1)} µs per step, ${(iks[0]!.iterations / steps).toFixed(2)} iterations per step, ${iks[0]!.reached} of ${steps} reached`,
);
console.log(`  IK / rollout: ${((100 * ikStepUs) / rolloutStepUs).toFixed(2)} %`);
