/**
 * The job report (`egobridge.job_report` v1), written beside the dataset as report.json: what
 * went in, what came out and why, how fast each stage ran, and every failure with its reason.
 */
import os from "node:os";
import type { DatasetSummary } from "../../dataset/lerobot/index.js";
import type { RobomimicSummary } from "../../dataset/robomimic/index.js";
import type { Selection } from "./finalize.js";
import type { Failure, PartManifest, StageStats } from "./parts.js";

export interface StageReport extends StageStats {
  /** Units run per second of this stage's span (first start to last end), summed over parts. */
  unitsPerS: number;
}

export interface JobReport {
  format: "egobridge.job_report";
  version: 1;
  kind: "run" | "shard" | "merge";
  status: "complete" | "stopped";
  stopped?: string;
  job: string;
  jobFile: string;
  specHash: string;
  planHash: string;
  seed: number;
  shards: {
    count: number;
    by: string;
    parts: {
      index: number;
      host: string;
      workers: number;
      device: string;
      wallS: number;
      maxRssMb?: number;
    }[];
  };
  inputs: { sources: number; byKind: Record<string, number> };
  units: { done: number; ran: number; reused: number; failed: number; byStage: Record<string, StageReport> };
  dataset?: {
    dir: string;
    episodes: number;
    frames: number;
    successes: number;
    sourceEpisodes: number;
    variants: number;
    /** Time to read the episodes back from the unit records and write the dataset (s). */
    writeS: number;
  };
  /** The robomimic HDF5 file, when the job's formats include it. */
  robomimic?: {
    /** Relative to the report's folder. */
    file: string;
    demos: number;
    frames: number;
    successes: number;
    writeS: number;
    /** Delta actions (output.robomimicActions): rows clipped to the controller's range. */
    clippedActions?: number;
  };
  outcomes?: Selection["verdicts"];
  multiplier?: {
    /** Source episodes that were multiplied, validated variants of them, and variants per source. */
    sourcesMultiplied: number;
    validatedVariants: number;
    variantsPerSource: number;
    /** Dataset episodes per successful source episode (1 + variants per source). */
    episodesPerSource: number;
  };
  /** framesPerS: frames per second the device lane was busy (with every video it had at once). */
  perception?: { videos: number; frames: number; framesPerS: number; devices: string[]; atOnce: number };
  failuresByCode: Record<string, number>;
  failures: Failure[];
  sources?: Selection["sources"];
  wallS: number;
  finishedAt: string;
  /** Peak resident memory of this process, worker threads included (MB). */
  machine: { host: string; cpus: number; maxRssMb: number };
}

const sumStages = (parts: readonly PartManifest[]): Record<string, StageReport> => {
  const out: Record<string, StageReport> = {};
  for (const p of parts) {
    for (const [stage, s] of Object.entries(p.stages)) {
      const o = out[stage] ?? { done: 0, failed: 0, reused: 0, ran: 0, busyS: 0, spanS: 0, unitsPerS: 0 };
      out[stage] = o;
      o.done += s.done;
      o.failed += s.failed;
      o.reused += s.reused;
      o.ran += s.ran;
      o.busyS += s.busyS;
      o.spanS = Math.max(o.spanS, s.spanS);
      o.unitsPerS += s.spanS > 0 ? s.ran / s.spanS : 0;
    }
  }
  for (const [k, s] of Object.entries(out)) if (s.done === 0 && s.failed === 0) delete out[k];
  return out;
};

export interface ReportInput {
  kind: JobReport["kind"];
  parts: readonly PartManifest[];
  selection?: Selection;
  dataset?: DatasetSummary & { dir: string; writeS: number };
  robomimic?: RobomimicSummary & { writeS: number };
  wallS: number;
  stopped?: string;
}

export function buildReport(o: ReportInput): JobReport {
  const first = o.parts[0]!;
  const spec = first.spec as { seed: number; augment: { variants: number } };
  const byStage = sumStages(o.parts);
  const stages = Object.values(byStage);
  const failures = o.parts
    .flatMap((p) => p.failures)
    .sort((a, b) => a.ordinal - b.ordinal || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const failuresByCode: Record<string, number> = {};
  for (const f of failures) failuresByCode[f.code] = (failuresByCode[f.code] ?? 0) + 1;
  const byKind: Record<string, number> = {};
  const seen = new Set<number>();
  for (const s of o.parts.flatMap((p) => p.sources)) {
    if (seen.has(s.ordinal)) continue;
    seen.add(s.ordinal);
    byKind[s.kind] = (byKind[s.kind] ?? 0) + 1;
  }
  const perc = o.parts.map((p) => p.perception).filter((p) => p !== undefined && p.videos > 0);
  const units = {
    done: stages.reduce((n, s) => n + s.done, 0),
    ran: stages.reduce((n, s) => n + s.ran, 0),
    reused: stages.reduce((n, s) => n + s.reused, 0),
    failed: stages.reduce((n, s) => n + s.failed, 0),
    byStage,
  };
  const sel = o.selection;
  let perception: JobReport["perception"];
  if (perc.length > 0) {
    const frames = perc.reduce((n, p) => n + p!.frames, 0);
    const busyS = perc.reduce((n, p) => n + p!.busyS, 0);
    perception = {
      videos: perc.reduce((n, p) => n + p!.videos, 0),
      frames,
      framesPerS: busyS > 0 ? frames / busyS : 0,
      devices: [...new Set(perc.flatMap((p) => p!.devices))],
      atOnce: Math.max(...perc.map((p) => p!.atOnce ?? 1)),
    };
  }
  let multiplier: JobReport["multiplier"];
  const wanted = spec.augment.variants;
  if (sel) {
    const multiplied =
      wanted > 0 ? sel.sources.filter((s) => s.status === "succeeded" && !s.notAugmentable) : [];
    const validated = sel.sources.reduce((n, s) => n + s.validated, 0);
    const succeeded = sel.sources.filter((s) => s.status === "succeeded").length;
    multiplier = {
      sourcesMultiplied: multiplied.length,
      validatedVariants: validated,
      variantsPerSource: multiplied.length > 0 ? validated / multiplied.length : 0,
      episodesPerSource: succeeded > 0 ? (succeeded + validated) / succeeded : 0,
    };
  }
  let dataset: JobReport["dataset"];
  if (o.dataset) {
    const variants = sel ? sel.ids.filter((id) => id.startsWith("augment-")).length : 0;
    dataset = {
      dir: o.dataset.dir,
      episodes: o.dataset.episodes,
      frames: o.dataset.frames,
      successes: o.dataset.successes,
      sourceEpisodes: o.dataset.episodes - variants,
      variants,
      writeS: o.dataset.writeS,
    };
  }
  // Summary first, long lists last.
  return {
    format: "egobridge.job_report",
    version: 1,
    kind: o.kind,
    status: o.stopped ? "stopped" : "complete",
    ...(o.stopped ? { stopped: o.stopped } : {}),
    job: first.job,
    jobFile: first.jobFile,
    specHash: first.specHash,
    planHash: first.planHash,
    seed: spec.seed,
    wallS: o.wallS,
    finishedAt: new Date().toISOString(),
    machine: {
      host: os.hostname(),
      cpus: os.availableParallelism(),
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    },
    shards: {
      count: first.shard.count,
      by: first.shard.by,
      parts: o.parts.map((p) => ({
        index: p.shard.index,
        host: p.host,
        workers: p.workers,
        device: p.device,
        wallS: p.wallS,
        ...(p.maxRssMb !== undefined ? { maxRssMb: p.maxRssMb } : {}),
      })),
    },
    inputs: { sources: first.sourceCount, byKind },
    ...(dataset ? { dataset } : {}),
    ...(o.robomimic
      ? {
          robomimic: {
            file: o.robomimic.file,
            demos: o.robomimic.demos,
            frames: o.robomimic.frames,
            successes: o.robomimic.successes,
            writeS: o.robomimic.writeS,
            ...(o.robomimic.clippedActions > 0 ? { clippedActions: o.robomimic.clippedActions } : {}),
          },
        }
      : {}),
    ...(sel ? { outcomes: sel.verdicts } : {}),
    ...(multiplier ? { multiplier } : {}),
    ...(perception ? { perception } : {}),
    units,
    failuresByCode,
    failures,
    ...(sel ? { sources: sel.sources.slice(0, 1000) } : {}),
  };
}
