/**
 * meta/episodes/*.parquet: one row per episode. LeRobot's columns say where the episode's frames
 * are (`data/chunk_index`, `data/file_index`, `dataset_from_index` … `dataset_to_index`, the end
 * exclusive) and carry its stats flattened as `stats/{feature}/{stat}`; egobridge adds the
 * outcome and provenance that a training run filters on (success, reasons, lineage).
 */
import type { Episode } from "../../core/schemas/episode.js";
import type { ParquetColumn } from "../parquet.js";
import { EPISODE_COLUMN, type FeatureKey, type FileSlot, STAT_NAMES, statsColumn } from "./layout.js";
import type { DatasetStats } from "./stats.js";
import { type VideoPlace, videoColumns } from "./videos.js";

export interface EpisodeRecord {
  episodeIndex: number;
  tasks: string[];
  length: number;
  data: FileSlot;
  /** Global index of the first frame; the last is `datasetFromIndex + length − 1`. */
  datasetFromIndex: number;
  meta: FileSlot;
  stats: DatasetStats;
  success: boolean;
  reasons: string[];
  episodeId: string;
  lineageSource: string;
  lineageSeed: number;
  /** Id of the episode a variant was generated from; "" for a source demonstration. */
  lineageSourceEpisode: string;
  /** Variant index; −1 for a source demonstration. */
  lineageVariant: number;
  embodiment: string;
  /** Where the episode's frames are in each camera stream's files, by feature key. */
  videos: Record<string, VideoPlace>;
}

/** The record of one episode once its place in the dataset and its stats are known. */
export function episodeRecord(
  episode: Episode,
  at: {
    episodeIndex: number;
    datasetFromIndex: number;
    data: FileSlot;
    meta: FileSlot;
    stats: DatasetStats;
    videos?: Record<string, VideoPlace>;
  },
): EpisodeRecord {
  return {
    episodeIndex: at.episodeIndex,
    tasks: [episode.task],
    length: episode.steps.length,
    data: at.data,
    datasetFromIndex: at.datasetFromIndex,
    meta: at.meta,
    stats: at.stats,
    success: episode.success,
    reasons: episode.reasons,
    episodeId: episode.id,
    lineageSource: episode.lineage.source,
    lineageSeed: episode.lineage.seed,
    lineageSourceEpisode: episode.lineage.sourceEpisode ?? "",
    lineageVariant: episode.lineage.variant ?? -1,
    embodiment: episode.embodiment.name,
    videos: at.videos ?? {},
  };
}

/**
 * Flattened stats columns, features in `keys` order, stats in LeRobot's min/max/mean/std/count/q01…q99
 * order. Camera streams' stats are per channel, shaped C × 1 × 1 as LeRobot keeps image stats.
 */
function statsColumns(
  records: readonly EpisodeRecord[],
  keys: readonly string[],
  imageKeys: ReadonlySet<string>,
): ParquetColumn[] {
  const stat = (r: EpisodeRecord, key: string) => {
    const s = r.stats[key];
    if (!s) throw new Error(`episode ${r.episodeIndex} has no stats for '${key}'`);
    return s;
  };
  return keys.flatMap((key) =>
    STAT_NAMES.map((name): ParquetColumn => {
      const column = statsColumn(key, name);
      return name === "count"
        ? { name: column, type: "int64_list", values: records.map((r) => stat(r, key).count) }
        : {
            name: column,
            type: imageKeys.has(key) ? "float64_list_c11" : "float64_list",
            values: records.map((r) => stat(r, key)[name]),
          };
    }),
  );
}

/** The columns of a meta/episodes file; `videoKeys` are the camera streams, in info.json's order. */
export function episodesColumns(
  records: readonly EpisodeRecord[],
  keys: readonly FeatureKey[],
  videoKeys: readonly string[] = [],
): ParquetColumn[] {
  const int = (name: string, f: (r: EpisodeRecord) => number): ParquetColumn => ({
    name,
    type: "int64",
    values: records.map(f),
  });
  const str = (name: string, f: (r: EpisodeRecord) => string): ParquetColumn => ({
    name,
    type: "string",
    values: records.map(f),
  });
  const C = EPISODE_COLUMN;
  return [
    int(C.episodeIndex, (r) => r.episodeIndex),
    { name: C.tasks, type: "string_list", values: records.map((r) => r.tasks) },
    int(C.length, (r) => r.length),
    int(C.dataChunkIndex, (r) => r.data.chunkIndex),
    int(C.dataFileIndex, (r) => r.data.fileIndex),
    int(C.datasetFromIndex, (r) => r.datasetFromIndex),
    int(C.datasetToIndex, (r) => r.datasetFromIndex + r.length),
    ...videoKeys.flatMap((key): ParquetColumn[] => {
      const V = videoColumns(key);
      const place = (r: EpisodeRecord) => {
        const p = r.videos[key];
        if (!p) throw new Error(`episode ${r.episodeIndex} has no place in the '${key}' videos`);
        return p;
      };
      return [
        int(V.chunkIndex, (r) => place(r).slot.chunkIndex),
        int(V.fileIndex, (r) => place(r).slot.fileIndex),
        { name: V.fromTimestamp, type: "float64", values: records.map((r) => place(r).fromTimestamp) },
        { name: V.toTimestamp, type: "float64", values: records.map((r) => place(r).toTimestamp) },
      ];
    }),
    int(C.metaChunkIndex, (r) => r.meta.chunkIndex),
    int(C.metaFileIndex, (r) => r.meta.fileIndex),
    ...statsColumns(records, [...keys, ...videoKeys], new Set(videoKeys)),
    { name: C.success, type: "bool", values: records.map((r) => r.success) },
    // Comma-joined: reasons are short machine-readable words ("lifted", "dropped") without commas.
    str(C.reasons, (r) => r.reasons.join(",")),
    str(C.episodeId, (r) => r.episodeId),
    str(C.lineageSource, (r) => r.lineageSource),
    int(C.lineageSeed, (r) => r.lineageSeed),
    str(C.lineageSourceEpisode, (r) => r.lineageSourceEpisode),
    int(C.lineageVariant, (r) => r.lineageVariant),
    str(C.embodiment, (r) => r.embodiment),
  ];
}
