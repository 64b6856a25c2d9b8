/**
 * Dataset writing at scale: N episodes written as one LeRobot v3.0 dataset, streamed (a generator
 * hands the writer one episode at a time, as `egobridge run` does) vs the baseline of holding
 * every episode in memory first; and N/10 streamed, to show that the peak does not grow with the
 * dataset; and the same N streamed into a robomimic HDF5 file. Each mode runs in its own Node
 * process so the peak resident memory (maxRSS) is its own; ratios of the peaks and write rates
 * are reported.
 *
 * The episodes are copies of one real simulated episode (the built-in demonstration), each with
 * its own id and a small offset so stats and files differ. The writers measured are the compiled
 * build in dist/ (what `npx egobridge` runs; `npm ci` builds it, else `npm run build`): tsx would
 * add its own transform of h5wasm's 4 MB module to the robomimic peak.
 *
 *   npx tsx bench/dataset.ts [--episodes N]
 */
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type { Episode } from "../src/core/schemas/episode.js";
import type * as LeRobot from "../src/dataset/lerobot/index.js";
import type * as Robomimic from "../src/dataset/robomimic/index.js";
import { runDemo } from "../src/pipeline/demo.js";

const { values } = parseArgs({
  options: {
    episodes: { type: "string", default: "1000" },
    mode: { type: "string" },
    source: { type: "string" },
    out: { type: "string" },
  },
});

/** Copy k of the template: its own id, shifted by k mm along x. */
function copy(template: Episode, k: number): Episode {
  const e = structuredClone(template);
  e.id = `${template.id}-copy${k}`;
  const dx = 0.001 * (k % 50);
  for (const s of e.steps) {
    s.state.tcp.pos[0] += dx;
    s.action.tcp.pos[0] += dx;
    for (const o of Object.values(s.objects)) o.pos[0] += dx;
  }
  return e;
}

interface Result {
  mode: string;
  episodes: number;
  frames: number;
  writeS: number;
  maxRssMb: number;
}

type Mode = "stream" | "array" | "robomimic";

/** One measured write, in this process (called by the parent with --mode). */
async function measure(mode: Mode, source: string, out: string, n: number): Promise<Result> {
  const dist = (p: string) => import(new URL(`../dist/${p}`, import.meta.url).href);
  const { readEpisodeExtras, writeLeRobotDataset } = (await dist(
    "dataset/lerobot/index.js",
  )) as typeof LeRobot;
  const { writeRobomimicHdf5 } = (
    mode === "robomimic" ? await dist("dataset/robomimic/index.js") : {}
  ) as typeof Robomimic;
  const [template] = await readEpisodeExtras(source);
  const stream = function* () {
    for (let k = 0; k < n; k++) yield copy(template!, k);
  };
  const t0 = performance.now();
  let written: { frames: number };
  if (mode === "stream") written = await writeLeRobotDataset(out, stream());
  else if (mode === "robomimic") written = await writeRobomimicHdf5(`${out}.hdf5`, stream());
  else written = await writeLeRobotDataset(out, Array.from(stream()));
  return {
    mode,
    episodes: n,
    frames: written.frames,
    writeS: (performance.now() - t0) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

if (values.mode) {
  const r = await measure(
    values.mode as "stream" | "array",
    values.source!,
    values.out!,
    Number(values.episodes),
  );
  process.stdout.write(`${JSON.stringify(r)}\n`);
} else {
  const n = Number(values.episodes);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-bench-dataset-"));
  try {
    const source = path.join(tmp, "source");
    await runDemo({ outDir: source });
    await fs.access(new URL("../dist/dataset/robomimic/index.js", import.meta.url)).catch(() => {
      throw new Error("bench/dataset.ts measures the compiled build: run `npm run build` first");
    });
    const run = (mode: string, k: number): Result => {
      const out = execFileSync(
        process.execPath,
        [
          "--import",
          "tsx",
          import.meta.filename,
          "--mode",
          mode,
          "--episodes",
          String(k),
          "--source",
          source,
          "--out",
          path.join(tmp, `${mode}-${k}`),
        ],
        { encoding: "utf8", maxBuffer: 1 << 20 },
      );
      return JSON.parse(out.trim().split("\n").at(-1)!) as Result;
    };
    const rows = [
      run("stream", Math.max(1, Math.round(n / 10))),
      run("stream", n),
      run("array", n),
      run("robomimic", n),
    ];
    for (const r of rows) {
      process.stdout.write(
        `${r.mode.padEnd(9)} ${String(r.episodes).padStart(6)} episodes ${String(r.frames).padStart(8)} frames: ` +
          `${r.writeS.toFixed(1)} s (${(r.frames / r.writeS).toFixed(0)} frames/s), peak RSS ${r.maxRssMb.toFixed(0)} MB\n`,
      );
    }
    const [small, stream, array, h5] = rows as [Result, Result, Result, Result];
    process.stdout.write(
      `peak memory: stream ${n} episodes / stream ${small.episodes} = ${(stream.maxRssMb / small.maxRssMb).toFixed(2)}× ` +
        `for ${(stream.episodes / small.episodes).toFixed(0)}× the episodes; array / stream = ${(array.maxRssMb / stream.maxRssMb).toFixed(2)}×; ` +
        `write rate stream / array = ${(stream.frames / stream.writeS / (array.frames / array.writeS)).toFixed(2)}; ` +
        `robomimic / LeRobot (both streamed): peak ${(h5.maxRssMb / stream.maxRssMb).toFixed(2)}×, rate ${(h5.frames / h5.writeS / (stream.frames / stream.writeS)).toFixed(2)}\n`,
    );
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
