/**
 * A part: what one shard (or a whole run, shard 0 of 1) made — its unit records and `part.json`,
 * which says which job and plan it belongs to, which shard it is, the units of each source it
 * worked on, and its totals. `merge` joins parts into one dataset from these alone.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { writeJsonAtomic } from "../../core/atomic.js";
import { InputError } from "../../core/errors.js";
import { readContract } from "../../core/io.js";
import { hashValue } from "./hashing.js";
import type { SourceRef } from "./sources.js";
import type { JobSpec } from "./spec.js";
import { type SourcePlan, STAGES, type Stage } from "./units.js";

export const PART_FILE = "part.json";
/** The folder of a sharded job's output that holds its parts (`parts/shard-I-of-N`). */
export const PARTS_DIR = "parts";

export const PartSourceSchema = z.strictObject({
  ordinal: z.number().int(),
  label: z.string(),
  kind: z.string(),
  inputSha: z.string(),
  hands: z.string().optional(),
  roots: z.array(z.string()),
  augmentPrefix: z.array(z.string()),
});
export type PartSource = z.infer<typeof PartSourceSchema>;

export const StageStatsSchema = z.strictObject({
  /** Units settled: recorded now or found recorded. */
  done: z.number().int(),
  failed: z.number().int(),
  reused: z.number().int(),
  /** Units run by this run, their summed run time and the span from the first start to the last end (s). */
  ran: z.number().int(),
  busyS: z.number(),
  spanS: z.number(),
});
export type StageStats = z.infer<typeof StageStatsSchema>;

export const FailureSchema = z.strictObject({
  id: z.string(),
  /** The source's position in the job (failures are listed in job order). */
  ordinal: z.number().int(),
  stage: z.string(),
  source: z.string(),
  code: z.string(),
  message: z.string(),
});
export type Failure = z.infer<typeof FailureSchema>;

export const PartManifestSchema = z.strictObject({
  format: z.literal("egobridge.job_part"),
  version: z.literal(1),
  job: z.string(),
  jobFile: z.string(),
  /** Same for every shard of the same job on the same inputs; merge refuses parts that differ. */
  planHash: z.string(),
  specHash: z.string(),
  spec: z.unknown(),
  shard: z.strictObject({ index: z.number().int(), count: z.number().int(), by: z.enum(["source", "unit"]) }),
  sourceCount: z.number().int(),
  complete: z.boolean(),
  stopped: z.string().optional(),
  sources: z.array(PartSourceSchema),
  stages: z.record(z.string(), StageStatsSchema),
  failures: z.array(FailureSchema),
  perception: z
    .strictObject({
      videos: z.number().int(),
      frames: z.number().int(),
      busyS: z.number(),
      devices: z.array(z.string()),
      /** The most videos perceived at once (resources.videosAtOnce). */
      atOnce: z.number().int().optional(),
    })
    .optional(),
  workers: z.number().int(),
  device: z.string(),
  host: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  wallS: z.number(),
  /** Peak resident memory of the run's process when its units were done, before the dataset write (MB). */
  maxRssMb: z.number().optional(),
});
export type PartManifest = z.infer<typeof PartManifestSchema>;

export const emptyStages = (): Record<Stage, StageStats> =>
  Object.fromEntries(
    STAGES.map((s) => [s, { done: 0, failed: 0, reused: 0, ran: 0, busyS: 0, spanS: 0 }]),
  ) as Record<Stage, StageStats>;

export function partSource(plan: SourcePlan): PartSource {
  const s: PartSource = {
    ordinal: plan.ref.ordinal,
    label: plan.ref.label,
    kind: plan.ref.kind,
    inputSha: plan.inputSha,
    roots: plan.roots.map((r) => r.id),
    augmentPrefix: plan.augmentPrefix,
  };
  if (plan.hands) s.hands = plan.hands.id;
  return s;
}

/**
 * The plan's identity: the spec's content minus where output goes and the machine's resources
 * (shards may differ there), plus the ordered list of sources. Shards agree on it iff they split
 * the same job over the same inputs.
 */
export function planHash(spec: JobSpec, sources: readonly SourceRef[]): string {
  const { output, resources, ...rest } = spec;
  return hashValue({
    spec: rest,
    keepFailed: output.keepFailed,
    shardBy: resources.shardBy,
    sources: sources.map((s) => [s.kind, s.label]),
  });
}

export const writePart = (dir: string, m: PartManifest): Promise<void> =>
  writeJsonAtomic(path.join(dir, PART_FILE), m);

export async function readPart(dir: string): Promise<PartManifest> {
  const file = path.join(dir, PART_FILE);
  try {
    await fs.access(file);
  } catch {
    throw new InputError(`${dir} is not a job part: it has no ${PART_FILE}`, {
      hint: "give the folders `egobridge run` wrote (the job folder, or its parts/shard-I-of-N folders)",
    });
  }
  return readContract(PartManifestSchema, file, "job part");
}
