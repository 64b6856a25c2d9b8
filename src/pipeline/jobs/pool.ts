/**
 * A pool of worker threads for simulation and augmentation (Rapier runs on one core per world,
 * so one worker per core). Each worker runs one unit at a time. A worker that dies (a WebAssembly
 * abort, its heap limit) or runs past the unit time limit is replaced, and its unit is reported as
 * lost with a reason instead of taking the job down.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { EgobridgeError } from "../../core/errors.js";
import { PACKAGE_ROOT } from "../catalog.js";
import type { WorkItem } from "./execute.js";
import type { UnitHeader } from "./store.js";

/** A unit whose worker died or was stopped: the unit failed with `code`. */
export class WorkerLost extends Error {
  constructor(
    readonly code: "worker_crashed" | "worker_out_of_memory" | "timeout",
    message: string,
  ) {
    super(message);
    this.name = "WorkerLost";
  }
}

export interface PoolOptions {
  size: number;
  /** Heap limit per worker (MB). */
  memoryMb?: number;
  /** Per-unit time limit (s). */
  timeoutS?: number;
}

/** How an inline unit's payload comes back (runInline). */
export type InlineAs = "payload" | "checked-episode";

interface Task {
  id: number;
  item: WorkItem;
  /** Answer with the payload instead of writing the record (see runInline). */
  inline: InlineAs | false;
  resolve: (r: { header: UnitHeader; payload?: unknown }) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The worker has loaded its code and takes units. */
  ready: boolean;
  task?: Task;
  timer?: NodeJS.Timeout;
  /** Set when we stop the worker on purpose (timeout, dispose), so its exit is not a crash. */
  stopping?: WorkerLost | "dispose";
}

/**
 * How to start a worker: the compiled worker.js, or — when running from the TypeScript sources
 * (tests, `tsx`) — a small bootstrap that registers tsx in the worker first (`--import` in a
 * worker's execArgv is not applied by Node 20).
 */
function workerScript(): { script: string | URL; eval: boolean; workerData?: unknown } {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return { script: new URL("./worker.js", here), eval: false };
  const api = path.join(PACKAGE_ROOT, "node_modules", "tsx", "dist", "esm", "api", "index.mjs");
  if (!existsSync(api)) throw new Error(`running from TypeScript sources needs tsx (${api})`);
  const bootstrap = `
const { workerData } = require("node:worker_threads");
import(workerData.tsx).then((api) => { api.register(); return import(workerData.entry); });`;
  return {
    script: bootstrap,
    eval: true,
    workerData: { tsx: pathToFileURL(api).href, entry: new URL("./worker.ts", here).href },
  };
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private disposed = false;
  private broken: Error | undefined;
  private readonly script = workerScript();

  constructor(private readonly o: PoolOptions) {
    for (let i = 0; i < o.size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  get busy(): number {
    return this.slots.filter((s) => s.task).length + this.queue.length;
  }

  private spawn(): Slot {
    const worker = new Worker(this.script.script, {
      eval: this.script.eval,
      ...(this.script.workerData ? { workerData: this.script.workerData } : {}),
      ...(this.o.memoryMb ? { resourceLimits: { maxOldGenerationSizeMb: this.o.memoryMb } } : {}),
    });
    const slot: Slot = { worker, ready: false };
    let lastError: Error | undefined;
    worker.on(
      "message",
      (msg: { ready?: true; taskId: number; header?: UnitHeader; payload?: unknown; error?: string }) => {
        if (msg.ready) {
          slot.ready = true;
          this.pump();
          return;
        }
        const task = slot.task;
        if (!task || task.id !== msg.taskId) return;
        this.finish(slot);
        if (msg.header) task.resolve({ header: msg.header, payload: msg.payload });
        else task.reject(new Error(`a worker could not record ${task.item.unit.id}: ${msg.error}`));
      },
    );
    worker.on("error", (err) => {
      lastError = err;
    });
    worker.on("exit", (code) => {
      const task = slot.task;
      const why = slot.stopping;
      this.finish(slot);
      if (why === "dispose" || this.disposed) return;
      if (!slot.ready && !task) {
        // It died loading its code: every worker would. Fail loudly instead of failing every unit.
        this.broken = new EgobridgeError(
          `a worker thread could not start: ${lastError?.message ?? `exit code ${code}`}`,
          {
            hint: "check resources.workerMemoryMb (a worker needs at least ~64 MB), or run with --workers 0 to see the error in the main thread",
          },
        );
        for (const t of this.queue.splice(0)) t.reject(this.broken);
        return;
      }
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots[i] = this.spawn();
      if (task) {
        if (why instanceof WorkerLost) task.reject(why);
        else {
          const oom = (lastError as NodeJS.ErrnoException | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY";
          const msg = lastError ? lastError.message : `exit code ${code}`;
          task.reject(new WorkerLost(oom ? "worker_out_of_memory" : "worker_crashed", `worker died: ${msg}`));
        }
      }
      this.pump();
    });
    return slot;
  }

  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.task = undefined;
    queueMicrotask(() => this.pump());
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.task || slot.stopping || !slot.ready) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      if (this.o.timeoutS) {
        slot.timer = setTimeout(() => {
          slot.stopping = new WorkerLost("timeout", `ran longer than ${this.o.timeoutS} s`);
          void slot.worker.terminate();
        }, this.o.timeoutS * 1000);
      }
      slot.worker.postMessage({ taskId: task.id, item: task.item, inline: task.inline });
    }
  }

  /** Runs a unit on the next free worker; resolves with the header of the record it wrote. */
  async run(item: WorkItem): Promise<UnitHeader> {
    return (await this.enqueue(item, false)).header;
  }

  /**
   * Runs a unit on the next free worker without writing its record (`item.outFile` unused):
   * resolves with its header and payload, passed back by structured clone — as it is, or, for
   * `"checked-episode"`, an episode's checked there (dataset/episode_input.ts CheckedEpisode).
   */
  runInline(item: WorkItem, as: InlineAs = "payload"): Promise<{ header: UnitHeader; payload?: unknown }> {
    return this.enqueue(item, as);
  }

  private enqueue(
    item: WorkItem,
    inline: InlineAs | false,
  ): Promise<{ header: UnitHeader; payload?: unknown }> {
    if (this.disposed) return Promise.reject(new Error("the worker pool is closed"));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, item, inline, resolve, reject });
      this.pump();
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error("the worker pool is closed"));
    await Promise.all(
      this.slots.map((s) => {
        s.stopping = "dispose";
        return s.worker.terminate();
      }),
    );
  }
}
