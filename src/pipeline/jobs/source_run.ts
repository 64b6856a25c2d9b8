/**
 * The state of one source while a shard works on it: which of its units are recorded, running or
 * still to run, and which may run next. Dependencies: hands → sims (one per embodiment) →
 * variant attempts of each successful sim.
 *
 * Variant attempts are selected by index, never by finishing order: the dataset takes, per source
 * episode, the first `variants` successful attempts among indices 0, 1, …, `attempts`−1. With
 * `earlyStop`, no attempt is started once those are known (the lowest indices are settled and hold
 * enough successes); the few started beyond are recorded but not used. Without it (shards by
 * unit) every owned index runs and merge applies the same rule, so both give the same dataset.
 *
 * With cameras, each episode the dataset will take is rendered by a render unit as soon as that is
 * known: a source episode that succeeded (or any, with `keepFailed`) at once, a variant attempt
 * once the attempts before it are settled and hold fewer than `variants` successes (without
 * `earlyStop` that is never known here: every owned successful attempt is rendered).
 */
import type { UnitHeader } from "./store.js";
import {
  augmentUnit,
  type PlanContext,
  type RenderTask,
  renderUnit,
  type SourcePlan,
  type Stage,
  type UnitSpec,
} from "./units.js";

export interface SourceRunOptions {
  variants: number;
  attempts: number;
  earlyStop: boolean;
  /** Whether this shard owns root `r` / variant attempt `i` of root `r`. */
  ownsRoot: (r: number) => boolean;
  ownsVariant: (r: number, i: number) => boolean;
  /** The job's cameras: render what the dataset takes. */
  render?: RenderTask;
  keepFailed?: boolean;
}

/** Which lanes have room: video perception, the worker pool, the render lanes. */
export interface FreeLanes {
  device: boolean;
  pool: boolean;
  render: boolean;
}

interface RootVariants {
  /** Next attempt index to consider. */
  next: number;
  running: number;
  successes: number;
  /** Settled attempts: index → success. */
  settled: Map<number, boolean>;
  /** Attempts 0..prefix−1 are all settled; `prefixSuccesses` of them succeeded. */
  prefix: number;
  prefixSuccesses: number;
  /** Settled attempts that ran and were rejected (not failed units: those have no episode). */
  rejected: Set<number>;
  /** Attempts 0..rendered−1 have been considered for rendering; `renderedSuccesses` of them succeeded. */
  rendered: number;
  renderedSuccesses: number;
}

const isDevice = (u: UnitSpec): boolean => u.task.stage === "hands" && u.task.kind === "video";

export class SourceRun {
  private readonly status = new Map<string, UnitHeader | "running">();
  private readonly variants: RootVariants[];
  /** Render units whose episode is known to be taken, in the order they became known. */
  private readonly toRender: UnitSpec[] = [];
  /** Roots this shard runs: owned ones, and those its owned variants need. */
  readonly needed: boolean[];
  running = 0;

  constructor(
    readonly plan: SourcePlan,
    private readonly o: SourceRunOptions,
    private readonly ctx: Pick<PlanContext, "spec" | "job">,
  ) {
    this.variants = plan.roots.map(() => ({
      next: 0,
      running: 0,
      successes: 0,
      settled: new Map(),
      prefix: 0,
      prefixSuccesses: 0,
      rejected: new Set(),
      rendered: 0,
      renderedSuccesses: 0,
    }));
    this.needed = plan.roots.map((_, r) => {
      if (o.ownsRoot(r)) return true;
      for (let i = 0; i < o.attempts && o.variants > 0; i++) if (o.ownsVariant(r, i)) return true;
      return false;
    });
  }

  /** Every unit id this shard might run for the source (to look up earlier records). */
  candidateIds(): string[] {
    const ids = this.plan.hands ? [this.plan.hands.id] : [];
    for (const [r, root] of this.plan.roots.entries()) {
      if (!this.needed[r]) continue;
      ids.push(root.id);
      if (this.o.variants === 0) continue;
      for (let i = 0; i < this.o.attempts; i++) {
        if (this.o.ownsVariant(r, i)) ids.push(`${this.plan.augmentPrefix[r]}-v${i}`);
      }
    }
    // After the episodes: an episode's record says whether its render unit is wanted.
    const render = this.o.render;
    if (render)
      ids.push(
        ...ids
          .filter((id) => !id.startsWith("hands-"))
          .map((id) => renderUnit({ id, ordinal: 0, source: "" }, render).id),
      );
    return ids;
  }

  /** Upper bound of the units this shard runs for the source, per stage (progress totals). */
  planned(): Partial<Record<Stage, number>> {
    const out: Partial<Record<Stage, number>> = {};
    if (this.plan.hands) out.hands = 1;
    const rootStage = this.plan.roots[0]!.stage;
    out[rootStage] = this.needed.filter(Boolean).length;
    let aug = 0;
    for (const [r] of this.plan.roots.entries()) {
      if (!this.needed[r]) continue;
      for (let i = 0; i < this.o.attempts && this.o.variants > 0; i++) if (this.o.ownsVariant(r, i)) aug++;
    }
    out.augment = aug;
    if (this.o.render) {
      const roots = this.plan.roots.filter((_, r) => this.needed[r] && this.o.ownsRoot(r)).length;
      out.render = roots * (1 + this.o.variants);
    }
    return out;
  }

  /** Records the outcome of a unit (run now, or found recorded). */
  settle(unit: Pick<UnitSpec, "id" | "root" | "variant" | "stage">, header: UnitHeader): void {
    const was = this.status.get(unit.id);
    this.status.set(unit.id, header);
    if (was === "running") this.running--;
    if (unit.stage === "render") return;
    if (unit.stage !== "augment") {
      if (unit.stage !== "hands" && this.o.ownsRoot(unit.root!) && this.takesRoot(header))
        this.queueRender(unit);
      return;
    }
    const v = this.variants[unit.root!]!;
    if (was === "running") v.running--;
    const ok = header.status === "ok" && header.outcome?.success === true;
    v.settled.set(unit.variant!, ok);
    if (ok) v.successes++;
    else if (header.status === "ok") v.rejected.add(unit.variant!);
    while (v.settled.has(v.prefix)) {
      if (v.settled.get(v.prefix)) v.prefixSuccesses++;
      v.prefix++;
    }
    this.queueVariantRenders(unit.root!, unit.variant!, header);
  }

  /** Whether the dataset takes a root episode with this record. */
  private takesRoot(h: UnitHeader): boolean {
    const out = h.outcome;
    if (h.status !== "ok" || !out || out.noDemonstration !== undefined || out.notASource) return false;
    return out.success || this.o.keepFailed === true;
  }

  private queueRender(episode: Pick<UnitSpec, "id" | "root" | "variant">): void {
    if (!this.o.render) return;
    const u = renderUnit(
      { ...episode, ordinal: this.plan.ref.ordinal, source: this.plan.ref.label },
      this.o.render,
    );
    if (!this.status.has(u.id)) this.toRender.push(u);
  }

  /** Queues the render units of the variant attempts now known to be taken. */
  private queueVariantRenders(r: number, i: number, h: UnitHeader): void {
    if (!this.o.render) return;
    const keep = this.o.keepFailed === true;
    const attempt = (k: number) => ({ id: `${this.plan.augmentPrefix[r]}-v${k}`, root: r, variant: k });
    if (!this.o.earlyStop) {
      // Shards by unit: which attempts merge takes is not known here; render every owned one it may take.
      if (h.status === "ok" && (h.outcome?.success || keep)) this.queueRender(attempt(i));
      return;
    }
    const v = this.variants[r]!;
    while (v.rendered < v.prefix && v.renderedSuccesses < this.o.variants) {
      const k = v.rendered++;
      const ok = v.settled.get(k)!;
      if (ok) v.renderedSuccesses++;
      // A failed unit (no episode) is never taken; a rejected attempt only with keepFailed.
      if (ok || (keep && v.rejected.has(k))) this.queueRender(attempt(k));
    }
  }

  private start(u: UnitSpec): UnitSpec {
    this.status.set(u.id, "running");
    this.running++;
    if (u.stage === "augment") this.variants[u.root!]!.running++;
    return u;
  }

  /** Whether root r's episode is a source to multiply. */
  private multiplies(r: number): boolean {
    const h = this.status.get(this.plan.roots[r]!.id);
    if (h === undefined || h === "running" || h.status !== "ok") return false;
    const out = h.outcome;
    return out?.success === true && !out.notASource && out.notAugmentable === undefined;
  }

  private nextVariant(r: number, mark: boolean): UnitSpec | undefined {
    const v = this.variants[r]!;
    const { variants, attempts, earlyStop } = this.o;
    if (variants === 0 || !this.multiplies(r)) return undefined;
    if (earlyStop && v.prefixSuccesses >= variants) return undefined;
    // Do not start more attempts than could still be needed: fewer wasted runs past the cut.
    if (earlyStop && v.running >= Math.max(1, variants - v.successes)) return undefined;
    while (v.next < attempts) {
      const i = v.next;
      if (!this.o.ownsVariant(r, i) || v.settled.has(i)) {
        v.next++;
        continue;
      }
      if (!mark) return augmentUnit(this.plan, r, i, this.ctx);
      v.next++;
      return this.start(augmentUnit(this.plan, r, i, this.ctx));
    }
    return undefined;
  }

  /**
   * The next unit that can run now (marked running when `mark`), given which lanes have room:
   * renders first (they finish what is already simulated), then perception, simulation and
   * variants; undefined when none can.
   */
  next(free: FreeLanes, mark = true): UnitSpec | undefined {
    if (free.render) {
      while (this.toRender.length > 0 && this.status.has(this.toRender[0]!.id)) this.toRender.shift();
      const u = this.toRender[0];
      if (u) {
        if (mark) this.toRender.shift();
        return mark ? this.start(u) : u;
      }
    }
    const hands = this.plan.hands;
    if (hands) {
      const h = this.status.get(hands.id);
      if (h === undefined) {
        if (!(isDevice(hands) ? free.device : free.pool)) return undefined;
        return mark ? this.start(hands) : hands;
      }
      if (h === "running" || h.status !== "ok") return undefined;
    }
    if (!free.pool) return undefined;
    for (const [r, root] of this.plan.roots.entries()) {
      if (this.needed[r] && !this.status.has(root.id)) return mark ? this.start(root) : root;
    }
    for (const r of this.plan.roots.keys()) {
      if (!this.needed[r]) continue;
      const u = this.nextVariant(r, mark);
      if (u) return u;
    }
    return undefined;
  }

  /** Its next unit is video perception, waiting for the device lane. */
  get wantsDevice(): boolean {
    const hands = this.plan.hands;
    return hands !== undefined && isDevice(hands) && !this.status.has(hands.id);
  }

  /** Nothing running and nothing left to start. */
  get done(): boolean {
    return this.running === 0 && this.next({ device: true, pool: true, render: true }, false) === undefined;
  }
}
