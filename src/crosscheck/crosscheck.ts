/**
 * Rapier vs MuJoCo on the same gripper commands: each case runs in src/sim (simulateEpisode,
 * Rapier, egobridge's parametric gripper), then the commands that rollout actually gave
 * (episode.steps[i].action: after object-relative replay and the press guard) are replayed
 * open-loop in MuJoCo with the real 2F-85 MJCF (replay_mujoco.ts). Both are judged by
 * src/sim/verdict.ts. Replaying Rapier's recorded commands rather than re-running the
 * closed-loop replay in MuJoCo means both engines see identical commands; the MuJoCo run gets no
 * chance to correct for its object ending up elsewhere, which is part of what is being checked.
 */
import { performance } from "node:perf_hooks";
import { distance, fromArray3 } from "../core/math.js";
import { simulateEpisode } from "../sim/simulate.js";
import type { CrosscheckCase } from "./cases.js";
import { replayInMujoco } from "./replay_mujoco.js";
import type { MjcfGripper } from "./robotiq_2f85.js";

export interface EngineOutcome {
  success: boolean;
  reasons: string[];
  metrics: Record<string, number>;
  simulatedS: number;
  wallS: number;
}

export interface CrosscheckResult {
  id: string;
  variant: CrosscheckCase["variant"];
  description: string;
  steps: number;
  rapier: EngineOutcome;
  mujoco: EngineOutcome & { maxTrackingErrorM: number; timestepS: number };
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
export async function runCase(c: CrosscheckCase, gripper: MjcfGripper): Promise<CrosscheckResult> {
  const t0 = performance.now();
  const episode = await simulateEpisode({
    scene: c.scene,
    embodiment: c.embodiment,
    trajectory: c.trajectory,
    seed: 0,
    id: `crosscheck-${c.id}`,
    task: "crosscheck",
    lineageSource: c.id,
  });
  const rapierWallS = (performance.now() - t0) / 1000;
  const mj = await replayInMujoco({
    scene: c.scene,
    embodiment: c.embodiment,
    gripper,
    controlHz: episode.controlHz,
    commands: episode.steps.map((s) => ({ t: s.t, action: s.action, human: s.human })),
  });
  const target = c.scene.task.targetId;
  const endR = episode.steps[episode.steps.length - 1]!.objects[target]!.pos;
  const endM = mj.steps[mj.steps.length - 1]!.objects[target]!.pos;
  return {
    id: c.id,
    variant: c.variant,
    description: c.description,
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
    agree: episode.success === mj.verdict.success,
    finalTargetGapM: distance(fromArray3(endR), fromArray3(endM)),
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
