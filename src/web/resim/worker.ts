/**
 * The simulation worker: Rapier (WebAssembly) and the same src/sim code the CLI runs, off the
 * page's main thread, behind comlink.
 */
import "../zod_csp.js";
import * as Comlink from "comlink";
import type { Embodiment } from "../../core/schemas/embodiment.js";
import type { SceneSpec } from "../../core/schemas/scene.js";
import { loadRapier } from "../../sim/rapier.js";
import { type ResimRequest, type ResimResult, resimulate, runProcedural } from "./resimulate.js";

const api = {
  /** Loads Rapier's WebAssembly; resolves once the worker can simulate. */
  async warmUp(): Promise<void> {
    await loadRapier();
  },
  resimulate(req: ResimRequest): Promise<ResimResult> {
    return resimulate(req);
  },
  /** The built-in synthetic demonstration on a scene (scene preview). */
  async demoOnScene(scene: SceneSpec, embodiment: Embodiment, seed: number): Promise<ResimResult> {
    const t0 = performance.now();
    const episode = await runProcedural(scene, embodiment, {
      seed,
      id: `preview-${scene.name}-${embodiment.name}-s${seed}`,
      task: "Pick the target and drop it into the tote (scene preview).",
    });
    return { episode, method: "procedural", exactReplay: false, wallS: (performance.now() - t0) / 1000 };
  },
};

export type SimWorkerApi = typeof api;

Comlink.expose(api);
