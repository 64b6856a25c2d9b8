/**
 * Augmentation throughput: validated variants per wall-second and per CPU-second, from the built-in
 * demonstration (shelf to tote) and, when the GRAB assets are reachable, from cylindersmall_pass_1.
 * The same attempts run in this thread (one core) and on worker threads (WORKERS, default one
 * per core) in one run, and the ratio of their wall rates is printed.
 *
 *   npx tsx bench/augment.ts [variants] [source ...]   (sources: demo and GRAB sequence names)
 *   WORKERS=2 MAX_ATTEMPTS=200 npx tsx bench/augment.ts 40 demo
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { resolveAsset } from "../src/core/assets.js";
import type { Episode } from "../src/core/schemas/episode.js";
import { importGrabFile } from "../src/hands/grab.js";
import { proceduralPickToTote } from "../src/hands/procedural.js";
import { augmentEpisodes } from "../src/pipeline/augment.js";
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

const workers = Number(process.env.WORKERS ?? os.availableParallelism());
console.log(
  `bench/augment.ts — ${wanted} validated variants wanted per source; baseline: attempts in this thread (1 core), against ${workers} worker threads, in the same run`,
);
const fmt = ([a, b]: [number, number]): string => `${a.toFixed(2)}…${b.toFixed(2)}`;
const names = process.argv.length > 3 ? process.argv.slice(3) : ["demo", "cylindersmall_pass_1"];
const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-bench-augment-"));
try {
  for (const name of names) {
    let src: Episode;
    try {
      src = await source(name);
    } catch (err) {
      console.log(`  ${name}: skipped (${(err as Error).message.split("\n")[0]})`);
      continue;
    }
    const rates: number[] = [];
    for (const w of [0, workers]) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const { stats } = await augmentEpisodes([src], path.join(tmp, `${name}-${w}`), {
        variants: wanted,
        seed: 1,
        maxAttempts: Number(process.env.MAX_ATTEMPTS ?? 10 * wanted),
        workers: w,
      });
      const wallS = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuS = (cpu.user + cpu.system) / 1e6;
      const st = stats[0]!;
      rates.push(st.successes / wallS);
      console.log(
        `  ${name}, ${w === 0 ? "this thread" : `${w} workers`}: ${st.successes} validated / ${st.attempts} attempts (${(100 * st.successRate).toFixed(0)}%) in ${wallS.toFixed(1)} s wall, ${cpuS.toFixed(1)} s CPU → ${(st.successes / wallS).toFixed(2)} validated per wall-second, ${(st.successes / cpuS).toFixed(2)} per CPU-second; failures ${JSON.stringify(st.failures)}; spread of the object start (source frame) x ${fmt(st.spread.dxM)} y ${fmt(st.spread.dyM)} z ${fmt(st.spread.dzM)} m, duration ${fmt(st.spread.durationS)} s`,
      );
    }
    console.log(
      `  ${name}: wall-rate ratio ${workers} workers / this thread = ${(rates[1]! / rates[0]!).toFixed(2)}`,
    );
  }
} finally {
  await fs.rm(tmp, { recursive: true, force: true });
}
