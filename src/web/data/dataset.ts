/**
 * A served dataset, loaded on demand: info.json and the episodes table first (small: one row per
 * episode), each whole episode (extras/episodes/*.json, ~0.7 MB) only when it is opened, with a
 * small cache.
 */
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { type Episode, EpisodeSchema } from "../../core/schemas/episode.js";
import { EPISODES_DIR, EXTRAS_EPISODE_PATH, formatPath } from "../../dataset/lerobot/layout.js";
import type { ArmDrawing } from "../../render/protocol.js";
import type { ArmModelJson } from "../../sim/arm.js";
import { dataUrl, FetchError, getBytes, getJson, listFolder } from "./api.js";
import { type EpisodeRow, isEpisodeRowColumn, toEpisodeRow } from "./episode_rows.js";

/** The parts of meta/info.json the preview uses (LeRobot's own files have more). */
export interface DatasetInfo {
  codebase_version: string;
  robot_type: string | null;
  total_episodes: number;
  total_frames: number;
  fps: number;
  video_path?: string | null;
  features?: Record<string, { dtype: string }>;
  egobridge?: { extras_path?: string };
}

/** One camera stream of an episode: where its video file is served and where the episode starts in it. */
export interface CameraClip {
  key: string;
  url: string;
  fromS: number;
  fps: number;
}

const EPISODE_CACHE_SIZE = 24;

export class Dataset {
  private readonly cache = new Map<number, Promise<Episode>>();
  readonly byId: Map<string, EpisodeRow>;

  private constructor(
    /** Folder below /data/ ("" for the served folder itself). */
    readonly path: string,
    readonly info: DatasetInfo,
    readonly rows: EpisodeRow[],
  ) {
    this.byId = new Map(rows.map((r) => [r.id, r]));
  }

  static async open(path: string): Promise<Dataset> {
    const info = await getJson<DatasetInfo>(dataUrl(path, "meta/info.json"));
    return new Dataset(path, info, await readEpisodesTable(path));
  }

  /** True when the dataset keeps whole egobridge episodes beside its tables. */
  get hasExtras(): boolean {
    return this.info.egobridge !== undefined;
  }

  /** The episode's camera streams (video features), in info.json's order; none when the dataset has no cameras. */
  cameraClips(row: EpisodeRow): CameraClip[] {
    const template = this.info.video_path;
    if (!template) return [];
    const keys = Object.entries(this.info.features ?? {})
      .filter(([, f]) => f.dtype === "video")
      .map(([k]) => k);
    return keys.flatMap((key) => {
      const at = row.videos[key];
      if (!at) return [];
      const file = formatPath(template, {
        video_key: key,
        chunk_index: at.chunkIndex,
        file_index: at.fileIndex,
      });
      return [{ key, url: dataUrl(this.path, file), fromS: at.fromS, fps: this.info.fps }];
    });
  }

  /** Where the whole episode at `index` is served. */
  private episodeUrl(index: number): string {
    const template = this.info.egobridge?.extras_path ?? EXTRAS_EPISODE_PATH;
    return dataUrl(this.path, formatPath(template, { episode_index: index }));
  }

  /** How to draw the arm of the episode at `index` (the server computes it); undefined without an arm. */
  armDrawing(index: number): Promise<ArmDrawing | undefined> {
    return getJson<ArmDrawing>(`/api/arm?episode=${encodeURIComponent(this.episodeUrl(index))}`).catch(
      (err: unknown) => {
        if (err instanceof FetchError && err.status === 404) return undefined;
        throw err;
      },
    );
  }

  /** The arm of the episode at `index`, for re-simulating it here (the server loads it); undefined without an arm. */
  armModel(index: number): Promise<ArmModelJson | undefined> {
    return getJson<ArmModelJson>(
      `/api/arm-model?episode=${encodeURIComponent(this.episodeUrl(index))}`,
    ).catch((err: unknown) => {
      if (err instanceof FetchError && err.status === 404) return undefined;
      throw err;
    });
  }

  /** The whole episode at `index`, validated against the Episode contract. */
  episode(index: number): Promise<Episode> {
    let p = this.cache.get(index);
    if (!p) {
      const url = this.episodeUrl(index);
      p = getJson<unknown>(url).then((raw) => {
        const r = EpisodeSchema.safeParse(raw);
        if (!r.success)
          throw new Error(`${url} is not a valid egobridge episode: ${r.error.issues[0]?.message}`);
        return r.data;
      });
      p.catch(() => this.cache.delete(index));
      this.cache.set(index, p);
      if (this.cache.size > EPISODE_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    }
    return p;
  }
}

/** Every row of meta/episodes/chunk-*\/file-*.parquet, reading only the columns the library shows. */
async function readEpisodesTable(path: string): Promise<EpisodeRow[]> {
  const chunks = (await listFolder(dataUrl(path, EPISODES_DIR))).entries
    .filter((e) => e.kind === "dir" && /^chunk-\d+$/.test(e.name))
    .map((e) => e.name);
  const rows: EpisodeRow[] = [];
  for (const chunk of chunks) {
    const files = (await listFolder(dataUrl(path, `${EPISODES_DIR}/${chunk}`))).entries
      .filter((e) => e.kind === "file" && /^file-\d+\.parquet$/.test(e.name))
      .map((e) => e.name);
    for (const name of files) {
      const file = await getBytes(dataUrl(path, `${EPISODES_DIR}/${chunk}/${name}`));
      const metadata = parquetMetadata(file);
      const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
      const columns = [...present].filter(isEpisodeRowColumn);
      const objects = await parquetReadObjects({ file, metadata, columns });
      rows.push(...objects.map(toEpisodeRow));
    }
  }
  return rows.sort((a, b) => a.index - b.index);
}
