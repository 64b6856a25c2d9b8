/**
 * `egobridge run job.yaml`: one shard of a job (the whole job by default), resumable.
 *
 *   <output.dir>/                 unsharded              sharded (--shard I/N)
 *     part.json, units/, run.lock  the run's part         parts/shard-I-of-N/{part.json, units/, report.json}
 *     dataset/                     LeRobot v3.0            (egobridge merge parts/* -o <output.dir>/dataset)
 *     report.json                  beside the dataset
 *
 * Run it again after it stopped — killed, out of time, or stopped by --max-failures — and it
 * continues from the recorded units; the dataset is written only when every unit is recorded.
 */

import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { writeJsonAtomic } from "../../core/atomic.js";
import type { ValidateEngines } from "../../sim/verdict.js";
import { releasePerception, releaseRenderers } from "./execute.js";
import { finalizeParts, REPORT_FILE } from "./merge.js";
import { emptyStages, PARTS_DIR, type PartManifest, planHash, writePart } from "./parts.js";
import { WorkerPool } from "./pool.js";
import { createJobLog, type JobLog } from "./progress.js";
import { buildReport, type JobReport } from "./report.js";
import { runShard } from "./scheduler.js";
import { partName, type Shard, SINGLE } from "./shard.js";
import { enumerateSources, type SourceRef, sourceVideoOf } from "./sources.js";
import { type JobDevice, type LoadedJob, loadJobSpec, maxAttemptsOf } from "./spec.js";
import { acquireLock, PartUnits, removeTemporaries, UNITS_DIR } from "./store.js";
import { createPlanContext, renderTaskOf } from "./units.js";

export const DATASET_DIR = "dataset";
export { PARTS_DIR };

type Env = Readonly<Record<string, string | undefined>>;

export interface RunJobOptions {
  specFile: string;
  /** Job folder (default: the spec's output.dir, relative to the spec file). */
  outDir?: string;
  shard?: Shard;
  workers?: number;
  device?: JobDevice;
  maxFailures?: number;
  /** Overrides the spec's augment.validate. */
  validate?: ValidateEngines;
  /** Run the units recorded as failed again. */
  retryFailed?: boolean;
  log?: JobLog;
  env?: Env;
  /**
   * On SIGINT/SIGTERM (Ctrl-C, Slurm's time limit, a pod's termination): release the folder's
   * lock and exit at once, as a kill would. Recorded units stay; the next run continues. For the CLI.
   */
  exitOnSignal?: boolean;
}

export interface RunJobResult {
  status: "complete" | "stopped";
  partDir: string;
  /** The LeRobot dataset written (output.formats has lerobot and an episode made it in). */
  datasetDir?: string;
  /** The robomimic HDF5 file written (output.formats has robomimic …). */
  robomimicFile?: string;
  reportFile: string;
  report: JobReport;
}

/** The job folder and this shard's part folder. */
export function jobDirs(job: LoadedJob, shard: Shard, outDir?: string): { outDir: string; partDir: string } {
  const out = path.resolve(outDir ?? path.resolve(job.dir, job.spec.output.dir));
  return { outDir: out, partDir: shard.count > 1 ? path.join(out, PARTS_DIR, partName(shard)) : out };
}

export const workersOf = (job: LoadedJob, override?: number): number =>
  override ??
  (job.spec.resources.workers === "auto" ? os.availableParallelism() : job.spec.resources.workers);

/** What a run would do, without running it (`--dry-run`). */
export async function planJob(specFile: string, shard: Shard = SINGLE, env: Env = process.env) {
  const job = await loadJobSpec(specFile, env);
  const sources = await enumerateSources(job, env);
  const byKind: Record<string, number> = {};
  for (const s of sources) byKind[s.kind] = (byKind[s.kind] ?? 0) + 1;
  const roots = job.spec.embodiments.length;
  const mine =
    job.spec.resources.shardBy === "unit"
      ? sources.length
      : sources.filter((s) => s.ordinal % shard.count === shard.index).length;
  return {
    job,
    sources,
    byKind,
    maxUnits:
      mine *
      (1 +
        roots +
        roots * maxAttemptsOf(job.spec) +
        (renderTaskOf(job.spec) ? roots * (1 + job.spec.augment.variants) : 0)),
    ...jobDirs(job, shard),
  };
}

function manifest(
  job: LoadedJob,
  sources: readonly SourceRef[],
  shard: Shard,
  workers: number,
  device: string,
): PartManifest {
  return {
    format: "egobridge.job_part",
    version: 1,
    job: job.name,
    jobFile: path.resolve(job.file),
    planHash: planHash(job.spec, sources),
    specHash: job.specHash,
    spec: job.spec,
    // Only what identifies the part: not where the shard came from (flag, Slurm, Kubernetes).
    shard: { index: shard.index, count: shard.count, by: job.spec.resources.shardBy },
    sourceCount: sources.length,
    complete: false,
    sources: [],
    stages: emptyStages(),
    failures: [],
    workers,
    device,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    wallS: 0,
  };
}

/** Runs the shard's units on a worker pool (closed afterwards, whatever happens). */
async function runUnits(
  job: LoadedJob,
  o: RunJobOptions,
  run: Omit<Parameters<typeof runShard>[0], "pool" | "title" | "maxFailures" | "retryFailed">,
  workers: number,
) {
  const r = job.spec.resources;
  const pool =
    workers > 0
      ? new WorkerPool({ size: workers, memoryMb: r.workerMemoryMb, timeoutS: r.unitTimeoutS })
      : undefined;
  const { index, count } = run.shard;
  try {
    const render = renderTaskOf(job.spec);
    return await runShard({
      ...run,
      ...(render ? { render } : {}),
      pool,
      maxFailures: o.maxFailures ?? r.maxFailures,
      retryFailed: o.retryFailed === true,
      title: `egobridge run ${job.name}${count > 1 ? ` [shard ${index}/${count}]` : ""}  ${workers} worker${workers === 1 ? "" : "s"}`,
    });
  } finally {
    await pool?.dispose();
    await releasePerception();
    await releaseRenderers();
    run.log.close();
  }
}

/** A shard, or a stopped run: its part and report are its output (merge writes the dataset). */
async function partReport(
  part: PartManifest,
  partDir: string,
  kind: "run" | "shard",
  t0: number,
  log: JobLog,
) {
  const report = buildReport({
    kind,
    parts: [part],
    wallS: (performance.now() - t0) / 1000,
    ...(part.stopped ? { stopped: part.stopped } : {}),
  });
  const reportFile = path.join(partDir, REPORT_FILE);
  await writeJsonAtomic(reportFile, report);
  log.event({ event: "end", status: report.status, report: reportFile, wallS: report.wallS });
  return { status: report.status, partDir, reportFile, report };
}

export async function runJob(o: RunJobOptions): Promise<RunJobResult> {
  const t0 = performance.now();
  const env = o.env ?? process.env;
  const log = o.log ?? createJobLog("auto");
  const loaded = await loadJobSpec(o.specFile, env);
  const job = o.validate
    ? { ...loaded, spec: { ...loaded.spec, augment: { ...loaded.spec.augment, validate: o.validate } } }
    : loaded;
  const shard = o.shard ?? SINGLE;
  const { outDir, partDir } = jobDirs(job, shard, o.outDir);
  const workers = workersOf(job, o.workers);
  const device = o.device ?? job.spec.resources.device;
  const sources = await enumerateSources(job, env);
  const ctx = await createPlanContext(job, device);
  const lock = await acquireLock(partDir, { onWait: (message) => log.event({ event: "warning", message }) });
  const onSignal = (signal: NodeJS.Signals) => {
    log.event({ event: "stop", message: `${signal}: stopping; run the job again to continue` });
    lock.releaseSync();
    process.exit(128 + (os.constants.signals[signal] ?? 1));
  };
  if (o.exitOnSignal) for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, onSignal);
  try {
    const removed = await removeTemporaries(partDir);
    const store = new PartUnits(path.join(partDir, UNITS_DIR));
    const part = manifest(job, sources, shard, workers, device);
    await writePart(partDir, part);
    log.event({
      event: "start",
      job: job.name,
      shard: `${shard.index}/${shard.count}`,
      dir: partDir,
      workers,
      device,
      sources: sources.length,
      recorded: await store.count(),
      ...(removed > 0 ? { removedTemporaries: removed } : {}),
    });
    const result = await runUnits(job, o, { ctx, sources, shard, store, log }, workers);
    const done: PartManifest = {
      ...part,
      complete: result.stopped === undefined,
      ...(result.stopped ? { stopped: result.stopped } : {}),
      sources: result.sources,
      stages: result.stages,
      failures: result.failures,
      perception: result.perception,
      finishedAt: new Date().toISOString(),
      wallS: result.wallS,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    await writePart(partDir, done);
    if (result.stopped || shard.count > 1)
      return partReport(done, partDir, shard.count > 1 ? "shard" : "run", t0, log);
    const datasetDir = path.join(outDir, DATASET_DIR);
    const fin = await finalizeParts([done], store, {
      datasetDir,
      kind: "run",
      startedAt: t0,
      log,
      renderStore: store,
      videos: new Map(
        sources.flatMap((s) => (sourceVideoOf(s) ? [[s.label, sourceVideoOf(s)!] as const] : [])),
      ),
    });
    log.event({
      event: "end",
      status: "complete",
      dataset: fin.datasetDir,
      ...(fin.robomimicFile ? { robomimic: fin.robomimicFile } : {}),
      report: fin.reportFile,
      wallS: fin.report.wallS,
    });
    return {
      status: "complete",
      partDir,
      reportFile: fin.reportFile,
      report: fin.report,
      ...(fin.datasetDir ? { datasetDir: fin.datasetDir } : {}),
      ...(fin.robomimicFile ? { robomimicFile: fin.robomimicFile } : {}),
    };
  } finally {
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.off(sig, onSignal);
    await lock.release();
  }
}
