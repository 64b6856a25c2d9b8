/**
 * A batch job's video input with the head camera measured: the EgoDex stapler clip with its own
 * episode file as `camera` (`{video}.hdf5`). Perception runs on the real video, each frame gets
 * the capture's head pose, and the simulation unit anchors the scene to what the hand did, as
 * `demo --video --camera` does. A video whose camera file is missing fails on its own. The
 * composite camera's render unit draws over the video's frames, and records the video by its label.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import type { HandTrack } from "../../src/core/schemas/hand_track.js";
import { cameraMotion } from "../../src/hands/camera_trajectory.js";
import { readEgoDexCamera } from "../../src/hands/egodex.js";
import { memoryLog } from "../../src/pipeline/jobs/progress.js";
import { runJob } from "../../src/pipeline/jobs/run.js";
import { type RenderRecord, readUnitHeader, readUnitPayload } from "../../src/pipeline/jobs/store.js";
import { jobYaml, requireAssets } from "./fixtures.js";

const STAPLER = "egodex/basic_pick_and_place_0/0.mp4";
const CUP = "video/egodex_cup/sample.mp4"; // no capture file beside it

let tmp: string;
let result: Awaited<ReturnType<typeof runJob>>;

async function payloads<T>(stage: string): Promise<T[]> {
  const dir = path.join(tmp, "out", "units", stage);
  const out: T[] = [];
  for (const name of (await fs.readdir(dir)).filter((n) => n.endsWith(".jsonl")).sort()) {
    const file = path.join(dir, name);
    const h = await readUnitHeader(file);
    if (h.status === "ok" && h.payloadSha256) out.push(await readUnitPayload<T>(file));
  }
  return out;
}

beforeAll(async () => {
  await requireAssets([STAPLER, STAPLER.replace(/\.mp4$/, ".hdf5"), CUP]);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-video-camera-"));
  await fs.writeFile(
    path.join(tmp, "job.yaml"),
    jobYaml({
      demo: false,
      extraInputs: [
        `  - kind: video\n    files: [asset:${STAPLER}, asset:${CUP}]\n    camera: "{video}.hdf5"`,
      ].join("\n"),
      variants: 0,
      out: "out",
      workers: 1,
      cameras: "{ keys: [composite], size: 96x54 }",
    }),
  );
  result = await runJob({ specFile: path.join(tmp, "job.yaml"), log: memoryLog() });
}, 300_000);
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("a job's video input with a camera trajectory", () => {
  it("places every frame with the capture's head pose", async () => {
    const tracks = await payloads<HandTrack>("hands");
    expect(tracks).toHaveLength(1);
    const track = tracks[0]!;
    expect(track.source.uri).toBe(STAPLER);
    expect(track.cameraTrajectory?.source).toMatch(/^egodex:0\.hdf5#/);
    // Each frame holds the capture's head pose at its time; the head moves over the clip.
    const capture = await readEgoDexCamera(await resolveAsset({ name: STAPLER.replace(/\.mp4$/, ".hdf5") }));
    expect(track.frames).toHaveLength(capture.poses.length);
    let worstM = 0;
    for (const f of track.frames) {
      const want = capture.poses[f.index!]!.p;
      const got = f.X_WC!.pos;
      worstM = Math.max(worstM, Math.hypot(got[0] - want.x, got[1] - want.y, got[2] - want.z));
    }
    expect(worstM).toBeLessThan(1e-6);
    expect(cameraMotion(capture.poses).pathM).toBeGreaterThan(0.1);
  });

  it("anchors the scene to the hand and validates the stapler pick-and-place", async () => {
    const episodes = await payloads<Episode>("sim");
    expect(episodes).toHaveLength(1);
    const e = episodes[0]!;
    expect(e.scene.description).toMatch(/^Anchored to the trajectory/);
    expect(e.reasons).toEqual(["grasped", "lifted", "placed_in_region"]);
    expect(e.success).toBe(true);
  });

  it("records that the stapler clip has one demonstrating hand: the second-hand unit has no episode", async () => {
    const dir = path.join(tmp, "out", "units", "sim");
    const headers = await Promise.all((await fs.readdir(dir)).map((n) => readUnitHeader(path.join(dir, n))));
    expect(headers.map((h) => h.outcome?.noDemonstration).filter(Boolean)).toEqual([
      "one demonstrating hand only (the right); nothing for hand 1",
    ]);
  });

  it("renders the composite camera over the video's own frames, naming the video by its label", async () => {
    const records = await payloads<RenderRecord>("render");
    expect(records.length).toBe(1);
    expect(records[0]!.variation.composite).toMatchObject({ background: "source_video", video: STAPLER });
    const info = JSON.parse(await fs.readFile(path.join(tmp, "out", "dataset", "meta", "info.json"), "utf8"));
    expect(info.features["observation.images.composite"]).toMatchObject({
      dtype: "video",
      shape: [54, 96, 3],
    });
  });

  it("fails only the video whose camera file is missing, naming the file", () => {
    expect(result.status).toBe("complete");
    expect(result.report.failures).toHaveLength(1);
    const f = result.report.failures[0]!;
    expect(f.source).toBe(CUP);
    expect(f.message).toContain("sample.hdf5");
  });
});
