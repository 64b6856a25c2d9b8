/**
 * On-disk layout of a LeRobot v3.0 dataset as egobridge writes it (huggingface/lerobot,
 * `src/lerobot/datasets/utils.py`, codebase v3.0):
 *
 * ```
 * <root>/
 *   README.md                                     dataset card: features and conventions (card.ts)
 *   meta/
 *     info.json                                   codebase_version, fps, totals, path templates, features
 *     stats.json                                  per feature {min, max, mean, std, count, q01…q99}, over all frames
 *     tasks.parquet                               task_index ↔ task string
 *     episodes/chunk-000/file-000.parquet         one row per episode: length, where its frames live,
 *                                                 flattened per-episode stats, egobridge provenance
 *   data/
 *     chunk-000/file-000.parquet                  one row per frame, many whole episodes per file;
 *     chunk-000/file-001.parquet                  a new file once data_files_size_in_mb would be passed,
 *     ...                                         a new chunk folder every chunks_size files
 *   videos/{video_key}/chunk-000/file-000.mp4     camera streams (videos.ts): many whole episodes per file,
 *                                                 a new file once video_files_size_in_mb would be passed
 *   extras/
 *     episodes/episode_000000.json                the whole egobridge Episode (scene, lineage, contacts,
 *                                                 metrics): sim data that does not fit the table,
 *                                                 RoboCasa-style
 * ```
 *
 * Templates use Python format syntax (`{chunk_index:03d}`) because LeRobot fills them with
 * `str.format`; `formatPath` implements the subset used here.
 */

export const CODEBASE_VERSION = "v3.0";
/** Files per chunk folder. */
export const DEFAULT_CHUNKS_SIZE = 1000;
export const DEFAULT_DATA_FILES_SIZE_IN_MB = 100;
export const DEFAULT_VIDEO_FILES_SIZE_IN_MB = 500;

export const INFO_PATH = "meta/info.json";
/** The dataset card (what the Hugging Face Hub shows): contents and conventions. */
export const CARD_PATH = "README.md";
export const STATS_PATH = "meta/stats.json";
export const TASKS_PATH = "meta/tasks.parquet";
export const EPISODES_DIR = "meta/episodes";
export const DATA_DIR = "data";
export const CHUNK_FILE_PATTERN = "chunk-{chunk_index:03d}/file-{file_index:03d}";
export const EPISODES_PATH = `${EPISODES_DIR}/${CHUNK_FILE_PATTERN}.parquet`;
export const DATA_PATH = `${DATA_DIR}/${CHUNK_FILE_PATTERN}.parquet`;
export const VIDEO_PATH = `videos/{video_key}/${CHUNK_FILE_PATTERN}.mp4`;
/** egobridge sidecar: the validated Episode JSON, one file per episode. */
export const EXTRAS_EPISODE_PATH = "extras/episodes/episode_{episode_index:06d}.json";

/** Keys of the per-frame features, as named in info.json and the data parquet columns. */
export const FEATURE = {
  state: "observation.state",
  action: "action",
  environmentState: "observation.environment_state",
  // The human side is not an observation a robot has at deployment, nor an action: outside both
  // namespaces, LeRobot types these features as neither (it types by key prefix).
  humanKeypoints: "human.keypoints",
  humanFrameIndex: "human.frame_index",
  humanTimestamp: "human.timestamp",
  humanStatus: "human.status",
  humanConfidence: "human.confidence",
  humanGapS: "human.gap_s",
  nextDone: "next.done",
  timestamp: "timestamp",
  frameIndex: "frame_index",
  episodeIndex: "episode_index",
  index: "index",
  taskIndex: "task_index",
  // Which embodiment made the row: a dataset may mix grippers in one action space.
  embodimentIndex: "embodiment_index",
} as const;
export type FeatureKey = (typeof FEATURE)[keyof typeof FEATURE];

/** Columns of meta/episodes/*.parquet; per-episode stats are `stats/{feature}/{stat}`. */
export const EPISODE_COLUMN = {
  episodeIndex: "episode_index",
  tasks: "tasks",
  length: "length",
  dataChunkIndex: "data/chunk_index",
  dataFileIndex: "data/file_index",
  datasetFromIndex: "dataset_from_index",
  datasetToIndex: "dataset_to_index",
  metaChunkIndex: "meta/episodes/chunk_index",
  metaFileIndex: "meta/episodes/file_index",
  success: "success",
  reasons: "reasons",
  episodeId: "episode_id",
  lineageSource: "lineage/source",
  lineageSeed: "lineage/seed",
  lineageSourceEpisode: "lineage/source_episode",
  lineageVariant: "lineage/variant",
  embodiment: "embodiment",
} as const;

export const STAT_NAMES = ["min", "max", "mean", "std", "count", "q01", "q10", "q50", "q90", "q99"] as const;
export type StatName = (typeof STAT_NAMES)[number];
export const statsColumn = (feature: string, stat: StatName): string => `stats/${feature}/${stat}`;

/** Columns of meta/tasks.parquet. */
export const TASK_COLUMN = { taskIndex: "task_index", task: "task" } as const;

/**
 * Fills a Python-format path template: `{name}` and zero-padded `{name:0Nd}`. Throws on a
 * placeholder without a value or a value that is not a non-negative integer where padding is asked.
 */
export function formatPath(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{([a-z_]+)(?::0(\d+)d)?\}/g, (_, name: string, width: string | undefined) => {
    const value = values[name];
    if (value === undefined) throw new Error(`path template '${template}' needs a value for '${name}'`);
    if (width === undefined) return String(value);
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new Error(`path template '${template}': '${name}' must be a non-negative integer, got ${value}`);
    }
    return String(value).padStart(Number(width), "0");
  });
}

/** Where one data / episodes-metadata file lives: chunk folder and file number within it. */
export interface FileSlot {
  chunkIndex: number;
  fileIndex: number;
}

export const dataFilePath = (slot: FileSlot): string =>
  formatPath(DATA_PATH, { chunk_index: slot.chunkIndex, file_index: slot.fileIndex });
export const episodesFilePath = (slot: FileSlot): string =>
  formatPath(EPISODES_PATH, { chunk_index: slot.chunkIndex, file_index: slot.fileIndex });
export const extrasEpisodePath = (episodeIndex: number): string =>
  formatPath(EXTRAS_EPISODE_PATH, { episode_index: episodeIndex });
