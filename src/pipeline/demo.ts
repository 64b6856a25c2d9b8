import { performance } from "node:perf_hooks";
import type { Episode } from "../core/schemas/episode.js";
import { writeLeRobotDataset } from "../dataset/lerobot/index.js";
import { proceduralPickToTote } from "../hands/procedural.js";
import { retargetParallelJaw } from "../retarget/parallel_jaw.js";
import { simulateEpisode } from "../sim/simulate.js";
import { DEFAULT_EMBODIMENT, DEFAULT_SCENE, loadEmbodiment, loadScene } from "./catalog.js";

export interface DemoOptions {
  outDir: string;
  seed?: number;
  embodiment?: string;
  scene?: string;
}

export interface DemoSummary {
  outDir: string;
  episodes: number;
  successes: number;
  frames: number;
  reasons: string[];
  /** Wall time per stage (s). */
  stageS: Record<string, number>;
  synthetic: true;
}

export const DEMO_TASK = "Pick the carton from the shelf and drop it into the tote.";

/**
 * The whole chain on the built-in SYNTHETIC demonstration: procedural hand track → parallel-jaw
 * retargeting → Rapier simulation → LeRobot v3.0 dataset in `outDir`.
 */
export async function runDemo(o: DemoOptions): Promise<DemoSummary> {
  const seed = o.seed ?? 0;
  const stageS: Record<string, number> = {};
  const timed = async <T>(stage: string, f: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await f();
    stageS[stage] = (performance.now() - t0) / 1000;
    return result;
  };
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
  const dataset = await timed("dataset", () =>
    writeLeRobotDataset(o.outDir, [episode], { fps: trajectory.controlHz, robotType: embodiment.name }),
  );
  return {
    outDir: o.outDir,
    episodes: dataset.episodes,
    successes: dataset.successes,
    frames: dataset.frames,
    reasons: episode.reasons,
    stageS,
    synthetic: true,
  };
}
