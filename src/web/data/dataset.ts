/**
 * A served dataset, loaded on demand: info.json and the episodes table first (small: one row per
 * episode), each whole episode (extras/episodes/*.json, ~0.7 MB) only when it is opened, with a
 * small cache.
 */
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { type Episode, EpisodeSchema } from "../../core/schemas/episode.js";
import { EPISODES_DIR, EXTRAS_EPISODE_PATH, formatPath } from "../../dataset/lerobot/layout.js";
import { dataUrl, getBytes, getJson, listFolder } from "./api.js";
import { EPISODE_ROW_COLUMNS, type EpisodeRow, toEpisodeRow } from "./episode_rows.js";

/** The parts of meta/info.json the preview uses (LeRobot's own files have more). */
export interface DatasetInfo {
  codebase_version: string;
  robot_type: string | null;
  total_episodes: number;
  total_frames: number;
  fps: number;
  egobridge?: { extras_path?: string };
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

  /** The whole episode at `index`, validated against the Episode contract. */
  episode(index: number): Promise<Episode> {
    let p = this.cache.get(index);
    if (!p) {
      const template = this.info.egobridge?.extras_path ?? EXTRAS_EPISODE_PATH;
      const url = dataUrl(this.path, formatPath(template, { episode_index: index }));
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
      const columns = EPISODE_ROW_COLUMNS.filter((c) => present.has(c));
      const objects = await parquetReadObjects({ file, metadata, columns });
      rows.push(...objects.map(toEpisodeRow));
    }
  }
  return rows.sort((a, b) => a.index - b.index);
}
