/**
 * Physics settings by measurement: for each (physics rate, solver iterations) setting, the
 * verdicts of (1) the built-in cross-check set, each replayed in MuJoCo too (agreement with
 * MuJoCo, as `egobridge crosscheck` counts it), and (2) augmentation variants of the procedural
 * demo on each template (the same drawn variants for every setting) — both compared with the
 * first setting's verdicts, with the CPU time a rollout takes. A setting is only worth having if
 * it keeps the verdicts and the agreement with MuJoCo; then its CPU share is the gain.
 *
 *   npx tsx bench/physics.ts [--settings 240/8,120/8,240/4] [--variants 16]
 *                            [--scenes shelf_to_tote,tote_to_tote,aisle] [--embodiment robotiq_2f85_mjcf]
 *                            [--filter TEXT] [--json]
 *
 * The first setting is the reference (the defaults, 240 Hz and 8 iterations, unless told).
 */
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { runVariant, variantParams } from "../src/augment/generate.js";
import { segmentEpisode } from "../src/augment/segments.js";
import { VariationRangesSchema } from "../src/augment/variation.js";
import type { Episode } from "../src/core/schemas/episode.js";
import { builtinCases } from "../src/crosscheck/cases.js";
import { runCase } from "../src/crosscheck/crosscheck.js";
import { loadEmbodiment, loadScene } from "../src/pipeline/catalog.js";
import { loadRobotiq2f85 } from "../src/sim/mujoco/robotiq_2f85.js";
import { PHYSICS_HZ, SOLVER_ITERATIONS } from "../src/sim/simulate.js";
import { pickRollout } from "./pick.js";

const { values } = parseArgs({
  options: {
    settings: { type: "string", default: `${PHYSICS_HZ}/${SOLVER_ITERATIONS},120/8,${PHYSICS_HZ}/4` },
    variants: { type: "string", default: "16" },
    scenes: { type: "string", default: "shelf_to_tote,tote_to_tote,aisle" },
    embodiment: { type: "string", default: "robotiq_2f85_mjcf" },
    filter: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const settings = values.settings.split(",").map((s) => {
  const [hz, it] = s.split("/").map(Number);
  if (!hz || !it) throw new Error(`--settings: '${s}' is not HZ/ITERATIONS`);
  return { physicsHz: hz, solverIterations: it };
});
const label = (s: (typeof settings)[number]) => `${s.physicsHz} Hz / ${s.solverIterations} it`;
const verdict = (e: { success: boolean; reasons: readonly string[] }) =>
  e.success ? "success" : [...e.reasons].sort().join("+");
const cpuS = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// (1) The cross-check set.
const gripper = await loadRobotiq2f85();
const cases = await builtinCases(values.filter);
// (2) The demo's variants on each template: the same draws for every setting.
const ranges = VariationRangesSchema.parse({});
const n = Number(values.variants);
const sources: { scene: string; episode: Episode }[] = [];
for (const name of values.scenes.split(",")) {
  // The demo as the benchmarks roll it out (retargeted with the gripper's linkage, as `demo` does).
  const episode = await (await pickRollout(await loadScene(name), values.embodiment)).run();
  if (episode.success) sources.push({ scene: name, episode });
  else console.error(`${name}: the demo itself fails (${episode.reasons.join(", ")}); no variants`);
}

interface Row {
  setting: string;
  /** rapierS: wall seconds of the Rapier rollouts (one thread). */
  crosscheck: { cases: number; agreeWithMujoco: number; sameAsReference: number; rapierS: number };
  variants: { attempts: number; validated: number; sameAsReference: number; cpuSPerRollout: number };
  changed: string[];
}
const rows: Row[] = [];
let reference: Map<string, string> | undefined;
for (const s of settings) {
  const verdicts = new Map<string, string>();
  let agree = 0;
  let rapierS = 0;
  for (const c of cases) {
    const r = await runCase(c, gripper, s);
    rapierS += r.rapier.wallS;
    if (r.agree) agree++;
    verdicts.set(`crosscheck ${c.id}`, verdict(r.rapier));
  }
  let attempts = 0;
  let validated = 0;
  const v0 = cpuS();
  const t0 = performance.now();
  for (const { scene, episode } of sources) {
    const segments = segmentEpisode(episode);
    for (let i = 0; i < n; i++) {
      const params = variantParams(episode, i, 1, ranges);
      const e = await runVariant(episode, i, params, segments, { seed: 1, loadEmbodiment, physics: s });
      attempts++;
      if (e.success) validated++;
      verdicts.set(`${scene} v${i}`, verdict(e));
    }
  }
  const variantCpu = cpuS() - v0;
  reference ??= verdicts;
  const ref = reference;
  const same = ([k, v]: [string, string]) => ref.get(k) === v;
  const isCase = ([k]: [string, string]) => k.startsWith("crosscheck ");
  const all = [...verdicts];
  rows.push({
    setting: label(s),
    crosscheck: {
      cases: cases.length,
      agreeWithMujoco: agree,
      sameAsReference: all.filter((e) => isCase(e) && same(e)).length,
      rapierS,
    },
    variants: {
      attempts,
      validated,
      sameAsReference: all.filter((e) => !isCase(e) && same(e)).length,
      cpuSPerRollout: variantCpu / Math.max(1, attempts),
    },
    changed: all.filter((e) => !same(e)).map(([k, v]) => `${k}: ${ref.get(k)} → ${v}`),
  });
  console.error(`${label(s)}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s of variants`);
}

if (values.json) {
  for (const r of rows) console.log(JSON.stringify(r));
} else {
  console.log(
    `\nbench/physics.ts — ${cases.length} cross-check trajectories (Rapier vs MuJoCo), ${n} variants of the demo on ${sources.map((s) => s.scene).join(", ")} with ${values.embodiment}; reference: ${rows[0]?.setting}\n`,
  );
  console.log(
    "| setting | agree with MuJoCo | cross-check verdicts as reference | Rapier s (cross-check) | variants validated | variant verdicts as reference | CPU s per variant rollout |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    console.log(
      `| ${r.setting} | ${r.crosscheck.agreeWithMujoco}/${r.crosscheck.cases} | ${r.crosscheck.sameAsReference}/${r.crosscheck.cases} | ${r.crosscheck.rapierS.toFixed(1)} | ${r.variants.validated}/${r.variants.attempts} | ${r.variants.sameAsReference}/${r.variants.attempts} | ${r.variants.cpuSPerRollout.toFixed(3)} |`,
    );
  }
  for (const r of rows.slice(1)) {
    if (r.changed.length) console.log(`\n${r.setting}, verdicts that changed:\n  ${r.changed.join("\n  ")}`);
  }
}
