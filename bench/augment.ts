/**
 * Augmentation throughput: validated variants and attempts per core-minute, from the built-in
 * demonstration (shelf to tote) and, when the GRAB assets are reachable, from cylindersmall_pass_1.
 * One process = one core.
 *
 *   npx tsx bench/augment.ts [variants] [source ...]   (sources: demo and GRAB sequence names)
 */
import { performance } from "node:perf_hooks";
import { augmentEpisode } from "../src/augment/generate.js";
import { resolveAsset } from "../src/core/assets.js";
import type { Episode } from "../src/core/schemas/episode.js";
import { importGrabFile } from "../src/hands/grab.js";
import { proceduralPickToTote } from "../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../src/retarget/parallel_jaw.js";
import { sceneFromObjectTrack } from "../src/sim/scene_from_track.js";
import { simulateEpisode } from "../src/sim/simulate.js";

const wanted = Number(process.argv[2] ?? 20);
const embodiment = await loadEmbodiment("robotiq_2f85");

async function source(name: string): Promise<Episode> {
  if (name === "demo") {
    const scene = await loadScene("shelf_to_tote");
    const trajectory = retargetParallelJaw(proceduralPickToTote(scene, { seed: 0 }), embodiment);
    return simulateEpisode({
      scene,
      embodiment,
      trajectory,
      seed: 0,
      id: "demo",
      task: "t",
      lineageSource: "demo",
    });
  }
  process.env.EGOBRIDGE_ASSETS ??= "../shared/assets";
  const track = await importGrabFile(await resolveAsset({ name: `hands/grab/derived_json/${name}.json` }));
  const scene = sceneFromObjectTrack(track, name);
  const trajectory = retargetParallelJaw(track, embodiment);
  return simulateEpisode({
    scene,
    embodiment,
    trajectory,
    seed: 0,
    id: name,
    task: "t",
    lineageSource: name,
  });
}

console.log(`bench/augment.ts — ${wanted} validated variants wanted per source, 1 core`);
const fmt = ([a, b]: [number, number]): string => `${a.toFixed(2)}…${b.toFixed(2)}`;
const names = process.argv.length > 3 ? process.argv.slice(3) : ["demo", "cylindersmall_pass_1"];
for (const name of names) {
  let src: Episode;
  try {
    src = await source(name);
  } catch (err) {
    console.log(`  ${name}: skipped (${(err as Error).message.split("\n")[0]})`);
    continue;
  }
  const t0 = performance.now();
  const { stats } = await augmentEpisode(src, {
    variants: wanted,
    seed: 1,
    loadEmbodiment,
    maxAttempts: Number(process.env.MAX_ATTEMPTS ?? 10 * wanted),
  });
  const minutes = (performance.now() - t0) / 60000;
  console.log(
    `  ${name}: ${stats.successes} validated / ${stats.attempts} attempts (${(100 * stats.successRate).toFixed(0)}%) in ${(minutes * 60).toFixed(1)} s → ${(stats.successes / minutes).toFixed(0)} validated and ${(stats.attempts / minutes).toFixed(0)} attempts per core-minute; failures ${JSON.stringify(stats.failures)}; spread of the object start (source frame) x ${fmt(stats.spread.dxM)} y ${fmt(stats.spread.dyM)} z ${fmt(stats.spread.dzM)} m, duration ${fmt(stats.spread.durationS)} s`,
  );
}
