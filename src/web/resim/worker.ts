/**
 * The simulation worker: Rapier (WebAssembly) and the same src/sim code the CLI runs, off the
 * page's main thread, behind comlink.
 */
import "../zod_csp.js";
import * as Comlink from "comlink";
import type { Embodiment } from "../../core/schemas/embodiment.js";
import type { SceneSpec } from "../../core/schemas/scene.js";
import { armDrawing } from "../../render/arm_render.js";
import type { ArmDrawing } from "../../render/protocol.js";
import { type ArmModelJson, armModelFromJson, setArmLoader } from "../../sim/arm.js";
import { setLinkageLoader } from "../../sim/gripper_models.js";
import type { GripperLinkage } from "../../sim/linkage_gripper.js";
import { loadRapier } from "../../sim/rapier.js";
import { type ResimRequest, type ResimResult, resimulate, runProcedural } from "./resimulate.js";

// A gripper simulated from its robot model: the preview server derives the linkage from the model
// files, which the browser cannot read (the same numbers, so the same rollout).
setLinkageLoader(async (mjcf) => {
  const r = await fetch(new URL(`/api/linkage?mjcf=${encodeURIComponent(mjcf)}`, self.location.origin));
  if (!r.ok) throw new Error(`the preview server gave no linkage for ${mjcf}: ${r.status} ${await r.text()}`);
  return (await r.json()) as GripperLinkage;
});

// An arm embodiment run on a scene (not an episode's own arm, which the request brings): the
// preview server loads the served model's arm from its files.
setArmLoader(async (e) => {
  const r = await fetch(
    new URL(`/api/arm-model?embodiment=${encodeURIComponent(e.name)}`, self.location.origin),
  );
  if (!r.ok) throw new Error(`the preview server gave no arm for ${e.name}: ${r.status} ${await r.text()}`);
  return armModelFromJson((await r.json()) as ArmModelJson);
});

const api = {
  /** Loads Rapier's WebAssembly; resolves once the worker can simulate. */
  async warmUp(): Promise<void> {
    await loadRapier();
  },
  resimulate(req: ResimRequest): Promise<ResimResult> {
    return resimulate(req);
  },
  /**
   * The built-in synthetic demonstration on a scene (scene preview); with an arm embodiment, how
   * to draw its arm as well.
   */
  async demoOnScene(
    scene: SceneSpec,
    embodiment: Embodiment,
    seed: number,
  ): Promise<ResimResult & { arm?: ArmDrawing }> {
    const t0 = performance.now();
    const episode = await runProcedural(scene, embodiment, {
      seed,
      id: `preview-${scene.name}-${embodiment.name}-s${seed}`,
      task: "Pick the target and drop it into the tote (scene preview).",
    });
    const wallS = (performance.now() - t0) / 1000;
    const arm = embodiment.arm ? await armDrawing(episode) : undefined;
    return { episode, method: "procedural", exactReplay: false, wallS, ...(arm ? { arm } : {}) };
  },
};

export type SimWorkerApi = typeof api;

Comlink.expose(api);
