/**
 * Long videos: `segmentS` splits each video of an input into consecutive demonstrations, each its
 * own source with its own hands unit over its frames. A file that cannot be probed stays one
 * source, whose hands unit records the failure.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HandTrack } from "../../src/core/schemas/hand_track.js";
import { memoryLog } from "../../src/pipeline/jobs/progress.js";
import { planJob, runJob } from "../../src/pipeline/jobs/run.js";
import { readUnitHeader, readUnitPayload } from "../../src/pipeline/jobs/store.js";
import { jobYaml, requireAssets } from "./fixtures.js";

const VIDEO = "video/egodex_cup/sample.mp4"; // 94 frames at 30 fps
let tmp: string;
const job = (out: string, videosAtOnce?: number) =>
  jobYaml({
    demo: false,
    extraInputs: [
      `  - kind: video\n    files: asset:${VIDEO}\n    segmentS: 1\n    start: 10\n    stride: 3`,
      "  - kind: video\n    files: not_a_video.mp4\n    segmentS: 1",
    ].join("\n"),
    variants: 0,
    out,
    workers: 1,
    ...(videosAtOnce ? { videosAtOnce } : {}),
  });
beforeAll(async () => {
  await requireAssets([VIDEO]);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-segments-"));
  await fs.writeFile(path.join(tmp, "not_a_video.mp4"), "this is text, not a video\n");
  await fs.writeFile(path.join(tmp, "job.yaml"), job("out"));
  await fs.writeFile(path.join(tmp, "lanes.yaml"), job("lanes", 3));
});

/** What a finished job's units of a stage recorded (hand tracks, episodes' outcomes), by unit file name. */
async function payloads(out: string, stage: "hands" | "sim"): Promise<Record<string, string>> {
  const dir = path.join(tmp, out, "units", stage);
  const tracks: Record<string, string> = {};
  for (const name of (await fs.readdir(dir)).sort()) {
    const file = path.join(dir, name);
    const h = await readUnitHeader(file);
    if (h.status !== "ok") continue;
    // A track in full; an episode by its outcome (a failed one keeps no payload).
    tracks[name] = JSON.stringify(stage === "hands" ? await readUnitPayload(file) : h.outcome);
  }
  return tracks;
}
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("video segments", () => {
  it("split a video into sources of segmentS seconds from its start frame; an unreadable file stays one source", async () => {
    const plan = await planJob(path.join(tmp, "job.yaml"));
    expect(plan.sources.map((s) => s.label)).toEqual([
      `${VIDEO}#frames=10-40`,
      `${VIDEO}#frames=40-70`,
      `${VIDEO}#frames=70-94`,
      "not_a_video.mp4",
    ]);
  });

  it("give each segment a hands unit over its own frames; the job runs to the end", async () => {
    const r = await runJob({ specFile: path.join(tmp, "job.yaml"), log: memoryLog() });
    expect(r.status).toBe("complete");
    expect(r.report.inputs).toEqual({ sources: 4, byKind: { video: 4 } });
    expect(r.report.failures.map((f) => [f.source, f.stage])).toEqual([["not_a_video.mp4", "hands"]]);
    const dir = path.join(tmp, "out", "units", "hands");
    const tracks: { uri: string; indices: number[] }[] = [];
    for (const name of (await fs.readdir(dir)).sort()) {
      const file = path.join(dir, name);
      if ((await readUnitHeader(file)).status !== "ok") continue;
      const track = await readUnitPayload<HandTrack>(file);
      tracks.push({ uri: track.source.uri!, indices: track.frames.map((f) => f.index ?? -1) });
    }
    tracks.sort((a, b) => a.indices[0]! - b.indices[0]!);
    expect(tracks.map((t) => t.uri)).toEqual([
      `${VIDEO}#frames=10-40`,
      `${VIDEO}#frames=40-70`,
      `${VIDEO}#frames=70-94`,
    ]);
    // Every 3rd frame of each segment, nothing outside it.
    const every3 = (from: number, to: number) =>
      Array.from({ length: Math.ceil((to - from) / 3) }, (_, k) => from + 3 * k);
    expect(tracks.map((t) => t.indices)).toEqual([every3(10, 40), every3(40, 70), every3(70, 94)]);
  });

  it("perceived three at once (resources.videosAtOnce: 3, crops batched across them), give the same tracks and episodes", async () => {
    const r = await runJob({ specFile: path.join(tmp, "lanes.yaml"), log: memoryLog() });
    expect(r.status).toBe("complete");
    expect(r.report.perception).toMatchObject({ videos: 3, atOnce: 3 });
    expect(r.report.failures.map((f) => [f.source, f.stage])).toEqual([["not_a_video.mp4", "hands"]]);
    const one = await payloads("out", "hands");
    expect(Object.keys(one)).toHaveLength(3);
    expect(await payloads("lanes", "hands")).toEqual(one);
    // And so the episodes simulated from them (the outcome carries the verdict and the steps).
    const episodes = await payloads("out", "sim");
    expect(Object.keys(episodes).length).toBeGreaterThanOrEqual(3);
    expect(await payloads("lanes", "sim")).toEqual(episodes);
  });
});
