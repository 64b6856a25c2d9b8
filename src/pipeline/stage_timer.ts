import { performance } from "node:perf_hooks";

/** Wall time per pipeline stage: `timed("sim", () => …)` runs the stage and records its seconds. */
export function stageTimer() {
  const stageS: Record<string, number> = {};
  const timed = async <T>(stage: string, f: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await f();
    stageS[stage] = (stageS[stage] ?? 0) + (performance.now() - t0) / 1000;
    return result;
  };
  return { stageS, timed };
}
