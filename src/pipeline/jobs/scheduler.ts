/**
 * Runs one shard's units: opens the shard's sources a few at a time (their units are planned
 * when opened, so memory does not grow with the job), looks up what earlier runs recorded, and
 * keeps the worker pool, the device lane (video perception, in this thread) and the render lanes
 * (one headless Chromium each, driven from this thread; resources.renderers) busy with units
 * whose dependencies are recorded. Each finished unit is already recorded (atomically) when it is
 * counted, so killing the process at any moment loses at most the units in flight.
 */
import { performance } from "node:perf_hooks";
import { errorCode, executeUnit, unitHeader, type WorkItem } from "./execute.js";
import { emptyStages, type Failure, type PartSource, partSource, type StageStats } from "./parts.js";
import { WorkerLost, type WorkerPool } from "./pool.js";
import type { JobLog, ProgressSnapshot } from "./progress.js";
import { ownsSource, ownsUnit, type Shard } from "./shard.js";
import { SourceRun } from "./source_run.js";
import { type SourceRef, sourceVideoOf } from "./sources.js";
import { type PartUnits, type UnitHeader, writeUnitFile } from "./store.js";
import { type PlanContext, planSource, type RenderTask, type Stage, type UnitSpec } from "./units.js";

export interface ShardRunOptions {
  ctx: PlanContext;
  sources: readonly SourceRef[];
  shard: Shard;
  store: PartUnits;
  /** Worker pool, or undefined to run units in this thread (`workers: 0`). */
  pool: WorkerPool | undefined;
  maxFailures?: number;
  retryFailed: boolean;
  log: JobLog;
  title: string;
  /** The job's cameras (render units), when it asks for any. */
  render?: RenderTask;
}

export interface ShardRunResult {
  stopped?: string;
  sources: PartSource[];
  stages: Record<Stage, StageStats>;
  failures: Failure[];
  /** busyS: time the device lane had a video (however many at once); atOnce: the most it had. */
  perception: { videos: number; frames: number; busyS: number; devices: string[]; atOnce: number };
  wallS: number;
}

/**
 * resources.videosAtOnce for a device: "auto" is 1 on the CPU (2 videos at once gained under 10 %
 * on 2 cores, bench/gpu.ts), 32 on a GPU (a batch of 64 crops per landmark run).
 */
export const videosAtOnceOf = (v: number | "auto", device: string): number =>
  v !== "auto" ? v : device === "cpu" ? 1 : 32;

const isDevice = (u: UnitSpec): boolean => u.task.stage === "hands" && u.task.kind === "video";
type Lane = "device" | "pool" | "render";
const laneOf = (u: UnitSpec): Lane => (isDevice(u) ? "device" : u.stage === "render" ? "render" : "pool");

class ShardScheduler {
  private readonly t0 = performance.now();
  private readonly byUnit: boolean;
  private readonly grid: { roots: number; attempts: number };
  private readonly poolSize: number;
  /** The shard's sources, in job order; `next` is the first not yet opened. */
  private readonly todo: SourceRef[];
  private next = 0;
  /** Video sources opened ahead of their turn, so the device lane never waits for the pool. */
  private readonly openedEarly = new Set<number>();
  private videoCursor = 0;
  private readonly active: SourceRun[] = [];
  private readonly opened: PartSource[] = [];
  private readonly stages = emptyStages();
  private readonly planned: Record<Stage, number> = { hands: 0, sim: 0, episode: 0, augment: 0, render: 0 };
  private readonly firstStart: Partial<Record<Stage, number>> = {};
  private readonly failures: Failure[] = [];
  private readonly perception = { videos: 0, frames: 0, busyS: 0, devices: [] as string[], atOnce: 0 };
  /** Since when the device lane has had a video. */
  private deviceSince = 0;
  private failed = 0;
  private stopped: string | undefined;
  private fatal: unknown;
  private readonly busy: Record<Lane, number> = { device: 0, pool: 0, render: 0 };
  private readonly renderLanes: number;
  /** Videos the device lane perceives at once (resources.videosAtOnce). */
  private readonly deviceLanes: number;
  private readonly inflight = new Set<Promise<void>>();
  private wake: () => void = () => {};

  constructor(private readonly o: ShardRunOptions) {
    const { spec } = o.ctx;
    this.byUnit = spec.resources.shardBy === "unit" && o.shard.count > 1;
    this.grid = { roots: o.ctx.embodiments.length, attempts: Math.max(1, o.ctx.attempts) };
    this.poolSize = o.pool?.size ?? 1;
    const lanes = spec.resources.renderers;
    this.renderLanes = lanes === "auto" ? this.poolSize : lanes;
    this.deviceLanes = videosAtOnceOf(spec.resources.videosAtOnce, o.ctx.device);
    // By source: the shard's own sources. By unit: every source (its units are spread).
    this.todo = this.byUnit ? [...o.sources] : o.sources.filter((s) => ownsSource(o.shard, s.ordinal));
  }

  private snapshot(): ProgressSnapshot {
    const unopened = this.todo.length - this.next - this.openedEarly.size;
    const r = this.grid.roots;
    const perSource: Record<Stage, number> = {
      hands: 1,
      sim: r,
      episode: 0,
      augment: r * this.o.ctx.attempts,
      render: this.o.render ? r * (1 + this.o.ctx.spec.augment.variants) : 0,
    };
    const stages: ProgressSnapshot["stages"] = {};
    for (const s of Object.keys(this.stages) as Stage[]) {
      const total = this.planned[s] + (this.byUnit ? 0 : unopened * perSource[s]);
      stages[s] = { ...this.stages[s], total: Math.max(total, this.stages[s].done) };
    }
    return { title: this.o.title, stages, elapsedS: (performance.now() - this.t0) / 1000 };
  }

  private fail(f: Failure, reused = false): void {
    this.failed++;
    if (this.failures.length < 1000) this.failures.push(f);
    this.o.log.event({ event: "unit", status: "failed", ...f, ...(reused ? { recordedEarlier: true } : {}) });
    const max = this.o.maxFailures;
    if (max !== undefined && this.failed > max && !this.stopped) {
      this.stopped = `${this.failed} units failed, more than --max-failures ${max}`;
      this.o.log.event({ event: "stop", message: this.stopped });
    }
  }

  /** Counts a settled unit (run now, or found recorded) and logs it. */
  private account(source: string, h: UnitHeader, reused: boolean): void {
    const s = this.stages[h.stage];
    s.done++;
    if (reused) s.reused++;
    else {
      s.ran++;
      s.busyS += h.wallS;
      s.spanS = (performance.now() - (this.firstStart[h.stage] ?? this.t0)) / 1000;
    }
    const out = h.outcome;
    if (h.stage === "hands" && out?.framesPerS !== undefined && !reused) {
      this.perception.videos++;
      this.perception.frames += out.frames ?? 0;
      if (out.device && !this.perception.devices.includes(out.device))
        this.perception.devices.push(out.device);
    }
    if (h.status === "failed") {
      s.failed++;
      const { code, message } = h.error!;
      this.fail({ id: h.id, ordinal: h.ordinal, stage: h.stage, source, code, message }, reused);
    } else if (!reused) {
      this.o.log.event({
        event: "unit",
        status: "ok",
        id: h.id,
        stage: h.stage,
        source,
        ...(h.variant !== undefined ? { variant: h.variant } : {}),
        ...(out?.episodeId ? { success: out.success, reasons: out.reasons } : { frames: out?.frames }),
        wallS: h.wallS,
      });
    }
    this.o.log.progress(this.snapshot());
  }

  /** Plans a source's units and settles those an earlier run recorded. */
  private async open(ref: SourceRef): Promise<void> {
    const { ctx, shard, store } = this.o;
    let plan: Awaited<ReturnType<typeof planSource>>;
    try {
      plan = await planSource(ref, ctx);
    } catch (err) {
      // The input cannot even be hashed (unreadable file, bad camera file): no unit id, nothing recorded.
      this.stages.hands.failed++;
      const message = (err as Error)?.message ?? String(err);
      const id = `source:${ref.label}`;
      this.fail({
        id,
        ordinal: ref.ordinal,
        stage: "hands",
        source: ref.label,
        code: errorCode(err),
        message,
      });
      return;
    }
    const byUnit = this.byUnit;
    const run = new SourceRun(
      plan,
      {
        variants: ctx.spec.augment.variants,
        attempts: ctx.attempts,
        earlyStop: !byUnit,
        keepFailed: ctx.spec.output.keepFailed,
        ...(this.o.render ? { render: this.o.render } : {}),
        ownsRoot: (r) => !byUnit || ownsUnit(shard, this.grid, ref.ordinal, r),
        ownsVariant: (r, i) => !byUnit || ownsUnit(shard, this.grid, ref.ordinal, r, i),
      },
      ctx,
    );
    for (const [s, n] of Object.entries(run.planned())) this.planned[s as Stage] += n;
    for (const id of run.candidateIds()) {
      if (!(await store.has(id))) continue;
      const h = await store.header(id);
      if (h.status === "failed" && this.o.retryFailed) continue;
      run.settle({ id, stage: h.stage, root: h.root, variant: h.variant }, h);
      this.account(h.source, h, true);
    }
    this.opened.push(partSource(plan));
    this.active.push(run);
  }

  private launch(run: SourceRun, u: UnitSpec): void {
    const { store, pool } = this.o;
    const lane = laneOf(u);
    if (lane === "device" && this.busy.device === 0) this.deviceSince = performance.now();
    this.busy[lane]++;
    if (lane === "device") this.perception.atOnce = Math.max(this.perception.atOnce, this.busy.device);
    this.firstStart[u.stage] ??= performance.now();
    const item: WorkItem = {
      unit: u,
      depFiles: u.deps.map((d) => store.fileFor(d)),
      outFile: store.fileFor(u.id),
    };
    const video = u.stage === "render" ? sourceVideoOf(run.plan.ref) : undefined;
    if (video) item.sourceVideo = video;
    if (lane === "device") item.videosAtOnce = this.deviceLanes;
    const started = performance.now();
    // Perception and rendering run in this thread (the renderers' browsers do the drawing).
    const work = lane !== "pool" || !pool ? executeUnit(item) : pool.run(item);
    const p: Promise<void> = work
      .catch((err: unknown) => {
        if (!(err instanceof WorkerLost)) throw err;
        const wallS = (performance.now() - started) / 1000;
        return writeUnitFile(
          item.outFile,
          unitHeader(u, { status: "failed", wallS, error: { code: err.code, message: err.message } }),
        );
      })
      .then(
        (h) => {
          run.settle(u, h);
          this.account(u.source, h, false);
        },
        (err: unknown) => {
          // Not the unit's fault (a record could not be written): stop, keeping what is recorded.
          this.fatal ??= err;
          this.stopped ??= `cannot continue: ${(err as Error)?.message ?? String(err)}`;
        },
      )
      .finally(() => {
        this.busy[lane]--;
        if (lane === "device" && this.busy.device === 0)
          this.perception.busyS += (performance.now() - this.deviceSince) / 1000;
        this.inflight.delete(p);
        this.wake();
      });
    this.inflight.add(p);
  }

  private async openSources(): Promise<void> {
    while (!this.stopped && this.active.length < this.poolSize + 1 && this.next < this.todo.length) {
      const ref = this.todo[this.next++]!;
      if (!this.openedEarly.delete(ref.ordinal)) await this.open(ref);
    }
    // Enough videos open for every place on the device lane.
    let wanted = this.deviceLanes - this.busy.device - this.active.filter((r) => r.wantsDevice).length;
    while (!this.stopped && wanted > 0) {
      this.videoCursor = Math.max(this.videoCursor, this.next);
      while (this.videoCursor < this.todo.length && this.todo[this.videoCursor]!.kind !== "video")
        this.videoCursor++;
      const ahead = this.todo[this.videoCursor++];
      if (!ahead) return;
      this.openedEarly.add(ahead.ordinal);
      await this.open(ahead);
      wanted--;
    }
  }

  private launchReady(): void {
    let launched = true;
    while (!this.stopped && launched) {
      launched = false;
      for (const run of this.active) {
        const free = {
          device: this.busy.device < this.deviceLanes,
          pool: this.busy.pool < this.poolSize,
          render: this.busy.render < this.renderLanes,
        };
        if (!free.device && !free.pool && !free.render) return;
        const u = run.next(free);
        if (u) {
          this.launch(run, u);
          launched = true;
        }
      }
    }
  }

  async run(): Promise<ShardRunResult> {
    this.o.log.progress(this.snapshot());
    for (;;) {
      await this.openSources();
      this.launchReady();
      for (let i = this.active.length - 1; i >= 0; i--) if (this.active[i]!.done) this.active.splice(i, 1);
      if (this.inflight.size === 0) {
        if (this.stopped || (this.active.length === 0 && this.next >= this.todo.length)) break;
        if (this.active.length > 0) {
          const stuck = this.active.map((r) => r.plan.ref.label).join(", ");
          throw new Error(`internal error: no unit can run but sources are not finished: ${stuck}`);
        }
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.fatal) throw this.fatal;
    // What was planned but never needed (early stop, failed sources) leaves the totals.
    for (const s of Object.keys(this.planned) as Stage[]) this.planned[s] = this.stages[s].done;
    this.o.log.progress(this.snapshot());
    return {
      ...(this.stopped ? { stopped: this.stopped } : {}),
      sources: this.opened.sort((a, b) => a.ordinal - b.ordinal),
      stages: this.stages,
      failures: this.failures,
      perception: this.perception,
      wallS: (performance.now() - this.t0) / 1000,
    };
  }
}

/** Runs the units of one shard, resuming from what `store` holds. */
export const runShard = (o: ShardRunOptions): Promise<ShardRunResult> => new ShardScheduler(o).run();
