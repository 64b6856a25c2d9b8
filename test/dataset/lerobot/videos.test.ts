/**
 * Camera streams as LeRobot v3.0 video features, checked with ffprobe (an independent reader of
 * the MP4s) and hyparquet: every episode's slice of its file holds exactly its frames on the
 * fps grid, the stats carry per-channel quantiles in LeRobot's C × 1 × 1 shape, and the files
 * are the same bytes on every write.
 */
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vec3 } from "../../../src/core/math.js";
import { writeLeRobotDataset } from "../../../src/dataset/lerobot/index.js";
import { type CameraSource, openCameraSource } from "../../../src/render/camera_source.js";
import { makeEpisode } from "../factories.js";

/** Lengths whose durations are not whole milliseconds (13 / 30 s …): MP4 headers round those. */
const episodesOfOddLength = () => [
  makeEpisode({ id: "a", length: 13 }),
  makeEpisode({ id: "b", length: 7, offsetM: vec3(0.05, -0.1, 0), success: false, reasons: ["dropped"] }),
  makeEpisode({ id: "c", length: 11, offsetM: vec3(-0.04, 0.08, 0) }),
];

const KEYS = ["observation.images.head", "observation.images.wrist"];
const FPS = 30;
let tmp: string;
let source: CameraSource;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-videos-"));
  source = await openCameraSource({
    keys: ["head", "wrist"],
    size: { widthPx: 64, heightPx: 48 },
    codec: "h264",
  });
}, 60_000);
afterAll(async () => {
  await source?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

const readParquet = async (file: string) => {
  const buf = await fs.readFile(file);
  return parquetReadObjects({
    file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength),
    compressors,
  });
};

/** Packet presentation times (s) of a video's first stream, as ffprobe reads them. */
const packetTimes = (file: string): number[] =>
  execFileSync(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", file],
    {
      encoding: "utf8",
    },
  )
    .trim()
    .split("\n")
    .map(Number)
    .sort((a, b) => a - b);

const decodedFrames = (file: string): number =>
  Number(
    execFileSync(
      "ffprobe",
      [
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-count_frames",
        "-show_entries",
        "stream=nb_read_frames",
        "-of",
        "csv=p=0",
        file,
      ],
      { encoding: "utf8" },
    ).trim(),
  );

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  return out.sort();
}

describe("LeRobot video features", () => {
  it("writes each camera as a video feature whose episode slices hold exactly their frames", async () => {
    const dir = path.join(tmp, "a");
    const episodes = episodesOfOddLength();
    const summary = await writeLeRobotDataset(dir, episodes, { videos: source });
    expect(summary.files).toContain("videos/observation.images.head/chunk-000/file-000.mp4");
    expect(summary.files.some((f) => f.includes(".render"))).toBe(false);

    const info = JSON.parse(await fs.readFile(path.join(dir, "meta/info.json"), "utf8"));
    expect(info.video_path).toBe("videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4");
    for (const key of KEYS) {
      expect(info.features[key]).toMatchObject({
        dtype: "video",
        shape: [48, 64, 3],
        names: ["height", "width", "channels"],
      });
      expect(info.features[key].info["egobridge.provenance"]).toMatch(/^RENDERED .*not recorded/);
      expect(info.features[key].info).toMatchObject({
        "video.codec": "h264",
        "video.pix_fmt": "yuv420p",
        "video.fps": FPS,
      });
    }

    const rows = await readParquet(path.join(dir, "meta/episodes/chunk-000/file-000.parquet"));
    for (const key of KEYS) {
      const file = path.join(dir, `videos/${key}/chunk-000/file-000.mp4`);
      const probe = JSON.parse(
        execFileSync(
          "ffprobe",
          ["-v", "error", "-show_entries", "stream=codec_name,width,height,pix_fmt", "-of", "json", file],
          {
            encoding: "utf8",
          },
        ),
      ).streams[0];
      expect(probe).toEqual({ codec_name: "h264", width: 64, height: 48, pix_fmt: "yuv420p" });
      expect(decodedFrames(file)).toBe(summary.frames);
      const times = packetTimes(file);
      for (const row of rows) {
        const from = row[`videos/${key}/from_timestamp`] as number;
        const to = row[`videos/${key}/to_timestamp`] as number;
        expect(Number(row[`videos/${key}/chunk_index`])).toBe(0);
        expect(to - from).toBeCloseTo(Number(row.length) / FPS, 9);
        const inside = times.filter((t) => t >= from - 1e-4 && t < to - 1e-4);
        expect(inside, `${key} episode ${row.episode_index}`).toHaveLength(Number(row.length));
        // Each frame sits on the grid LeRobot asks for (from + i / fps), within its 0.1 ms tolerance.
        for (const [i, t] of inside.entries()) expect(Math.abs(t - (from + i / FPS))).toBeLessThan(1e-4);
      }
      const mean = rows[0]![`stats/${key}/mean`] as number[][][];
      expect(mean).toHaveLength(3);
      for (const c of mean) expect(c).toEqual([[expect.any(Number)]]);
    }

    const stats = JSON.parse(await fs.readFile(path.join(dir, "meta/stats.json"), "utf8"));
    for (const key of KEYS) {
      for (const name of ["min", "max", "mean", "std", "q01", "q10", "q50", "q90", "q99"]) {
        const v = stats[key][name] as number[][][];
        expect(v, `${key} ${name}`).toHaveLength(3);
        for (const [[x]] of v as [[number]][]) {
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(1);
        }
      }
      expect(stats[key].count).toEqual([summary.frames]);
      for (let c = 0; c < 3; c++)
        expect(stats[key].q01[c][0][0]).toBeLessThanOrEqual(stats[key].q99[c][0][0]);
    }

    // The same episodes give the same bytes.
    const again = path.join(tmp, "b");
    await writeLeRobotDataset(again, episodes, { videos: source });
    const files = await listFiles(dir);
    expect(await listFiles(again)).toEqual(files);
    for (const f of files)
      expect(await fs.readFile(path.join(again, f)), f).toEqual(await fs.readFile(path.join(dir, f)));
  }, 120_000);

  it("starts a new video file once one would pass video_files_size_in_mb", async () => {
    const dir = path.join(tmp, "small");
    await writeLeRobotDataset(dir, episodesOfOddLength(), { videos: source, videoFilesSizeInMb: 0.001 });
    const rows = await readParquet(path.join(dir, "meta/episodes/chunk-000/file-000.parquet"));
    const key = KEYS[1]!;
    expect(rows.map((r) => Number(r[`videos/${key}/file_index`]))).toEqual([0, 1, 2]);
    expect(rows.map((r) => r[`videos/${key}/from_timestamp`])).toEqual([0, 0, 0]);
    for (const r of rows) {
      const file = path.join(
        dir,
        `videos/${key}/chunk-000/file-${String(r[`videos/${key}/file_index`]).padStart(3, "0")}.mp4`,
      );
      expect(decodedFrames(file)).toBe(Number(r.length));
    }
    const info = JSON.parse(await fs.readFile(path.join(dir, "meta/info.json"), "utf8"));
    expect(info.video_files_size_in_mb).toBe(0.001);
  }, 120_000);
});
