/**
 * Re-running an episode in the preview, on the same code the CLI runs (src/sim, src/augment,
 * src/hands, src/retarget) — no DOM, no Node: it runs in the browser worker and in Node tests.
 *
 * How an episode is re-run depends on where it came from:
 * - a variant (lineage with variation params and segments): regenerated from its source episode
 *   and recorded parameters, as `egobridge augment --replay` does — bit for bit;
 * - a procedural demonstration ("procedural:pick_to_tote:…"): the synthetic hand track is
 *   regenerated from the scene and seed, retargeted and simulated, as `egobridge demo` does — bit
 *   for bit;
 * - anything else (e.g. a GRAB recording, whose hand track is not in the dataset): the recorded
 *   commands are replayed through the augmentation's identity variation — close, not bit for bit.
 *
 * Changed parameters (target mass, friction, slot, gripper) go into the same machinery: the
 * variation parameters of a variant, the scene and gripper of a procedural demonstration.
 */
import { applyVariation } from "../../augment/apply_scene.js";
import { runVariant } from "../../augment/generate.js";
import { segmentEpisode } from "../../augment/segments.js";
import { IDENTITY_VARIATION, type VariationParams, VariationParamsSchema } from "../../augment/variation.js";
import type { Embodiment } from "../../core/schemas/embodiment.js";
import type { Episode } from "../../core/schemas/episode.js";
import type { SceneItem, SceneSpec } from "../../core/schemas/scene.js";
import { proceduralPickToTote } from "../../hands/procedural.js";
import { retargetParallelJaw } from "../../retarget/parallel_jaw.js";
import { type ArmModelJson, armModelFromJson, provideArmModel } from "../../sim/arm.js";
import { linkageOf } from "../../sim/gripper_models.js";
import { simulateEpisode } from "../../sim/simulate.js";

export type ResimMethod = "variant_lineage" | "procedural" | "recorded_commands";

export interface ResimOverrides {
  /** Mass of the target (kg). */
  massKg?: number;
  /** Friction coefficient of the target. */
  friction?: number;
  /** Move the target along its support's x and y (m), from where it is in the episode. */
  shiftM?: [number, number];
  /** Shelf level (index into the shelf's levelsM) to put the target on. */
  level?: number;
  /** Gripper model name (models/<name>.json). */
  embodiment?: string;
}

export interface ResimRequest {
  episode: Episode;
  /** The source episode of a variant: a variant is regenerated from it. */
  source?: Episode;
  overrides?: ResimOverrides;
  /** Gripper models by name: for a gripper swap, and for variants recorded on another gripper. */
  embodiments: Record<string, Embodiment>;
  /**
   * The arm of the episode's embodiment, where this thread cannot load it from the model files
   * (the browser: the preview server's /api/arm-model).
   */
  armModel?: ArmModelJson;
}

export interface ResimResult {
  episode: Episode;
  method: ResimMethod;
  /** The stored episode's own inputs, unchanged, by a method that reproduces it bit for bit. */
  exactReplay: boolean;
  wallS: number;
}

const PROCEDURAL_PREFIX = "procedural:pick_to_tote:";
/** Id suffix of a re-run with changed parameters, so it is never mistaken for the stored episode. */
export const PREVIEW_SUFFIX = "~preview";

interface VariantLineage {
  variation: VariationParams;
  segments: { approachStart: number; pickEnd: number; placeStart: number };
}

function variantLineage(e: Episode): VariantLineage | undefined {
  const p = e.lineage.params as { variation?: unknown; segments?: VariantLineage["segments"] };
  if (e.lineage.variant === undefined || !p.segments || p.variation === undefined) return undefined;
  return { variation: VariationParamsSchema.parse(p.variation), segments: p.segments };
}

/** How `resimulate` will re-run this episode. */
export function resimMethod(e: Episode): ResimMethod {
  if (variantLineage(e)) return "variant_lineage";
  if (e.lineage.source.startsWith(PROCEDURAL_PREFIX)) return "procedural";
  return "recorded_commands";
}

const hasOverrides = (o: ResimOverrides | undefined): boolean =>
  o !== undefined && Object.values(o).some((v) => v !== undefined);

const targetOf = (scene: SceneSpec) =>
  scene.items.find((i) => i.id === scene.task.targetId) as Extract<SceneItem, { massKg: number }>;

function lookup(embodiments: Record<string, Embodiment>, name: string, fallback?: Embodiment): Embodiment {
  const e = embodiments[name] ?? (fallback?.name === name ? fallback : undefined);
  if (!e) throw new Error(`unknown gripper '${name}' (known: ${Object.keys(embodiments).join(", ")})`);
  return e;
}

/** Variation parameters with the overrides applied; `base` is the source the variation is relative to. */
function overrideParams(params: VariationParams, base: Episode, o: ResimOverrides = {}): VariationParams {
  const out = { ...params, shift: [...params.shift] as [number, number] };
  if (o.massKg !== undefined) out.massScale = o.massKg / targetOf(base.scene).massKg;
  if (o.friction !== undefined) out.friction = o.friction;
  if (o.shiftM) out.shift = [params.shift[0] + o.shiftM[0], params.shift[1] + o.shiftM[1]];
  if (o.level !== undefined) out.level = o.level;
  if (o.embodiment !== undefined) out.embodiment = o.embodiment;
  return out;
}

/**
 * The built-in synthetic demonstration on `scene` with `embodiment`, exactly as `egobridge demo`
 * runs it: procedural hand track → parallel-jaw retargeting → Rapier.
 */
export async function runProcedural(
  scene: SceneSpec,
  embodiment: Embodiment,
  o: { seed: number; id: string; task: string; lineageSource?: string },
): Promise<Episode> {
  const track = proceduralPickToTote(scene, { seed: o.seed });
  const trajectory = retargetParallelJaw(track, embodiment, {}, await linkageOf(embodiment));
  return simulateEpisode({
    scene,
    embodiment,
    trajectory,
    seed: o.seed,
    id: o.id,
    task: o.task,
    lineageSource: o.lineageSource ?? `${PROCEDURAL_PREFIX}${scene.name}`,
  });
}

/** The scene of a procedural demonstration with the target's slot, mass and friction overridden. */
function overriddenScene(scene: SceneSpec, o: ResimOverrides, embodiment: string): SceneSpec {
  let out = scene;
  if (o.shiftM || o.level !== undefined) {
    out = applyVariation(scene, {
      ...IDENTITY_VARIATION(embodiment),
      shift: o.shiftM ?? [0, 0],
      level: o.level ?? -1,
    }).scene;
  }
  if (o.massKg === undefined && o.friction === undefined) return out;
  out = structuredClone(out);
  const target = targetOf(out);
  if (o.massKg !== undefined) target.massKg = o.massKg;
  if (o.friction !== undefined) target.friction = o.friction;
  return out;
}

export async function resimulate(req: ResimRequest): Promise<ResimResult> {
  const t0 = performance.now();
  const { episode: e, overrides } = req;
  if (req.armModel) provideArmModel(e.embodiment, armModelFromJson(req.armModel));
  const changed = hasOverrides(overrides);
  const loadEmbodiment = async (name: string) => lookup(req.embodiments, name, e.embodiment);
  const method = resimMethod(e);
  let episode: Episode;
  if (method === "variant_lineage") {
    const source = req.source;
    if (!source || source.id !== e.lineage.sourceEpisode) {
      throw new Error(`variant '${e.id}' needs its source episode '${e.lineage.sourceEpisode}'`);
    }
    const lineage = variantLineage(e)!;
    const params = overrideParams(lineage.variation, source, overrides);
    const embodiments = { ...req.embodiments, [source.embodiment.name]: source.embodiment };
    episode = await runVariant(source, e.lineage.variant!, params, lineage.segments, {
      seed: e.lineage.seed,
      loadEmbodiment: async (name) => lookup(embodiments, name, e.embodiment),
    });
  } else if (method === "procedural") {
    const o = overrides ?? {};
    const embodiment = await loadEmbodiment(o.embodiment ?? e.embodiment.name);
    const scene = changed ? overriddenScene(e.scene, o, embodiment.name) : e.scene;
    episode = await runProcedural(scene, embodiment, {
      seed: e.lineage.seed,
      id: e.id,
      task: e.task,
      lineageSource: e.lineage.source,
    });
  } else {
    const params = overrideParams(IDENTITY_VARIATION(e.embodiment.name), e, overrides);
    episode = await runVariant(e, 0, params, segmentEpisode(e), {
      seed: e.lineage.seed,
      loadEmbodiment,
    });
  }
  if (changed || method === "recorded_commands") episode = { ...episode, id: `${e.id}${PREVIEW_SUFFIX}` };
  return {
    episode,
    method,
    exactReplay: !changed && method !== "recorded_commands",
    wallS: (performance.now() - t0) / 1000,
  };
}

/** How a re-run compares with the stored episode, step by step. */
export interface EpisodeComparison {
  sameLength: boolean;
  /** Every number of every step equal, bit for bit. */
  identical: boolean;
  /** The simulated physics — measured state, object poses, contacts — equal bit for bit. */
  physicsIdentical: boolean;
  /** Largest absolute difference of any number in the steps (Infinity when the structure differs). */
  maxAbsDiff: number;
  /** First step and field that differ, or null. */
  first: { step: number; field: string } | null;
}

const STEP_FIELDS = ["t", "state", "action", "objects", "contacts", "human"] as const;
const PHYSICS_FIELDS: ReadonlySet<string> = new Set(["state", "objects", "contacts"]);
/** A step's state without the arm's joints: they are solved in JS from the measured TCP, not simulated. */
const withoutJoints = (state: unknown): unknown => {
  if (!state || typeof state !== "object" || !("joints" in state)) return state;
  const { joints: _, ...rest } = state as { joints: unknown };
  return rest;
};

/** Largest absolute difference between two JSON values of the same shape; Infinity when the shapes differ. */
export function maxAbsDiff(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return Object.is(a, b) ? 0 : Math.abs(a - b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return Number.POSITIVE_INFINITY;
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, maxAbsDiff(a[i], b[i]));
    return m;
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return Number.POSITIVE_INFINITY;
    let m = 0;
    for (const k of ka) {
      if (!(k in b)) return Number.POSITIVE_INFINITY;
      m = Math.max(m, maxAbsDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
    }
    return m;
  }
  return a === b ? 0 : Number.POSITIVE_INFINITY;
}

/**
 * Compares a re-run with the stored episode. Physics and the rest are told apart because the
 * JavaScript engines differ in the last bit of Math.sin/cos/log/pow (Node 20's V8 and a current
 * Chromium's do): Rapier's float32 state absorbs that, float64 values computed in JS around it
 * (commanded quaternions, interpolated hand keypoints, an arm's joints from its inverse
 * kinematics) may not.
 */
export function compareEpisodes(replay: Episode, stored: Episode): EpisodeComparison {
  const n = Math.min(replay.steps.length, stored.steps.length);
  let max = 0;
  let physicsIdentical = true;
  let first: EpisodeComparison["first"] = null;
  for (let k = 0; k < n; k++) {
    for (const field of STEP_FIELDS) {
      const [a, b] = [replay.steps[k]![field], stored.steps[k]![field]];
      const d = maxAbsDiff(a, b);
      if (d === 0) continue;
      max = Math.max(max, d);
      first ??= { step: k, field };
      const simulated = (v: unknown) => (field === "state" ? withoutJoints(v) : v);
      if (PHYSICS_FIELDS.has(field) && maxAbsDiff(simulated(a), simulated(b)) !== 0) physicsIdentical = false;
    }
  }
  const sameLength = replay.steps.length === stored.steps.length;
  if (!sameLength) first ??= { step: n, field: "length" };
  return {
    sameLength,
    identical: sameLength && first === null,
    physicsIdentical: sameLength && physicsIdentical,
    maxAbsDiff: sameLength ? max : Number.POSITIVE_INFINITY,
    first,
  };
}
