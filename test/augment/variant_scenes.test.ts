/**
 * Varied scenes are physically possible: no object starts inside the scenery or another object, whatever the
 * variation moved (the target onto a tote's floor, a shelf board up or down under other items).
 */
import { describe, expect, it } from "vitest";
import { augmentEpisode } from "../../src/augment/generate.js";
import { findSupport, type Target } from "../../src/core/support.js";
import { proceduralPickToTote } from "../../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";
import { simulateEpisode } from "../../src/sim/simulate.js";

describe("variant scenes", () => {
  it("a can on a tote's floor rests on the floor, not on the table the tote stands on", async () => {
    const scene = await loadScene("tote_to_tote");
    const can = scene.items.find((i) => i.id === "can") as Target;
    expect(findSupport(scene, can)).toEqual({ kind: "tote", id: "source_tote" });
  });

  it.each(["tote_to_tote", "aisle"])(
    "%s: no attempt starts with an object inside the scenery or another object",
    async (name) => {
      const scene = await loadScene(name);
      const e = await loadEmbodiment("robotiq_2f85");
      const trajectory = retargetParallelJaw(proceduralPickToTote(scene, { seed: 0 }), e);
      const source = await simulateEpisode({
        scene,
        embodiment: e,
        trajectory,
        seed: 0,
        id: name,
        task: "t",
        lineageSource: "t",
      });
      expect(source.success).toBe(true);
      const { variants, stats } = await augmentEpisode(source, {
        variants: 12,
        maxAttempts: 12,
        seed: 1,
        keepFailed: true,
        loadEmbodiment,
      });
      expect(variants).toHaveLength(12);
      expect(Object.keys(stats.failures).filter((r) => /overlap/.test(r))).toEqual([]);
      expect(stats.successes).toBeGreaterThan(0);
    },
  );
});
