/**
 * A job with camera streams (output.cameras): the dataset it writes carries them as LeRobot video
 * features with one decoded frame per row, and a second run over the recorded units writes the
 * same bytes, videos included.
 */
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as hdf5 from "jsfive";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { egobridge, fileHashes, writeJob } from "./fixtures.js";

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-job-cameras-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("egobridge run with output.cameras", () => {
  it("renders the dataset's episodes as video features, the same bytes on a resumed run", async () => {
    const job = await writeJob(tmp, "job.yaml", {
      out: "cams",
      variants: 1,
      maxAttempts: 2,
      workers: 1,
      formats: ["lerobot", "robomimic"],
      cameras: "{ keys: [wrist, scene], size: 64x48 }",
    });
    const first = egobridge(["run", job], tmp);
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
    const hashes = await fileHashes(dir);
    const again = egobridge(["run", job], tmp);
    expect(again.code, again.stderr).toBe(0);
    expect(await fileHashes(dir)).toEqual(hashes);
  }, 300_000);

  it("refuses a camera that does not exist, naming the field", async () => {
    const job = await writeJob(tmp, "bad.yaml", { out: "bad", cameras: "{ keys: [eye] }" });
    const r = egobridge(["run", job], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/output\.cameras\.keys/);
    // An odd size is refused before any unit runs, not when the dataset is written.
    const odd = await writeJob(tmp, "odd.yaml", { out: "odd", cameras: "{ size: 223x224 }" });
    const o = egobridge(["run", odd], tmp);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/output\.cameras\.size/);
  });
});
