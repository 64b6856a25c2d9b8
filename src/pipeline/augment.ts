import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import { z } from "zod";
import {
  type AugmentOptions,
  augmentPoolVariants,
  augmentVariants,
  replayVariant,
  type SourceStats,
} from "../augment/generate.js";
import { checkSegments, type Segments, SegmentsSchema } from "../augment/segments.js";
import { type VariationRangesInput, VariationRangesSchema } from "../augment/variation.js";
import { writeJsonAtomic } from "../core/atomic.js";
import { EgobridgeError, InputError } from "../core/errors.js";
import { readContract } from "../core/io.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import { type Episode, EpisodeSchema } from "../core/schemas/episode.js";
import type { CheckedEpisode } from "../dataset/episode_input.js";
import {
  type DatasetOptions,
  type DatasetSummary,
  readEpisodeExtras,
  writeLeRobotDataset,
} from "../dataset/lerobot/index.js";
import type { LeRobotActions } from "../dataset/lerobot/validate.js";
import type { EpisodeVideoSource } from "../dataset/lerobot/videos.js";
import { checkReplaceable } from "../dataset/lerobot/writer.js";
import { withCameras } from "../render/camera_source.js";
import { type CameraOptions, renderVariation } from "../render/episode_videos.js";
import { MUJOCO_VALIDATOR, validatorFor } from "../sim/mujoco/second_opinion.js";
import type { ValidateEngines } from "../sim/verdict.js";
import { loadEmbodiment } from "./catalog.js";
import { WorkerPool } from "./jobs/pool.js";
import { type UnitHeader, writeUnitFile } from "./jobs/store.js";
import type { AugmentTask } from "./jobs/units.js";

export interface AugmentRun {
  variants: number;
  seed: number;
  maxAttempts?: number;
  keepFailed?: boolean;
  ranges?: VariationRangesInput;
  /**
   * How trials pick their source: "each" multiplies every source into `variants` validated
   * variants; "random" draws the source of every trial at random and stops at `variants` in total.
   */
  selection?: "each" | "random";
  /** rapier, or both: keep a variant only when MuJoCo agrees (see augment/generate.ts `validator`). */
  validate?: ValidateEngines;
  /** Hand-made segmentations by source episode id (an annotation file), instead of the automatic ones. */
  segments?: Readonly<Record<string, Segments>>;
  /**
   * Worker threads the attempts run on (sources with automatic segments); 0: in this thread.
   * The variants kept are the same whatever the number.
   */
  workers?: number;
  /** Camera streams rendered into the dataset (absent: none). */
  videos?: EpisodeVideoSource;
  /** The dataset's actions: the commanded TCP (default) or an arm's joint targets. */
  actions?: LeRobotActions;
  onProgress?: (line: string) => void;
}

export interface AugmentSummary {
  sources: number;
  /** What the dataset writer wrote (episodes, frames, successes, files). */
  dataset: DatasetSummary;
  validated: number;
  stats: SourceStats[];
  /** Where the per-source statistics were written. */
  statsFile: string;
  /** `augment <dataset>`: variants the input dataset held, not copied (its sources are multiplied anew). */
  inputVariantsLeftOut?: number;
}

/** Relative path of the augmentation statistics inside the output dataset. */
export const AUGMENT_STATS_PATH = "extras/augment_stats.json";

/** The source demonstrations of a set of episodes: successful, and not variants themselves. */
export const sourcesOf = (episodes: readonly Episode[]): Episode[] =>
  episodes.filter((e) => e.lineage.variant === undefined && e.success);

/**
 * Multiplies every successful source episode into validated variants and writes sources and
 * variants (sources first, each followed by its variants) as one LeRobot dataset in `outDir`,
 * with per-source statistics in `extras/augment_stats.json`.
 */
export async function augmentEpisodes(
  sources: readonly Episode[],
  outDir: string,
  o: AugmentRun,
): Promise<AugmentSummary> {
  if (sources.length === 0) {
    throw new InputError("no successful source demonstrations to multiply", {
      hint: "augment takes a dataset whose episodes succeeded in simulation (e.g. the demo's)",
    });
  }
  for (const source of sources) {
    const manual = o.segments?.[source.id];
    if (manual) checkSegments(manual, source);
  }
  const validator = await validatorFor(o.validate ?? "rapier");
  const common = {
    ...(validator ? { validator } : {}),
    variants: o.variants,
    seed: o.seed,
    maxAttempts: o.maxAttempts,
    keepFailed: o.keepFailed,
    ranges: o.ranges,
    loadEmbodiment,
  };
  const stats: SourceStats[] = [];
  let dataset: DatasetSummary;
  // The episodes the workers checked, with their JSON, for the dataset writer.
  const checked = new CheckedEpisodes();
  const pool =
    o.workers && sources.some((s) => !o.segments?.[s.id])
      ? await AttemptPool.open(o.workers, o.seed, o.ranges, o.validate ?? "rapier", checked)
      : undefined;
  try {
    if (o.selection === "random") {
      // The workers segment automatically; hand-made segments stay in this thread.
      const runners = pool
        ? await Promise.all(sources.map(async (s) => (o.segments?.[s.id] ? undefined : pool.runnerFor(s))))
        : [];
      const spill = await VariantSpill.open(checked);
      try {
        const trials = augmentPoolVariants(sources, {
          ...common,
          segmentsBySource: new Map(Object.entries(o.segments ?? {})),
          runAttemptOf: (k) => runners[k]?.runAttempt,
          ...(pool ? { concurrency: pool.concurrency } : {}),
          onAttempt: ({ attempts, successes }) =>
            o.onProgress?.(`${successes}/${o.variants} validated, ${attempts} attempts`),
        });
        for (let r = await trials.next(); ; r = await trials.next()) {
          if (r.done) {
            stats.push(...r.value);
            break;
          }
          await spill.add(r.value.source, r.value.episode);
        }
        // Sources first, each followed by its variants, as in "each".
        async function* episodes(): AsyncGenerator<Episode> {
          for (const [k, source] of sources.entries()) {
            yield source;
            yield* spill.read(k);
          }
        }
        dataset = await writeLeRobotDataset(outDir, episodes(), datasetOptions(o, checked));
      } finally {
        await spill.close();
      }
    } else {
      // Each source, then its variants as they are judged: written while the next attempts run,
      // and let go once written.
      async function* episodes(): AsyncGenerator<Episode> {
        for (const source of sources) {
          yield source;
          const manual = o.segments?.[source.id];
          stats.push(
            yield* augmentVariants(source, {
              ...common,
              ...(manual ? { segments: manual } : {}),
              // The workers segment automatically; hand-made segments stay in this thread.
              ...(pool && !manual ? await pool.runnerFor(source) : {}),
              onAttempt: ({ attempts, successes }) =>
                o.onProgress?.(`${source.id}: ${successes}/${o.variants} validated, ${attempts} attempts`),
            }),
          );
        }
      }
      dataset = await writeLeRobotDataset(outDir, episodes(), datasetOptions(o, checked));
    }
  } finally {
    await pool?.close();
  }
  const statsFile = path.join(outDir, AUGMENT_STATS_PATH);
  await writeJsonAtomic(statsFile, {
    seed: o.seed,
    selection: o.selection ?? "each",
    wanted: o.variants,
    sources: stats,
  });
  return {
    sources: sources.length,
    dataset,
    validated: stats.reduce((n, s) => n + s.successes, 0),
    stats,
    statsFile,
  };
}

/** The dataset writer's options of an augmentation: its camera streams and its actions. */
const datasetOptions = (
  o: Pick<AugmentRun, "videos" | "actions">,
  checked?: CheckedEpisodes,
): DatasetOptions => ({
  ...(o.videos ? { videos: o.videos } : {}),
  ...(o.actions ? { actions: o.actions } : {}),
  ...(checked ? { checkedJson: checked.jsonOf } : {}),
});

/**
 * Joint actions need an arm: said before anything is simulated, rather than by the dataset
 * writer once the episodes are made.
 */
export function checkActions(actions: LeRobotActions | undefined, embodiment: Embodiment): void {
  if (actions === "joints" && !embodiment.arm) {
    throw new InputError(`--actions joints needs an arm, and ${embodiment.name} is a gripper alone`, {
      hint: "use an arm embodiment (e.g. --embodiment franka_panda or panda_robotiq_2f85), or --actions absolute",
    });
  }
}

/** Attempts, validated variants and failures of one source's multiplication. */
export interface MultiplySummary {
  attempts: number;
  validated: number;
  failures: Record<string, number>;
}

/**
 * A demonstration's dataset: with `variants` > 0 its successful episodes multiplied into validated
 * variants (augmentEpisodes; failed episodes are left out), else — or when none succeeded — the
 * episodes alone, each with its verdict. `timed` records the stage's wall time.
 */
export async function demonstrationDataset(
  episodes: readonly Episode[],
  outDir: string,
  o: {
    variants: number;
    seed: number;
    cameras?: CameraOptions;
    actions?: LeRobotActions;
    onProgress?: (line: string) => void;
  },
  timed: <T>(stage: string, f: () => T | Promise<T>) => Promise<T>,
): Promise<{ dataset: DatasetSummary; augment?: MultiplySummary }> {
  return withCameras(o.cameras, (videos) =>
    writeDemonstrationDataset(episodes, outDir, { ...o, videos }, timed),
  );
}

async function writeDemonstrationDataset(
  episodes: readonly Episode[],
  outDir: string,
  o: {
    variants: number;
    seed: number;
    videos: EpisodeVideoSource | undefined;
    actions?: LeRobotActions;
    onProgress?: (line: string) => void;
  },
  timed: <T>(stage: string, f: () => T | Promise<T>) => Promise<T>,
): Promise<{ dataset: DatasetSummary; augment?: MultiplySummary }> {
  const sources = episodes.filter((e) => e.success);
  // Its camera streams and its actions.
  const writing = datasetOptions(o);
  if (o.variants > 0 && sources.length > 0) {
    const r = await timed("augment+dataset", () =>
      augmentEpisodes(sources, outDir, {
        variants: o.variants,
        seed: o.seed,
        onProgress: o.onProgress,
        ...writing,
      }),
    );
    const failures: Record<string, number> = {};
    for (const s of r.stats)
      for (const [k, n] of Object.entries(s.failures)) failures[k] = (failures[k] ?? 0) + n;
    return {
      dataset: r.dataset,
      augment: {
        attempts: r.stats.reduce((n, s) => n + s.attempts, 0),
        validated: r.stats.reduce((n, s) => n + s.successes, 0),
        failures,
      },
    };
  }
  const first = episodes[0]!;
  const dataset = await timed("dataset", () =>
    writeLeRobotDataset(outDir, episodes, {
      fps: first.controlHz,
      robotType: first.embodiment.name,
      ...writing,
    }),
  );
  return { dataset };
}

/** `egobridge augment <dataset>`: reads the dataset's episodes and augments its sources. */
export async function augmentDataset(
  datasetDir: string,
  outDir: string,
  o: AugmentRun,
): Promise<AugmentSummary> {
  if (path.resolve(datasetDir) === path.resolve(outDir)) {
    throw new InputError("the output folder must differ from the input dataset", {
      hint: "give -o a new folder",
    });
  }
  await checkReplaceable(outDir);
  const episodes = await readEpisodeExtras(datasetDir);
  const summary = await augmentEpisodes(sourcesOf(episodes), outDir, o);
  const left = episodes.filter((e) => e.lineage.variant !== undefined).length;
  return left > 0 ? { ...summary, inputVariantsLeftOut: left } : summary;
}

/**
 * Regenerates a stored variant from its lineage and compares it with what is stored. Returns the
 * regenerated episode and whether it is byte-identical (as JSON) to the stored one.
 */
export async function replayStoredVariant(
  datasetDir: string,
  id: string,
): Promise<{ identical: boolean; episode: Episode }> {
  const episodes = await readEpisodeExtras(datasetDir);
  const stored = episodes.find((e) => e.id === id);
  const variantIds = () => {
    const ids = episodes.filter((e) => e.lineage.variant !== undefined).map((e) => e.id);
    if (ids.length === 0) return "the dataset holds no variants";
    return `its variants: ${ids.slice(0, 8).join(", ")}${ids.length > 8 ? `, … (${ids.length} in all; extras/episodes/*.json name them)` : ""}`;
  };
  if (!stored) throw new InputError(`no episode '${id}' in ${datasetDir}`, { hint: variantIds() });
  if (stored.lineage.variant === undefined)
    throw new InputError(`episode '${id}' is a source, not a variant`, { hint: variantIds() });
  const source = episodes.find((e) => e.id === stored.lineage.sourceEpisode);
  if (!source)
    throw new InputError(`the source '${stored.lineage.sourceEpisode}' of '${id}' is not in ${datasetDir}`);
  // Both through the schema, so the comparison is of content in one canonical key order.
  const mujoco = (stored.lineage.params as { validator?: string }).validator === MUJOCO_VALIDATOR;
  const v = mujoco ? await validatorFor("both") : undefined;
  const validators = v ? { [v.name]: v.check } : {};
  const replayed = await replayVariant(source, stored, { loadEmbodiment, validators });
  // A dataset with cameras records the rendering's look in the lineage; it is drawn from the
  // seed alone, so the replay draws it again rather than copying it.
  if ("render" in stored.lineage.params)
    replayed.lineage.params = { ...replayed.lineage.params, render: { ...renderVariation(replayed) } };
  const episode = EpisodeSchema.parse(replayed);
  return { identical: JSON.stringify(episode) === JSON.stringify(stored), episode };
}

/** Reads a segment annotation file: `{ "<episode id>": { "approachStart": …, "pickEnd": …, "placeStart": … } }`. */
export async function readSegmentAnnotations(file: string): Promise<Record<string, Segments>> {
  return readContract(z.record(z.string(), SegmentsSchema), file, "segment annotations");
}

/**
 * Episodes checked where they were made (a worker: dataset/episode_input.ts CheckedEpisode) and
 * their JSON, by episode object, for as long as the episode lives: DatasetOptions.checkedJson.
 */
class CheckedEpisodes {
  private readonly json = new WeakMap<object, Uint8Array>();

  add(episode: Episode, json: Uint8Array): void {
    this.json.set(episode, json);
  }

  readonly jsonOf = (episode: unknown): Uint8Array | undefined =>
    typeof episode === "object" && episode !== null ? this.json.get(episode) : undefined;
}

/**
 * The kept variants of a random selection, held on disk until every trial is judged: the dataset
 * lists each source followed by its variants (as "each" does), and the last trial may add a
 * variant to the first source. One file per source of records (a 4-byte length, then the episode
 * as V8's structured-clone bytes, as worker messages carry it), so each reads back exactly as it
 * was and memory holds one episode at a time whatever the number of variants.
 */
class VariantSpill {
  private readonly counts = new Map<number, number>();

  private constructor(
    private readonly dir: string,
    /** Where a variant's checked JSON is found when it is added, and given back when it is read. */
    private readonly checked: CheckedEpisodes,
  ) {}

  static async open(checked: CheckedEpisodes): Promise<VariantSpill> {
    return new VariantSpill(await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-variants-")), checked);
  }

  private file = (k: number) => path.join(this.dir, `source-${k}.bin`);

  /** Adds a variant of source k, with its checked JSON if it has one. */
  async add(k: number, episode: Episode): Promise<void> {
    const bytes = v8.serialize({ episode, json: this.checked.jsonOf(episode) });
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length);
    await fs.appendFile(this.file(k), Buffer.concat([length, bytes]));
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  /** Source k's variants, in the order they were added. */
  async *read(k: number): AsyncGenerator<Episode> {
    const n = this.counts.get(k) ?? 0;
    if (n === 0) return;
    const handle = await fs.open(this.file(k), "r");
    try {
      const length = Buffer.alloc(4);
      let at = 0;
      for (let i = 0; i < n; i++) {
        await readFully(handle, length, at);
        const bytes = Buffer.alloc(length.readUInt32LE());
        await readFully(handle, bytes, at + 4);
        at += 4 + bytes.length;
        const { episode, json } = v8.deserialize(bytes) as { episode: Episode; json?: Uint8Array };
        if (json) this.checked.add(episode, json);
        yield episode;
      }
    } finally {
      await handle.close();
    }
  }

  async close(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

async function readFully(handle: fs.FileHandle, into: Buffer, position: number): Promise<void> {
  for (let got = 0; got < into.length; ) {
    const { bytesRead } = await handle.read(into, got, into.length - got, position + got);
    if (bytesRead === 0)
      throw new EgobridgeError(`a spilled variant ends early (${got} of ${into.length} bytes)`);
    got += bytesRead;
  }
}

/**
 * Variant attempts on a pool of worker threads, the way `run` runs them (Rapier steps one world
 * per core): each source is written once to a unit record in a temporary folder, each attempt is
 * a job's augment unit (pipeline/jobs/execute.ts) with the same seed and ranges, and its
 * episode comes back by message (no record written). Twice as many attempts as workers are kept
 * running, so no worker waits while the main thread judges and writes.
 */
class AttemptPool {
  private sources = 0;

  private constructor(
    private readonly pool: WorkerPool,
    private readonly dir: string,
    private readonly task: Omit<AugmentTask, "index">,
    /** Where each attempt's episode, checked on its worker, goes with its JSON. */
    private readonly checked: CheckedEpisodes,
  ) {}

  static async open(
    workers: number,
    seed: number,
    ranges: VariationRangesInput | undefined,
    validate: ValidateEngines,
    checked: CheckedEpisodes,
  ): Promise<AttemptPool> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-augment-"));
    const task = {
      stage: "augment" as const,
      seed,
      ranges: VariationRangesSchema.parse(ranges ?? {}),
      baseDir: process.cwd(),
      validate,
    };
    return new AttemptPool(new WorkerPool({ size: workers }), dir, task, checked);
  }

  async runnerFor(source: Episode): Promise<Pick<AugmentOptions, "runAttempt" | "concurrency">> {
    const k = this.sources++;
    const sourceFile = path.join(this.dir, `source-${k}.unit`);
    const header: UnitHeader = {
      format: "egobridge.unit",
      version: 1,
      id: `sim-source-${k}`,
      stage: "sim",
      status: "ok",
      source: source.id,
      ordinal: k,
      wallS: 0,
      finishedAt: new Date(0).toISOString(),
    };
    await writeUnitFile(sourceFile, header, JSON.stringify(source));
    const runAttempt = async (index: number): Promise<Episode> => {
      const { header, payload } = await this.pool.runInline(
        {
          unit: {
            id: `augment-source-${k}-v${index}`,
            stage: "augment",
            ordinal: k,
            source: source.id,
            root: 0,
            variant: index,
            task: { ...this.task, index },
            deps: [`sim-source-${k}`],
          },
          depFiles: [sourceFile],
          outFile: "",
        },
        "checked-episode",
      );
      if (header.status !== "ok")
        throw new EgobridgeError(`variant ${index} of ${source.id}: ${header.error?.message}`);
      const { episode, json } = payload as CheckedEpisode;
      this.checked.add(episode, json);
      return episode;
    };
    return { runAttempt, concurrency: this.concurrency };
  }

  /** Attempts kept running at once. */
  get concurrency(): number {
    return 2 * this.pool.size;
  }

  async close(): Promise<void> {
    await this.pool.dispose();
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
