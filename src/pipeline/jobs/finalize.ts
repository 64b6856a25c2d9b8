/**
 * From recorded units to the dataset: which episodes go in, in which order, and writing them.
 *
 * Order: sources in job order; for each, its episode on each embodiment in spec order, each
 * followed by its variants by attempt index. Selection: a source episode that succeeded (or any,
 * with `keepFailed`), then the first `variants` successful attempts among indices 0…attempts−1
 * (plus the rejected attempts before the cut, with `keepFailed`). Selection depends only on the
 * records, never on which run, worker or shard made them, so a resumed run, a sharded run and an
 * uninterrupted run select the same episodes.
 */
import { InputError } from "../../core/errors.js";
import type { Episode } from "../../core/schemas/episode.js";
import { type DatasetSummary, writeLeRobotDataset } from "../../dataset/lerobot/index.js";
import type { EpisodeVideoSource } from "../../dataset/lerobot/videos.js";
import type { ActionMode, EpisodeImageSource, RobomimicSummary } from "../../dataset/robomimic/index.js";
import { POSITIVE_REASONS } from "../../sim/verdict.js";
import type { PartSource } from "./parts.js";
import type { UnitLookup, UnitOutcome } from "./store.js";

export interface FinalizeConfig {
  variants: number;
  attempts: number;
  keepFailed: boolean;
}

/** Counts by reason: successes by their final reason, rejections by failure reason, failures by code. */
export interface Verdicts {
  succeeded: Record<string, number>;
  rejected: Record<string, number>;
  failed: Record<string, number>;
}

export interface SourceSummary {
  source: string;
  kind: string;
  /** The root unit (sim or episode), or the hands unit when that failed. */
  unit: string;
  episodeId?: string;
  embodiment?: string;
  status: "succeeded" | "rejected" | "failed" | "not_a_source";
  reasons: string[];
  error?: string;
  notAugmentable?: string;
  /** Variant attempts up to the cut, validated ones, rejected by reason, failed units. */
  attempts: number;
  validated: number;
  rejected: Record<string, number>;
  failed: number;
}

export interface Selection {
  /** Unit ids of the dataset's episodes, in dataset order. */
  ids: string[];
  sources: SourceSummary[];
  verdicts: { sources: Verdicts; variants: Verdicts };
  /** Units the selection needed but no part recorded (an unfinished run or a missing shard). */
  missing: string[];
}

const successKey = (o: UnitOutcome): string =>
  o.reasons.filter((r) => POSITIVE_REASONS.has(r)).at(-1) ?? "success";
const bump = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};
const verdicts = (): Verdicts => ({ succeeded: {}, rejected: {}, failed: {} });

export async function selectEpisodes(
  sources: readonly PartSource[],
  lookup: UnitLookup,
  cfg: FinalizeConfig,
): Promise<Selection> {
  const sel: Selection = {
    ids: [],
    sources: [],
    verdicts: { sources: verdicts(), variants: verdicts() },
    missing: [],
  };
  const summary = (src: PartSource, unit: string, status: SourceSummary["status"]): SourceSummary => ({
    source: src.label,
    kind: src.kind,
    unit,
    status,
    reasons: [],
    attempts: 0,
    validated: 0,
    rejected: {},
    failed: 0,
  });
  for (const src of [...sources].sort((a, b) => a.ordinal - b.ordinal)) {
    if (src.hands) {
      if (!(await lookup.has(src.hands))) {
        sel.missing.push(src.hands);
        continue;
      }
      const h = await lookup.header(src.hands);
      if (h.status === "failed") {
        sel.sources.push({
          ...summary(src, src.hands, "failed"),
          error: `${h.error!.code}: ${h.error!.message}`,
        });
        bump(sel.verdicts.sources.failed, h.error!.code);
        continue;
      }
    }
    for (const [r, rootId] of src.roots.entries()) {
      if (!(await lookup.has(rootId))) {
        sel.missing.push(rootId);
        continue;
      }
      const h = await lookup.header(rootId);
      if (h.status === "failed") {
        sel.sources.push({
          ...summary(src, rootId, "failed"),
          error: `${h.error!.code}: ${h.error!.message}`,
        });
        bump(sel.verdicts.sources.failed, h.error!.code);
        continue;
      }
      const out = h.outcome!;
      if (out.noDemonstration !== undefined) continue;
      const s: SourceSummary = {
        ...summary(src, rootId, out.notASource ? "not_a_source" : out.success ? "succeeded" : "rejected"),
        reasons: out.reasons,
        ...(out.episodeId ? { episodeId: out.episodeId } : {}),
        ...(out.embodiment ? { embodiment: out.embodiment } : {}),
        ...(out.notAugmentable ? { notAugmentable: out.notAugmentable } : {}),
      };
      sel.sources.push(s);
      if (out.notASource) continue;
      if (out.success || cfg.keepFailed) sel.ids.push(rootId);
      if (!out.success) {
        bump(sel.verdicts.sources.rejected, out.failure ?? "unknown");
        continue;
      }
      bump(sel.verdicts.sources.succeeded, successKey(out));
      if (cfg.variants === 0 || out.notAugmentable !== undefined) continue;
      await selectVariants(src, r, lookup, cfg, sel, s);
    }
  }
  return sel;
}

async function selectVariants(
  src: PartSource,
  r: number,
  lookup: UnitLookup,
  cfg: FinalizeConfig,
  sel: Selection,
  s: SourceSummary,
): Promise<void> {
  const v = sel.verdicts.variants;
  for (let i = 0; i < cfg.attempts && s.validated < cfg.variants; i++) {
    const id = `${src.augmentPrefix[r]}-v${i}`;
    if (!(await lookup.has(id))) {
      sel.missing.push(id);
      return;
    }
    const h = await lookup.header(id);
    s.attempts++;
    if (h.status === "failed") {
      s.failed++;
      bump(v.failed, h.error!.code);
      continue;
    }
    const out = h.outcome!;
    if (out.success) {
      s.validated++;
      bump(v.succeeded, successKey(out));
      sel.ids.push(id);
    } else {
      bump(s.rejected, out.failure ?? "unknown");
      bump(v.rejected, out.failure ?? "unknown");
      if (cfg.keepFailed) sel.ids.push(id);
    }
  }
}

/**
 * The selected episodes, read from the unit records one at a time as a writer asks for them, so
 * memory does not grow with the job. A unit listed twice (a source shared by two selections) is
 * given once; its id is added to `duplicates`.
 */
async function* selectedEpisodes(
  ids: readonly string[],
  lookup: UnitLookup,
  duplicates: string[],
): AsyncGenerator<Episode> {
  const seen = new Set<string>();
  for (const id of ids) {
    const e = await lookup.payload<Episode>(id);
    if (seen.has(e.id)) {
      duplicates.push(e.id);
      continue;
    }
    seen.add(e.id);
    yield e;
  }
}

function checkNotEmpty(ids: readonly string[]): void {
  if (ids.length === 0)
    throw new InputError("no episode made it into the dataset (every source failed or was rejected)");
}

/** Writes the selected episodes as one LeRobot v3.0 dataset (atomically: writeLeRobotDataset). */
export async function writeJobDataset(
  dir: string,
  ids: readonly string[],
  lookup: UnitLookup,
  videos?: EpisodeVideoSource,
): Promise<DatasetSummary & { duplicates: string[] }> {
  checkNotEmpty(ids);
  const duplicates: string[] = [];
  const summary = await writeLeRobotDataset(
    dir,
    selectedEpisodes(ids, lookup, duplicates),
    videos ? { videos } : {},
  );
  return { ...summary, duplicates };
}

/** Writes the selected episodes as one robomimic HDF5 file (atomically: writeRobomimicHdf5). */
export async function writeJobRobomimic(
  file: string,
  ids: readonly string[],
  lookup: UnitLookup,
  images?: EpisodeImageSource,
  actions: ActionMode = "absolute",
): Promise<RobomimicSummary> {
  checkNotEmpty(ids);
  // Loaded on demand: HDF5 (wasm) is only needed by jobs that ask for this format.
  const { writeRobomimicHdf5 } = await import("../../dataset/robomimic/index.js");
  return writeRobomimicHdf5(file, selectedEpisodes(ids, lookup, []), {
    actions,
    ...(images ? { images } : {}),
  });
}
