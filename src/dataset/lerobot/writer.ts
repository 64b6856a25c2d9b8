/**
 * Writes egobridge Episodes as a LeRobot v3.0 dataset (layout in `layout.ts`).
 *
 * The whole directory is built in a temporary sibling and swapped into place only when every
 * file is written (`writeDirAtomic`): a failure leaves an existing dataset untouched and never a
 * half-written one. Output is deterministic: the same episodes give byte-identical files.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { writeDirAtomic } from "../../core/atomic.js";
import { InputError } from "../../core/errors.js";
import type { Episode } from "../../core/schemas/episode.js";
import { encodeParquet } from "../parquet.js";
import { type EpisodeRecord, episodeRecord, episodesColumns } from "./episodes.js";
import { episodeFrames, FEATURE_KEYS, frameBytes, frameColumns } from "./features.js";
import { groupBySlot, planFiles } from "./file_plan.js";
import { buildInfo } from "./info.js";
import {
  DEFAULT_CHUNKS_SIZE,
  DEFAULT_DATA_FILES_SIZE_IN_MB,
  dataFilePath,
  episodesFilePath,
  extrasEpisodePath,
  type FileSlot,
  INFO_PATH,
  STATS_PATH,
  TASKS_PATH,
} from "./layout.js";
import { aggregateStats, episodeStats } from "./stats.js";
import { collectTasks, tasksColumns, tasksPandasMetadata } from "./tasks.js";
import { type DatasetOptions, validateEpisodes, validateOptions } from "./validate.js";

export type { DatasetOptions } from "./validate.js";

export interface DatasetSummary {
  episodes: number;
  frames: number;
  successes: number;
  /** Paths of the files written, relative to the dataset root, sorted. */
  files: string[];
}

/** All episodes' metadata fit one file here; LeRobot too starts a new one only past 100 MB. */
const EPISODES_SLOT: FileSlot = { chunkIndex: 0, fileIndex: 0 };

/** info.json / stats.json are indented like LeRobot's `write_json` (indent=4). */
const metaJson = (value: unknown): string => `${JSON.stringify(value, null, 4)}\n`;
/** Extras are compact: indented, the per-step arrays (keypoints, poses) would be most of the dataset. */
const extrasJson = (value: unknown): string => `${JSON.stringify(value)}\n`;

/** Everything decided before a byte is written: numbering, tasks and which file each episode goes to. */
interface DatasetPlan {
  episodes: Episode[];
  tasks: string[];
  taskIndex: ReadonlyMap<string, number>;
  /** Global index of each episode's first frame. */
  fromIndex: number[];
  /** Data file of each episode. */
  slots: FileSlot[];
  totalFrames: number;
  chunksSize: number;
  dataFilesSizeInMb: number;
}

function planDataset(episodes: Episode[], options: DatasetOptions): DatasetPlan {
  const chunksSize = options.chunksSize ?? DEFAULT_CHUNKS_SIZE;
  const dataFilesSizeInMb = options.dataFilesSizeInMb ?? DEFAULT_DATA_FILES_SIZE_IN_MB;
  const tasks = collectTasks(episodes.map((e) => e.task));
  let next = 0;
  const fromIndex = episodes.map((e) => {
    const from = next;
    next += e.steps.length;
    return from;
  });
  const bytesPerFrame = frameBytes();
  const slots = planFiles(
    episodes.map((e) => e.steps.length * bytesPerFrame),
    dataFilesSizeInMb,
    chunksSize,
  );
  const taskIndex = new Map(tasks.map((t, i) => [t, i]));
  return { episodes, tasks, taskIndex, fromIndex, slots, totalFrames: next, chunksSize, dataFilesSizeInMb };
}

type Put = (relative: string, data: string | Uint8Array) => Promise<void>;

/**
 * Writes the data files, one at a time so that memory holds at most one file's frames, and
 * returns each episode's record (its place and stats) for the metadata.
 */
async function writeDataFiles(plan: DatasetPlan, put: Put): Promise<EpisodeRecord[]> {
  const records: EpisodeRecord[] = [];
  for (const group of groupBySlot(plan.slots)) {
    const frames = group.episodes.map((i) => {
      const episode = plan.episodes[i]!;
      const taskIndex = plan.taskIndex.get(episode.task)!;
      return episodeFrames(episode, { episodeIndex: i, fromIndex: plan.fromIndex[i]!, taskIndex });
    });
    group.episodes.forEach((i, k) => {
      const at = {
        episodeIndex: i,
        datasetFromIndex: plan.fromIndex[i]!,
        data: group.slot,
        meta: EPISODES_SLOT,
      };
      records.push(episodeRecord(plan.episodes[i]!, { ...at, stats: episodeStats(frames[k]!) }));
    });
    await put(dataFilePath(group.slot), encodeParquet(frameColumns(frames)));
  }
  return records;
}

async function writeMetadata(plan: DatasetPlan, records: EpisodeRecord[], options: DatasetOptions, put: Put) {
  for (const [i, episode] of plan.episodes.entries()) await put(extrasEpisodePath(i), extrasJson(episode));
  await put(episodesFilePath(EPISODES_SLOT), encodeParquet(episodesColumns(records, FEATURE_KEYS)));
  await put(TASKS_PATH, encodeParquet(tasksColumns(plan.tasks), tasksPandasMetadata()));
  await put(STATS_PATH, metaJson(aggregateStats(records.map((r) => r.stats))));
  const info = buildInfo({
    robotType: options.robotType,
    fps: options.fps,
    totalEpisodes: plan.episodes.length,
    totalFrames: plan.totalFrames,
    totalTasks: plan.tasks.length,
    chunksSize: plan.chunksSize,
    dataFilesSizeInMb: plan.dataFilesSizeInMb,
  });
  await put(INFO_PATH, metaJson(info));
}

/**
 * `writeDirAtomic` replaces whatever is at `dir`; refuse unless that is nothing, an empty folder
 * or a LeRobot dataset, so a mistyped output path never deletes unrelated files.
 */
async function checkReplaceable(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    if (code === "ENOTDIR") throw new InputError(`cannot write a dataset to ${dir}: it is a file`);
    throw err;
  }
  if (entries.length === 0) return;
  try {
    await fs.access(path.join(dir, INFO_PATH));
  } catch {
    throw new InputError(`refusing to replace ${dir}: it is not empty and holds no ${INFO_PATH}`, {
      hint: "choose a new or empty output folder, or an existing LeRobot dataset to overwrite",
    });
  }
}

/**
 * Writes `episodes` (validated against the Episode contract first) as a LeRobot v3.0 dataset at
 * `dir`, replacing any dataset there. Episode `i` becomes `episode_index` i; tasks are numbered
 * in order of first appearance. Throws an InputError naming the episode and field for input that
 * cannot make a valid dataset; an existing dataset at `dir` is then left as it was. `dir` must
 * not exist, be empty, or hold a LeRobot dataset (which is replaced).
 */
export async function writeLeRobotDataset(
  dir: string,
  episodes: readonly Episode[],
  options: DatasetOptions,
): Promise<DatasetSummary> {
  validateOptions(options);
  const plan = planDataset(validateEpisodes(episodes, options.fps), options);
  await checkReplaceable(dir);
  const written: string[] = [];
  await writeDirAtomic(dir, async (root) => {
    const put: Put = async (relative, data) => {
      const file = path.join(root, relative);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, data);
      written.push(relative);
    };
    const records = await writeDataFiles(plan, put);
    await writeMetadata(plan, records, options, put);
  });
  return {
    episodes: plan.episodes.length,
    frames: plan.totalFrames,
    successes: plan.episodes.filter((e) => e.success).length,
    files: written.sort(),
  };
}
