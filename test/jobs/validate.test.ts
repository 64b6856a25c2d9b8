/**
 * A job whose variants must be confirmed by MuJoCo (`--validate both`): the kept variants carry
 * the validator in their lineage and MuJoCo's figures; the report counts those it dropped.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEpisodeExtras } from "../../src/dataset/lerobot/index.js";
import { memoryLog } from "../../src/pipeline/jobs/progress.js";
import { runJob } from "../../src/pipeline/jobs/run.js";
import { writeJob } from "./fixtures.js";

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-validate-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("egobridge run --validate both", () => {
  it("keeps only variants MuJoCo confirms and reports the ones it dropped", async () => {
    const spec = await writeJob(tmp, "job.yaml", { variants: 2, maxAttempts: 5, out: "o", workers: 1 });
    const r = await runJob({ specFile: spec, validate: "both", log: memoryLog() });
    expect(r.status).toBe("complete");
    const variants = (await readEpisodeExtras(r.datasetDir!)).filter((e) => e.lineage.variant !== undefined);
    expect(variants.length).toBeGreaterThan(0);
    for (const v of variants) {
      expect(v.lineage.params["validator"]).toBe("mujoco");
      expect(v.metrics["mujocoSuccess"]).toBe(1);
    }
    const rejected = r.report.outcomes!.variants.rejected;
    const attempts = Object.values(rejected).reduce((a, b) => a + b, 0) + variants.length;
    expect(attempts).toBe(r.report.units.byStage["augment"]!.done);
    // The same job validated by Rapier alone plans other units (the validation is part of their identity).
    const plain = await runJob({ specFile: spec, outDir: path.join(tmp, "plain"), log: memoryLog() });
    const plainVariants = (await readEpisodeExtras(plain.datasetDir!)).filter(
      (e) => e.lineage.variant !== undefined,
    );
    expect(plainVariants.every((v) => v.lineage.params["validator"] === undefined)).toBe(true);
  });
});
