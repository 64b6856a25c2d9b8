/**
 * The composite camera on a real egocentric capture (EgoDex, stapler pick-and-place, head pose
 * measured): `egobridge demo --video … --cameras head,composite`. The source episode's composite
 * frames are the video's own frames where neither hand nor robot is, decoded here by ffmpeg
 * independently of the project; the robot is drawn over them; a variant gets the rendered view
 * and its lineage says why.
 */
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import { observedStepIndex } from "../../src/dataset/timing.js";
import { egobridge } from "../jobs/fixtures.js";

const W = 320;
const H = 180;
let dir: string;
let run: Awaited<ReturnType<typeof egobridge>>;
let video: string;

/** Every frame of a video as RGB24 at W×H (ffmpeg scales the 16:9 source exactly, no bars). */
async function decode(file: string): Promise<Uint8Array[]> {
  const proc = spawn("ffmpeg", [
    ...["-v", "error", "-i", file, "-vf", `scale=${W}:${H}:flags=area`],
    ...["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
  ]);
  const chunks: Buffer[] = [];
  proc.stdout.on("data", (c: Buffer) => chunks.push(c));
  const code = await new Promise((resolve) => proc.on("close", resolve));
  expect(code).toBe(0);
  const all = Buffer.concat(chunks);
  const bytes = W * H * 3;
  return Array.from({ length: all.length / bytes }, (_, i) => all.subarray(i * bytes, (i + 1) * bytes));
}

/** Share of pixels whose channels are all within `tol` of each other's. */
function agreement(a: Uint8Array, b: Uint8Array, tol = 18): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 3) {
    if (
      Math.abs(a[i]! - b[i]!) <= tol &&
      Math.abs(a[i + 1]! - b[i + 1]!) <= tol &&
      Math.abs(a[i + 2]! - b[i + 2]!) <= tol
    )
      n++;
  }
  return n / (a.length / 3);
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-composite-video-"));
  video = await resolveAsset({ name: "egodex/basic_pick_and_place_0/0.mp4" });
  const camera = await resolveAsset({ name: "egodex/basic_pick_and_place_0/0.hdf5" });
  run = await egobridge(
    [
      ...["demo", "--video", video, "--camera", camera, "--cameras", "head,composite"],
      ...["--image-size", `${W}x${H}`, "--variants", "1", "-o", path.join(dir, "out")],
    ],
    dir,
  );
}, 300_000);
afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

const episodeFile = (i: number) =>
  path.join(dir, "out", "extras", "episodes", `episode_${String(i).padStart(6, "0")}.json`);

describe("composite camera on a real egocentric video", () => {
  it("writes the composite as a video feature of its own", async () => {
    expect(run.code, run.stderr).toBe(0);
    const info = JSON.parse(await fs.readFile(path.join(dir, "out", "meta", "info.json"), "utf8"));
    const f = info.features["observation.images.composite"];
    expect(f.dtype).toBe("video");
    expect(f.shape).toEqual([H, W, 3]);
  });

  it("records in the lineage that the source episode has the video as background, and why a variant has not", async () => {
    const source = JSON.parse(await fs.readFile(episodeFile(0), "utf8")) as Episode;
    const variant = JSON.parse(await fs.readFile(episodeFile(1), "utf8")) as Episode;
    expect(source.lineage.variant).toBeUndefined();
    const c = (source.lineage.params.render as { composite: Record<string, unknown> }).composite;
    expect(c.background).toBe("source_video");
    expect(c.maskedShare).toBeGreaterThan(0.01);
    expect(c.maskedShare).toBeLessThan(0.5);
    expect(variant.lineage.variant).toBeDefined();
    const v = (variant.lineage.params.render as { composite: Record<string, unknown> }).composite;
    expect(v).toEqual({ background: "rendered", why: expect.stringMatching(/variant/) });
  });

  it("shows the video's own frame (the one each row's step came from) around the hand and the robot", async () => {
    const source = JSON.parse(await fs.readFile(episodeFile(0), "utf8")) as Episode;
    const vdir = (key: string) =>
      path.join(dir, "out", "videos", `observation.images.${key}`, "chunk-000", "file-000.mp4");
    const [composite, head, original] = await Promise.all([
      decode(vdir("composite")),
      decode(vdir("head")),
      decode(video),
    ]);
    const rows = source.steps.length;
    expect(composite.length).toBeGreaterThanOrEqual(rows);
    let robotDrawn = 0;
    for (let t = 0; t < rows; t += 9) {
      const frame = source.steps[observedStepIndex(t)]!.human.frameIndex;
      const real = agreement(composite[t]!, original[frame]!);
      // Most of the picture is the real frame (the hand, the arm and the robot are a minority)…
      expect(real, `row ${t} (frame ${frame})`).toBeGreaterThan(0.75);
      // The head moves: the frame half a second earlier agrees clearly less (the row shows its own frame).
      expect(agreement(composite[t]!, original[frame - 15]!)).toBeLessThan(real - 0.1);
      // …and not the rendered head view of the same row.
      expect(agreement(composite[t]!, head[t]!)).toBeLessThan(0.3);
      // Not the same frame untouched either: the hand is masked and the robot drawn.
      if (real < 0.97) robotDrawn++;
    }
    expect(robotDrawn).toBeGreaterThan(rows / 9 / 2);
  });
});
