import { fromArray3, invert, type Pose, qfromXyzw, transformPoint, type Vec3 } from "../core/math.js";
import { createRng } from "../core/rng.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { Episode } from "../core/schemas/episode.js";
import type { RobotTrajectory } from "../core/schemas/trajectory.js";
import { findSupport } from "../core/support.js";
import { armModelOf } from "../sim/arm.js";
import { type PhysicsSettings, simulateEpisode } from "../sim/simulate.js";
import { type EpisodeValidator, failureCause } from "../sim/verdict.js";
import { applyVariation, mirrorScene } from "./apply_scene.js";
import { type Segments, segmentEpisode } from "./segments.js";
import { variantSteps } from "./transform.js";
import {
  sampleVariation,
  type VariationParams,
  VariationParamsSchema,
  type VariationRanges,
  type VariationRangesInput,
  VariationRangesSchema,
} from "./variation.js";

export const AUGMENT_METHOD = "object_centric_segments_v1";

/** What a failed variant is counted under (see failureCause). */
export const failureReason = (e: Episode): string => failureCause(e.reasons);

export const variantId = (sourceId: string, index: number): string => `${sourceId}~v${index}`;

export interface GenerateOptions {
  seed: number;
  loadEmbodiment: (name: string) => Promise<Embodiment>;
  segments?: Segments;
  /**
   * A second check every Rapier success must pass to count as validated (Node callers pass
   * sim/mujoco's MuJoCo replay for `--validate both`); a rejected one fails with its reason. Its
   * name is recorded in the lineage, so a replay knows to validate the same way.
   */
  validator?: { name: string; check: EpisodeValidator };
  /** Physics settings other than the defaults (bench/physics.ts measures them). */
  physics?: PhysicsSettings;
}

/**
 * One variant of a source episode, fully determined by (source, params, segments): the scene is
 * varied, the demonstration's segments carried with the objects, and the result replayed in
 * physics. The lineage records everything needed to regenerate it bit for bit.
 */
export async function runVariant(
  source: Episode,
  index: number,
  params: VariationParams,
  segments: Segments,
  o: GenerateOptions,
): Promise<Episode> {
  const embodiment = await o.loadEmbodiment(params.embodiment);
  const applied = applyVariation(source.scene, params);
  const steps = variantSteps(source, segments, applied.T_obj, applied.T_place, params, embodiment);
  // A mirrored arm's posture is kept within its joints' limits (the arm's model has them).
  const arm = params.mirror && embodiment.arm ? await armModelOf(embodiment) : undefined;
  const scene = params.mirror
    ? mirrorScene(
        applied.scene,
        arm && embodiment.arm
          ? { mount: embodiment.arm.mount, ready: arm.ready, lower: arm.chain.lower, upper: arm.chain.upper }
          : undefined,
      )
    : applied.scene;
  const side = params.mirror ? (source.source.side === "left" ? "right" : "left") : source.source.side;
  const trajectory: RobotTrajectory = {
    format: "egobridge.trajectory",
    version: 1,
    embodiment: embodiment.name,
    controlHz: source.controlHz,
    frame: "W",
    source: {
      kind: source.source.kind,
      uri: source.source.uri,
      side,
      synthetic: source.source.synthetic,
      // The source camera stays the variant's: its human samples carry the head pose moved with them.
      ...(source.source.camera ? { camera: source.source.camera } : {}),
      ...(source.source.headPose ? { headPose: source.source.headPose } : {}),
    },
    method: AUGMENT_METHOD,
    params: {},
    steps,
  };
  const simulated = await simulateEpisode({
    scene,
    embodiment,
    trajectory,
    seed: o.seed,
    id: variantId(source.id, index),
    task: source.task,
    lineageSource: source.lineage.source,
    ...o.physics,
  });
  const episode = o.validator ? await secondOpinion(simulated, o.validator.check) : simulated;
  return {
    ...episode,
    lineage: {
      source: source.lineage.source,
      sourceEpisode: source.id,
      variant: index,
      seed: o.seed,
      params: {
        method: AUGMENT_METHOD,
        variation: params,
        segments,
        ...(o.validator ? { validator: o.validator.name } : {}),
      },
    },
  };
}

/** A Rapier success given a second check: kept when it passes, else failed with the reason. */
async function secondOpinion(episode: Episode, check: EpisodeValidator): Promise<Episode> {
  if (!episode.success) return episode;
  const v = await check(episode);
  const metrics = { ...episode.metrics, ...v.metrics };
  return v.reject
    ? { ...episode, success: false, reasons: [...episode.reasons, v.reject], metrics }
    : { ...episode, metrics };
}

/** Draws variant `index`'s parameters: a generator forked from (seed, source id, index), so order does not matter. */
export function variantParams(
  source: Episode,
  index: number,
  seed: number,
  ranges: VariationRanges,
): VariationParams {
  const rng = createRng(seed).fork(`${source.id}#${index}`);
  const target = source.scene.items.find((i) => i.id === source.scene.task.targetId)!;
  const support = findSupport(source.scene, target as Parameters<typeof findSupport>[1]);
  const levels =
    support.kind === "shelf"
      ? (source.scene.items.find((i) => i.id === support.id) as { levelsM: number[] }).levelsM.length
      : 0;
  return sampleVariation(rng, ranges, levels, source.embodiment.name);
}

export interface SourceStats {
  source: string;
  attempts: number;
  successes: number;
  successRate: number;
  /** Failed attempts by reason. */
  failures: Record<string, number>;
  /** Validated variants per source demonstration. */
  multiplier: number;
  /** Spread of the validated variants: target start position in the source target's frame (m), duration (s). */
  spread: {
    dxM: [number, number];
    dyM: [number, number];
    dzM: [number, number];
    durationS: [number, number];
  };
  wallS: number;
}

export interface AugmentOptions extends GenerateOptions {
  /** Wanted validated variants. */
  variants: number;
  maxAttempts?: number;
  keepFailed?: boolean;
  ranges?: VariationRangesInput;
  onAttempt?: (done: { attempts: number; successes: number }) => void;
  /**
   * Runs attempt `index` of the source somewhere else (a worker thread): it must return what
   * `runVariant` with the same (source, index, seed, ranges, automatic segments) returns here.
   */
  runAttempt?: (index: number) => Promise<Episode>;
  /** Attempts run at once (with `runAttempt`); results are still taken in attempt order. */
  concurrency?: number;
}

/**
 * The trial loop of one source (augmentPoolVariants over it alone): attempt → simulate →
 * verdict, until `variants` successes or `maxAttempts` attempts. With `concurrency` > 1 the next attempts run while earlier ones are judged, but
 * their results are taken in attempt order and those past the stopping point are dropped, so
 * the variants kept are the same as one at a time, whatever the concurrency. Yields each kept
 * episode as it is judged (so a caller can write it and let it go); returns the statistics.
 */
export async function* augmentVariants(
  source: Episode,
  o: AugmentOptions,
): AsyncGenerator<Episode, SourceStats> {
  const { runAttempt, segments, ...rest } = o;
  const trials = augmentPoolVariants([source], {
    ...rest,
    ...(segments ? { segmentsBySource: new Map([[source.id, segments]]) } : {}),
    ...(runAttempt ? { runAttemptOf: () => runAttempt } : {}),
  });
  for (let r = await trials.next(); ; r = await trials.next()) {
    if (r.done) return r.value[0]!;
    yield r.value.episode;
  }
}

/** `augmentVariants`, collected: the kept episodes and the statistics. */
export async function augmentEpisode(
  source: Episode,
  o: AugmentOptions,
): Promise<{ variants: Episode[]; stats: SourceStats }> {
  const variants: Episode[] = [];
  const it = augmentVariants(source, o);
  for (let r = await it.next(); ; r = await it.next()) {
    if (r.done) return { variants, stats: r.value };
    variants.push(r.value);
  }
}

/**
 * The trial loop over a pool of sources, MimicGen's way: every trial picks its source at random
 * (a generator forked from the seed and the trial index), until `variants` validated variants in
 * total or `maxAttempts` attempts. Trial indices are global, so variant ids stay unique. As
 * `augmentVariants`, attempts may run elsewhere and ahead (`runAttemptOf`, `concurrency`), their
 * results taken in trial order, so the variants kept are the same whatever the concurrency; each
 * kept episode is yielded with its source's index as it is judged; returns the statistics.
 */
export async function* augmentPoolVariants(
  sources: readonly Episode[],
  o: Omit<AugmentOptions, "runAttempt"> & {
    segmentsBySource?: ReadonlyMap<string, Segments>;
    /** Runs trial `index` of source `k` elsewhere (as AugmentOptions.runAttempt), or undefined: here. */
    runAttemptOf?: (k: number) => ((index: number) => Promise<Episode>) | undefined;
  },
): AsyncGenerator<{ source: number; episode: Episode }, SourceStats[]> {
  const t0 = performance.now();
  const ranges = VariationRangesSchema.parse(o.ranges ?? {});
  const segments = sources.map((src) => o.segmentsBySource?.get(src.id) ?? segmentEpisode(src));
  const maxAttempts = o.maxAttempts ?? Math.max(10, 4 * o.variants);
  const per = sources.map((src) => ({
    spread: new SpreadOf(src),
    attempts: 0,
    successes: 0,
    failures: {} as Record<string, number>,
  }));
  /** Trial `index`: its source's index, and its episode (run here or elsewhere). */
  const attempt = (index: number): { k: number; episode: Promise<Episode> } => {
    const k = createRng(o.seed).fork(`source#${index}`).int(sources.length);
    const elsewhere = o.runAttemptOf?.(k);
    if (elsewhere) return { k, episode: elsewhere(index) };
    const source = sources[k]!;
    return {
      k,
      episode: runVariant(source, index, variantParams(source, index, o.seed, ranges), segments[k]!, o),
    };
  };
  const ahead = Math.max(1, o.concurrency ?? 1);
  const running = new Map<number, { k: number; episode: Promise<Episode> }>();
  let launched = 0;
  let successes = 0;
  let attempts = 0;
  try {
    while (successes < o.variants && attempts < maxAttempts) {
      // Keep `ahead` attempts running, the one judged next first.
      for (; launched < Math.min(maxAttempts, attempts + ahead); launched++)
        running.set(launched, attempt(launched));
      const { k, episode: judged } = running.get(attempts)!;
      const episode = await judged;
      running.delete(attempts);
      attempts++;
      per[k]!.attempts++;
      if (episode.success) {
        successes++;
        per[k]!.successes++;
      } else {
        const why = failureReason(episode);
        per[k]!.failures[why] = (per[k]!.failures[why] ?? 0) + 1;
      }
      o.onAttempt?.({ attempts, successes });
      if (episode.success || o.keepFailed) {
        per[k]!.spread.add(episode);
        yield { source: k, episode };
      }
    }
  } finally {
    // Attempts past the stopping point (or after a failure) are dropped; let them settle.
    await Promise.allSettled([...running.values()].map((r) => r.episode));
  }
  const wallS = (performance.now() - t0) / 1000;
  return sources.map((src, k) =>
    sourceStats(src, per[k]!.spread, per[k]!.attempts, per[k]!.successes, per[k]!.failures, wallS),
  );
}

/**
 * Where the successful variants' target started, in the source's target frame, and how long they
 * ran: accumulated one episode at a time (the episodes need not be kept).
 */
class SpreadOf {
  private readonly id: string;
  private readonly X0_inv: Pose;
  private readonly p0: [number, number, number];
  private readonly rel: Vec3[] = [];
  private readonly durations: number[] = [];

  constructor(source: Episode) {
    this.id = source.scene.task.targetId;
    const p0 = source.steps[0]!.objects[this.id]!;
    this.p0 = p0.pos;
    this.X0_inv = invert({ p: fromArray3(p0.pos), q: qfromXyzw(p0.quatXyzw) });
  }

  add(e: Episode): void {
    if (!e.success) return;
    this.rel.push(transformPoint(this.X0_inv, fromArray3(e.steps[0]!.objects[this.id]?.pos ?? this.p0)));
    this.durations.push(e.steps.length / e.controlHz);
  }

  ranges(): SourceStats["spread"] {
    const range = (xs: number[]): [number, number] =>
      xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 0];
    return {
      dxM: range(this.rel.map((p) => p.x)),
      dyM: range(this.rel.map((p) => p.y)),
      dzM: range(this.rel.map((p) => p.z)),
      durationS: range(this.durations),
    };
  }
}

function sourceStats(
  source: Episode,
  spread: SpreadOf,
  attempts: number,
  successes: number,
  failures: Record<string, number>,
  wallS: number,
): SourceStats {
  return {
    source: source.id,
    attempts,
    successes,
    successRate: attempts ? successes / attempts : 0,
    failures,
    multiplier: successes,
    spread: spread.ranges(),
    wallS,
  };
}

/** Regenerates a stored variant from its lineage alone (source episode + recorded parameters and segments). */
export async function replayVariant(
  source: Episode,
  stored: Episode,
  o: Pick<GenerateOptions, "loadEmbodiment"> & { validators?: Record<string, EpisodeValidator> },
): Promise<Episode> {
  const lineage = stored.lineage;
  const p = lineage.params as { variation?: unknown; segments?: Segments; validator?: string };
  const params = VariationParamsSchema.parse(p.variation);
  if (lineage.variant === undefined || !p.segments)
    throw new Error(`episode '${stored.id}' is not a variant`);
  const check = p.validator ? o.validators?.[p.validator] : undefined;
  if (p.validator && !check)
    throw new Error(`variant '${stored.id}' was validated by '${p.validator}', which is not available here`);
  return runVariant(source, lineage.variant, params, p.segments, {
    seed: lineage.seed,
    loadEmbodiment: o.loadEmbodiment,
    ...(p.validator && check ? { validator: { name: p.validator, check } } : {}),
  });
}
