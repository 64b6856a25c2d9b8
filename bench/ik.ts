/**
 * Inverse kinematics cost per control step, against the rollout it will sit in: the Franka Panda
 * (real MJCF) following the TCP trajectory of the built-in shelf-to-tote pick, warm-started from
 * the previous step (the base facing the first pose's approach, placed by a coarse search where
 * most poses are reached), next to the wall time per control step of that very pick's rollout with the
 * default gripper, measured in the same run. The ratio is what IK would add to a rollout
 * (a budget: ≤ 5 %), and the same for the joint torques' inverse dynamics. Then the arm check (arm_check.ts) of the whole pick from a base
 * placed clear of the scenery: how many steps an arm could follow.
 *
 *   npx tsx bench/ik.ts [scene]
 */
import { performance } from "node:perf_hooks";
import { resolveAsset } from "../src/core/assets.js";
import { poseFromJson, QUAT_IDENTITY, vec3 } from "../src/core/math.js";
import { DEFAULT_EMBODIMENT, loadScene } from "../src/pipeline/catalog.js";
import { armLinkBoxes } from "../src/robots/arm_boxes.js";
import { followToolPath, PANDA_READY, placeBase } from "../src/robots/arm_check.js";
import { jointTorques } from "../src/robots/dynamics.js";
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
// The base: facing the first pose's approach, placed where most of every 10th pose is reached.
const X_WB = placeBase(chain, targets);
if (!X_WB) throw new Error("no base from which the arm reaches the trajectory");
const ik = () => {
  let q = PANDA_READY;
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
  `${sceneName}: ${steps} control steps; IK timed from a base at ${[X_WB.p.x, X_WB.p.y, X_WB.p.z].map((v) => v.toFixed(2)).join(", ")} (placed for reach alone: scenery ignored)`,
);
console.log(
  `  rollout (${DEFAULT_EMBODIMENT}, free gripper): ${rolloutStepUs.toFixed(0)} µs per control step`,
);
console.log(
  `  IK (Panda, warm-started): ${ikStepUs.toFixed(1)} µs per step, ${(iks[0]!.iterations / steps).toFixed(2)} iterations per step, ${iks[0]!.reached} of ${steps} reached`,
);
console.log(`  IK / rollout: ${((100 * ikStepUs) / rolloutStepUs).toFixed(2)} %`);

// The joint torques of each step (inverse dynamics with a carried mass), on the IK's joint path.
const path: number[][] = [];
{
  let q = PANDA_READY;
  for (const target of targets) {
    q = solveIk(chain, target, q, X_WB).q;
    path.push(q);
  }
}
const torques = () => {
  const t0 = performance.now();
  let prev = path[0]!.map(() => 0);
  for (const [k, q] of path.entries()) {
    const qd = k === 0 ? prev : q.map((v, i) => (v - path[k - 1]![i]!) * trajectory.controlHz);
    const qdd = qd.map((v, i) => (v - prev[i]!) * trajectory.controlHz);
    jointTorques(chain, q, qd, qdd, X_WB, [{ massKg: 1, p_W: targets[k]!.p }]);
    prev = qd;
  }
  return (performance.now() - t0) / 1000;
};
torques();
const torqueStepUs = (median(Array.from({ length: REPEATS }, torques)) / steps) * 1e6;
console.log(
  `  joint torques (inverse dynamics): ${torqueStepUs.toFixed(1)} µs per step, ${((100 * torqueStepUs) / rolloutStepUs).toFixed(2)} % of the rollout`,
);

// The arm check on the whole pick: from a base placed clear of the scenery, how far it follows.
const boxes = await armLinkBoxes(chain);
const clearBase = placeBase(chain, targets, { clear: { scene, boxes }, every: 5 });
if (!clearBase) console.log("  arm check: no base clear of the scenery reaches any pose");
else {
  const f = followToolPath(chain, boxes, clearBase, targets, scene);
  console.log(
    `  arm check from a clear base at ${[clearBase.p.x, clearBase.p.y, clearBase.p.z].map((v) => v.toFixed(2)).join(", ")}: ${f.joints.length} of ${steps} steps followed${f.unreachable ? `; step ${f.unreachable.step} unreachable (${(f.unreachable.positionErrorM * 1000).toFixed(1)} mm, ${((f.unreachable.rotationErrorRad * 180) / Math.PI).toFixed(1)}° short)` : ""}; deepest link incursion ${(f.incursion.maxDepthM * 1000).toFixed(1)} mm`,
  );
}
