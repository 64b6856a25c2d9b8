/**
 * Writes egobridge Episodes as a LeRobot v3.0 dataset (layout in `layout.ts`), streaming: episodes
 * arrive one at a time and each data file is written as soon as it is full.
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
import { encodeParquet, type ParquetSink, ParquetStreamWriter } from "../parquet.js";
import { datasetCard } from "./card.js";
import { type EpisodeRecord, episodeRecord, episodesColumns } from "./episodes.js";
import {
  datasetFeatures,
  episodeFrames,
  FEATURE_KEYS,
  type FeatureSpec,
  frameBytes,
  frameColumns,
  tableFeatures,
} from "./features.js";
import { FIRST_SLOT, FileRoller, nextSlot } from "./file_plan.js";
import { buildInfo } from "./info.js";
import {
  CARD_PATH,
  DEFAULT_CHUNKS_SIZE,
  DEFAULT_DATA_FILES_SIZE_IN_MB,
  DEFAULT_VIDEO_FILES_SIZE_IN_MB,
  dataFilePath,
  episodesFilePath,
  extrasEpisodePath,
  type FeatureKey,
  type FileSlot,
  INFO_PATH,
  STATS_PATH,
  TASKS_PATH,
} from "./layout.js";
import { type DatasetStats, episodeStats, StatsAccumulator } from "./stats.js";
import { tasksColumns, tasksPandasMetadata } from "./tasks.js";
import { type DatasetOptions, EpisodeValidator, validateOptions } from "./validate.js";
import { VideoFileRoller, type VideoPlace } from "./videos.js";

export type { DatasetOptions } from "./validate.js";

export interface DatasetSummary {
  episodes: number;
  frames: number;
  successes: number;
  /** Paths of the files written, relative to the dataset root, sorted. */
  files: string[];
}

/**
 * Default rows per meta/episodes file. LeRobot reads every file under meta/episodes and each row
 * says which file holds it (`meta/episodes/chunk_index`, `…/file_index`), so the split is free; a
 * fixed count keeps the writer's memory bounded however many episodes a dataset has.
 */
export const DEFAULT_EPISODES_PER_META_FILE = 1000;

/** Scratch folder of the episodes' rendered streams inside the dataset being built; removed at the end. */
const RENDER_DIR = ".render";

/** stats.json: as accumulated, with camera streams' per-channel figures shaped C × 1 × 1 as LeRobot keeps them. */
function statsJson(stats: DatasetStats, imageKeys: ReadonlySet<string>) {
  return Object.fromEntries(
    Object.entries(stats).map(([key, s]) => [
      key,
      imageKeys.has(key) && s
        ? Object.fromEntries(
            Object.entries(s).map(([name, v]) => [
              name,
              name === "count" ? v : (v as number[]).map((x) => [[x]]),
            ]),
          )
        : s,
    ]),
  );
}

/** info.json / stats.json are indented like LeRobot's `write_json` (indent=4). */
const metaJson = (value: unknown): string => `${JSON.stringify(value, null, 4)}\n`;
/** Extras are compact: indented, the per-step arrays (keypoints, poses) would be most of the dataset. */
const extrasJson = (value: unknown): string => `${JSON.stringify(value)}\n`;

type Put = (relative: string, data: string | Uint8Array) => Promise<void>;
/** Opens a file of the dataset to be written piece by piece. */
type Open = (relative: string) => Promise<{ write: ParquetSink; close(): Promise<void> }>;

/**
 * Raw frame bytes (`frameBytes`) per row group of a data file. Each episode's frames are encoded
 * as they come and a row group is written out when it holds this much, so the writer holds one
 * row group's encoded pages (about their raw size: float streams compress little), never a data
 * file's frames. Smaller groups cost compression: with 8 MB groups the demo's variants' data
 * files were 14 % larger than with one group per file, with 32 MB groups 5 %. Readers take any
 * size (pyarrow's default is a million rows).
 */
export const ROW_GROUP_BYTES = 32 * 1024 * 1024;

/**
 * Builds a dataset one episode at a time. Memory holds one row group of the data file being
 * filled (`ROW_GROUP_BYTES`), the records of the meta/episodes file being filled
 * (≤ episodesPerMetaFile), one running stats sum, the task strings and the episode ids: never
 * the whole dataset, nor a whole data file.
 */
class DatasetBuilder {
  private readonly validator: EpisodeValidator;
  private readonly roller: FileRoller;
  private readonly chunksSize: number;
  private readonly dataFilesSizeInMb: number;
  private readonly episodesPerMetaFile: number;
  /**
   * The table's features, fixed by the first episode (its arm joints widen `observation.state`),
   * so that the data files, the stats and info.json all describe the same columns.
   */
  private table: { features: Readonly<Record<FeatureKey, FeatureSpec>>; bytesPerFrame: number } | undefined;
  private readonly taskIndex = new Map<string, number>();
  /** Embodiment names in order of first appearance: `embodiment_index`. */
  private readonly robots = new Map<string, number>();
  private readonly stats = new StatsAccumulator();
  /** The data file being filled. */
  private data: { slot: FileSlot; writer: ParquetStreamWriter; close(): Promise<void> } | undefined;
  private meta: { slot: FileSlot; records: EpisodeRecord[] } = { slot: FIRST_SLOT, records: [] };
  private episodes = 0;
  private frames = 0;
  private successes = 0;
  /** Camera streams' files being filled, by feature key. */
  private readonly videoFiles = new Map<string, VideoFileRoller>();

  constructor(
    private readonly options: DatasetOptions,
    private readonly put: Put,
    private readonly open: Open,
    /** The dataset folder being built (absolute): camera streams are rendered and joined in it. */
    private readonly root: string,
  ) {
    this.validator = new EpisodeValidator(options.fps);
    this.chunksSize = options.chunksSize ?? DEFAULT_CHUNKS_SIZE;
    this.dataFilesSizeInMb = options.dataFilesSizeInMb ?? DEFAULT_DATA_FILES_SIZE_IN_MB;
    this.episodesPerMetaFile = options.episodesPerMetaFile ?? DEFAULT_EPISODES_PER_META_FILE;
    this.roller = new FileRoller(this.dataFilesSizeInMb, this.chunksSize);
  }

  private videoKeys(): string[] {
    return (this.options.videos?.streams ?? []).map((s) => s.key);
  }

  /** Renders the episode's camera streams and places each in its stream's current file. */
  private async addVideos(episode: Episode, episodeIndex: number) {
    const source = this.options.videos;
    if (!source) return undefined;
    const dir = path.join(this.root, RENDER_DIR, String(episodeIndex));
    await fs.mkdir(dir, { recursive: true });
    const rendered = await source.render(episode, dir);
    const places: Record<string, VideoPlace> = {};
    for (const s of source.streams) {
      const file = rendered.files[s.key];
      if (!file) throw new Error(`the camera source gave episode ${episodeIndex} no '${s.key}' video`);
      let files = this.videoFiles.get(s.key);
      if (!files) {
        const limit = (this.options.videoFilesSizeInMb ?? DEFAULT_VIDEO_FILES_SIZE_IN_MB) * 1024 * 1024;
        files = new VideoFileRoller(s.key, this.root, this.validator.datasetFps!, limit, this.chunksSize);
        this.videoFiles.set(s.key, files);
      }
      places[s.key] = await files.add(file, episode.steps.length);
    }
    return { places, rendered };
  }

  async add(raw: unknown): Promise<void> {
    const json = this.options.checkedJson?.(raw);
    const episode = this.validator.check(raw, json !== undefined);
    if (!this.table) {
      const features = tableFeatures(this.validator.datasetJoints!, this.options.actions ?? "tcp");
      this.table = { features, bytesPerFrame: frameBytes(features) };
    }
    const { features, bytesPerFrame } = this.table;
    const episodeIndex = this.episodes;
    let taskIndex = this.taskIndex.get(episode.task);
    if (taskIndex === undefined) {
      taskIndex = this.taskIndex.size;
      this.taskIndex.set(episode.task, taskIndex);
    }
    const place = this.roller.place(episode.steps.length * bytesPerFrame);
    if (place.opensFile) await this.flushData();
    this.data ??= await this.openData(place.slot, bytesPerFrame);
    let embodimentIndex = this.robots.get(episode.embodiment.name);
    if (embodimentIndex === undefined) {
      embodimentIndex = this.robots.size;
      this.robots.set(episode.embodiment.name, embodimentIndex);
    }
    const frames = episodeFrames(
      episode,
      { episodeIndex, fromIndex: this.frames, taskIndex, embodimentIndex },
      features,
    );
    const videos = await this.addVideos(episode, episodeIndex);
    const stats = { ...episodeStats(frames, features), ...videos?.rendered.stats };
    await this.data.writer.write(frameColumns([frames], features));
    this.stats.add(stats);
    this.meta.records.push(
      episodeRecord(episode, {
        episodeIndex,
        datasetFromIndex: this.frames,
        data: place.slot,
        meta: this.meta.slot,
        stats,
        ...(videos ? { videos: videos.places } : {}),
      }),
    );
    if (this.meta.records.length === this.episodesPerMetaFile) await this.flushMeta();
    const renderParams = videos?.rendered.lineageParams;
    const extras = renderParams
      ? {
          ...episode,
          lineage: { ...episode.lineage, params: { ...episode.lineage.params, render: renderParams } },
        }
      : episode;
    await this.put(extrasEpisodePath(episodeIndex), json && !renderParams ? json : extrasJson(extras));
    this.episodes++;
    this.frames += episode.steps.length;
    if (episode.success) this.successes++;
  }

  private async openData(slot: FileSlot, bytesPerFrame: number) {
    const file = await this.open(dataFilePath(slot));
    const rowGroupRows = Math.max(1, Math.floor(ROW_GROUP_BYTES / bytesPerFrame));
    return { slot, writer: new ParquetStreamWriter(file.write, { rowGroupRows }), close: file.close };
  }

  private async flushData(): Promise<void> {
    if (!this.data) return;
    const { writer, close } = this.data;
    this.data = undefined;
    try {
      await writer.close();
    } finally {
      await close();
    }
  }

  private async flushMeta(): Promise<void> {
    if (this.meta.records.length === 0) return;
    await this.put(
      episodesFilePath(this.meta.slot),
      encodeParquet(episodesColumns(this.meta.records, FEATURE_KEYS, this.videoKeys())),
    );
    this.meta = { slot: nextSlot(this.meta.slot, this.chunksSize), records: [] };
  }

  /** Lets go of the data file being filled, after a failure: the dataset will not be kept. */
  async abandon(): Promise<void> {
    const data = this.data;
    this.data = undefined;
    await data?.close();
  }

  /** Writes what is pending and the dataset-wide metadata. */
  async close(): Promise<Omit<DatasetSummary, "files"> & { videoFiles: string[] }> {
    if (this.episodes === 0) throw new InputError("no episodes to write: a dataset needs at least one");
    await this.flushData();
    await this.flushMeta();
    for (const files of this.videoFiles.values()) await files.flush();
    await fs.rm(path.join(this.root, RENDER_DIR), { recursive: true, force: true });
    const tasks = [...this.taskIndex.keys()];
    await this.put(TASKS_PATH, encodeParquet(tasksColumns(tasks), tasksPandasMetadata()));
    await this.put(STATS_PATH, metaJson(statsJson(this.stats.result(), new Set(this.videoKeys()))));
    const features = datasetFeatures([...this.robots.keys()], this.table!.features);
    const info = buildInfo(
      {
        robotType: this.options.robotType ?? [...this.robots.keys()].sort().join("+"),
        fps: this.validator.datasetFps!,
        totalEpisodes: this.episodes,
        totalFrames: this.frames,
        totalTasks: tasks.length,
        chunksSize: this.chunksSize,
        dataFilesSizeInMb: this.dataFilesSizeInMb,
        ...(this.options.videoFilesSizeInMb !== undefined
          ? { videoFilesSizeInMb: this.options.videoFilesSizeInMb }
          : {}),
        videos: this.options.videos?.streams ?? [],
      },
      features,
    );
    await this.put(INFO_PATH, metaJson(info));
    await this.put(
      CARD_PATH,
      datasetCard({
        robotType: info.robot_type,
        fps: info.fps,
        episodes: this.episodes,
        frames: this.frames,
        successes: this.successes,
        tasks,
        features,
        videos: this.options.videos?.streams ?? [],
        ...(this.options.videos ? { videosDescription: this.options.videos.describe() } : {}),
      }),
    );
    return {
      episodes: this.episodes,
      frames: this.frames,
      successes: this.successes,
      videoFiles: [...this.videoFiles.values()].flatMap((f) => f.written),
    };
  }
}

/**
 * `writeDirAtomic` replaces whatever is at `dir`; refuse unless that is nothing, an empty folder
 * or a LeRobot dataset, so a mistyped output path never deletes unrelated files. Commands call it
 * before their work too, so a refused folder costs nothing.
 */
export async function checkReplaceable(dir: string): Promise<void> {
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

/** Episodes to write: an array, or any (async) iterable that yields them one at a time. */
export type EpisodeSource = Iterable<unknown> | AsyncIterable<unknown>;

/**
 * Writes `episodes` (each validated against the Episode contract as it comes) as a LeRobot v3.0
 * dataset at `dir`, replacing any dataset there. Episodes are consumed one at a time, so a
 * generator that reads them from disk keeps memory bounded whatever the dataset's size.
 * Episode `i` becomes `episode_index` i; tasks are numbered in order of first appearance. Throws
 * an InputError naming the episode and field for input that cannot make a valid dataset; an
 * existing dataset at `dir` is then left as it was. `dir` must not exist, be empty, or hold a
 * LeRobot dataset (which is replaced).
 */
export async function writeLeRobotDataset(
  dir: string,
  episodes: EpisodeSource,
  options: DatasetOptions = {},
): Promise<DatasetSummary> {
  validateOptions(options);
  await checkReplaceable(dir);
  const written: string[] = [];
  let summary: Omit<DatasetSummary, "files"> | undefined;
  await writeDirAtomic(dir, async (root) => {
    // A file of the dataset, its folder made, listed as written.
    const place = async (relative: string) => {
      const file = path.join(root, relative);
      await fs.mkdir(path.dirname(file), { recursive: true });
      written.push(relative);
      return file;
    };
    const put: Put = async (relative, data) => fs.writeFile(await place(relative), data);
    const open: Open = async (relative) => {
      const handle = await fs.open(await place(relative), "w");
      return {
        write: async (bytes) => {
          for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at)).bytesWritten;
        },
        close: () => handle.close(),
      };
    };
    const builder = new DatasetBuilder(options, put, open, root);
    let closed: Awaited<ReturnType<DatasetBuilder["close"]>>;
    try {
      for await (const raw of episodes) await builder.add(raw);
      closed = await builder.close();
    } catch (err) {
      await builder.abandon();
      throw err;
    }
    const { videoFiles, ...rest } = closed;
    written.push(...videoFiles);
    summary = rest;
  });
  return { ...summary!, files: written.sort() };
}
