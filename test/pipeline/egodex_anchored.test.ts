/**
 * A real egocentric capture becomes a validated robot episode: the EgoDex stapler episode,
 * imported (ARKit hands + head), retargeted onto the 2F-85 and replayed in the scene anchored to
 * what the hand did, puts the object down where the human put the stapler.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import { KP } from "../../src/core/schemas/common.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import type { HandTrack } from "../../src/core/schemas/hand_track.js";
import type { RobotTrajectory } from "../../src/core/schemas/trajectory.js";
import { importEgoDexFile } from "../../src/hands/egodex.js";
import { DEFAULT_EMBODIMENT, loadEmbodiment } from "../../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";
import { anchorTrajectory } from "../../src/sim/anchored_scene.js";
import { linkageOf } from "../../src/sim/gripper_models.js";
import { sceneryIncursion } from "../../src/sim/scenery_clearance.js";
import { simulateEpisode } from "../../src/sim/simulate.js";

/** Where the done-when puts the bar: the object ends within 5 cm of where the human set it down. */
const PUT_DOWN_TOLERANCE_M = 0.05;

let track: HandTrack;
let trajectory: RobotTrajectory;
let episode: Episode;

beforeAll(async () => {
  track = await importEgoDexFile(await resolveAsset({ name: "egodex/basic_pick_and_place_0/0.hdf5" }));
  const embodiment = await loadEmbodiment(DEFAULT_EMBODIMENT);
  const anchored = anchorTrajectory(retargetParallelJaw(track, embodiment), embodiment, "anchored");
  trajectory = anchored.trajectory;
  episode = await simulateEpisode({
    scene: anchored.scene,
    embodiment,
    trajectory,
    seed: 0,
    id: "egodex-stapler",
    task: track.task ?? "",
    lineageSource: "egodex",
  });
}, 120_000);

describe("EgoDex stapler pick-and-place, anchored", () => {
  it("grasps when the hand has closed on the stapler and lets go when it has set it in the box lid", () => {
    const closed = trajectory.steps.filter((s) => s.grasp).map((s) => s.human.frameIndex);
    // From the video: the fingers close on the stapler around frame 48; it sits in the box lid, the
    // hand opening, by frame 84.
    expect(Math.min(...closed)).toBeGreaterThanOrEqual(42);
    expect(Math.min(...closed)).toBeLessThanOrEqual(56);
    expect(Math.max(...closed)).toBeGreaterThanOrEqual(68);
    expect(Math.max(...closed)).toBeLessThanOrEqual(84);
  });

  it("succeeds, physically: grasped, lifted, put down at rest where the hand let go, nothing penetrated", async () => {
    expect(episode.reasons).toEqual(["grasped", "lifted", "placed_in_region"]);
    expect(episode.success).toBe(true);
    const incursion = sceneryIncursion(
      episode.steps,
      episode.scene,
      episode.embodiment,
      await linkageOf(episode.embodiment),
    );
    expect(incursion.maxDepthM).toBeLessThan(0.005);
    // Where the human let go, from the human's own keypoints at the last grasped step: the grip
    // point between the thumb tip and the index/middle tips.
    const lastHeld = [...episode.steps].reverse().find((s) => s.action.grasp)!;
    const k = lastHeld.human.keypointsWorld;
    const grip = [0, 1].map(
      (a) => (k[KP.thumbTip]![a]! + (k[KP.indexTip]![a]! + k[KP.middleTip]![a]!) / 2) / 2,
    );
    const end = episode.steps[episode.steps.length - 1]!.objects.object!.pos;
    expect(Math.hypot(end[0] - grip[0]!, end[1] - grip[1]!)).toBeLessThan(PUT_DOWN_TOLERANCE_M);
  });
});
