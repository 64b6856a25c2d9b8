/**
 * Units that fail (an unreadable GRAB file, a file that is no video, a unit past its time limit)
 * are recorded with their reason and do not stop the job; --max-failures stops it, and a later
 * run continues from what was recorded. Dataset inputs: episodes of a dataset egobridge wrote.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEpisodeExtras } from "../../src/dataset/lerobot/index.js";
import { readPart } from "../../src/pipeline/jobs/parts.js";
import { memoryLog } from "../../src/pipeline/jobs/progress.js";
import { runJob } from "../../src/pipeline/jobs/run.js";
import { egobridge, GRAB, GRAB_EMBODIMENT, jobYaml, requireAssets } from "./fixtures.js";

const VIDEO = "video/egodex_cup/sample.mp4";
let tmp: string;
beforeAll(async () => {
  await requireAssets([GRAB.apple, GRAB.wristCentred]);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-jobfail-"));
  await fs.writeFile(path.join(tmp, "not_a_video.mp4"), "this is text, not a video\n");
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const badJob = (out: string, extra = "") =>
  jobYaml({
    demo: false,
    grab: [GRAB.apple, GRAB.wristCentred],
    embodiments: [GRAB_EMBODIMENT],
    extraInputs: "  - kind: video\n    files: not_a_video.mp4",
    variants: 0,
    out,
    workers: 1,
  }) + extra;

describe("failed units", () => {
  it("are recorded with their reason; the job goes on and writes what succeeded", async () => {
    await fs.writeFile(path.join(tmp, "bad.yaml"), badJob("bad"));
    const log = memoryLog();
    const r = await runJob({ specFile: path.join(tmp, "bad.yaml"), log });
    expect(r.status).toBe("complete");
    expect(r.report.failuresByCode).toEqual({ input_error: 2 });
    const byStage = r.report.failures.map((f) => [f.source, f.stage]);
    expect(byStage).toEqual([
      [GRAB.wristCentred, "hands"],
      ["not_a_video.mp4", "hands"],
    ]);
    expect(r.report.failures[0]!.message).toMatch(/wrist-centred/);
    expect(r.report.failures[1]!.message).toMatch(/not_a_video\.mp4/);
    expect(r.report.outcomes!.sources.failed).toEqual({ input_error: 2 });
    const episodes = await readEpisodeExtras(r.datasetDir!);
    expect(episodes.map((e) => e.lineage.source)).toEqual([`grab:${GRAB.apple}`]);
    expect(log.events.filter((e) => e["status"] === "failed")).toHaveLength(2);
  });

  it("--max-failures stops the job with nothing lost; a later run continues", async () => {
    await fs.writeFile(path.join(tmp, "stop.yaml"), badJob("stop"));
    const stopped = await runJob({ specFile: path.join(tmp, "stop.yaml"), maxFailures: 0, log: memoryLog() });
    expect(stopped.status).toBe("stopped");
    expect(stopped.report.stopped).toMatch(/more than --max-failures 0/);
    expect(stopped.datasetDir).toBeUndefined();
    const part = await readPart(path.join(tmp, "stop"));
    expect(part.complete).toBe(false);
    await expect(fs.access(path.join(tmp, "stop", "dataset"))).rejects.toThrow();
    // The CLI says so with its exit code.
    const cli = await egobridge(["run", "stop.yaml", "--max-failures", "1", "--log", "quiet"], tmp);
    expect(cli.code, cli.stderr).toBe(5);
    const resumed = await runJob({ specFile: path.join(tmp, "stop.yaml"), maxFailures: 2, log: memoryLog() });
    expect(resumed.status).toBe("complete");
    expect(resumed.report.units.reused).toBeGreaterThan(0);
    expect(resumed.report.dataset!.episodes).toBe(1);
  });

  it("a unit past its time limit fails with 'timeout' and its worker is replaced", async () => {
    const text = badJob("timeout").replace("resources:", "resources:\n  unitTimeoutS: 0.001");
    await fs.writeFile(path.join(tmp, "timeout.yaml"), text);
    const r = await runJob({ specFile: path.join(tmp, "timeout.yaml"), log: memoryLog() });
    expect(r.status).toBe("complete");
    expect(r.report.failuresByCode["timeout"]).toBeGreaterThanOrEqual(1);
    expect(r.report.units.done).toBe(3);
  });
});

describe("video inputs", () => {
  it("are one unit each (perception), followed by the same chain", async () => {
    await requireAssets([VIDEO]);
    const text = jobYaml({
      demo: false,
      extraInputs: `  - kind: video\n    files: asset:${VIDEO}\n    stride: 10`,
      variants: 0,
      out: "video",
    });
    await fs.writeFile(path.join(tmp, "video.yaml"), text);
    const r = await runJob({ specFile: path.join(tmp, "video.yaml"), log: memoryLog() });
    expect(r.report.failures).toEqual([]);
    expect(r.report.perception).toMatchObject({ videos: 1, devices: ["cpu"] });
    expect(r.report.perception!.frames).toBeGreaterThan(5);
    // The cup is ASSUMED where the gripper closes (video_demo.ts); the verdict is whatever physics says.
    // One simulation unit per hand slot: the manipulating hand, and the other hand, which
    // simulates only when it demonstrates too.
    expect(r.report.units.byStage["sim"]!.done).toBe(2);
    expect(r.report.sources![0]!.source).toBe(VIDEO);
  });
});

describe("dataset inputs", () => {
  it("take the episodes of a dataset egobridge wrote as they are", async () => {
    const source = path.join(tmp, "bad", "dataset");
    const text = jobYaml({
      demo: false,
      extraInputs: `  - kind: dataset\n    path: ${source}`,
      variants: 0,
      out: "again",
    });
    await fs.writeFile(path.join(tmp, "again.yaml"), text);
    const r = await runJob({ specFile: path.join(tmp, "again.yaml"), workers: 0, log: memoryLog() });
    expect(r.report.inputs.byKind).toEqual({ episode: 1 });
    const a = await fs.readFile(path.join(source, "extras/episodes/episode_000000.json"), "utf8");
    const b = await fs.readFile(path.join(r.datasetDir!, "extras/episodes/episode_000000.json"), "utf8");
    expect(b).toBe(a);
  });
});
