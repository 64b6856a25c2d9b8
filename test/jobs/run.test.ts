/**
 * Batch jobs end to end on the demo and real GRAB sequences: a whole run, resuming after real
 * `kill -9`s, and three shards + merge, each compared byte for byte with one uninterrupted run
 * (the LeRobot dataset and the robomimic file).
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as hdf5 from "jsfive";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../src/core/rng.js";
import { readEpisodeExtras } from "../../src/dataset/lerobot/index.js";
import { mergeParts } from "../../src/pipeline/jobs/merge.js";
import { memoryLog } from "../../src/pipeline/jobs/progress.js";
import type { JobReport } from "../../src/pipeline/jobs/report.js";
import { runJob } from "../../src/pipeline/jobs/run.js";
import { readUnitHeader } from "../../src/pipeline/jobs/store.js";
import {
  egobridge,
  fileHashes,
  GRAB,
  GRAB_EMBODIMENT,
  requireAssets,
  sleep,
  startEgobridge,
  writeJob,
} from "./fixtures.js";

let tmp: string;
let jobFile: string;
let baseline: Record<string, string>;
/** sha256 of the uninterrupted run's robomimic.hdf5. */
let robomimicHash: string;
let report: JobReport;

const sha256 = async (file: string): Promise<string> =>
  createHash("sha256")
    .update(await fs.readFile(file))
    .digest("hex");

beforeAll(async () => {
  await requireAssets([GRAB.apple, GRAB.cylinderPass]);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-jobs-"));
  jobFile = await writeJob(tmp, "job.yaml", {
    grab: [GRAB.cylinderPass, GRAB.apple],
    embodiments: [GRAB_EMBODIMENT],
    out: "whole",
    formats: ["lerobot", "robomimic"],
  });
  const r = await egobridge(["run", jobFile, "--log", "json"], tmp);
  expect(r.code, r.stderr).toBe(0);
  baseline = await fileHashes(path.join(tmp, "whole", "dataset"));
  robomimicHash = await sha256(path.join(tmp, "whole", "robomimic.hdf5"));
  report = JSON.parse(await fs.readFile(path.join(tmp, "whole", "report.json"), "utf8"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/**
 * Every recorded unit file is whole: a header line, and a payload whose hash the header holds.
 * A kill in the middle of an atomic write leaves its temporary file (`<record>.tmp-PID-RANDOM`),
 * never a partial record; the next run removes such leftovers (checked after the last run).
 */
async function expectWholeUnits(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fs.readdir(path.join(dir, "units"), { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    if (/\.jsonl\.tmp-\d+-[0-9a-f]{8}$/.test(e.name)) continue;
    expect(e.name, file).toMatch(/\.jsonl$/);
    const h = await readUnitHeader(file);
    if (h.status === "ok") {
      const text = await fs.readFile(file, "utf8");
      expect(text.endsWith("\n"), file).toBe(true);
      expect(text.split("\n").length, file).toBe(3);
    }
    n++;
  }
  return n;
}

describe("egobridge run / merge command line", () => {
  it("has --help, --dry-run, and exits 2 naming the field of a bad job spec", async () => {
    for (const cmd of ["run", "merge"]) {
      const r = await egobridge([cmd, "--help"], tmp);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout).toContain(`Usage: egobridge ${cmd}`);
    }
    const dry = await egobridge(["run", jobFile, "--dry-run", "--shard", "1/2"], tmp);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/3 sources \(1 demo, 2 grab\); shard 1\/2 \(--shard\)/);
    expect(dry.stdout).toContain("parts/shard-1-of-2");
    await fs.writeFile(
      path.join(tmp, "bad.yaml"),
      "version: 1\ninputs:\n  - kind: grab\n    files: x.json\n    stride: 0\noutput: {dir: o}\n",
    );
    const bad = await egobridge(["run", "bad.yaml"], tmp);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/inputs\.0\.stride \(line 5\)/);
  });
});

describe("egobridge run", () => {
  it("runs the demo and GRAB sequences into one dataset: sources, then their validated variants", async () => {
    expect(report.status).toBe("complete");
    expect(report.inputs).toEqual({ sources: 3, byKind: { demo: 1, grab: 2 } });
    expect(report.units.failed).toBe(0);
    expect(report.units.byStage["hands"]?.done).toBe(3);
    expect(report.units.byStage["sim"]?.done).toBe(3);
    expect(report.units.byStage["augment"]!.unitsPerS).toBeGreaterThan(0);
    const episodes = await readEpisodeExtras(path.join(tmp, "whole", "dataset"));
    expect(report.dataset!.episodes).toBe(episodes.length);
    expect(episodes.every((e) => e.success)).toBe(true);
    // Job order: each source followed by its variants in attempt order; every source kept is one of
    // the job's three, on its embodiment.
    expect(episodes[0]!.lineage.variant).toBeUndefined();
    const kept = episodes.filter((e) => e.lineage.variant === undefined).map((e) => e.id);
    expect(kept.length).toBeGreaterThan(0);
    for (const id of kept)
      expect(id).toMatch(
        new RegExp(`^(demo-shelf_to_tote-s0|apple_lift|cylindersmall_pass_1).*-${GRAB_EMBODIMENT}$`),
      );
    let source = "";
    let last = -1;
    for (const e of episodes) {
      if (e.lineage.variant === undefined) {
        source = e.id;
        last = -1;
        continue;
      }
      expect(e.lineage.sourceEpisode).toBe(source);
      expect(e.lineage.variant).toBeGreaterThan(last);
      last = e.lineage.variant;
    }
    const variants = episodes.filter((e) => e.lineage.variant !== undefined).length;
    expect(variants).toBeGreaterThan(0);
    expect(report.multiplier!.validatedVariants).toBe(variants);
    expect(Object.values(report.outcomes!.variants.succeeded).reduce((a, b) => a + b, 0)).toBe(variants);
    // No absolute path of this machine in the data.
    expect(JSON.stringify(episodes)).not.toContain(tmp);
    // The robomimic file holds the same episodes in the same order (read with jsfive).
    const buf = await fs.readFile(path.join(tmp, "whole", "robomimic.hdf5"));
    const h5 = new hdf5.File(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const data = h5.get("data") as hdf5.Group;
    expect(data.keys).toHaveLength(episodes.length);
    expect(episodes.map((_, i) => (data.get(`demo_${i}`) as hdf5.Group).attrs.episode_id)).toEqual(
      episodes.map((e) => e.id),
    );
    expect(Number(data.attrs.total)).toBe(report.dataset!.frames);
    expect(report.robomimic).toMatchObject({ file: "robomimic.hdf5", demos: episodes.length });
  });

  it("resumes after kill -9 at random points and writes a byte-identical dataset", async () => {
    const dir = path.join(tmp, "killed");
    const rng = createRng(20260127);
    let kills = 0;
    for (let round = 0; round < 3; round++) {
      const run = startEgobridge(["run", jobFile, "-o", dir, "--log", "json"], tmp);
      // Let a random number of units finish (1–3), then a random extra delay, then SIGKILL.
      const want = 1 + rng.int(3);
      const seen = () => run.lines.filter((l) => l.includes('"event":"unit"')).length;
      const t0 = Date.now();
      while (seen() < want && Date.now() - t0 < 60_000 && run.child.exitCode === null) await sleep(20);
      await sleep(rng.int(400));
      if (run.child.exitCode === null) {
        run.child.kill("SIGKILL");
        kills++;
      }
      const { signal } = await run.exited;
      if (signal !== "SIGKILL") break; // it finished before the kill
      await expectWholeUnits(dir);
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const last = await egobridge(["run", jobFile, "-o", dir, "--log", "json"], tmp);
    expect(last.code, last.stderr).toBe(0);
    expect(await fileHashes(path.join(dir, "dataset"))).toEqual(baseline);
    expect(await sha256(path.join(dir, "robomimic.hdf5"))).toBe(robomimicHash);
    const resumed: JobReport = JSON.parse(await fs.readFile(path.join(dir, "report.json"), "utf8"));
    expect(resumed.units.reused).toBeGreaterThan(0);
    // Nothing half-written is left behind.
    const names = (await fs.readdir(dir, { recursive: true })) as string[];
    expect(names.filter((n) => /\.tmp-/.test(n))).toEqual([]);
    expect(names).not.toContain("run.lock");
  });

  it("shards from the command line (--shard, Slurm's variables) merge with `egobridge merge` into one run's dataset", async () => {
    const dir = path.join(tmp, "cli-sharded");
    const first = await egobridge(["run", jobFile, "-o", dir, "--shard", "0/2", "--log", "quiet"], tmp);
    expect(first.code, first.stderr).toBe(0);
    const second = await egobridge(["run", jobFile, "-o", dir, "--log", "quiet"], tmp, {
      SLURM_ARRAY_TASK_ID: "1",
      SLURM_ARRAY_TASK_COUNT: "2",
    });
    expect(second.code, second.stderr).toBe(0);
    const parts = ["shard-0-of-2", "shard-1-of-2"].map((p) => path.join(dir, "parts", p));
    const merged = await egobridge(
      ["merge", ...parts, "-o", path.join(dir, "dataset"), "--log", "json"],
      tmp,
    );
    expect(merged.code, merged.stderr).toBe(0);
    // The log says what is written (a big dataset takes a while).
    const writes = merged.stderr
      .split("\n")
      .filter((l) => l.includes('"event":"write"'))
      .map((l) => JSON.parse(l) as { status: string; format: string });
    expect(writes.map((w) => `${w.format} ${w.status}`)).toEqual([
      "lerobot start",
      "lerobot done",
      "robomimic start",
      "robomimic done",
    ]);
    expect(await fileHashes(path.join(dir, "dataset"))).toEqual(baseline);
    expect(await sha256(path.join(dir, "robomimic.hdf5"))).toBe(robomimicHash);
  });

  it("three shards + merge equal one run", async () => {
    const log = memoryLog();
    const parts = await Promise.all(
      [0, 1, 2].map((index) =>
        runJob({
          specFile: jobFile,
          outDir: path.join(tmp, "sharded"),
          shard: { index, count: 3 },
          workers: 1,
          log,
        }),
      ),
    );
    for (const p of parts) {
      expect(p.status).toBe("complete");
      expect(p.report.kind).toBe("shard");
      expect(p.datasetDir).toBeUndefined();
    }
    const partDirs = parts.map((p) => p.partDir);
    expect(partDirs.map((d) => path.basename(d)).sort()).toEqual([
      "shard-0-of-3",
      "shard-1-of-3",
      "shard-2-of-3",
    ]);
    // A missing shard is refused, naming it.
    await expect(mergeParts(partDirs.slice(0, 2), path.join(tmp, "merged"))).rejects.toThrow(
      /shard\(s\) 2 of 3 are missing/,
    );
    const merged = await mergeParts(partDirs, path.join(tmp, "sharded", "dataset"));
    expect(await fileHashes(path.join(tmp, "sharded", "dataset"))).toEqual(baseline);
    expect(merged.robomimicFile).toBe(path.join(tmp, "sharded", "robomimic.hdf5"));
    expect(await sha256(merged.robomimicFile!)).toBe(robomimicHash);
    expect(merged.reportFile).toBe(path.join(tmp, "sharded", "report.json"));
    expect(merged.report.kind).toBe("merge");
    expect(merged.report.shards.parts).toHaveLength(3);
    expect(merged.report.multiplier).toEqual(report.multiplier);
    expect(merged.report.outcomes).toEqual(report.outcomes);
    // The job folder stands for all its parts; so do folders each shard wrote with its own output.
    const again = await mergeParts([path.join(tmp, "sharded")], path.join(tmp, "merged-job", "dataset"));
    expect(await fileHashes(path.join(tmp, "merged-job", "dataset"))).toEqual(baseline);
    expect(again.report.shards.parts).toHaveLength(3);
    const own = [0, 1, 2].map((i) => path.join(tmp, `own-${i}`));
    for (const [i, d] of own.entries())
      await fs.cp(
        path.join(tmp, "sharded", "parts", `shard-${i}-of-3`),
        path.join(d, "parts", `shard-${i}-of-3`),
        { recursive: true },
      );
    await mergeParts(own, path.join(tmp, "merged-own", "dataset"));
    expect(await fileHashes(path.join(tmp, "merged-own", "dataset"))).toEqual(baseline);
  });
});
