/** The page's handle on the simulation worker: one worker, restarted when a run is cancelled. */
import * as Comlink from "comlink";
import type { SimWorkerApi } from "./worker.js";

let worker: Worker | undefined;
let remote: Comlink.Remote<SimWorkerApi> | undefined;

export function simWorker(): Comlink.Remote<SimWorkerApi> {
  if (!remote) {
    worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "egobridge-sim" });
    remote = Comlink.wrap<SimWorkerApi>(worker);
  }
  return remote;
}

/** Stops a run in progress (the only way to stop WebAssembly mid-run is to end the worker). */
export function cancelSimulation(): void {
  remote?.[Comlink.releaseProxy]();
  worker?.terminate();
  worker = undefined;
  remote = undefined;
}
