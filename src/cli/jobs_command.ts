/**
 * `egobridge run` (a batch job from a YAML job spec, resumable, shardable) and `egobridge merge`
 * (the parts of a sharded job → one dataset).
 */
import type { Command } from "commander";
import { EXIT, InputError } from "../core/errors.js";
import { clippedActionsWarning } from "../dataset/robomimic/layout.js";
import { mergeParts, wroteOutput } from "../pipeline/jobs/merge.js";
import { createJobLog, type LogMode } from "../pipeline/jobs/progress.js";
import type { JobReport } from "../pipeline/jobs/report.js";
import { planJob, runJob } from "../pipeline/jobs/run.js";
import { resolveShard } from "../pipeline/jobs/shard.js";
import { DEVICES, type JobDevice } from "../pipeline/jobs/spec.js";
import { withErrors } from "./errors.js";
import { intOption, parseValidate } from "./options.js";

/** Exit code of a run stopped by --max-failures (resumable). */
export const EXIT_STOPPED = EXIT.stopped;
/** Exit code of a finished job whose dataset is empty (every source failed or was rejected). */
export const EXIT_NO_EPISODES = EXIT.failed;

interface RunCliOptions {
  out?: string;
  shard?: string;
  workers?: number;
  device?: string;
  maxFailures?: number;
  retryFailed?: boolean;
  log: string;
  dryRun?: boolean;
  validate?: string;
}

const LOG_MODES = ["auto", "tty", "json", "quiet"];

function summary(r: JobReport, where: string): string {
  const stages = Object.entries(r.units.byStage)
    .map(
      ([k, s]) => `${k} ${s.done}${s.failed ? ` (${s.failed} failed)` : ""} at ${s.unitsPerS.toFixed(2)}/s`,
    )
    .join(", ");
  const lines = [
    `${where}: ${r.status}${r.stopped ? ` (${r.stopped})` : ""} in ${r.wallS.toFixed(1)} s`,
    `  units: ${stages || "none"}; ${r.units.reused} from earlier runs`,
  ];
  if (r.dataset) {
    lines.push(
      `  dataset: ${r.dataset.episodes} episodes (${r.dataset.sourceEpisodes} sources + ${r.dataset.variants} variants), ${r.dataset.frames} frames`,
    );
  }
  if (r.robomimic) {
    lines.push(`  robomimic: ${r.robomimic.file} (${r.robomimic.demos} demos, ${r.robomimic.frames} frames)`);
    if (r.robomimic.clippedActions) lines.push(`  ${clippedActionsWarning(r.robomimic.clippedActions)}`);
  }
  if (r.multiplier && r.multiplier.sourcesMultiplied > 0) {
    lines.push(`  multiplier: ${r.multiplier.variantsPerSource.toFixed(2)} validated variants per source`);
  }
  if (r.perception) {
    lines.push(
      `  perception: ${r.perception.frames} frames at ${r.perception.framesPerS.toFixed(1)} frames/s on ${r.perception.devices.join(", ")}${r.perception.atOnce > 1 ? `, up to ${r.perception.atOnce} videos at once` : ""}`,
    );
  }
  const failed = Object.entries(r.failuresByCode);
  if (failed.length > 0)
    lines.push(`  failed units: ${failed.map(([k, n]) => `${k} ${n}`).join(", ")} (see the report)`);
  return `${lines.join("\n")}\n`;
}

export function registerJobs(program: Command): void {
  program
    .command("run <job>")
    .description(
      "Run a batch job from a YAML job spec (see jobs/demo.yaml): inputs → hand tracks → retargeting and simulation → validated variants → one dataset (LeRobot v3.0 and/or robomimic HDF5, output.formats), on a worker pool. Every finished unit is recorded, so running it again resumes. Sharding: --shard I/N, or SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX/JOB_COMPLETIONS; then `egobridge merge`. Exit codes: 0 done, 2 bad job spec, 3 empty dataset, 5 stopped by --max-failures.",
    )
    .option("-o, --out <dir>", "job folder (default: output.dir of the job spec)")
    .option("--shard <i/n>", "run shard I of N (0-based), writing <dir>/parts/shard-I-of-N")
    .option(
      "--workers <n>",
      "worker threads (default: resources.workers; 0 runs units in the main thread)",
      intOption("--workers"),
    )
    .option("--device <device>", `perception device: ${DEVICES.join(", ")} (default: resources.device)`)
    .option("--max-failures <n>", "stop once more than N units have failed", intOption("--max-failures"))
    .option("--retry-failed", "run the units recorded as failed again")
    .option(
      "--validate <engines>",
      "rapier, or both: keep a variant only when MuJoCo (real 2F-85 MJCF) agrees (default: augment.validate)",
    )
    .option(
      "--log <mode>",
      "progress: auto (display on a terminal, JSON lines otherwise), tty, json, quiet",
      "auto",
    )
    .option("--dry-run", "list the sources and planned units; run nothing")
    .action(
      withErrors(async (file: string, o: RunCliOptions) => {
        if (!LOG_MODES.includes(o.log))
          throw new InputError(`--log must be one of ${LOG_MODES.join(", ")}, got '${o.log}'`);
        if (o.device !== undefined && !(DEVICES as readonly string[]).includes(o.device))
          throw new InputError(`--device must be one of ${DEVICES.join(", ")}, got '${o.device}'`);
        const validate = o.validate === undefined ? undefined : parseValidate(o.validate);
        const shard = resolveShard(o.shard);
        if (o.dryRun) {
          const p = await planJob(file, shard);
          const kinds = Object.entries(p.byKind)
            .map(([k, n]) => `${n} ${k}`)
            .join(", ");
          process.stdout.write(
            [
              `${p.job.name}: ${p.sources.length} sources (${kinds}); shard ${shard.index}/${shard.count} (${shard.from}) runs at most ${p.maxUnits} units into ${p.partDir}`,
              ...p.sources
                .slice(0, 50)
                .map((s) => `  ${String(s.ordinal).padStart(4)} ${s.kind.padEnd(7)} ${s.label}`),
              ...(p.sources.length > 50 ? [`  … and ${p.sources.length - 50} more`] : []),
              "",
            ].join("\n"),
          );
          return;
        }
        const r = await runJob({
          specFile: file,
          shard,
          log: createJobLog(o.log as LogMode | "auto"),
          exitOnSignal: true,
          ...(o.out ? { outDir: o.out } : {}),
          ...(o.workers !== undefined ? { workers: o.workers } : {}),
          ...(o.device ? { device: o.device as JobDevice } : {}),
          ...(o.maxFailures !== undefined ? { maxFailures: o.maxFailures } : {}),
          ...(o.retryFailed ? { retryFailed: true } : {}),
          ...(validate ? { validate } : {}),
        });
        process.stdout.write(summary(r.report, r.datasetDir ?? r.partDir));
        process.stdout.write(`  report: ${r.reportFile}\n`);
        if (r.status === "stopped") process.exitCode = EXIT_STOPPED;
        else if (shard.count === 1 && !wroteOutput(r)) process.exitCode = EXIT_NO_EPISODES;
      }),
    );

  program
    .command("merge <parts...>")
    .description(
      "Join the parts of a sharded job (the parts/shard-I-of-N folders `egobridge run --shard` wrote) into one dataset, equal to what one unsharded run writes, in the job's output formats (LeRobot at --out; robomimic.hdf5 and report.json beside it).",
    )
    .requiredOption("-o, --out <dataset>", "output dataset folder")
    .option("--report <file>", "report file (default: report.json beside the dataset)")
    .option(
      "--log <mode>",
      "progress: auto (lines on a terminal, JSON lines otherwise), tty, json, quiet",
      "auto",
    )
    .action(
      withErrors(async (parts: string[], o: { out: string; report?: string; log: string }) => {
        if (!LOG_MODES.includes(o.log))
          throw new InputError(`--log must be one of ${LOG_MODES.join(", ")}, got '${o.log}'`);
        const log = createJobLog(o.log as LogMode | "auto");
        const r = await mergeParts(parts, o.out, { ...(o.report ? { reportFile: o.report } : {}), log });
        log.close();
        process.stdout.write(summary(r.report, r.datasetDir ?? o.out));
        process.stdout.write(`  report: ${r.reportFile}\n`);
        if (!wroteOutput(r)) process.exitCode = EXIT_NO_EPISODES;
      }),
    );
}
