/**
 * `egobridge extract` and `egobridge demo --video` as a user runs them: a child process on the
 * TypeScript sources, real videos, exit codes, messages, and what is (not) left on disk.
 */
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HandTrackSchema } from "../../src/core/schemas/hand_track.js";
import { startPreviewServer } from "../../src/preview/server.js";
import { egobridge } from "../jobs/fixtures.js";
import { asset, EGODEX_CAMERA, EGODEX_CUP, makeBadVideos } from "./assets.js";

let tmp: string;
let egodex: string;
let bad: Awaited<ReturnType<typeof makeBadVideos>>;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-cli-extract-"));
  egodex = await asset(EGODEX_CUP);
  bad = await makeBadVideos(tmp, egodex);
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** One decoded RGB frame of a video. */
const frameRgb = (file: string, index: number): Buffer =>
  execFileSync(
    "ffmpeg",
    [
      ...["-v", "error", "-i", file, "-vf", `select=eq(n\\,${index})`, "-frames:v", "1"],
      ...["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );

describe("egobridge extract", () => {
  it("writes a valid HandTrack and a QA overlay with the skeletons drawn in", async () => {
    const dir = await fs.mkdtemp(path.join(tmp, "ok-"));
    const r = await egobridge(
      [
        "extract",
        egodex,
        "-o",
        "track.json",
        "--overlay",
        "qa.mp4",
        "--stride",
        "2",
        "--end",
        "20",
        "--camera",
        EGODEX_CAMERA,
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/track\.json: 10 frames at 15 Hz, hands in 10, both hands in \d+/);
    expect(r.stdout).toMatch(/overlay: qa\.mp4 \(10 frames, (libx264|mpeg4)\)/);
    const track = HandTrackSchema.parse(JSON.parse(await fs.readFile(path.join(dir, "track.json"), "utf8")));
    expect(track.frames.map((f) => f.index)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(track.camera!.provenance).toBe("dataset");
    const probe = JSON.parse(
      execFileSync("ffprobe", [
        ...["-v", "error", "-count_frames", "-select_streams", "v:0"],
        ...[
          "-show_entries",
          "stream=codec_name,pix_fmt,width,height,nb_read_frames",
          "-of",
          "json",
          path.join(dir, "qa.mp4"),
        ],
      ]).toString(),
    ).streams[0];
    expect(probe).toMatchObject({ width: 1920, height: 1080, pix_fmt: "yuv420p", nb_read_frames: "10" });
    // At each hand's index fingertip the overlay differs clearly from the source frame (a drawn joint).
    const src = frameRgb(egodex, 0);
    const qa = frameRgb(path.join(dir, "qa.mp4"), 0);
    for (const h of track.frames[0]!.hands) {
      const [x, y] = h.keypointsPx![8]!;
      const q = (Math.floor(y) * 1920 + Math.floor(x)) * 3;
      const diff =
        Math.abs(src[q]! - qa[q]!) + Math.abs(src[q + 1]! - qa[q + 1]!) + Math.abs(src[q + 2]! - qa[q + 2]!);
      expect(diff, `${h.side} index tip at ${x.toFixed(0)},${y.toFixed(0)}`).toBeGreaterThan(80);
    }
    // Labels (bitmap font, font pixel s = 1080 / 200 px): the frame number top left on a black box,
    // changing from frame to frame, and a legend bottom left in the colours it explains.
    const s = 5;
    const pixels = (rgb: Buffer, x0: number, y0: number, w: number, h: number) =>
      Array.from({ length: w * h }, (_, k) => {
        const q = ((y0 + Math.floor(k / w)) * 1920 + x0 + (k % w)) * 3;
        return [rgb[q]!, rgb[q + 1]!, rgb[q + 2]!] as const;
      });
    const near = (p: readonly number[], c: readonly number[]) =>
      Math.hypot(p[0]! - c[0]!, p[1]! - c[1]!, p[2]! - c[2]!) < 70;
    const box = pixels(qa, 2 * s, 2 * s, 40 * s, 9 * s);
    expect(box.filter((p) => near(p, [0, 0, 0])).length / box.length).toBeGreaterThan(0.5);
    expect(box.filter((p) => near(p, [255, 255, 255])).length / box.length).toBeGreaterThan(0.05);
    const digit = (rgb: Buffer) => pixels(rgb, 39 * s, 3 * s, 5 * s, 7 * s);
    const next = frameRgb(path.join(dir, "qa.mp4"), 1);
    const changed = digit(qa).filter((p, k) => Math.abs(p[0] - digit(next)[k]![0]) > 100).length;
    expect(changed, "the frame number differs between frames 0 and 2").toBeGreaterThan(5 * s * s);
    const legend = pixels(qa, 0, 1080 - 12 * s, 1920, 10 * s);
    for (const c of [
      [0, 210, 255],
      [255, 60, 170],
      [255, 230, 0],
    ])
      expect(legend.filter((p) => near(p, c)).length, `legend pixels of ${c}`).toBeGreaterThan(3 * s * s);
    expect((await fs.readdir(dir)).sort()).toEqual(["qa.mp4", "track.json"]);
  });

  it.each([
    ["a truncated mp4", "truncated", /not a readable video[\s\S]*moov atom not found/],
    ["a truncated faststart mp4", "truncatedFaststart", /ended after \d+ of 94 expected frames/],
    ["a text file named .mp4", "text", /not a readable video/],
    ["an empty file", "empty", /empty \(0 bytes\)/],
    ["a missing file", "missing", /video not found/],
    ["a video with no hands", "noHands", /no hands found in 8 frames/],
    [
      "a video too long for one track file (checked before decoding)",
      "tooLong",
      /100000 frames selected, more than the 96636 one hand-track file can hold[\s\S]*segmentS/,
    ],
  ] as const)("%s: a clear error, exit code 2, nothing written", async (_name, key, message) => {
    const dir = await fs.mkdtemp(path.join(tmp, `bad-${key}-`));
    const r = await egobridge(["extract", bad[key], "-o", "track.json", "--overlay", "qa.mp4"], dir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^egobridge: error: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it("a missing model file: says which asset, where it looked and how to provide it; nothing written", async () => {
    const dir = await fs.mkdtemp(path.join(tmp, "nomodel-"));
    const empty = await fs.mkdtemp(path.join(tmp, "empty-assets-"));
    const r = await egobridge(["extract", egodex, "-o", "track.json"], dir, {
      EGOBRIDGE_ASSETS: empty,
      EGOBRIDGE_ASSETS_BESIDE: "0",
      EGOBRIDGE_CACHE: empty,
      EGOBRIDGE_OFFLINE: "1",
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /asset not found: models\/mediapipe_0\.10\.14_lite\/mediapipe_legacy_0_10_14_palm_detection_lite\.onnx/,
    );
    expect(r.stderr).toMatch(/hint: set EGOBRIDGE_ASSETS/);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it("bad options: unknown device or model pair", async () => {
    const r1 = await egobridge(["extract", egodex, "-o", "t.json", "--device", "tpu"], tmp);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/--device must be one of cpu, webgpu, cuda, auto/);
    const r2 = await egobridge(["extract", egodex, "-o", "t.json", "--models", "huge"], tmp);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/unknown model pair 'huge'[\s\S]*default, keijiro/);
  });

  it("--help lists the options", async () => {
    const r = await egobridge(["extract", "--help"], tmp);
    expect(r.code).toBe(0);
    for (const o of ["--camera", "--device", "--models", "--overlay", "--stride", "--mirrored"])
      expect(r.stdout).toContain(o);
  });
});

describe("egobridge demo --video", () => {
  it("runs extract → retarget → sim → dataset on the real clip and says what it assumed", async () => {
    const dir = await fs.mkdtemp(path.join(tmp, "demo-"));
    const r = await egobridge(
      ["demo", "--video", egodex, "--camera", EGODEX_CAMERA, "--stride", "2", "-o", "ds"],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/REAL video; 47 frames/);
    expect(r.stdout).toMatch(/verdict: +(SUCCESS|FAILURE) \(/);
    expect(r.stdout).toMatch(/assumed: +camera pose X_WC ASSUMED/);
    expect(r.stdout).toMatch(/assumed: +object ASSUMED/);
    const info = JSON.parse(await fs.readFile(path.join(dir, "ds", "meta", "info.json"), "utf8"));
    expect(info.codebase_version).toBe("v3.0");
    expect(info.total_episodes).toBe(1);
    // The dataset carries its source video and names it relative to itself: moved elsewhere, the
    // preview still serves it where the episode says.
    const episode = JSON.parse(
      await fs.readFile(path.join(dir, "ds", "extras", "episodes", "episode_000000.json"), "utf8"),
    );
    expect(episode.source.uri).toBe("extras/source/sample.mp4");
    const moved = path.join(tmp, "moved-dataset");
    await fs.rename(path.join(dir, "ds"), moved);
    const server = await startPreviewServer({
      dataDir: moved,
      appDir: moved,
      scenesDir: moved,
      modelsDir: moved,
      port: 0,
    });
    try {
      const res = await fetch(new URL(`data/${episode.source.uri}`, server.url));
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(await fs.readFile(egodex))).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe("EGOBRIDGE_ONNXRUNTIME_NODE (an onnxruntime-node folder of one's own, e.g. with the CUDA EP)", () => {
  const installed = path.join(import.meta.dirname, "..", "..", "node_modules", "onnxruntime-node");
  const extract = (dir: string, env: string) =>
    egobridge(["extract", egodex, "-o", "track.json", "--end", "3"], dir, {
      EGOBRIDGE_ONNXRUNTIME_NODE: env,
    });

  it("runs extract on the package it names", async () => {
    const dir = await fs.mkdtemp(path.join(tmp, "ort-"));
    const r = await extract(dir, installed);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/track\.json: 3 frames/);
  });

  it("says which folder could not be loaded and how to fix it, and writes nothing", async () => {
    const dir = await fs.mkdtemp(path.join(tmp, "ort-bad-"));
    // The package's JavaScript without its native library.
    const copy = path.join(dir, "onnxruntime-node");
    await fs.mkdir(path.join(copy, "node_modules"), { recursive: true });
    await fs.cp(path.join(installed, "dist"), path.join(copy, "dist"), { recursive: true });
    await fs.copyFile(path.join(installed, "package.json"), path.join(copy, "package.json"));
    await fs.symlink(
      path.join(installed, "..", "onnxruntime-common"),
      path.join(copy, "node_modules", "onnxruntime-common"),
    );
    const r = await extract(dir, copy);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`EGOBRIDGE_ONNXRUNTIME_NODE=${copy}: cannot load onnxruntime-node`);
    expect(r.stderr).toMatch(/onnxruntime_binding\.node/);
    expect(r.stderr).toMatch(/hint: .*cuda-ep-bundle\.sh/);
    await expect(fs.access(path.join(dir, "track.json"))).rejects.toThrow();
  });
});
