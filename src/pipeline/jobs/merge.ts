/**
 * Joining parts into one dataset: `egobridge merge <parts...> -o <dataset>`, and the last step of
 * an unsharded run (which is a merge of its one part). Checks that the parts are the shards of one
 * job on the same inputs and that none is missing or unfinished, then selects and writes the
 * episodes from the union of their unit records, and writes the report beside the dataset.
 */
import { existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { writeJsonAtomic } from "../../core/atomic.js";
import { InputError } from "../../core/errors.js";
import type { SourceVideo } from "../../render/episode_videos.js";
import { selectEpisodes, writeJobDataset, writeJobRobomimic } from "./finalize.js";
import type { PartManifest, PartSource } from "./parts.js";
import { PART_FILE, PARTS_DIR, readPart } from "./parts.js";
import type { JobLog } from "./progress.js";
import { renderSelection } from "./render_stage.js";
import { buildReport, type JobReport, type ReportInput } from "./report.js";
import { type JobSpec, maxAttemptsOf } from "./spec.js";
import { MergedUnits, PartUnits, readUnitHeader, UNITS_DIR, type UnitLookup } from "./store.js";
import { renderTaskOf } from "./units.js";

export const REPORT_FILE = "report.json";
export const ROBOMIMIC_FILE = "robomimic.hdf5";

/** Where the report of a dataset goes by default: report.json in the dataset's parent folder. */
export const reportFileFor = (datasetDir: string): string =>
  path.join(path.dirname(path.resolve(datasetDir)), REPORT_FILE);

/** Where the robomimic file of a dataset goes: robomimic.hdf5 in the dataset's parent folder. */
export const robomimicFileFor = (datasetDir: string): string =>
  path.join(path.dirname(path.resolve(datasetDir)), ROBOMIMIC_FILE);

export interface FinalizeResult {
  report: JobReport;
  reportFile: string;
  /** The LeRobot dataset, when the job's formats include it and an episode made it in. */
  datasetDir?: string;
  /** The robomimic HDF5 file, likewise. */
  robomimicFile?: string;
}

/** Whether anything was written: a finished job with no output has an empty dataset. */
export const wroteOutput = (r: { datasetDir?: string; robomimicFile?: string }): boolean =>
  r.datasetDir !== undefined || r.robomimicFile !== undefined;

/**
 * Selects and writes the dataset of complete parts in each of the job's output formats (LeRobot
 * at `datasetDir`, robomimic beside it), and the report beside them.
 */
export async function finalizeParts(
  parts: readonly PartManifest[],
  lookup: UnitLookup,
  o: {
    datasetDir: string;
    reportFile?: string;
    kind: "run" | "merge";
    startedAt: number;
    log?: JobLog;
    /** Where episodes the parts did not render are rendered and recorded (a run: its own part). */
    renderStore: PartUnits;
    /** The job's video sources by label (a run): what the composite camera draws over. */
    videos?: ReadonlyMap<string, SourceVideo>;
  },
): Promise<FinalizeResult> {
  const spec = parts[0]!.spec as JobSpec;
  const bySource = new Map<number, PartSource>();
  for (const p of parts) for (const s of p.sources) if (!bySource.has(s.ordinal)) bySource.set(s.ordinal, s);
  const selection = await selectEpisodes([...bySource.values()], lookup, {
    variants: spec.augment.variants,
    attempts: maxAttemptsOf(spec),
    keepFailed: spec.output.keepFailed,
  });
  if (selection.missing.length > 0) {
    throw new InputError(
      `the job is not finished: ${selection.missing.length} unit(s) the dataset needs are not recorded (first: ${selection.missing[0]})`,
      { hint: "run the job (or the missing shards) again: it resumes where it stopped" },
    );
  }
  const reportFile = path.resolve(o.reportFile ?? reportFileFor(o.datasetDir));
  const formats = spec.output.formats;
  const robomimicFile = robomimicFileFor(o.datasetDir);
  let dataset: ReportInput["dataset"];
  let robomimic: ReportInput["robomimic"];
  // Writing a big dataset takes a while: say what is being written, and when it is done.
  const writing = async <T extends { frames: number }>(
    format: string,
    to: string,
    write: () => Promise<T>,
  ) => {
    o.log?.event({ event: "write", status: "start", format, path: to, episodes: selection.ids.length });
    const t0 = performance.now();
    const written = await write();
    const writeS = (performance.now() - t0) / 1000;
    o.log?.event({ event: "write", status: "done", format, path: to, frames: written.frames, writeS });
    return { written, writeS };
  };
  const render = renderTaskOf(spec);
  // A video source's composite camera needs the video; a merge has none at hand.
  const videoOf = (label: string): SourceVideo | undefined => {
    const src = [...bySource.values()].find((s) => s.label === label);
    if (src?.kind !== "video") return undefined;
    const video = o.videos?.get(label);
    if (!video)
      throw new InputError(
        `the composite camera of an episode of ${label} was not rendered by its part, and ${o.kind} cannot render it without the source video`,
        { hint: "run that part again (it resumes), so that it renders its episodes, then merge" },
      );
    return video;
  };
  const cameras =
    render && selection.ids.length > 0
      ? await renderSelection(selection.ids, lookup, render, o.renderStore, videoOf, o.log)
      : undefined;
  if (selection.ids.length > 0 && formats.includes("lerobot")) {
    const { written, writeS } = await writing("lerobot", o.datasetDir, () =>
      writeJobDataset(o.datasetDir, selection.ids, lookup, cameras?.videos),
    );
    dataset = { ...written, dir: path.relative(path.dirname(reportFile), o.datasetDir) || ".", writeS };
  }
  if (selection.ids.length > 0 && formats.includes("robomimic")) {
    const { written, writeS } = await writing("robomimic", robomimicFile, () =>
      writeJobRobomimic(robomimicFile, selection.ids, lookup, cameras?.images, spec.output.robomimicActions),
    );
    robomimic = { ...written, file: path.relative(path.dirname(reportFile), robomimicFile), writeS };
  }
  const report = buildReport({
    kind: o.kind,
    parts,
    selection,
    ...(dataset ? { dataset } : {}),
    ...(robomimic ? { robomimic } : {}),
    wallS: (performance.now() - o.startedAt) / 1000,
  });
  await writeJsonAtomic(reportFile, report);
  return {
    report,
    reportFile,
    ...(dataset ? { datasetDir: o.datasetDir } : {}),
    ...(robomimic ? { robomimicFile } : {}),
  };
}

function checkParts(dirs: readonly string[], parts: readonly PartManifest[]): void {
  const first = parts[0]!;
  const count = first.shard.count;
  const byIndex = new Map<number, string>();
  for (const [k, p] of parts.entries()) {
    if (p.planHash !== first.planHash) {
      throw new InputError(
        `${dirs[k]} is from another job or other inputs than ${dirs[0]} (plan ${p.planHash.slice(0, 12)} ≠ ${first.planHash.slice(0, 12)})`,
      );
    }
    if (p.shard.count !== count) {
      throw new InputError(
        `${dirs[k]} is shard ${p.shard.index} of ${p.shard.count}, but ${dirs[0]} is of ${count}`,
      );
    }
    if (byIndex.has(p.shard.index)) {
      throw new InputError(
        `shard ${p.shard.index} is given twice: ${byIndex.get(p.shard.index)} and ${dirs[k]}`,
      );
    }
    byIndex.set(p.shard.index, dirs[k]!);
    if (!p.complete) {
      throw new InputError(
        `${dirs[k]} (shard ${p.shard.index} of ${count}) did not finish${p.stopped ? `: ${p.stopped}` : ""}`,
        {
          hint: "run that shard again (it resumes), then merge",
        },
      );
    }
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    throw new InputError(`shard(s) ${missing.join(", ")} of ${count} are missing`, {
      hint: "give every part folder (e.g. out/job/parts/*)",
    });
  }
}

/** Records made by more than one shard (shards by unit recompute the sources they need) must agree. */
async function checkDuplicates(store: MergedUnits): Promise<void> {
  for (const [id, files] of store.duplicates) {
    const headers = await Promise.all(files.map((f) => readUnitHeader(f)));
    const ok = headers.filter((h) => h.status === "ok");
    if (ok.some((h) => h.payloadSha256 !== ok[0]!.payloadSha256)) {
      throw new InputError(
        `unit ${id} differs between ${files.join(" and ")}: the shards did not compute the same result`,
        {
          hint: "the simulation should be deterministic; report this with both files",
        },
      );
    }
  }
}

/**
 * The part folders the given folders stand for: a part folder (it has part.json) itself; a job
 * folder (`run -o DIR`, with or without `--shard`) every part under its `parts/`.
 */
async function expandPartDirs(dirs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirs) {
    if (existsSync(path.join(d, PART_FILE))) {
      out.push(d);
      continue;
    }
    const partsDir = path.join(d, PARTS_DIR);
    const names = existsSync(partsDir) ? (await fs.readdir(partsDir)).sort() : [];
    const found = names.map((n) => path.join(partsDir, n)).filter((p) => existsSync(path.join(p, PART_FILE)));
    if (found.length === 0) await readPart(d); // says what a part folder is
    out.push(...found);
  }
  return [...new Set(out)];
}

/** `egobridge merge`: joins the parts of a sharded job into one dataset (and report). */
export async function mergeParts(
  partDirs: readonly string[],
  datasetDir: string,
  o: { reportFile?: string; log?: JobLog } = {},
): Promise<FinalizeResult> {
  const startedAt = performance.now();
  if (partDirs.length === 0) throw new InputError("merge needs at least one part folder");
  const dirs = await expandPartDirs(partDirs.map((d) => path.resolve(d)));
  const parts: PartManifest[] = [];
  for (const d of dirs) parts.push(await readPart(d));
  checkParts(dirs, parts);
  const out = path.resolve(datasetDir);
  for (const d of dirs) {
    if (out === d || out.startsWith(d + path.sep) || d.startsWith(out + path.sep)) {
      throw new InputError(`the output ${datasetDir} must be outside the part folders (it overlaps ${d})`);
    }
  }
  const store = await MergedUnits.open(dirs.map((d) => path.join(d, UNITS_DIR)));
  await checkDuplicates(store);
  // Episodes no part rendered are rendered for this merge alone, and not kept.
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-merge-render-"));
  try {
    return await finalizeParts(parts, store, {
      datasetDir: out,
      kind: "merge",
      startedAt,
      renderStore: new PartUnits(scratch),
      ...o,
    });
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
