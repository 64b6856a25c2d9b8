/**
 * Reads back the metadata of a LeRobot v3.0 dataset (ours or LeRobot's): info.json, validated,
 * and the episodes table. Built on parquet-wasm through `../parquet.ts`.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { InputError } from "../../core/errors.js";
import { readContract } from "../../core/io.js";
import { type Episode, EpisodeSchema } from "../../core/schemas/episode.js";
import { decodeParquet, type ParquetRow } from "../parquet.js";
import { type LeRobotInfo, LeRobotInfoSchema } from "./info.js";
import { EPISODES_DIR, extrasEpisodePath, INFO_PATH } from "./layout.js";

export async function readLeRobotInfo(dir: string): Promise<LeRobotInfo> {
  return readContract(LeRobotInfoSchema, path.join(dir, INFO_PATH), "LeRobot info.json");
}

/** Paths of `<dir>/chunk-*\/file-*.parquet`, in chunk then file order. */
async function chunkFiles(dir: string): Promise<string[]> {
  const chunks = (await fs.readdir(dir)).filter((d) => /^chunk-\d+$/.test(d)).sort();
  const files: string[] = [];
  for (const chunk of chunks) {
    const names = (await fs.readdir(path.join(dir, chunk)))
      .filter((f) => /^file-\d+\.parquet$/.test(f))
      .sort();
    files.push(...names.map((f) => path.join(dir, chunk, f)));
  }
  return files;
}

/**
 * All rows of meta/episodes, in file order (which is episode order), as plain values: int64 as
 * numbers, list columns as arrays.
 */
export async function readEpisodesTable(dir: string): Promise<ParquetRow[]> {
  const episodesDir = path.join(dir, EPISODES_DIR);
  let files: string[];
  try {
    files = await chunkFiles(episodesDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new InputError(`not a LeRobot v3 dataset: ${episodesDir} does not exist`);
    }
    throw err;
  }
  if (files.length === 0) throw new InputError(`no episodes parquet files under ${episodesDir}`);
  const rows: ParquetRow[] = [];
  for (const file of files) rows.push(...decodeParquet(new Uint8Array(await fs.readFile(file))));
  return rows;
}

/**
 * The whole egobridge Episodes of a dataset egobridge wrote (its `extras/episodes/*.json`), in
 * episode-index order. A dataset without them (e.g. one LeRobot wrote) is an InputError.
 */
export async function readEpisodeExtras(dir: string): Promise<Episode[]> {
  const episodes: Episode[] = [];
  for await (const e of streamEpisodeExtras(dir)) episodes.push(e);
  return episodes;
}

/** The same episodes, read one at a time as they are asked for (memory: one episode). */
export async function* streamEpisodeExtras(dir: string): AsyncGenerator<Episode> {
  await readLeRobotInfo(dir);
  const folder = path.join(dir, path.dirname(extrasEpisodePath(0)));
  let names: string[];
  try {
    names = (await fs.readdir(folder)).filter((f) => /^episode_\d+\.json$/.test(f)).sort();
  } catch {
    names = [];
  }
  if (names.length === 0) {
    throw new InputError(
      `${dir} has no ${path.dirname(extrasEpisodePath(0))}/*.json: not a dataset egobridge wrote`,
      {
        hint: "augment and crosscheck need the whole episodes (scene, commands, objects) that egobridge keeps beside the tables",
      },
    );
  }
  for (const name of names) yield await readContract(EpisodeSchema, path.join(folder, name), "episode");
}
