/** Shared inputs for sim and pipeline tests: the real GRAB sequences and the built-in demo. */
import { resolveAsset } from "../../src/core/assets.js";
import type { Vec3 } from "../../src/core/math.js";
import type { Embodiment } from "../../src/core/schemas/embodiment.js";
import type { HandTrack } from "../../src/core/schemas/hand_track.js";
import type { SceneSpec } from "../../src/core/schemas/scene.js";
import { importGrabFile } from "../../src/hands/grab.js";
import { proceduralPickToTote } from "../../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";
import { sceneFromObjectTrack } from "../../src/sim/scene_from_track.js";
import { simulateEpisode } from "../../src/sim/simulate.js";

/** A GRAB sequence from the asset folders (EGOBRIDGE_ASSETS); a missing file fails with resolveAsset's message. */
export async function grabTrack(file: string): Promise<HandTrack> {
  return importGrabFile(await resolveAsset({ name: `hands/grab/derived_json/${file}` }));
}

export interface Case {
  track: HandTrack;
  scene: SceneSpec;
  embodiment: Embodiment;
}

export async function grabCase(file: string, embodiment = "robotiq_2f85"): Promise<Case> {
  const track = await grabTrack(file);
  return {
    track,
    scene: sceneFromObjectTrack(track, `grab_${file}`),
    embodiment: await loadEmbodiment(embodiment),
  };
}

export async function demoCase(seed = 0): Promise<Case> {
  const scene = await loadScene("shelf_to_tote");
  return {
    track: proceduralPickToTote(scene, { seed }),
    scene,
    embodiment: await loadEmbodiment("robotiq_2f85"),
  };
}

export async function runCase(c: Case, seed = 0) {
  const trajectory = retargetParallelJaw(c.track, c.embodiment);
  const episode = await simulateEpisode({
    scene: c.scene,
    embodiment: c.embodiment,
    trajectory,
    seed,
    id: `test-${c.scene.name}`,
    task: "test",
    lineageSource: c.track.source.uri ?? c.track.source.kind,
  });
  return { trajectory, episode };
}

/** The scene with a fixed 4 cm box ("post") centred at p: put where an arm link passes. */
export const withPost = (scene: SceneSpec, p: Vec3): SceneSpec => ({
  ...scene,
  items: [
    ...scene.items,
    {
      kind: "box",
      id: "post",
      pose: { pos: [p.x, p.y, p.z], quatXyzw: [0, 0, 0, 1] },
      sizeM: [0.04, 0.04, 0.04],
      dynamic: false,
      massKg: 1,
      friction: 0.6,
      restitution: 0,
    },
  ],
});
