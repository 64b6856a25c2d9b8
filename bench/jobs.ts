/**
 * Batch throughput: the same job run with 1 and with 2 workers (fresh job folders), units per
 * second per stage and overall, and the scaling ratio. With --video, the job also extracts hands
 * from the shared egocentric clip, and the perception rate on --device is reported.
 *
 *   npx tsx bench/jobs.ts [--variants N] [--workers 1,2] [--video] [--device cpu|webgpu|cuda]
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { createJobLog } from "../src/pipeline/jobs/progress.js";
import { runJob } from "../src/pipeline/jobs/run.js";

const { values } = parseArgs({
  options: {
    variants: { type: "string", default: "6" },
    workers: { type: "string", default: "1,2" },
    video: { type: "boolean", default: false },
    device: { type: "string", default: "cpu" },
  },
});
process.env["EGOBRIDGE_ASSETS"] ??= path.resolve(import.meta.dirname, "..", "..", "shared", "assets");
const variants = Number(values.variants);
const workerCounts = values.workers.split(",").map(Number);

const spec = (out: string) => `version: 1
name: bench
seed: 1
inputs:
  - kind: demo
    seeds: [0, 1]
  - kind: grab
    files:
      - asset:hands/grab/derived_json/cylindersmall_pass_1.json
      - asset:hands/grab/derived_json/apple_lift_frames200-300_hand_glob_poses.json
    stride: 2
${values.video ? "  - kind: video\n    files: asset:video/egodex_cup/sample.mp4\n    stride: 2\n" : ""}augment:
  variants: ${variants}
  maxAttempts: ${2 * variants}
output:
  dir: ${out}
resources:
  device: ${values.device}
`;

/**
 * What the machine itself gives: throughput of N threads running a plain arithmetic loop relative
 * to one thread. Two vCPUs that are SMT siblings (or a shared host) give well under 2×; the job's
 * scaling is read against this.
 */
async function threadScaling(n: number): Promise<number> {
  const code = `let x = 0; for (let i = 0; i < 2e8; i++) x += i % 7; require("node:worker_threads").parentPort.postMessage(x);`;
  const run = async (k: number) => {
    const t0 = performance.now();
    await Promise.all(
      Array.from(
        { length: k },
        () => new Promise((r) => new Worker(code, { eval: true }).once("message", r)),
      ),
    );
    return (performance.now() - t0) / 1000;
  };
  const one = await run(1);
  return (n * one) / (await run(n));
}

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-bench-jobs-"));
console.log(
  `bench/jobs.ts — ${os.cpus()[0]?.model ?? "cpu"} × ${os.availableParallelism()}, ${variants} variants wanted per source, node ${process.version}`,
);
const rows: { workers: number; units: number; wallS: number; perS: number; poolPerS: number }[] = [];
try {
  for (const workers of workerCounts) {
    const dir = path.join(tmp, `w${workers}`);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, "job.yaml"), spec("out"));
    const r = await runJob({ specFile: path.join(dir, "job.yaml"), workers, log: createJobLog("quiet") });
    const st = r.report.units.byStage;
    const ran = r.report.units.ran;
    const pool = (st["sim"]?.ran ?? 0) + (st["augment"]?.ran ?? 0);
    const poolSpan = Math.max(st["sim"]?.spanS ?? 0, st["augment"]?.spanS ?? 0);
    rows.push({
      workers,
      units: ran,
      wallS: r.report.wallS,
      perS: ran / r.report.wallS,
      poolPerS: pool / poolSpan,
    });
    const stages = Object.entries(st)
      .map(([k, s]) => `${k} ${s.ran} units, ${s.unitsPerS.toFixed(2)}/s (busy ${s.busyS.toFixed(1)} s)`)
      .join("; ");
    console.log(
      `  ${workers} worker(s): ${ran} units in ${r.report.wallS.toFixed(1)} s = ${(ran / r.report.wallS).toFixed(2)} units/s; ${stages}`,
    );
    console.log(
      `    dataset ${r.report.dataset?.episodes} episodes; multiplier ${r.report.multiplier?.variantsPerSource.toFixed(2)}`,
    );
    if (r.report.perception) {
      const p = r.report.perception;
      console.log(
        `    perception: ${p.frames} frames, ${p.framesPerS.toFixed(1)} frames/s on ${p.devices.join(", ")}`,
      );
    }
  }
  if (rows.length >= 2) {
    const [a, b] = [rows[0]!, rows[rows.length - 1]!];
    const hw = await threadScaling(b.workers / a.workers);
    console.log(
      `  scaling ${a.workers} → ${b.workers} workers: ${(b.perS / a.perS).toFixed(2)}× units/s overall, ${(b.poolPerS / a.poolPerS).toFixed(2)}× sim+augment units/s; this machine: ${(b.workers / a.workers).toFixed(0)} threads of a plain loop give ${hw.toFixed(2)}× one`,
    );
  }
} finally {
  await fs.rm(tmp, { recursive: true, force: true });
}
