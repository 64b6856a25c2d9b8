/**
 * End-to-end tests of the LeRobot v3.0 writer. Every parquet file is read back with hyparquet, a
 * reader independent of the parquet-wasm/arrow stack that wrote it, and compared with values
 * computed here from the input episodes.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import { type Episode, EpisodeSchema } from "../../src/core/schemas/episode.js";
import { FEATURES, KEYPOINT_NAMES, TCP_NAMES } from "../../src/dataset/lerobot/features.js";
import { CODEBASE_VERSION, DATA_PATH } from "../../src/dataset/lerobot/layout.js";
import { readEpisodesTable, readLeRobotInfo } from "../../src/dataset/lerobot/reader.js";
import { writeLeRobotDataset } from "../../src/dataset/lerobot/writer.js";
import { CAN_ID, makeEpisode, makeEpisodes } from "./factories.js";

/** float32 keeps ~7 significant digits; values here are O(1) m, s or rad. */
const F32_TOL = 1e-6;
/** Stats are float64 sums of float32 values. */
const STATS_TOL = 1e-9;
const OPTIONS = { fps: 30, robotType: "robotiq_2f85" };

type Row = Record<string, unknown>;

async function readParquet(
  file: string,
): Promise<{ columns: string[]; rows: Row[]; kv: Map<string, string> }> {
  const buf = await fs.readFile(file);
  const file_ = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const metadata = parquetMetadata(file_);
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const rows = (await parquetReadObjects({ file: file_, compressors })) as Row[];
  const kv = new Map((metadata.key_value_metadata ?? []).map((e) => [e.key, e.value ?? ""]));
  return { columns, rows, kv };
}

const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : (v as number));

function expectClose(actual: unknown, expected: readonly number[], tol = F32_TOL): void {
  const a = actual as number[];
  expect(a).toHaveLength(expected.length);
  a.forEach((x, i) => {
    expect(Math.abs(x - expected[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!)));
  });
}

/**
 * What each vector feature should hold for a step, computed from the Episode directly. The
 * command of step i is chosen from the state before it: measured after step i − 1 (row 0: the
 * settled start, recorded as step 0's state).
 */
const expectedVectors = (e: Episode, i: number) => {
  const s = e.steps[i]!;
  const seen = e.steps[Math.max(i - 1, 0)]!;
  return {
    "observation.state": [...seen.state.tcp.pos, ...seen.state.tcp.quatXyzw, seen.state.apertureM],
    action: [...s.action.tcp.pos, ...s.action.tcp.quatXyzw, s.action.apertureM, s.action.grasp ? 1 : 0],
    "observation.environment_state": [...seen.objects[CAN_ID]!.pos, ...seen.objects[CAN_ID]!.quatXyzw],
    "human.keypoints": s.human.keypointsWorld.flat(),
  };
};

/** Independent per-component min/max/mean/std over rows of a vector feature. */
function expectedStats(rows: number[][]) {
  const dim = rows[0]!.length;
  const col = (c: number) => rows.map((r) => Math.fround(r[c]!));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    min: Array.from({ length: dim }, (_, c) => Math.min(...col(c))),
    max: Array.from({ length: dim }, (_, c) => Math.max(...col(c))),
    mean: Array.from({ length: dim }, (_, c) => mean(col(c))),
    std: Array.from({ length: dim }, (_, c) => {
      const m = mean(col(c));
      return Math.sqrt(mean(col(c).map((x) => (x - m) ** 2)));
    }),
    count: [rows.length],
  };
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await listFiles(root)) {
    out[f] = createHash("sha256")
      .update(await fs.readFile(path.join(root, f)))
      .digest("hex");
  }
  return out;
}

describe("writeLeRobotDataset", () => {
  let tmp: string;
  let dir: string;
  let episodes: Episode[];

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-lerobot-"));
    dir = path.join(tmp, "dataset");
    episodes = makeEpisodes();
  });
  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it("writes the v3.0 layout and returns a summary", async () => {
    const summary = await writeLeRobotDataset(dir, episodes, OPTIONS);
    const files = [
      "README.md",
      "data/chunk-000/file-000.parquet",
      "extras/episodes/episode_000000.json",
      "extras/episodes/episode_000001.json",
      "extras/episodes/episode_000002.json",
      "meta/episodes/chunk-000/file-000.parquet",
      "meta/info.json",
      "meta/stats.json",
      "meta/tasks.parquet",
    ];
    expect(summary).toEqual({ episodes: 3, frames: 12 + 9 + 15, successes: 2, files });
    expect(await listFiles(dir)).toEqual(files);
  });

  it("writes one row per step with continuous indices and the input values", async () => {
    await writeLeRobotDataset(dir, episodes, OPTIONS);
    const { columns, rows } = await readParquet(path.join(dir, "data/chunk-000/file-000.parquet"));
    expect(columns).toEqual(Object.keys(FEATURES));
    expect(rows).toHaveLength(36);
    let index = 0;
    episodes.forEach((e, ep) => {
      e.steps.forEach((step, i) => {
        const row = rows[index]!;
        expect(num(row.index)).toBe(index);
        expect(num(row.frame_index)).toBe(i);
        expect(num(row.episode_index)).toBe(ep);
        expect(num(row.task_index)).toBe(ep === 2 ? 1 : 0);
        expectClose([row.timestamp], [step.t - e.steps[0]!.t]);
        expect(row["next.done"]).toBe(i === e.steps.length - 1);
        expect(num(row["human.frame_index"])).toBe(step.human.frameIndex);
        expectClose([row["human.timestamp"]], [step.human.t]);
        expect(num(row["human.status"])).toBe(
          ["observed", "interpolated", "held"].indexOf(step.human.status!),
        );
        expectClose([row["human.confidence"]], [step.human.confidence!]);
        expectClose([row["human.gap_s"]], [step.human.gapS ?? 0]);
        for (const [key, expected] of Object.entries(expectedVectors(e, i))) expectClose(row[key], expected);
        index++;
      });
    });
    expect((rows[0]!["observation.state"] as number[]).length).toBe(8);
    expect((rows[0]!["human.keypoints"] as number[]).length).toBe(63);
    expect((rows[0]!.action as number[]).length).toBe(9);
    // LeRobot types features by key prefix: the human side is neither an observation nor an action.
    expect(
      columns.filter((c) => c.startsWith("observation.human") || (c.startsWith("action") && c !== "action")),
    ).toEqual([]);
  });

  it("gives every row its episode's embodiment index, named in info.json, when grippers are mixed", async () => {
    episodes[1]!.embodiment = { ...episodes[1]!.embodiment, name: "franka_hand" };
    await writeLeRobotDataset(dir, episodes, { fps: 30 });
    const { rows } = await readParquet(path.join(dir, "data/chunk-000/file-000.parquet"));
    const expected = episodes.flatMap((e, ep) => e.steps.map(() => (ep === 1 ? 1 : 0)));
    expect(rows.map((r) => num(r.embodiment_index))).toEqual(expected);
    const info = JSON.parse(await fs.readFile(path.join(dir, "meta/info.json"), "utf8"));
    expect(info.features.embodiment_index).toMatchObject({ dtype: "int64", shape: [1] });
    expect(info.features.embodiment_index.info.embodiments).toBe("0 robotiq_2f85, 1 franka_hand");
    expect(info.robot_type).toBe("franka_hand+robotiq_2f85");
  });

  it("writes the episodes table with frame ranges, stats and provenance", async () => {
    await writeLeRobotDataset(dir, episodes, OPTIONS);
    const { columns, rows } = await readParquet(path.join(dir, "meta/episodes/chunk-000/file-000.parquet"));
    for (const c of ["episode_index", "tasks", "length", "data/chunk_index", "data/file_index"]) {
      expect(columns).toContain(c);
    }
    for (const c of [
      "dataset_from_index",
      "dataset_to_index",
      "meta/episodes/chunk_index",
      "meta/episodes/file_index",
    ]) {
      expect(columns).toContain(c);
    }
    for (const key of Object.keys(FEATURES)) {
      for (const stat of ["min", "max", "mean", "std", "count", "q01", "q10", "q50", "q90", "q99"])
        expect(columns).toContain(`stats/${key}/${stat}`);
    }
    let from = 0;
    rows.forEach((row, ep) => {
      const e = episodes[ep]!;
      expect(num(row.episode_index)).toBe(ep);
      expect(row.tasks).toEqual([e.task]);
      expect(num(row.length)).toBe(e.steps.length);
      expect(num(row.dataset_from_index)).toBe(from);
      expect(num(row.dataset_to_index)).toBe(from + e.steps.length);
      expect([num(row["data/chunk_index"]), num(row["data/file_index"])]).toEqual([0, 0]);
      expect(row.success).toBe(e.success);
      expect(row.reasons).toBe(e.reasons.join(","));
      expect(row.episode_id).toBe(e.id);
      expect(row["lineage/source"]).toBe(e.lineage.source);
      expect(num(row["lineage/seed"])).toBe(e.lineage.seed);
      expect(row.embodiment).toBe("robotiq_2f85");
      const state = expectedStats(e.steps.map((_, i) => expectedVectors(e, i)["observation.state"]));
      for (const stat of ["min", "max", "mean", "std"] as const) {
        expectClose(row[`stats/observation.state/${stat}`], state[stat], STATS_TOL);
      }
      expect((row["stats/observation.state/count"] as unknown[]).map(num)).toEqual([e.steps.length]);
      expectClose(row["stats/index/min"], [from]);
      expectClose(row["stats/index/max"], [from + e.steps.length - 1]);
      from += e.steps.length;
    });
  });

  it("writes tasks.parquet so pandas restores task as the index", async () => {
    await writeLeRobotDataset(dir, episodes, OPTIONS);
    const { columns, rows, kv } = await readParquet(path.join(dir, "meta/tasks.parquet"));
    expect(columns).toEqual(["task_index", "task"]);
    expect(rows.map((r) => [num(r.task_index), r.task])).toEqual([
      [0, "pick up the can"],
      [1, "put the can down"],
    ]);
    expect(JSON.parse(kv.get("pandas")!).index_columns).toEqual(["task"]);
  });

  it("writes info.json with totals, templates and the feature table", async () => {
    await writeLeRobotDataset(dir, episodes, OPTIONS);
    const info = JSON.parse(await fs.readFile(path.join(dir, "meta/info.json"), "utf8"));
    expect(info).toMatchObject({
      codebase_version: CODEBASE_VERSION,
      robot_type: "robotiq_2f85",
      total_episodes: 3,
      total_frames: 36,
      total_tasks: 2,
      chunks_size: 1000,
      data_files_size_in_mb: 100,
      fps: 30,
      splits: { train: "0:3" },
      data_path: DATA_PATH,
      video_path: null,
    });
    expect(Number.isInteger(info.fps)).toBe(true);
    expect(Object.keys(info.features)).toEqual(Object.keys(FEATURES));
    expect(info.features["observation.state"]).toMatchObject({
      dtype: "float32",
      shape: [8],
      names: TCP_NAMES,
    });
    expect(info.features.action).toMatchObject({
      dtype: "float32",
      shape: [9],
      names: [...TCP_NAMES, "gripper.grasp"],
    });
    expect(info.features.action.info.representation).toBe("absolute");
    expect(info.features["human.keypoints"]).toMatchObject({
      shape: [63],
      names: KEYPOINT_NAMES,
    });
    expect(
      Object.keys(info.features).filter((k) => k.startsWith("observation.human") || k.startsWith("action.")),
    ).toEqual([]);
    expect(info.features.index).toEqual({ dtype: "int64", shape: [1], names: null });
    expect(info.egobridge).toMatchObject({
      frame: "W",
      quaternion_order: "xyzw",
      action_representation: "absolute",
    });
    expect(await readLeRobotInfo(dir)).toEqual(info);
  });

  it("writes a dataset card naming every feature and the conventions", async () => {
    await writeLeRobotDataset(dir, episodes, OPTIONS);
    const card = await fs.readFile(path.join(dir, "README.md"), "utf8");
    expect(card).toMatch(/^---\ntags:\n {2}- LeRobot\n/);
    for (const key of Object.keys(FEATURES)) expect(card).toContain(`| \`${key}\` |`);
    expect(card).toContain("Quaternions: [x, y, z, w]");
    expect(card).toContain("gripper.grasp");
    expect(card).toContain(`${episodes.length} episodes, 36 frames at 30 fps`);
  });

  it("writes stats.json over all frames", async () => {
    await writeLeRobotDataset(dir, episodes, OPTIONS);
    const stats = JSON.parse(await fs.readFile(path.join(dir, "meta/stats.json"), "utf8"));
    expect(Object.keys(stats)).toEqual(Object.keys(FEATURES));
    const all = episodes.flatMap((e) => e.steps.map((_, i) => expectedVectors(e, i)));
    for (const key of ["observation.state", "action", "human.keypoints"] as const) {
      const expected = expectedStats(all.map((v) => v[key]));
      for (const stat of ["min", "max", "mean", "std"] as const)
        expectClose(stats[key][stat], expected[stat], STATS_TOL);
      expect(stats[key].count).toEqual([36]);
    }
    expect(stats.index).toMatchObject({ min: [0], max: [35], mean: [17.5], count: [36] });
    expect(stats["next.done"].mean[0]).toBeCloseTo(3 / 36, 12);
  });

  it("copies the whole validated Episode to an extras sidecar", async () => {
    await writeLeRobotDataset(dir, episodes, OPTIONS);
    const extra = JSON.parse(
      await fs.readFile(path.join(dir, "extras/episodes/episode_000001.json"), "utf8"),
    );
    expect(extra).toEqual(EpisodeSchema.parse(episodes[1]));
  });

  it("rolls over to new data files and chunks when a file would be full", async () => {
    // ~394 B per frame: 12–15 frames ≈ 5–6 KB per episode, so an 8 KB limit holds one episode.
    const summary = await writeLeRobotDataset(dir, episodes, {
      ...OPTIONS,
      dataFilesSizeInMb: 8 / 1024,
      chunksSize: 2,
    });
    const data = summary.files.filter((f) => f.startsWith("data/"));
    expect(data).toEqual([
      "data/chunk-000/file-000.parquet",
      "data/chunk-000/file-001.parquet",
      "data/chunk-001/file-000.parquet",
    ]);
    const table = await readEpisodesTable(dir);
    expect(table.map((r) => [r["data/chunk_index"], r["data/file_index"]])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
    ]);
    for (const [ep, file] of data.entries()) {
      const { rows } = await readParquet(path.join(dir, file));
      expect(rows.map((r) => num(r.index))).toEqual(
        Array.from({ length: episodes[ep]!.steps.length }, (_, i) => num(table[ep]!.dataset_from_index) + i),
      );
    }
  });

  it("is deterministic: writing twice gives byte-identical files", async () => {
    await writeLeRobotDataset(dir, episodes, OPTIONS);
    const again = path.join(tmp, "again");
    await writeLeRobotDataset(again, makeEpisodes(), OPTIONS);
    expect(await snapshot(again)).toEqual(await snapshot(dir));
  });

  it("rejects an episode that violates the contract and leaves the existing dataset untouched", async () => {
    await writeLeRobotDataset(dir, episodes, OPTIONS);
    const before = await snapshot(dir);
    const bad = makeEpisode({ id: "bad" });
    bad.steps[3]!.state.tcp.quatXyzw = [0, 0, 0.5, 0.5];
    await expect(writeLeRobotDataset(dir, [...episodes, bad], OPTIONS)).rejects.toThrow(
      /episode 3 \('bad'\).*steps\.3\.state\.tcp\.quatXyzw/s,
    );
    expect(await snapshot(dir)).toEqual(before);
    expect(await fs.readdir(tmp)).toEqual(["dataset"]);
  });

  it("leaves the existing dataset untouched when building fails after files were written", async () => {
    await writeLeRobotDataset(dir, episodes, OPTIONS);
    const before = await snapshot(dir);
    // Valid contract, but the target's pose is missing at one step: found while writing the
    // second data file, after the first was written into the temporary directory.
    const bad = makeEpisode({ id: "no_target" });
    delete (bad.steps[5]!.objects as Record<string, unknown>)[CAN_ID];
    const write = writeLeRobotDataset(dir, [episodes[0]!, bad], { ...OPTIONS, dataFilesSizeInMb: 4 / 1024 });
    await expect(write).rejects.toThrow(InputError);
    await expect(write).rejects.toThrow(/'no_target' step 5: no pose for the target object 'can'/);
    expect(await snapshot(dir)).toEqual(before);
    expect(await fs.readdir(tmp)).toEqual(["dataset"]);
  });

  it("refuses to replace a folder that is not a LeRobot dataset", async () => {
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, "notes.txt"), "keep me");
    await expect(writeLeRobotDataset(dir, episodes, OPTIONS)).rejects.toThrow(/refusing to replace/);
    expect(await listFiles(dir)).toEqual(["notes.txt"]);
    const file = path.join(tmp, "file.txt");
    await fs.writeFile(file, "x");
    await expect(writeLeRobotDataset(file, episodes, OPTIONS)).rejects.toThrow(/it is a file/);
  });

  it("rejects options and episodes that cannot make one dataset", async () => {
    await expect(writeLeRobotDataset(dir, episodes, { ...OPTIONS, fps: 29.97 })).rejects.toThrow(
      /positive integer/,
    );
    await expect(writeLeRobotDataset(dir, episodes, { ...OPTIONS, fps: 20 })).rejects.toThrow(
      /controlHz is 30/,
    );
    await expect(writeLeRobotDataset(dir, [], OPTIONS)).rejects.toThrow(/no episodes/);
    const twin = [episodes[0]!, episodes[0]!];
    await expect(writeLeRobotDataset(dir, twin, OPTIONS)).rejects.toThrow(/also the id of episode 0/);
    const gap = makeEpisode();
    gap.steps[4]!.t += 0.01;
    await expect(writeLeRobotDataset(dir, [gap], OPTIONS)).rejects.toThrow(/steps 3→4/);
    await expect(fs.access(dir)).rejects.toThrow();
  });
});
