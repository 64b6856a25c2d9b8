/**
 * The job spec (`egobridge.job` v1, YAML): which demonstrations to read, how to turn them into
 * robot episodes, how many variants to make of each, where to write, and with what resources.
 * An annotated example is jobs/demo.yaml.
 *
 * In the file: paths are relative to the job file's folder; `asset:NAME` is looked up in the
 * folders of EGOBRIDGE_ASSETS; `${VAR}` and `${VAR:-default}` in any string are replaced from the
 * environment. Every error names the field (`inputs.1.stride`) and its line.
 */

import { promises as fs } from "node:fs";
import path from "node:path";
import { isNode, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { VariationRangesSchema } from "../../augment/variation.js";
import { InputError } from "../../core/errors.js";
import { finite, nonNegative, positive } from "../../core/schemas/common.js";
import { ACTION_MODES } from "../../dataset/robomimic/layout.js";
import { CAMERA_KEYS, DEFAULT_CAMERAS, imageSizeOf } from "../../render/cameras.js";
import { VIDEO_CODECS } from "../../render/encode.js";
import { ParallelJawParamsSchema } from "../../retarget/params.js";
import { VALIDATE_ENGINES } from "../../sim/verdict.js";
import { DEFAULT_EMBODIMENT, DEFAULT_SCENE } from "../catalog.js";
import { hashValue } from "./hashing.js";

const count = z.number().int().nonnegative();
const positiveInt = z.number().int().positive();
/** One glob or a list of globs. */
const files = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const frameRange = { start: count.optional(), end: count.optional(), stride: positiveInt.optional() };

export const DemoInputSchema = z.strictObject({
  kind: z.literal("demo"),
  /** Shelf scene for the procedural demonstration (default: `scene.template`). */
  scene: z.string().min(1).optional(),
  /** One synthetic demonstration per seed. */
  seeds: z.array(count).min(1).default([0]),
  noiseM: nonNegative.optional(),
});
export const GrabInputSchema = z.strictObject({ kind: z.literal("grab"), files, ...frameRange });
export const TrackInputSchema = z.strictObject({
  kind: z.literal("track"),
  files,
  /** Scene for tracks without a recorded object (default: `scene.template`). */
  scene: z.string().min(1).optional(),
});
export const VideoInputSchema = z.strictObject({
  kind: z.literal("video"),
  files,
  /**
   * What `--camera` takes: a CameraSpec JSON (intrinsics), an EgoDex .hdf5 episode, an Aria MPS
   * folder or a TUM trajectory (intrinsics and/or the head camera's pose per frame). `{video}`
   * stands for each video's path without its extension (`{video}.hdf5`: the EgoDex episode beside
   * its .mp4); `asset:NAME` is looked up in the asset folders. Without it a pinhole camera with
   * `hfovDeg` is assumed, and a static head.
   */
  camera: z.string().min(1).optional(),
  /** Source time (s) of each video's first frame on the trajectory's clock (default: the trajectory's own). */
  cameraStartS: finite.optional(),
  hfovDeg: positive.optional(),
  mirrored: z.boolean().default(false),
  /** Perception model pair (default: perception's default). */
  models: z.string().min(1).optional(),
  /** Assumed head camera: height above the floor (m) and downward pitch (deg; default: estimated). */
  cameraHeightM: positive.optional(),
  pitchDownDeg: finite.optional(),
  /**
   * Split each video into consecutive demonstrations of this many seconds, each its own source
   * (hands → simulation → variants): long recordings hold many actions, and a segment's hand
   * track stays small whatever the video's length.
   */
  segmentS: positive.optional(),
  ...frameRange,
});
/** The episodes of a dataset egobridge wrote (extras/episodes); its successful sources are multiplied. */
export const DatasetInputSchema = z.strictObject({ kind: z.literal("dataset"), path: z.string().min(1) });

export const InputSchema = z.discriminatedUnion("kind", [
  DemoInputSchema,
  GrabInputSchema,
  TrackInputSchema,
  VideoInputSchema,
  DatasetInputSchema,
]);
export type JobInput = z.infer<typeof InputSchema>;

export const DEVICES = ["cpu", "webgpu", "cuda", "auto"] as const;
export type JobDevice = (typeof DEVICES)[number];

export const JobSpecSchema = z.strictObject({
  version: z.literal(1),
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, { message: "use letters, digits, '.', '_' and '-' only" })
    .optional(),
  /** Seed of every random choice (simulation lineage, variant sampling). */
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  inputs: z.array(InputSchema).min(1),
  /** Grippers every demonstration is retargeted onto (built-in names or JSON files). */
  embodiments: z.array(z.string().min(1)).min(1).default([DEFAULT_EMBODIMENT]),
  retarget: ParallelJawParamsSchema.prefault({}),
  scene: z
    .strictObject({
      /** Built-in scene (or JSON file) for demonstrations without a recorded object. */
      template: z.string().min(1).default(DEFAULT_SCENE),
      /** The table scene generated around a recorded object (GRAB, tracks with objects, videos). */
      table: z
        .strictObject({
          tableSizeM: z.tuple([positive, positive]).optional(),
          placeToleranceM: z.tuple([positive, positive, positive]).optional(),
          friction: nonNegative.optional(),
          restToleranceM: positive.optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  augment: z
    .strictObject({
      /** Validated variants wanted per successful source episode (0: none). */
      variants: count.default(0),
      /** Attempts per source at most (default: 4 × variants, at least 10). */
      maxAttempts: positiveInt.optional(),
      ranges: VariationRangesSchema.prefault({}),
      /**
       * Which engines must agree for a variant to count: rapier, or both (its commands replayed
       * in MuJoCo with the real 2F-85 MJCF; kept only when MuJoCo agrees: `mujoco_disagrees`).
       */
      validate: z.enum(VALIDATE_ENGINES).default("rapier"),
    })
    .prefault({}),
  output: z.strictObject({
    /** Job folder: units/, dataset/, report.json (shards: parts/shard-I-of-N/). */
    dir: z.string().min(1),
    /** lerobot: <dir>/dataset (LeRobot v3.0); robomimic: <dir>/robomimic.hdf5 (robomimic / MimicGen). */
    formats: z
      .array(z.enum(["lerobot", "robomimic"]))
      .min(1)
      .default(["lerobot"]),
    /** Also put failed source episodes and rejected variants (with their reasons) in the dataset. */
    keepFailed: z.boolean().default(false),
    /**
     * What the robomimic file's `actions` hold: absolute TCP poses, or robosuite OSC_POSE deltas
     * (src/dataset/robomimic/layout.ts ACTION_MODES). LeRobot's actions are absolute.
     */
    robomimicActions: z.enum(ACTION_MODES).default("absolute"),
    /**
     * Camera streams rendered for the dataset's episodes (src/render): LeRobot video features.
     * Absent: none. `size` is WIDTHxHEIGHT in pixels (even).
     */
    cameras: z
      .strictObject({
        keys: z
          .array(z.enum(CAMERA_KEYS))
          .min(1)
          .default([...DEFAULT_CAMERAS]),
        size: z
          .string()
          // Checked when the spec loads, not when the dataset is written at the end of the job.
          .refine((t) => imageSizeOf(t) !== undefined, {
            message: "must be WIDTHxHEIGHT, even, 16…4096 pixels each, e.g. 224x224",
          })
          .default("224x224"),
        codec: z.enum(VIDEO_CODECS).default("h264"),
      })
      .optional(),
  }),
  resources: z
    .strictObject({
      /** Worker threads for simulation and augmentation ("auto": one per core; 0: in the main thread). */
      workers: z.union([z.literal("auto"), count]).default("auto"),
      /**
       * Render lanes (output.cameras): headless Chromium instances drawing episodes at once, beside
       * the workers ("auto": as many as workers, at least one). Each takes a few hundred MB; on a
       * node with one GPU a few lanes can share it.
       */
      renderers: z.union([z.literal("auto"), z.number().int().positive()]).default("auto"),
      /** Perception execution provider. */
      device: z.enum(DEVICES).default("cpu"),
      /**
       * Videos perceived at once on the device lane. Above 1 their crops go through shared model
       * sessions in batched runs (what a GPU needs to be busy); the tracks are the same byte for
       * byte. "auto": 1 on cpu (measured: 2 videos at once gain under 10 % on 2 cores), 32 on a GPU.
       */
      videosAtOnce: z.union([z.literal("auto"), z.number().int().positive().max(1024)]).default("auto"),
      /** Shards split the job by source (all units of a demonstration together) or by unit. */
      shardBy: z.enum(["source", "unit"]).default("source"),
      /** Stop when more units than this have failed. */
      maxFailures: count.optional(),
      /** A unit running longer than this fails with reason "timeout" (its worker is restarted). */
      unitTimeoutS: positive.optional(),
      /** Heap limit of each worker (MB); a worker past it fails its unit with "worker_out_of_memory". */
      workerMemoryMb: positiveInt.optional(),
    })
    .prefault({}),
});
export type JobSpec = z.infer<typeof JobSpecSchema>;

/** A loaded job: the spec, where it came from, and a hash of its content. */
export interface LoadedJob {
  spec: JobSpec;
  file: string;
  /** Folder relative paths in the spec are resolved against. */
  dir: string;
  name: string;
  specHash: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces `${VAR}` / `${VAR:-default}` in every string of `value`; a missing variable names its field. */
export function interpolateEnv(value: unknown, env: Env, at: (string | number)[] = []): unknown {
  if (typeof value === "string") {
    return value.replace(VAR, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== "") return v;
      if (fallback !== undefined) return fallback;
      throw new InputError(`${at.join(".") || "(root)"}: environment variable ${name} is not set`, {
        hint: `set it, or write \${${name}:-default}`,
      });
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, [...at, i]));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        interpolateEnv(v, env, [...at, k]),
      ]),
    );
  }
  return value;
}

/** `path.to.field (line N): message` for each zod issue, the line found in the YAML document. */
function describeIssues(error: z.ZodError, lineOf: (p: PropertyKey[]) => number | undefined): string {
  return error.issues
    .slice(0, 12)
    .map((issue) => {
      const at = issue.path.length > 0 ? issue.path.map(String).join(".") : "(root)";
      const line = lineOf(issue.path);
      const where = line === undefined ? at : `${at} (line ${line})`;
      if (issue.code === "unrecognized_keys") {
        const keys = (issue as { keys: string[] }).keys;
        return `${where}: unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `'${k}'`).join(", ")}`;
      }
      return `${where}: ${issue.message}`;
    })
    .join("\n  ");
}

/** Parses and validates a job spec from YAML text; `file` is for messages and relative paths. */
export function parseJobSpec(text: string, file: string, env: Env = process.env): LoadedJob {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new InputError(`${file}: not valid YAML: ${e.message.split("\n")[0]}`);
  }
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) throw new InputError(`${file} is empty`);
  const lineOf = (p: PropertyKey[]): number | undefined => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  let expanded: unknown;
  try {
    expanded = interpolateEnv(raw, env);
  } catch (err) {
    throw new InputError(`invalid job spec (${file}): ${(err as Error).message}`, {
      hint: (err as InputError).hint,
    });
  }
  const r = JobSpecSchema.safeParse(expanded);
  if (!r.success) throw new InputError(`invalid job spec (${file}):\n  ${describeIssues(r.error, lineOf)}`);
  const spec = r.data;
  const name = spec.name ?? path.basename(file).replace(/\.(ya?ml)$/i, "");
  return { spec, file, dir: path.dirname(path.resolve(file)), name, specHash: hashValue(spec) };
}

/** Reads, parses and validates a job spec file. */
export async function loadJobSpec(file: string, env: Env = process.env): Promise<LoadedJob> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`job spec not found: ${file}`);
    throw new InputError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseJobSpec(text, file, env);
}

/** Attempts per source (augment.maxAttempts, or 4 × variants and at least 10); 0 without variants. */
export const maxAttemptsOf = (spec: JobSpec): number =>
  spec.augment.variants === 0 ? 0 : (spec.augment.maxAttempts ?? Math.max(10, 4 * spec.augment.variants));
