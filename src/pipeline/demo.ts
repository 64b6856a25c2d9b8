import type { Episode } from "../core/schemas/episode.js";
import type { LeRobotActions } from "../dataset/lerobot/validate.js";
import { checkReplaceable } from "../dataset/lerobot/writer.js";
import { PICK_TO_TOTE_TASK, proceduralPickToTote } from "../hands/procedural.js";
import type { CameraOptions } from "../render/episode_videos.js";
import { retargetParallelJaw } from "../retarget/parallel_jaw.js";
import { linkageOf } from "../sim/gripper_models.js";
import { simulateEpisode } from "../sim/simulate.js";
import { checkActions, demonstrationDataset, type MultiplySummary } from "./augment.js";
import { DEFAULT_EMBODIMENT, DEFAULT_SCENE, loadEmbodiment, loadScene } from "./catalog.js";
import { stageTimer } from "./stage_timer.js";

export interface DemoOptions {
  outDir: string;
  seed?: number;
  embodiment?: string;
  scene?: string;
  /** Validated variants to generate from the demonstration (0: the demonstration alone). */
  variants?: number;
  /** Camera streams to render into the dataset (absent or no keys: none). */
  cameras?: CameraOptions;
  /** The dataset's actions: the commanded TCP (default) or the arm's joint targets. */
  actions?: LeRobotActions;
  onProgress?: (line: string) => void;
}

export interface DemoSummary {
  outDir: string;
  episodes: number;
  successes: number;
  frames: number;
  reasons: string[];
  /** Augmentation: attempts and validated variants (absent when no variants were asked for). */
  augment?: MultiplySummary;
  /** Wall time per stage (s). */
  stageS: Record<string, number>;
  synthetic: true;
}

export const DEMO_TASK = PICK_TO_TOTE_TASK;

/**
 * The whole chain on the built-in SYNTHETIC demonstration: procedural hand track → parallel-jaw
 * retargeting → Rapier simulation → (with `variants`) multiplication into validated variants →
 * LeRobot v3.0 dataset in `outDir`.
 */
export async function runDemo(o: DemoOptions): Promise<DemoSummary> {
  await checkReplaceable(o.outDir);
  const seed = o.seed ?? 0;
  const { stageS, timed } = stageTimer();
  const scene = await loadScene(o.scene ?? DEFAULT_SCENE);
  const embodiment = await loadEmbodiment(o.embodiment ?? DEFAULT_EMBODIMENT);
  checkActions(o.actions, embodiment);
  const track = await timed("hands", () => proceduralPickToTote(scene, { seed }));
  const linkage = await linkageOf(embodiment);
  const trajectory = await timed("retarget", () => retargetParallelJaw(track, embodiment, {}, linkage));
  const episode: Episode = await timed("sim", () =>
    simulateEpisode({
      scene,
      embodiment,
      trajectory,
      seed,
      id: `demo-${scene.name}-${embodiment.name}-s${seed}`,
      task: DEMO_TASK,
      lineageSource: `procedural:pick_to_tote:${scene.name}`,
    }),
  );
  const { dataset, augment } = await demonstrationDataset(
    [episode],
    o.outDir,
    {
      variants: o.variants ?? 0,
      seed,
      onProgress: o.onProgress,
      ...(o.cameras ? { cameras: o.cameras } : {}),
      ...(o.actions ? { actions: o.actions } : {}),
    },
    timed,
  );
  return {
    outDir: o.outDir,
    episodes: dataset.episodes,
    successes: dataset.successes,
    frames: dataset.frames,
    reasons: episode.reasons,
    ...(augment ? { augment } : {}),
    stageS,
    synthetic: true,
  };
}
