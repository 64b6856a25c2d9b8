/**
 * `egobridge crosscheck`: runs the built-in set (or a filtered part of it) in Rapier and MuJoCo
 * and prints one line per trajectory, a closing note per disagreement, and a JSON summary line.
 */
import { performance } from "node:perf_hooks";
import { InputError } from "../core/errors.js";
import { streamEpisodeExtras } from "../dataset/lerobot/index.js";
import { loadMujoco, mujocoVersion } from "../sim/mujoco/mujoco.js";
import { loadRobotiq2f85 } from "../sim/mujoco/robotiq_2f85.js";
import { AGREE_GAP_M, mujocoModels } from "../sim/mujoco/second_opinion.js";
import { builtinCases } from "./cases.js";
import {
  type CrosscheckResult,
  type CrosscheckSummary,
  compareWithMujoco,
  formatRow,
  runCase,
  summarize,
  TABLE_HEADER,
} from "./crosscheck.js";

export interface CrosscheckRunOptions {
  /** Keep only cases whose id contains this. */
  filter?: string;
  /** A 2f85.xml to use instead of the one in the asset folders. */
  mjcf?: string;
  /** The Rapier gripper: robotiq_2f85_mjcf (the MJCF's hulls and linkage, the default) or robotiq_2f85 (boxes). */
  embodiment?: string;
  /** Receives each output line. */
  log: (line: string) => void;
  /** Receives each trajectory's whole result, as it is checked. */
  onResult?: (r: CrosscheckResult) => void;
}

export async function runCrosscheck(
  o: CrosscheckRunOptions,
): Promise<{ results: CrosscheckResult[]; summary: CrosscheckSummary }> {
  const t0 = performance.now();
  const gripper = await loadRobotiq2f85(o.mjcf ? { file: o.mjcf } : {});
  const cases = await builtinCases(o.filter, o.embodiment);
  if (cases.length === 0)
    throw new InputError(`no built-in cross-check trajectory id contains '${o.filter}'`);
  const mj = await loadMujoco();
  const rapierGripper = cases[0]!.embodiment.model
    ? `${cases[0]!.embodiment.name}, from the MJCF`
    : `${cases[0]!.embodiment.name}, boxes`;
  o.log(
    `egobridge crosscheck: ${cases.length} trajectories, Rapier (src/sim, ${rapierGripper}) vs MuJoCo ${mujocoVersion(mj)} (${gripper.file})`,
  );
  o.log(TABLE_HEADER);
  const results: CrosscheckResult[] = [];
  for (const c of cases) {
    const r = await runCase(c, gripper);
    results.push(r);
    o.onResult?.(r);
    o.log(formatRow(r));
  }
  const summary = summarize(results);
  const wallS = (performance.now() - t0) / 1000;
  const rapierS = results.reduce((s, r) => s + r.rapier.wallS, 0);
  const mujocoS = results.reduce((s, r) => s + r.mujoco.wallS, 0);
  o.log(
    `${summary.agree}/${summary.trajectories} agree; ${wallS.toFixed(1)} s (Rapier ${rapierS.toFixed(1)} s, MuJoCo ${mujocoS.toFixed(1)} s)`,
  );
  for (const r of results.filter((x) => !x.agree)) o.log(disagreementNote(r));
  return { results, summary };
}

export interface DatasetCrosscheckOptions {
  dir: string;
  mjcf?: string;
  /** Receives each output line (the table). */
  log: (line: string) => void;
  /** Receives each episode's whole result, as it is checked. */
  onResult?: (r: CrosscheckResult) => void;
}

/**
 * `egobridge crosscheck DATASET_DIR`: every episode of a dataset egobridge wrote, its recorded
 * commands replayed in MuJoCo, compared with the verdict the dataset stores. Episodes of an
 * embodiment MuJoCo has no model of are listed as skipped, not counted.
 */
export async function runDatasetCrosscheck(
  o: DatasetCrosscheckOptions,
): Promise<{ results: CrosscheckResult[]; summary: CrosscheckSummary & { skipped: string[] } }> {
  const t0 = performance.now();
  const gripper = await loadRobotiq2f85(o.mjcf ? { file: o.mjcf } : {});
  const mj = await loadMujoco();
  o.log(
    `egobridge crosscheck ${o.dir}: stored Rapier verdicts vs MuJoCo ${mujocoVersion(mj)} (${gripper.file}); agreement: same verdict and the target within ${AGREE_GAP_M * 1000} mm`,
  );
  o.log(TABLE_HEADER);
  const results: CrosscheckResult[] = [];
  const skipped: string[] = [];
  for await (const episode of streamEpisodeExtras(o.dir)) {
    if (!mujocoModels(episode.embodiment)) {
      skipped.push(episode.id);
      o.log(`${episode.id.padEnd(36)} skipped: no MuJoCo model of '${episode.embodiment.name}'`);
      continue;
    }
    const r = await compareWithMujoco(episode, gripper);
    results.push(r);
    o.onResult?.(r);
    o.log(formatRow(r));
  }
  const summary = { ...summarize(results), skipped };
  o.log(`${summary.agree}/${summary.trajectories} agree; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const r of results.filter((x) => !x.agree)) o.log(disagreementNote(r));
  return { results, summary };
}

/** What each engine saw, for a disagreement: verdicts, lift and grasp share, where the object ended. */
export function disagreementNote(r: CrosscheckResult): string {
  const m = (x: Record<string, number>, k: string) => (x[k] ?? 0).toFixed(3);
  return [
    `  ${r.id}: Rapier ${r.rapier.success ? "succeeds" : "fails"} (${r.rapier.reasons.join(", ")}; lift ${m(r.rapier.metrics, "maxLiftM")} m, grasped ${m(r.rapier.metrics, "graspedFraction")} of steps),`,
    `MuJoCo ${r.mujoco.success ? "succeeds" : "fails"} (${r.mujoco.reasons.join(", ")}; lift ${m(r.mujoco.metrics, "maxLiftM")} m, grasped ${m(r.mujoco.metrics, "graspedFraction")});`,
    `the object ends ${(r.finalTargetGapM * 1000).toFixed(0)} mm apart.`,
  ].join(" ");
}
