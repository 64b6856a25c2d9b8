/**
 * Work units: the smallest pieces of a job that are run, recorded and resumed on their own.
 *
 *   source ──► hands ──► sim (one per embodiment) ──► augment v0, v1, … (variant attempts)
 *          └─► episode (an input dataset's episode, taken as it is) ──► augment …
 *
 *   each episode the dataset takes ──► render (its cameras, when the job asks for any)
 *
 * A unit's id is derived from the content hash of its input, its stage and, for variants, the
 * attempt index, plus a hash of everything else that shapes its output (parameters, the models
 * and scenes it loads, its dependencies' ids): `sim-<input sha256:12>-<config:8>`,
 * `augment-<input:12>-<config:8>-v3`. The same job on the same inputs gives the same ids on any
 * machine, so finished units are found again after a crash and shards agree on names.
 */

import { existsSync } from "node:fs";
import path from "node:path";
import type { VariationRanges } from "../../augment/variation.js";
import { InputError } from "../../core/errors.js";
import type { CameraKey } from "../../render/cameras.js";
import type { VideoCodec } from "../../render/encode.js";
import type { ParallelJawParams } from "../../retarget/params.js";
import type { ValidateEngines } from "../../sim/verdict.js";
import { loadEmbodiment, loadScene } from "../catalog.js";
import { hashValue, sha256Files, sha256Path } from "./hashing.js";
import { type SourceKind, type SourceRef, sourceSlug } from "./sources.js";
import { type JobDevice, type JobSpec, type LoadedJob, maxAttemptsOf } from "./spec.js";

/** Bumped when a unit's output would change for the same inputs (invalidates every recorded unit). */
export const UNIT_VERSION = "egobridge.unit/4";

export type Stage = "hands" | "sim" | "episode" | "augment" | "render";
export const STAGES: readonly Stage[] = ["hands", "sim", "episode", "augment", "render"];

export interface FrameRangeOpt {
  start?: number;
  end?: number;
  stride?: number;
}

export type HandsTask =
  | { stage: "hands"; kind: "demo"; scene: string; seed: number; noiseM?: number; label: string }
  | { stage: "hands"; kind: "grab"; file: string; range: FrameRangeOpt; label: string }
  | { stage: "hands"; kind: "track"; file: string; label: string }
  | {
      stage: "hands";
      kind: "video";
      file: string;
      label: string;
      /** A camera file or folder (readCameraSource): intrinsics and/or the head's trajectory. */
      camera?: string;
      cameraStartS?: number;
      hfovDeg?: number;
      mirrored: boolean;
      models?: string;
      device: JobDevice;
      range: FrameRangeOpt;
    };

export interface SimTask {
  stage: "sim";
  kind: Exclude<SourceKind, "episode">;
  embodiment: string;
  retarget: ParallelJawParams;
  /** Scene for sources without a recorded object (demo, tracks without objects). */
  scene: string;
  table: JobSpec["scene"]["table"];
  video?: { cameraHeightM?: number; pitchDownDeg?: number };
  /**
   * Video sources: which demonstrating hand (`demonstratingSides`) this unit simulates: 0 (absent)
   * the manipulating hand, 1 the other hand when it demonstrates too (else the unit records that
   * it has nothing to simulate).
   */
  hand?: number;
  seed: number;
  episodeId: string;
  lineageSource: string;
}

export interface EpisodeTask {
  stage: "episode";
  file: string;
  label: string;
}

export interface AugmentTask {
  stage: "augment";
  index: number;
  seed: number;
  ranges: VariationRanges;
  /** Folder that embodiment files named in `ranges.embodiments` are relative to. */
  baseDir: string;
  /** Engines that must agree (JobSpec augment.validate). */
  validate: ValidateEngines;
}

/**
 * The cameras of one episode (a sim, episode or augment unit's): rendered once, recorded as media
 * beside the unit's record — the MP4s of the LeRobot video features and/or the lossless frames
 * robomimic stores.
 */
export interface RenderTask {
  stage: "render";
  keys: CameraKey[];
  /** WIDTHxHEIGHT. */
  size: string;
  codec: VideoCodec;
  /** LeRobot video features. */
  video: boolean;
  /** robomimic images. */
  images: boolean;
}

export type UnitTask = HandsTask | SimTask | EpisodeTask | AugmentTask | RenderTask;

export interface UnitSpec {
  id: string;
  stage: Stage;
  ordinal: number;
  source: string;
  /** Index of the root (embodiment) this unit belongs to; absent for hands. */
  root?: number;
  variant?: number;
  task: UnitTask;
  /** Ids of the units whose outputs this one reads. */
  deps: string[];
}

/** The units of one source: its hand track, its root episodes, and the prefix of its variant ids. */
export interface SourcePlan {
  ref: SourceRef;
  inputSha: string;
  hands?: UnitSpec;
  /** One sim unit per embodiment, or the single episode unit of a dataset input. */
  roots: UnitSpec[];
  /** Per root: variant attempt i has id `${augmentPrefix[r]}-v${i}`. */
  augmentPrefix: string[];
}

/** What planning needs besides the source: the job, its settings and content hashes of shared files. */
export interface PlanContext {
  job: LoadedJob;
  spec: JobSpec;
  attempts: number;
  embodiments: { ref: string; name: string; sha: string }[];
  swapShas: string[];
  device: JobDevice;
  memo: Map<string, Promise<string>>;
}

const fileLike = (s: string): boolean => s.endsWith(".json") || s.includes("/") || s.includes(path.sep);
/** A catalog name stays a name; a file is resolved against the job folder. */
export const resolveRef = (job: LoadedJob, s: string): string => (fileLike(s) ? path.resolve(job.dir, s) : s);

const short = (sha: string, n: number): string => sha.slice(0, n);

export async function createPlanContext(job: LoadedJob, device: JobDevice): Promise<PlanContext> {
  const spec = job.spec;
  const embodiments = [];
  // Every embodiment the job may write, with the arm joints its episodes' state carries.
  const layouts: { name: string; joints: string }[] = [];
  for (const e of spec.embodiments) {
    const ref = resolveRef(job, e);
    const emb = await loadEmbodiment(ref);
    embodiments.push({ ref, name: emb.name, sha: hashValue(emb) });
    layouts.push({ name: emb.name, joints: (emb.arm?.joints ?? []).join(", ") });
  }
  const swapShas: string[] = [];
  if (spec.augment.variants > 0) {
    for (const e of spec.augment.ranges.embodiments) {
      const emb = await loadEmbodiment(resolveRef(job, e));
      swapShas.push(hashValue(emb));
      layouts.push({ name: emb.name, joints: (emb.arm?.joints ?? []).join(", ") });
    }
  }
  // One dataset, one robot-state layout (dataset/arm_joints.ts): refused here, before any work.
  const other = layouts.find((l) => l.joints !== layouts[0]!.joints);
  if (other) {
    const say = (l: { name: string; joints: string }) =>
      `'${l.name}' (${l.joints ? `arm joints [${l.joints}]` : "a free gripper"})`;
    throw new InputError(
      `embodiments: ${say(layouts[0]!)} and ${say(other)} record different robot states, and a dataset has one layout`,
      { hint: "run arm and free-gripper embodiments (or arms with other joints) as separate jobs" },
    );
  }
  const names = embodiments.map((e) => e.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new InputError(`embodiments: '${dup}' is listed twice`);
  return { job, spec, attempts: maxAttemptsOf(spec), embodiments, swapShas, device, memo: new Map() };
}

function memo(ctx: PlanContext, key: string, make: () => Promise<string>): Promise<string> {
  let p = ctx.memo.get(key);
  if (!p) {
    p = make();
    ctx.memo.set(key, p);
  }
  return p;
}

const sceneSha = (ctx: PlanContext, ref: string) =>
  memo(ctx, `scene:${ref}`, async () => hashValue(await loadScene(ref)));

/** GRAB layout (b) is a pair of files; the hand track depends on both. */
function grabFiles(file: string): string[] {
  const pairs: [string, string][] = [
    ["hand_glob_poses.json", "object_poses.json"],
    ["object_poses.json", "hand_glob_poses.json"],
  ];
  for (const [suffix, other] of pairs) {
    if (file.endsWith(suffix)) return [file, file.slice(0, -suffix.length) + other].sort();
  }
  return [file];
}

async function handsTask(
  ref: SourceRef,
  ctx: PlanContext,
): Promise<{ task: HandsTask; sha: string; params: unknown }> {
  const input = ctx.spec.inputs[ref.entry]!;
  switch (input.kind) {
    case "demo": {
      const scene = resolveRef(ctx.job, input.scene ?? ctx.spec.scene.template);
      const params = { scene: await sceneSha(ctx, scene), seed: ref.seed!, noiseM: input.noiseM };
      const task: HandsTask = { stage: "hands", kind: "demo", scene, seed: ref.seed!, label: ref.label };
      if (input.noiseM !== undefined) task.noiseM = input.noiseM;
      return { task, sha: hashValue(params), params };
    }
    case "grab": {
      const range = { start: input.start, end: input.end, stride: input.stride };
      const files = grabFiles(ref.file!).filter((f) => f === ref.file || existsSync(f));
      return {
        task: { stage: "hands", kind: "grab", file: ref.file!, range, label: ref.label },
        sha: await sha256Files(files),
        params: range,
      };
    }
    case "track":
      return {
        task: { stage: "hands", kind: "track", file: ref.file!, label: ref.label },
        sha: await sha256Files([ref.file!]),
        params: {},
      };
    case "video": {
      const camera = ref.camera;
      const cameraSha = camera ? await sha256Path(camera) : undefined;
      const task: HandsTask = {
        stage: "hands",
        kind: "video",
        file: ref.file!,
        label: ref.label,
        mirrored: input.mirrored,
        device: ctx.device,
        range: {
          start: ref.frames?.start ?? input.start,
          end: ref.frames?.end ?? input.end,
          stride: input.stride,
        },
      };
      if (camera) task.camera = camera;
      if (input.cameraStartS !== undefined) task.cameraStartS = input.cameraStartS;
      if (input.hfovDeg !== undefined) task.hfovDeg = input.hfovDeg;
      if (input.models !== undefined) task.models = input.models;
      const params = { ...task, file: undefined, camera: cameraSha };
      return { task, sha: await sha256Files([ref.file!]), params };
    }
    case "dataset":
      throw new Error("dataset inputs have no hands unit");
  }
}

function episodePlan(ref: SourceRef, sha: string, ctx: PlanContext): SourcePlan {
  const id = `episode-${short(sha, 12)}-${short(hashValue({ v: UNIT_VERSION, label: ref.label }), 8)}`;
  const root: UnitSpec = {
    id,
    stage: "episode",
    ordinal: ref.ordinal,
    source: ref.label,
    root: 0,
    task: { stage: "episode", file: ref.file!, label: ref.label },
    deps: [],
  };
  return { ref, inputSha: sha, roots: [root], augmentPrefix: [augmentPrefix(ctx, sha, id)] };
}

function augmentPrefix(ctx: PlanContext, inputSha: string, rootId: string): string {
  const cfg = {
    v: UNIT_VERSION,
    root: rootId,
    seed: ctx.spec.seed,
    ranges: ctx.spec.augment.ranges,
    swap: ctx.swapShas,
    // Only when set, so that the ids of Rapier-validated units stay what they were.
    ...(ctx.spec.augment.validate === "both" ? { validate: "both" } : {}),
  };
  return `augment-${short(inputSha, 12)}-${short(hashValue(cfg), 8)}`;
}

/** All units of one source (hashing its input files). */
export async function planSource(ref: SourceRef, ctx: PlanContext): Promise<SourcePlan> {
  if (ref.kind === "episode") return episodePlan(ref, await sha256Files([ref.file!]), ctx);
  const h = await handsTask(ref, ctx);
  const handsId = `hands-${short(h.sha, 12)}-${short(hashValue({ v: UNIT_VERSION, kind: ref.kind, label: ref.label, params: h.params }), 8)}`;
  const hands: UnitSpec = {
    id: handsId,
    stage: "hands",
    ordinal: ref.ordinal,
    source: ref.label,
    task: h.task,
    deps: [],
  };
  const input = ctx.spec.inputs[ref.entry]!;
  const template = resolveRef(
    ctx.job,
    (input.kind === "demo" || input.kind === "track" ? input.scene : undefined) ?? ctx.spec.scene.template,
  );
  const templateSha = ref.kind === "demo" || ref.kind === "track" ? await sceneSha(ctx, template) : undefined;
  const slug = sourceSlug(ref);
  // A video may show two demonstrating hands: one root per embodiment and hand slot.
  const slots = ref.kind === "video" ? [0, 1] : [0];
  const roots = ctx.embodiments.flatMap((emb) =>
    slots.map((hand): UnitSpec => {
      const task: SimTask = {
        stage: "sim",
        kind: ref.kind as SimTask["kind"],
        embodiment: emb.ref,
        retarget: ctx.spec.retarget,
        scene: template,
        table: ctx.spec.scene.table,
        seed: ctx.spec.seed,
        episodeId: ref.kind === "demo" ? `${slug}-${emb.name}` : `${slug}-${short(h.sha, 8)}-${emb.name}`,
        lineageSource:
          ref.kind === "demo"
            ? `procedural:pick_to_tote:${ref.label.slice("demo:".length)}`
            : `${ref.kind}:${ref.label}`,
      };
      if (input.kind === "video")
        task.video = { cameraHeightM: input.cameraHeightM, pitchDownDeg: input.pitchDownDeg };
      if (hand > 0) task.hand = hand;
      const cfg = { ...task, v: UNIT_VERSION, hands: handsId, embodiment: emb.sha, scene: templateSha };
      const id = `sim-${short(h.sha, 12)}-${short(hashValue(cfg), 8)}`;
      return { id, stage: "sim", ordinal: ref.ordinal, source: ref.label, task, deps: [handsId] };
    }),
  );
  for (const [r, u] of roots.entries()) u.root = r;
  return {
    ref,
    inputSha: h.sha,
    hands,
    roots,
    augmentPrefix: roots.map((u) => augmentPrefix(ctx, h.sha, u.id)),
  };
}

/** Variant attempt `index` of root `r`. */
export function augmentUnit(
  plan: SourcePlan,
  r: number,
  index: number,
  ctx: Pick<PlanContext, "spec" | "job">,
): UnitSpec {
  const root = plan.roots[r]!;
  return {
    id: `${plan.augmentPrefix[r]}-v${index}`,
    stage: "augment",
    ordinal: plan.ref.ordinal,
    source: plan.ref.label,
    root: r,
    variant: index,
    task: {
      stage: "augment",
      index,
      seed: ctx.spec.seed,
      ranges: ctx.spec.augment.ranges,
      baseDir: ctx.job.dir,
      validate: ctx.spec.augment.validate,
    },
    deps: [root.id],
  };
}

/** The render task of a job: undefined when it asks for no camera. */
export function renderTaskOf(spec: JobSpec): RenderTask | undefined {
  const c = spec.output.cameras;
  if (!c || c.keys.length === 0) return undefined;
  return {
    stage: "render",
    keys: [...c.keys],
    size: c.size,
    codec: c.codec,
    video: spec.output.formats.includes("lerobot"),
    images: spec.output.formats.includes("robomimic"),
  };
}

/** The render unit of an episode unit (sim, episode or augment). */
export function renderUnit(
  episodeUnit: Pick<UnitSpec, "id" | "ordinal" | "source" | "root" | "variant">,
  task: RenderTask,
): UnitSpec {
  const input = hashValue({ episode: episodeUnit.id });
  const u: UnitSpec = {
    id: `render-${short(input, 12)}-${short(hashValue({ v: UNIT_VERSION, task }), 8)}`,
    stage: "render",
    ordinal: episodeUnit.ordinal,
    source: episodeUnit.source,
    task,
    deps: [episodeUnit.id],
  };
  if (episodeUnit.root !== undefined) u.root = episodeUnit.root;
  if (episodeUnit.variant !== undefined) u.variant = episodeUnit.variant;
  return u;
}

/** The stage of a unit id (its prefix). */
export function stageOf(id: string): Stage {
  const stage = id.slice(0, id.indexOf("-")) as Stage;
  if (!STAGES.includes(stage)) throw new Error(`not a unit id: ${id}`);
  return stage;
}
