import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { vec3 } from "../../src/core/math.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import { checkedEpisode } from "../../src/dataset/episode_input.js";
import { readEpisodesTable } from "../../src/dataset/lerobot/reader.js";
import { writeLeRobotDataset } from "../../src/dataset/lerobot/writer.js";
import { makeEmbodiment, makeEpisode } from "./factories.js";
import { snapshot } from "./snapshot.js";

/** Each factory episode (9–15 frames of ≈ 0.4 kB) is bigger than this, so each gets its own data file. */
const ONE_EPISODE_PER_FILE_MB = 2 / 1024;

const episodeSet = (n: number): Episode[] =>
  Array.from({ length: n }, (_, i) =>
    makeEpisode({
      id: `ep_${i}`,
      length: 9 + (i % 4),
      offsetM: vec3(0.01 * i, -0.02 * i, 0),
      seed: i,
      task: i % 2 === 0 ? "pick up the can" : "put the can down",
    }),
  );

async function rowsOf(file: string): Promise<Record<string, unknown>[]> {
  const buf = await fs.readFile(file);
  const bytes = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return (await parquetReadObjects({ file: bytes, compressors })) as Record<string, unknown>[];
}

const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : (v as number));

describe("writeLeRobotDataset as a stream", () => {
  let tmp: string;
  let dir: string;

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-stream-"));
    dir = path.join(tmp, "dataset");
  });
  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it("writes each episode's frames into its data file before it reads the next episode", async () => {
    const episodes = episodeSet(6);
    const seenOnDisk: { files: string[]; complete: number[] }[] = [];
    async function* source(): AsyncGenerator<Episode> {
      for (const [k, e] of episodes.entries()) {
        const building = (await fs.readdir(tmp)).filter((d) => d.startsWith("dataset.tmp-"));
        if (k > 0) {
          expect(building).toHaveLength(1);
          const data = path.join(tmp, building[0]!, "data", "chunk-000");
          const files = (await fs.readdir(data).catch(() => [])).sort();
          const complete: number[] = [];
          for (const [f, file] of files.entries()) {
            const rows = await rowsOf(path.join(data, file)).catch(() => undefined);
            if (rows) complete.push(f);
          }
          seenOnDisk.push({ files, complete });
        }
        yield e;
      }
    }
    const summary = await writeLeRobotDataset(dir, source(), { dataFilesSizeInMb: ONE_EPISODE_PER_FILE_MB });
    expect(summary.episodes).toBe(6);
    // When episode k is asked for, files 0 … k − 1 exist: k − 1 being filled (its footer not
    // yet written), the ones before it complete.
    expect(seenOnDisk).toEqual(
      [1, 2, 3, 4, 5].map((k) => ({
        files: Array.from({ length: k }, (_, f) => `file-${String(f).padStart(3, "0")}.parquet`),
        complete: Array.from({ length: k - 1 }, (_, f) => f),
      })),
    );
    const rows = await rowsOf(path.join(dir, "data/chunk-000/file-003.parquet"));
    expect(rows.map((r) => num(r.episode_index))).toEqual(Array(episodes[3]!.steps.length).fill(3));
  });

  it("splits meta/episodes into files of episodesPerMetaFile rows, each row naming its file", async () => {
    const episodes = episodeSet(5);
    await writeLeRobotDataset(dir, episodes, { episodesPerMetaFile: 2, chunksSize: 2 });
    const files = [
      ["chunk-000/file-000.parquet", 0, 0, [0, 1]],
      ["chunk-000/file-001.parquet", 0, 1, [2, 3]],
      ["chunk-001/file-000.parquet", 1, 0, [4]],
    ] as const;
    let from = 0;
    for (const [file, chunk, fileIndex, indices] of files) {
      const rows = await rowsOf(path.join(dir, "meta/episodes", file));
      expect(rows.map((r) => num(r.episode_index))).toEqual(indices);
      for (const r of rows) {
        const e = episodes[num(r.episode_index)]!;
        expect(num(r["meta/episodes/chunk_index"])).toBe(chunk);
        expect(num(r["meta/episodes/file_index"])).toBe(fileIndex);
        expect(r.episode_id).toBe(e.id);
        expect(num(r.dataset_from_index)).toBe(from);
        expect(num(r.dataset_to_index)).toBe(from + e.steps.length);
        from += e.steps.length;
      }
    }
    const table = await readEpisodesTable(dir);
    expect(table.map((r) => r.episode_index)).toEqual([0, 1, 2, 3, 4]);
    const info = JSON.parse(await fs.readFile(path.join(dir, "meta/info.json"), "utf8"));
    expect(info.total_frames).toBe(from);
  });

  it("gives the same bytes from an array, a generator and an async generator", async () => {
    const options = { dataFilesSizeInMb: 8 / 1024, episodesPerMetaFile: 3 };
    await writeLeRobotDataset(dir, episodeSet(7), options);
    const fromGenerator = path.join(tmp, "gen");
    await writeLeRobotDataset(
      fromGenerator,
      (function* () {
        yield* episodeSet(7);
      })(),
      options,
    );
    const fromAsync = path.join(tmp, "async");
    await writeLeRobotDataset(
      fromAsync,
      (async function* () {
        yield* episodeSet(7);
      })(),
      options,
    );
    const expected = await snapshot(dir);
    expect(Object.keys(expected).filter((f) => f.startsWith("data/")).length).toBeGreaterThan(1);
    expect(await snapshot(fromGenerator)).toEqual(expected);
    expect(await snapshot(fromAsync)).toEqual(expected);
  });

  it("takes episodes checked where they were made as they are, with their JSON as their extras", async () => {
    const options = { dataFilesSizeInMb: 8 / 1024, episodesPerMetaFile: 3 };
    await writeLeRobotDataset(dir, episodeSet(5), options);
    const checked = episodeSet(5).map(checkedEpisode);
    const byEpisode = new Map<unknown, Uint8Array>(checked.map((c) => [c.episode, c.json]));
    const pre = path.join(tmp, "checked");
    await writeLeRobotDataset(
      pre,
      checked.map((c) => c.episode),
      { ...options, checkedJson: (e) => byEpisode.get(e) },
    );
    // The same dataset, byte for byte, as episodes checked and serialised by the writer itself.
    expect(await snapshot(pre)).toEqual(await snapshot(dir));
    // The given bytes are the extras (the writer does not serialise the episode again), and the
    // dataset checks still run: a repeated id is refused.
    const marked = checked.map((c) => ({
      ...c,
      json: new TextEncoder().encode(`{"marked":"${c.episode.id}"}\n`),
    }));
    const byMarked = new Map<unknown, Uint8Array>(marked.map((c) => [c.episode, c.json]));
    const other = path.join(tmp, "marked");
    await writeLeRobotDataset(
      other,
      marked.map((c) => c.episode),
      { checkedJson: (e) => byMarked.get(e) },
    );
    expect(await fs.readFile(path.join(other, "extras/episodes/episode_000002.json"), "utf8")).toBe(
      '{"marked":"ep_2"}\n',
    );
    await expect(
      writeLeRobotDataset(path.join(tmp, "twice"), [checked[0]!.episode, checked[0]!.episode], {
        checkedJson: (e) => byEpisode.get(e),
      }),
    ).rejects.toThrow(/also the id of episode 0/);
  });

  it("takes fps and robot_type from the episodes when not given", async () => {
    const franka = makeEpisode({ id: "franka_0", controlHz: 20 });
    franka.embodiment = makeEmbodiment({ name: "franka_hand" });
    await writeLeRobotDataset(dir, [makeEpisode({ id: "a", controlHz: 20 }), franka]);
    const info = JSON.parse(await fs.readFile(path.join(dir, "meta/info.json"), "utf8"));
    expect(info.fps).toBe(20);
    expect(info.robot_type).toBe("franka_hand+robotiq_2f85");
  });

  it("leaves an existing dataset untouched, and no temporary folder, when the source fails midway", async () => {
    await writeLeRobotDataset(dir, episodeSet(2));
    const before = await snapshot(dir);
    async function* failing(): AsyncGenerator<Episode> {
      yield* episodeSet(4);
      throw new Error("disk went away while reading episode 4");
    }
    await expect(
      writeLeRobotDataset(dir, failing(), { dataFilesSizeInMb: ONE_EPISODE_PER_FILE_MB }),
    ).rejects.toThrow(/disk went away/);
    expect(await snapshot(dir)).toEqual(before);
    expect(await fs.readdir(tmp)).toEqual(["dataset"]);
  });
});
