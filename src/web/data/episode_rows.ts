/**
 * Rows of a dataset's episodes table (meta/episodes/*.parquet) as the library shows them, and the
 * library's filters. Pure: no fetching, no DOM.
 */

export interface EpisodeRow {
  index: number;
  id: string;
  task: string;
  /** Frames. */
  length: number;
  /** null when the table has no `success` column (a dataset egobridge did not write). */
  success: boolean | null;
  reasons: string[];
  /** What the demonstration came from, e.g. "procedural:pick_to_tote:shelf_to_tote". */
  source: string;
  /** Id of the source episode of a variant; "" for a source demonstration. */
  sourceEpisode: string;
  /** Variant number, or null for a source demonstration. */
  variant: number | null;
  embodiment: string;
  /** Where the episode is in each camera stream's files (LeRobot's `videos/<key>/*` columns), by feature key. */
  videos: Record<string, { chunkIndex: number; fileIndex: number; fromS: number }>;
}

type Raw = Record<string, unknown>;

const num = (v: unknown, fallback: number): number =>
  typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : fallback;
const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : fallback);

/** One decoded parquet row → EpisodeRow; columns egobridge adds are optional (LeRobot's own datasets lack them). */
export function toEpisodeRow(raw: Raw): EpisodeRow {
  const index = num(raw["episode_index"], -1);
  const tasks = Array.isArray(raw["tasks"]) ? (raw["tasks"] as unknown[]).map((t) => str(t)) : [];
  const reasons = str(raw["reasons"]);
  const variant = num(raw["lineage/variant"], -1);
  return {
    index,
    id: str(raw["episode_id"], `episode_${index}`),
    task: tasks[0] ?? "",
    length: num(raw["length"], 0),
    success: typeof raw["success"] === "boolean" ? raw["success"] : null,
    reasons: reasons ? reasons.split(",") : [],
    source: str(raw["lineage/source"]),
    sourceEpisode: str(raw["lineage/source_episode"]),
    variant: variant >= 0 ? variant : null,
    embodiment: str(raw["embodiment"]),
    videos: videoPlaces(raw),
  };
}

const VIDEO_COLUMN = /^videos\/(.+)\/(chunk_index|file_index|from_timestamp)$/;

/** The `videos/<key>/…` columns of a row, by key; a key missing one of them is left out. */
function videoPlaces(raw: Raw): EpisodeRow["videos"] {
  const parts = new Map<string, Record<string, number>>();
  for (const [column, v] of Object.entries(raw)) {
    const m = VIDEO_COLUMN.exec(column);
    if (!m) continue;
    const p = parts.get(m[1]!) ?? {};
    p[m[2]!] = num(v, Number.NaN);
    parts.set(m[1]!, p);
  }
  const out: EpisodeRow["videos"] = {};
  for (const [key, p] of parts) {
    const [chunkIndex, fileIndex, fromS] = [p["chunk_index"], p["file_index"], p["from_timestamp"]];
    if (Number.isFinite(chunkIndex) && Number.isFinite(fileIndex) && Number.isFinite(fromS))
      out[key] = { chunkIndex: chunkIndex!, fileIndex: fileIndex!, fromS: fromS! };
  }
  return out;
}

/** Whether a meta/episodes column is one `toEpisodeRow` reads. */
export const isEpisodeRowColumn = (name: string): boolean =>
  (EPISODE_ROW_COLUMNS as readonly string[]).includes(name) || VIDEO_COLUMN.test(name);

/** The columns `toEpisodeRow` reads. */
export const EPISODE_ROW_COLUMNS = [
  "episode_index",
  "tasks",
  "length",
  "success",
  "reasons",
  "episode_id",
  "lineage/source",
  "lineage/source_episode",
  "lineage/variant",
  "embodiment",
] as const;

export interface RowFilter {
  success: "all" | "success" | "failure";
  kind: "all" | "source" | "variant";
  /** "" for all. */
  embodiment: string;
  /** Case-insensitive substring of id, task, source or reasons. */
  text: string;
}

export const NO_FILTER: RowFilter = { success: "all", kind: "all", embodiment: "", text: "" };

export function matches(row: EpisodeRow, f: RowFilter): boolean {
  if (f.success === "success" && row.success !== true) return false;
  if (f.success === "failure" && row.success !== false) return false;
  if (f.kind === "source" && row.variant !== null) return false;
  if (f.kind === "variant" && row.variant === null) return false;
  if (f.embodiment && row.embodiment !== f.embodiment) return false;
  if (f.text) {
    const t = f.text.toLowerCase();
    const hay = `${row.id}\n${row.task}\n${row.source}\n${row.reasons.join(",")}`.toLowerCase();
    if (!hay.includes(t)) return false;
  }
  return true;
}

export const filterRows = (rows: readonly EpisodeRow[], f: RowFilter): EpisodeRow[] =>
  rows.filter((r) => matches(r, f));

/** Variants of each source episode id, in episode order. */
export function variantsBySource(rows: readonly EpisodeRow[]): Map<string, EpisodeRow[]> {
  const out = new Map<string, EpisodeRow[]>();
  for (const r of rows) {
    if (r.variant === null || !r.sourceEpisode) continue;
    const list = out.get(r.sourceEpisode) ?? [];
    list.push(r);
    out.set(r.sourceEpisode, list);
  }
  return out;
}
