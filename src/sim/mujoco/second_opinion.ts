/**
 * MuJoCo's opinion of a recorded Rapier episode: its commands replayed open-loop with the real
 * 2F-85 MJCF (replay_mujoco.ts), judged by the same predicates, and compared. The engines agree
 * when their verdicts match and the target ends within AGREE_GAP_M in both: two failures that
 * fling the object to different places are not an agreement.
 */
import { distance, fromArray3 } from "../../core/math.js";
import type { Embodiment } from "../../core/schemas/embodiment.js";
import type { Episode } from "../../core/schemas/episode.js";
import type { EpisodeValidator, ValidateEngines, Validation } from "../verdict.js";
import { type MujocoRollout, replayInMujoco } from "./replay_mujoco.js";
import { loadRobotiq2f85, type MjcfGripper, ROBOTIQ_2F85_MJCF } from "./robotiq_2f85.js";

/** The engines agree when their verdicts match and the target ends within this of itself (m). */
export const AGREE_GAP_M = 0.02;

/** The embodiment the MuJoCo replay models (its box simplification in Rapier). */
export const MJCF_EMBODIMENT = "robotiq_2f85";

/**
 * Whether MuJoCo can re-check an episode of this gripper: the 2F-85, simulated in Rapier as boxes
 * (`robotiq_2f85`) or from the same MJCF (`model.mjcf`, e.g. `robotiq_2f85_mjcf`).
 */
export const mujocoModels = (e: Embodiment): boolean =>
  e.name === MJCF_EMBODIMENT || e.model?.mjcf === ROBOTIQ_2F85_MJCF;

export interface SecondOpinion {
  agree: boolean;
  /** Distance between the target's final positions in the two engines (m). */
  finalTargetGapM: number;
  mujoco: MujocoRollout;
}

export async function mujocoOpinion(episode: Episode, gripper: MjcfGripper): Promise<SecondOpinion> {
  const mujoco = await replayInMujoco({
    scene: episode.scene,
    embodiment: episode.embodiment,
    gripper,
    controlHz: episode.controlHz,
    commands: episode.steps.map((s) => ({
      t: s.t,
      action: s.action,
      human: s.human,
      ...(s.state.joints ? { joints: s.state.joints.q } : {}),
    })),
  });
  const target = episode.scene.task.targetId;
  const endR = episode.steps[episode.steps.length - 1]!.objects[target]!.pos;
  const endM = mujoco.steps[mujoco.steps.length - 1]!.objects[target]!.pos;
  const finalTargetGapM = distance(fromArray3(endR), fromArray3(endM));
  return {
    agree: episode.success === mujoco.verdict.success && finalTargetGapM <= AGREE_GAP_M,
    finalTargetGapM,
    mujoco,
  };
}

/**
 * A validator for generated episodes: keeps a Rapier success only when MuJoCo agrees. Returns
 * the reason to reject it (`mujoco_disagrees`, or `mujoco_unsupported_embodiment` for a gripper
 * MuJoCo has no model of), or null to keep it, with the figures behind the decision.
 */
export async function mujocoValidator(mjcf?: string): Promise<EpisodeValidator> {
  const gripper = await loadRobotiq2f85(mjcf ? { file: mjcf } : {});
  return async (e: Episode): Promise<Validation> => {
    if (!mujocoModels(e.embodiment)) return { reject: "mujoco_unsupported_embodiment", metrics: {} };
    const o = await mujocoOpinion(e, gripper);
    return {
      reject: o.agree ? null : "mujoco_disagrees",
      metrics: { mujocoFinalTargetGapM: o.finalTargetGapM, mujocoSuccess: o.mujoco.verdict.success ? 1 : 0 },
    };
  };
}

/** The name a MuJoCo-validated variant records in its lineage. */
export const MUJOCO_VALIDATOR = "mujoco";

let shared: Promise<EpisodeValidator> | undefined;

/** One validator per process, on the 2F-85 MJCF from the asset folders (loaded on first use). */
export function defaultMujocoValidator(): Promise<EpisodeValidator> {
  shared ??= mujocoValidator();
  return shared;
}

/**
 * The second check a `--validate` choice asks for, named as variants record it in their lineage:
 * none for rapier, MuJoCo's for both.
 */
export async function validatorFor(
  engines: ValidateEngines,
): Promise<{ name: string; check: EpisodeValidator } | undefined> {
  return engines === "both" ? { name: MUJOCO_VALIDATOR, check: await defaultMujocoValidator() } : undefined;
}
