/**
 * What the datasets claim, re-derived from the files alone: no episode recorded as a success has
 * any gripper part (housing or finger, placed at each step's measured TCP pose and pad positions)
 * inside fixed scenery by more than 5 mm. Checked on the demo's dataset, an augmentation of it and
 * augmentations of two real GRAB demonstrations.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEpisodeExtras } from "../../src/dataset/lerobot/index.js";
import { augmentEpisodes, sourcesOf } from "../../src/pipeline/augment.js";
import { runDemo } from "../../src/pipeline/demo.js";
import { linkageOf } from "../../src/sim/gripper_models.js";
import { MAX_SCENERY_PENETRATION_M, sceneryIncursion } from "../../src/sim/scenery_clearance.js";
import { grabCase, runCase } from "../sim/fixtures.js";

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-clearance-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function expectClear(dir: string): Promise<number> {
  const episodes = await readEpisodeExtras(dir);
  const successes = episodes.filter((e) => e.success);
  for (const e of successes) {
    const inc = sceneryIncursion(e.steps, e.scene, e.embodiment, await linkageOf(e.embodiment));
    expect(inc.maxDepthM, `${e.id}: ${JSON.stringify(inc)}`).toBeLessThanOrEqual(MAX_SCENERY_PENETRATION_M);
  }
  return successes.length;
}

describe("validated datasets: no successful episode's gripper inside fixed scenery", () => {
  it("the demo and 16 more variants of it", async () => {
    const demo = path.join(tmp, "demo");
    await runDemo({ outDir: demo, seed: 0, variants: 4 });
    expect(await expectClear(demo)).toBeGreaterThan(0);
    const sources = sourcesOf(await readEpisodeExtras(demo));
    const aug = path.join(tmp, "aug");
    await augmentEpisodes(sources, aug, { variants: 16, seed: 2 });
    expect(await expectClear(aug)).toBeGreaterThan(1);
  });

  it.each([
    ["apple_lift_frames200-300_hand_glob_poses.json", "robotiq_2f140"],
    ["cylindersmall_pass_1.json", "robotiq_2f85"],
  ])("variants of a real GRAB demonstration: %s with %s", async (file, gripper) => {
    const { episode } = await runCase(await grabCase(file, gripper));
    expect(episode.success).toBe(true);
    const out = path.join(tmp, `grab-${gripper}`);
    await augmentEpisodes([episode], out, { variants: 8, seed: 1 });
    expect(await expectClear(out)).toBeGreaterThan(1);
  });
});
