import { describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import type { SceneSpec } from "../../src/core/schemas/scene.js";
import { proceduralPickToTote } from "../../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";
import { anchoredScene, anchorTrajectory } from "../../src/sim/anchored_scene.js";
import { simulateEpisode } from "../../src/sim/simulate.js";

/** A hand-only track (no object track, like video): the synthetic pick of a thin can between totes. */
async function handOnlyTrajectory() {
  const scene: SceneSpec = await loadScene("tote_to_tote");
  const can = scene.items.find((i) => i.id === "can") as { radiusM: number };
  can.radiusM = 0.012; // a pinch under the 3 cm hysteresis threshold: the pinch cue alone sees it
  const track = { ...proceduralPickToTote(scene, { seed: 0 }), objects: [] };
  const embodiment = await loadEmbodiment("robotiq_2f85");
  return { trajectory: retargetParallelJaw(track, embodiment), embodiment };
}

describe("anchoredScene", () => {
  it("puts the target where the gripper closes and the receiver where it opens, and the replay succeeds", async () => {
    const hand = await handOnlyTrajectory();
    const { scene, trajectory } = anchorTrajectory(hand.trajectory, hand.embodiment, "anchored");
    const embodiment = hand.embodiment;
    const grasp = trajectory.steps.find((s) => s.grasp)!;
    const target = scene.items.find((i) => i.id === scene.task.targetId) as {
      pose: { pos: number[] };
      sizeM: number[];
    };
    // Straight under the grasp point, which lies within the carton's height.
    const [tx, ty, tz] = target.pose.pos as [number, number, number];
    expect(Math.hypot(tx - grasp.tcp.pos[0], ty - grasp.tcp.pos[1])).toBeLessThan(1e-9);
    expect(Math.abs(grasp.tcp.pos[2] - tz)).toBeLessThan(target.sizeM[2]! / 2);
    expect(scene.items.some((i) => i.kind === "tote")).toBe(true);
    const episode = await simulateEpisode({
      scene,
      embodiment,
      trajectory,
      seed: 0,
      id: "a",
      task: "t",
      lineageSource: "t",
    });
    expect(episode.reasons).toEqual(["grasped", "lifted", "placed_in_region"]);
  });

  it("says so when the trajectory never grasps", async () => {
    const { trajectory } = await handOnlyTrajectory();
    const open = { ...trajectory, steps: trajectory.steps.map((s) => ({ ...s, grasp: false })) };
    expect(() => anchoredScene(open, "x")).toThrow(InputError);
  });
});
