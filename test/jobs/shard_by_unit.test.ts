/**
 * Shards by unit: the variant attempts of one source spread over all shards (each shard
 * recomputes the source episode it needs); merge keeps one copy of each and selects the same
 * episodes as one unsharded run, their cameras included: each shard renders the episodes it
 * made, and merge renders those no part recorded.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeParts } from "../../src/pipeline/jobs/merge.js";
import { memoryLog } from "../../src/pipeline/jobs/progress.js";
import { runJob } from "../../src/pipeline/jobs/run.js";
import { fileHashes, GRAB, GRAB_EMBODIMENT, requireAssets, writeJob } from "./fixtures.js";

let tmp: string;
beforeAll(async () => {
  await requireAssets([GRAB.apple]);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-byunit-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("shards by unit", () => {
  it("+ merge equal one run", async () => {
    const job = {
      demo: false,
      grab: [GRAB.apple],
      embodiments: [GRAB_EMBODIMENT],
      variants: 2,
      maxAttempts: 3,
      out: "o",
      cameras: "{ keys: [wrist], size: 32x32 }",
    } as const;
    const whole = await runJob({
      specFile: await writeJob(tmp, "whole.yaml", { ...job, out: "whole" }),
      workers: 1,
      log: memoryLog(),
    });
    const spec = await writeJob(tmp, "sharded.yaml", { ...job, out: "sharded", shardBy: "unit" });
    const parts = await Promise.all(
      [0, 1, 2].map((index) =>
        runJob({ specFile: spec, shard: { index, count: 3 }, workers: 1, log: memoryLog() }),
      ),
    );
    // Every shard ran some of the variant attempts, and the source episode each needed.
    for (const p of parts) {
      expect(p.report.units.byStage["augment"]!.done).toBe(1);
      expect(p.report.units.byStage["sim"]!.done).toBe(1);
    }
    // A part without its render records (a shard killed before rendering, its records lost):
    // merge renders those episodes itself, to the same pixels.
    const lost = path.join(parts[0]!.partDir, "units", "render");
    expect((await fs.readdir(lost)).length).toBeGreaterThan(0);
    await fs.rm(lost, { recursive: true });
    const log = memoryLog();
    await mergeParts(
      parts.map((p) => p.partDir),
      path.join(tmp, "merged"),
      { log },
    );
    expect(log.events.some((e) => e.event === "render" && e.status === "done")).toBe(true);
    expect(await fileHashes(path.join(tmp, "merged"))).toEqual(await fileHashes(whole.datasetDir!));
    expect(whole.report.dataset!.variants).toBeGreaterThan(0);
  });
});
