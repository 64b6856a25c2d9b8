/**
 * A job with camera streams (output.cameras): the dataset it writes carries them as LeRobot video
 * features with one decoded frame per row, and a second run over the recorded units writes the
 * same bytes, videos included. Rendering is a stage of its own: one render unit per episode the
 * dataset takes, and no other; a run killed while rendering resumes the renders it had not
 * recorded and writes the same bytes.
 */
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as hdf5 from "jsfive";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobReport } from "../../src/pipeline/jobs/report.js";
import { type RenderRecord, readUnitHeader, readUnitPayload } from "../../src/pipeline/jobs/store.js";
import { egobridge, fileHashes, sleep, startEgobridge, writeJob } from "./fixtures.js";

let tmp: string;
/** The first test's job and what it wrote, for the resumed run to match. */
let job: string;
let baseline: { dataset: Record<string, string>; robomimic: string } | undefined;

const readReport = async (dir: string): Promise<JobReport> =>
  JSON.parse(await fs.readFile(path.join(dir, "report.json"), "utf8"));

/** The render records of a job folder: the episode each rendered. */
async function renderedEpisodes(dir: string): Promise<string[]> {
  const folder = path.join(dir, "units", "render");
  const out: string[] = [];
  for (const name of (await fs.readdir(folder)).filter((n) => n.endsWith(".jsonl")).sort()) {
    const file = path.join(folder, name);
    expect((await readUnitHeader(file)).status).toBe("ok");
    out.push((await readUnitPayload<RenderRecord>(file)).episodeId);
  }
  return out.sort();
}
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-job-cameras-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("egobridge run with output.cameras", () => {
  it("renders the dataset's episodes as video features, the same bytes on a resumed run", async () => {
    job = await writeJob(tmp, "job.yaml", {
      out: "cams",
      variants: 1,
      maxAttempts: 2,
      workers: 1,
      formats: ["lerobot", "robomimic"],
      cameras: "{ keys: [wrist, scene], size: 64x48 }",
    });
    const first = await egobridge(["run", job], tmp);
    expect(first.code, first.stderr).toBe(0);
    const dir = path.join(tmp, "cams", "dataset");
    const info = JSON.parse(await fs.readFile(path.join(dir, "meta/info.json"), "utf8"));
    for (const key of ["observation.images.wrist", "observation.images.scene"]) {
      expect(info.features[key]).toMatchObject({ dtype: "video", shape: [48, 64, 3] });
      const frames = execFileSync(
        "ffprobe",
        [
          ...["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"],
          path.join(dir, `videos/${key}/chunk-000/file-000.mp4`),
        ],
        { encoding: "utf8" },
      );
      expect(Number(frames.trim()), key).toBe(info.total_frames);
    }
    // robomimic: obs/<camera>_image for each camera, one frame per row.
    const buf = await fs.readFile(path.join(tmp, "cams", "robomimic.hdf5"));
    const h5 = new hdf5.File(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const demo = h5.get("data/demo_0") as hdf5.Group;
    const rows = Number(demo.attrs.num_samples);
    for (const camera of ["wrist", "scene"]) {
      expect((h5.get(`data/demo_0/obs/${camera}_image`) as hdf5.Dataset).shape).toEqual([rows, 48, 64, 3]);
      expect((h5.get(`data/demo_0/next_obs/${camera}_image`) as hdf5.Dataset).shape).toEqual([
        rows,
        48,
        64,
        3,
      ]);
    }
    // Only the episodes the dataset takes were rendered, each once, by render units.
    const report = await readReport(path.join(tmp, "cams"));
    expect(report.units.byStage["render"]).toMatchObject({
      done: info.total_episodes,
      ran: info.total_episodes,
    });
    const episodes = await fs.readFile(path.join(dir, "meta/episodes/chunk-000/file-000.parquet"));
    const ids = await renderedEpisodes(path.join(tmp, "cams"));
    expect(ids).toHaveLength(info.total_episodes);
    for (const id of ids) expect(episodes.includes(Buffer.from(id)), id).toBe(true);
    const hashes = await fileHashes(dir);
    const again = await egobridge(["run", job], tmp);
    expect(again.code, again.stderr).toBe(0);
    expect(await fileHashes(dir)).toEqual(hashes);
    expect((await readReport(path.join(tmp, "cams"))).units.byStage["render"]).toMatchObject({
      reused: info.total_episodes,
      ran: 0,
    });
    baseline = { dataset: hashes, robomimic: (await fileHashes(path.join(tmp, "cams")))["robomimic.hdf5"]! };
  }, 300_000);

  it("resumes a run killed while rendering: the renders recorded stay, the others run, same bytes", async () => {
    expect(baseline, "needs the first test's run").toBeDefined();
    const dir = path.join(tmp, "killed");
    const run = startEgobridge(["run", job, "-o", dir, "--log", "json"], tmp);
    const rendered = () =>
      run.lines.filter((l) => l.includes('"event":"unit"') && l.includes('"stage":"render"'));
    const t0 = Date.now();
    while (rendered().length < 1 && Date.now() - t0 < 240_000 && run.child.exitCode === null) await sleep(20);
    expect(run.child.exitCode, "the run finished before a render was recorded").toBeNull();
    run.child.kill("SIGKILL");
    await run.exited;
    const before = (await renderedEpisodes(dir)).length;
    expect(before).toBeGreaterThanOrEqual(1);
    const last = await egobridge(["run", job, "-o", dir, "--log", "json"], tmp);
    expect(last.code, last.stderr).toBe(0);
    const report = await readReport(dir);
    const total = report.dataset!.episodes;
    expect(report.units.byStage["render"]).toMatchObject({
      done: total,
      reused: before,
      ran: total - before,
    });
    expect(await fileHashes(path.join(dir, "dataset"))).toEqual(baseline!.dataset);
    expect((await fileHashes(dir))["robomimic.hdf5"]).toBe(baseline!.robomimic);
    // Nothing half-rendered is left behind.
    const names = (await fs.readdir(dir, { recursive: true })) as string[];
    expect(names.filter((n) => /\.tmp-/.test(n))).toEqual([]);
  }, 300_000);

  it("refuses a camera that does not exist, naming the field", async () => {
    const job = await writeJob(tmp, "bad.yaml", { out: "bad", cameras: "{ keys: [eye] }" });
    const r = await egobridge(["run", job], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/output\.cameras\.keys/);
    // An odd size is refused before any unit runs, not when the dataset is written.
    const odd = await writeJob(tmp, "odd.yaml", { out: "odd", cameras: "{ size: 223x224 }" });
    const o = await egobridge(["run", odd], tmp);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/output\.cameras\.size/);
  });
});
