/**
 * The built-in procedural pick as the benchmarks roll it out: the demonstration of a scene
 * retargeted onto one gripper, and a function that simulates it (full rollout: control,
 * recording, contacts, verdict), optionally timing Rapier's own stepping inside it.
 */
import type { SceneSpec } from "../src/core/schemas/scene.js";
import { proceduralPickToTote } from "../src/hands/procedural.js";
import { loadEmbodiment } from "../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../src/retarget/parallel_jaw.js";
import { linkageOf } from "../src/sim/gripper_models.js";
import { simulateEpisode } from "../src/sim/simulate.js";

export async function pickRollout(scene: SceneSpec, embodimentName: string) {
  const embodiment = await loadEmbodiment(embodimentName);
  const trajectory = retargetParallelJaw(
    proceduralPickToTote(scene, { seed: 0 }),
    embodiment,
    {},
    await linkageOf(embodiment),
  );
  const run = (timing?: { stepS: number }) =>
    simulateEpisode({
      scene,
      embodiment,
      trajectory,
      seed: 0,
      id: "b",
      task: "t",
      lineageSource: "bench",
      ...(timing ? { timing } : {}),
    });
  return { embodiment, trajectory, run };
}
