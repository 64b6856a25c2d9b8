import type { Episode } from "../core/schemas/episode.js";
import { type DatasetSummary, writeLeRobotDataset } from "../dataset/lerobot/index.js";
import { PICK_TO_TOTE_TASK, proceduralPickToTote } from "../hands/procedural.js";
import { retargetParallelJaw } from "../retarget/parallel_jaw.js";
import { simulateEpisode } from "../sim/simulate.js";
import { augmentEpisodes } from "./augment.js";
import { DEFAULT_EMBODIMENT, DEFAULT_SCENE, loadEmbodiment, loadScene } from "./catalog.js";
import { stageTimer } from "./stage_timer.js";

export interface DemoOptions {
  outDir: string;
  seed?: number;
  embodiment?: string;
  scene?: string;
  /** Validated variants to generate from the demonstration (0: the demonstration alone). */
  variants?: number;
  onProgress?: (line: string) => void;
}

export interface DemoSummary {
  outDir: string;
  episodes: number;
  successes: number;
  frames: number;
  reasons: string[];
  /** Augmentation: attempts and validated variants (absent when no variants were asked for). */
  augment?: { attempts: number; validated: number; failures: Record<string, number> };
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
  const seed = o.seed ?? 0;
  const { stageS, timed } = stageTimer();
  const scene = await loadScene(o.scene ?? DEFAULT_SCENE);
  const embodiment = await loadEmbodiment(o.embodiment ?? DEFAULT_EMBODIMENT);
  const track = await timed("hands", () => proceduralPickToTote(scene, { seed }));
  const trajectory = await timed("retarget", () => retargetParallelJaw(track, embodiment));
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
  const variants = o.variants ?? 0;
  let augment: DemoSummary["augment"];
  let dataset: DatasetSummary;
  if (variants > 0) {
    const r = await timed("augment+dataset", () =>
      augmentEpisodes([episode], o.outDir, { variants, seed, onProgress: o.onProgress }),
    );
    dataset = r.dataset;
    const s = r.stats[0]!;
    augment = { attempts: s.attempts, validated: s.successes, failures: s.failures };
  } else {
    dataset = await timed("dataset", () =>
      writeLeRobotDataset(o.outDir, [episode], { fps: trajectory.controlHz, robotType: embodiment.name }),
    );
  }
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
