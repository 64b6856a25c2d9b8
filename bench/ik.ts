/**
 * Inverse kinematics cost per control step, against the rollout it will sit in: the Franka Panda
 * (real MJCF) following the TCP trajectory of the built-in shelf-to-tote pick, warm-started from
 * the previous step (the base facing the first pose's approach, placed by a coarse search where
 * most poses are reached), next to the wall time per control step of that very pick's rollout with the
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
const targets = trajectory.steps.map((s) => poseFromJson(s.tcp));
const ready = [0, -Math.PI / 4, 0, (-3 * Math.PI) / 4, 0, Math.PI / 2, Math.PI / 4];
// The base: facing the first pose's approach, placed where most of every 10th pose is reached
// (a coarse search over a grid behind and below the trajectory).
const approach = qrotate(targets[0]!.q, vec3(0, 0, 1));
const yaw = Math.atan2(approach.y, approach.x);
const baseAt = (back: number, side: number, height: number): Pose => {
  const c = targets.reduce(
    (s, t) => vec3(s.x + t.p.x / steps, s.y + t.p.y / steps, s.z + t.p.z / steps),
    vec3(0, 0, 0),
  );
  return {
    p: vec3(
      c.x - back * Math.cos(yaw) - side * Math.sin(yaw),
      c.y - back * Math.sin(yaw) + side * Math.cos(yaw),
      c.z - height,
    ),
    q: qfromAxisAngle(vec3(0, 0, 1), yaw),
  };
};
const reachedShare = (X_WB: Pose, every: number) => {
  let q = ready;
  let n = 0;
  let reached = 0;
  for (let k = 0; k < steps; k += every) {
    const r = solveIk(chain, targets[k]!, q, X_WB);
    q = r.q;
    n++;
    if (r.reached) reached++;
  }
  return reached / n;
};
let X_WB = baseAt(0.4, 0, 0.4);
let best = -1;
for (const back of [0.2, 0.35, 0.5, 0.65])
  for (const side of [-0.3, -0.15, 0, 0.15, 0.3])
    for (const height of [0.2, 0.4, 0.6]) {
      const share = reachedShare(baseAt(back, side, height), 10);
      if (share > best) {
        best = share;
        X_WB = baseAt(back, side, height);
      }
    }
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
console.log(
  `${sceneName}: ${steps} control steps; base at ${[X_WB.p.x, X_WB.p.y, X_WB.p.z].map((v) => v.toFixed(2)).join(", ")}`,
);
console.log(
  `  rollout (${DEFAULT_EMBODIMENT}, free gripper): ${rolloutStepUs.toFixed(0)} µs per control step`,
);
console.log(
  `  IK (Panda, warm-started): ${ikStepUs.toFixed(1)} µs per step, ${(iks[0]!.iterations / steps).toFixed(2)} iterations per step, ${iks[0]!.reached} of ${steps} reached`,
);
console.log(`  IK / rollout: ${((100 * ikStepUs) / rolloutStepUs).toFixed(2)} %`);
