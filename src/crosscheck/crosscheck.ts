/**
 * Rapier vs MuJoCo on the same gripper commands: each case runs in src/sim (simulateEpisode,
 * Rapier, egobridge's parametric gripper), then the commands that rollout actually gave
 * (episode.steps[i].action: after object-relative replay and the press guard) are replayed
 * open-loop in MuJoCo with the real 2F-85 MJCF (replay_mujoco.ts). Both are judged by
 * src/sim/verdict.ts. Replaying Rapier's recorded commands rather than re-running the
 * closed-loop replay in MuJoCo means both engines see identical commands; the MuJoCo run gets no
 * chance to correct for its object ending up elsewhere, which is part of what is being checked.
 * An arm trajectory is replayed with the arm's MJCF following the recorded joints (replay_mujoco.ts).
 * Agreement: see sim/mujoco/second_opinion.ts.
 */
import { performance } from "node:perf_hooks";
import type { Episode } from "../core/schemas/episode.js";
import type { MjcfGripper } from "../sim/mujoco/robotiq_2f85.js";
import { mujocoOpinion } from "../sim/mujoco/second_opinion.js";
import { type PhysicsSettings, simulateEpisode } from "../sim/simulate.js";
import type { CrosscheckCase } from "./cases.js";

export interface EngineOutcome {
  success: boolean;
  reasons: string[];
  metrics: Record<string, number>;
  simulatedS: number;
  wallS: number;
}

export interface CrosscheckResult {
  id: string;
  variant: CrosscheckCase["variant"] | "dataset";
  description: string;
  steps: number;
  rapier: EngineOutcome;
  mujoco: EngineOutcome & { maxTrackingErrorM: number; timestepS: number };
  /** Same verdict (success or not) and the target's final positions within AGREE_GAP_M. */
  agree: boolean;
  /** Distance between the target's final positions in the two engines (m). */
  finalTargetGapM: number;
}

export interface CrosscheckSummary {
  trajectories: number;
  agree: number;
  rapierSuccess: number;
  mujocoSuccess: number;
  disagreements: string[];
}

/** Runs one case in both engines. */
export async function runCase(
  c: CrosscheckCase,
  gripper: MjcfGripper,
  physics: PhysicsSettings = {},
): Promise<CrosscheckResult> {
  const t0 = performance.now();
  const episode = await simulateEpisode({
    ...physics,
    scene: c.scene,
    embodiment: c.embodiment,
    trajectory: c.trajectory,
    seed: 0,
    id: `crosscheck-${c.id}`,
    task: "crosscheck",
    lineageSource: c.id,
  });
  const rapierWallS = (performance.now() - t0) / 1000;
  return {
    ...(await compareWithMujoco(episode, gripper, rapierWallS)),
    id: c.id,
    variant: c.variant,
    description: c.description,
  };
}

/**
 * Replays a recorded Rapier episode's commands in MuJoCo and compares the verdicts and where the
 * target ends. `rapierWallS`: what the Rapier rollout took, when known (0 for a stored episode).
 */
export async function compareWithMujoco(
  episode: Episode,
  gripper: MjcfGripper,
  rapierWallS = 0,
): Promise<CrosscheckResult> {
  const { agree, finalTargetGapM, mujoco: mj } = await mujocoOpinion(episode, gripper);
  return {
    id: episode.id,
    variant: "dataset",
    description: episode.lineage.source,
    steps: episode.steps.length,
    rapier: {
      success: episode.success,
      reasons: episode.reasons,
      metrics: episode.metrics,
      simulatedS: episode.steps.length / episode.controlHz,
      wallS: rapierWallS,
    },
    mujoco: {
      success: mj.verdict.success,
      reasons: mj.verdict.reasons,
      metrics: mj.verdict.metrics,
      simulatedS: mj.simulatedS,
      wallS: mj.wallS,
      maxTrackingErrorM: mj.maxTrackingErrorM,
      timestepS: mj.timestepS,
    },
    agree,
    finalTargetGapM,
  };
}

export function summarize(results: readonly CrosscheckResult[]): CrosscheckSummary {
  return {
    trajectories: results.length,
    agree: results.filter((r) => r.agree).length,
    rapierSuccess: results.filter((r) => r.rapier.success).length,
    mujocoSuccess: results.filter((r) => r.mujoco.success).length,
    disagreements: results.filter((r) => !r.agree).map((r) => r.id),
  };
}

const yesNo = (b: boolean) => (b ? "success" : "failure");

/** One table row per result: id, both verdicts with reasons, agreement, final object gap. */
export function formatRow(r: CrosscheckResult): string {
  const verdict = (o: EngineOutcome) => `${yesNo(o.success)} (${o.reasons.join(", ")})`;
  return [
    r.id.padEnd(36),
    verdict(r.rapier).padEnd(48),
    verdict(r.mujoco).padEnd(48),
    (r.agree ? "agree" : "DISAGREE").padEnd(9),
    `${(r.finalTargetGapM * 1000).toFixed(0)} mm`,
  ].join(" ");
}

export const TABLE_HEADER = [
  "trajectory".padEnd(36),
  "Rapier (egobridge gripper)".padEnd(48),
  "MuJoCo (2F-85 MJCF)".padEnd(48),
  "engines".padEnd(9),
  "final object gap",
].join(" ");
