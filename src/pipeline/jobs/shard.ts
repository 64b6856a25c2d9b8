/**
 * Sharding: which part of a job one process runs. Shard INDEX of COUNT (0-based) comes from
 * `--shard INDEX/COUNT`, or from the cluster's array-job environment:
 * - Slurm job arrays: SLURM_ARRAY_TASK_ID (minus SLURM_ARRAY_TASK_MIN) of SLURM_ARRAY_TASK_COUNT;
 * - Kubernetes indexed Jobs: JOB_COMPLETION_INDEX of JOB_COMPLETIONS (set it to `.spec.completions`
 *   in the pod template: Kubernetes does not export the count itself).
 *
 * Units are assigned without coordination: by source (source k goes to shard k mod COUNT, all its
 * units together; no work is repeated) or by unit (the variants of one source spread over all
 * shards; each shard then recomputes the source episodes it needs, and merge keeps one copy).
 */
import { InputError } from "../../core/errors.js";

export interface Shard {
  index: number;
  count: number;
}

export const SINGLE: Shard = { index: 0, count: 1 };

const intOf = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isInteger(n) ? n : Number.NaN;
};

function checked(index: number, count: number, from: string): Shard {
  if (!Number.isInteger(count) || count < 1)
    throw new InputError(`${from}: the shard count must be a positive integer, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new InputError(`${from}: the shard index must be an integer in [0, ${count - 1}], got ${index}`, {
      hint: "shards are numbered from 0: --shard 0/3, 1/3, 2/3",
    });
  }
  return { index, count };
}

/** Parses `INDEX/COUNT` (0-based index). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new InputError(`--shard must be INDEX/COUNT (e.g. 0/4), got '${text}'`);
  return checked(Number(m[1]), Number(m[2]), "--shard");
}

type Env = Readonly<Record<string, string | undefined>>;

/** The shard from `--shard`, else from Slurm or Kubernetes variables, else the whole job. */
export function resolveShard(flag: string | undefined, env: Env = process.env): Shard & { from: string } {
  if (flag !== undefined) return { ...parseShard(flag), from: "--shard" };
  const slurmId = intOf(env["SLURM_ARRAY_TASK_ID"]);
  if (slurmId !== undefined) {
    const count = intOf(env["SLURM_ARRAY_TASK_COUNT"]);
    if (count === undefined)
      throw new InputError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not");
    const min = intOf(env["SLURM_ARRAY_TASK_MIN"]) ?? 0;
    const from = "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT";
    return { ...checked(slurmId - min, count, from), from };
  }
  const k8sIndex = intOf(env["JOB_COMPLETION_INDEX"]);
  if (k8sIndex !== undefined) {
    const count = intOf(env["JOB_COMPLETIONS"]);
    if (count === undefined) {
      throw new InputError("JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not", {
        hint: "set JOB_COMPLETIONS in the pod template to the Job's .spec.completions",
      });
    }
    const from = "JOB_COMPLETION_INDEX/JOB_COMPLETIONS";
    return { ...checked(k8sIndex, count, from), from };
  }
  return { ...SINGLE, from: "whole job" };
}

/** Folder name of a shard's part: `shard-2-of-8`. */
export const partName = (s: Shard): string => `shard-${s.index}-of-${s.count}`;

/** By source: whether the shard runs source `ordinal`. */
export const ownsSource = (s: Shard, ordinal: number): boolean => ordinal % s.count === s.index;

/**
 * By unit: whether the shard runs root unit `root` (embodiment) of source `ordinal`, or, with
 * `variant`, that variant attempt. Round robin over the job's unit grid, so shards get equal shares.
 */
export function ownsUnit(
  s: Shard,
  grid: { roots: number; attempts: number },
  ordinal: number,
  root: number,
  variant?: number,
): boolean {
  if (variant === undefined) return (ordinal * grid.roots + root) % s.count === s.index;
  return ((ordinal * grid.roots + root) * grid.attempts + variant) % s.count === s.index;
}
