/**
 * Model lanes: one inference session shared by many videos perceived at once. Each video's
 * tracker runs its model through a client of the lane; the lane gathers the clients' requests
 * and runs them as one batch (dim 0), then hands each client its own rows of the outputs. On a
 * GPU that is what pays: one 224×224 crop is far too little work per kernel launch, K videos'
 * crops together are not (bench/gpu.ts measures it).
 *
 * A batch goes when every attached client is waiting, when it holds `maxBatch` samples, or
 * `gatherMs` after its first request (a client may be waiting for its video's next frame).
 * What a client gets does not depend on what else was in its batch: the hand models' rows are
 * computed independently (checked bit for bit on the CPU provider in test/perception/model_lane),
 * so tracks are byte-identical whatever the number of videos at once. A model whose graph cannot
 * take a batch (`batchable: false`) still shares its session, one request per run.
 */
import { EgobridgeError } from "../core/errors.js";
import type { OnnxModel, OutputTensor, ResolvedDevice, SessionOptions } from "./onnx.js";

/** What a tracker runs a model through: its own session, or a client of a lane. */
export interface ModelRunner {
  readonly device: ResolvedDevice;
  readonly note: string;
  inputShape(name: string): readonly (number | string)[];
  run(inputName: string, data: Float32Array, dims: readonly number[]): Promise<Record<string, OutputTensor>>;
  dispose(): Promise<void>;
}

export interface LaneOptions {
  /** Most samples in one run (default 64). */
  maxBatch?: number;
  /** How long a partial batch waits for more requests (ms; default 2). */
  gatherMs?: number;
}

interface Request {
  client: number;
  inputName: string;
  data: Float32Array;
  dims: readonly number[];
  resolve: (out: Record<string, OutputTensor>) => void;
  reject: (err: unknown) => void;
}

/** Lane figures, for reports and benchmarks. */
export interface LaneStats {
  runs: number;
  samples: number;
  /** Largest batch run. */
  maxSamples: number;
}

export class ModelLane {
  readonly stats: LaneStats = { runs: 0, samples: 0, maxSamples: 0 };
  private readonly queue: Request[] = [];
  private readonly attached = new Set<number>();
  private nextClient = 0;
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly maxBatch: number;
  private readonly gatherMs: number;
  private buffer = new Float32Array(0);

  constructor(
    readonly model: OnnxModel,
    /** Whether the session takes several samples in dim 0 (else one request per run). */
    readonly batched: boolean,
    o: LaneOptions = {},
  ) {
    this.maxBatch = Math.max(1, o.maxBatch ?? 64);
    this.gatherMs = o.gatherMs ?? 2;
  }

  /** A runner for one tracker; its `dispose()` detaches it (the session stays with the lane). */
  client(): ModelRunner {
    const id = this.nextClient++;
    this.attached.add(id);
    const model = this.model;
    return {
      device: model.device,
      note: model.note,
      // A lane that batches says so in its input's dim 0, as a batched session does.
      inputShape: (name) => model.inputShape(name),
      run: (inputName, data, dims) =>
        new Promise((resolve, reject) => {
          if (!this.attached.has(id)) {
            reject(new Error("a model lane client was used after dispose()"));
            return;
          }
          this.queue.push({ client: id, inputName, data, dims, resolve, reject });
          this.schedule();
        }),
      dispose: async () => {
        this.attached.delete(id);
        this.schedule();
      },
    };
  }

  private samplesQueued(): number {
    return this.queue.reduce((n, r) => n + r.dims[0]!, 0);
  }

  /** Runs a batch now if one is due, or arms the gathering timer. */
  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    const waiting = new Set(this.queue.map((r) => r.client));
    const allWaiting = [...this.attached].every((c) => waiting.has(c));
    if (!this.batched || allWaiting || this.samplesQueued() >= this.maxBatch) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (!this.running) this.flush();
    }, this.gatherMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.take();
    if (batch.length === 0) return;
    this.running = true;
    this.runBatch(batch)
      .catch((err: unknown) => {
        for (const r of batch) r.reject(err);
      })
      .finally(() => {
        this.running = false;
        this.schedule();
      });
  }

  /** The requests of the next run: in arrival order, up to maxBatch samples (at least one request). */
  private take(): Request[] {
    if (!this.batched) return this.queue.splice(0, 1);
    let n = 0;
    let k = 0;
    while (k < this.queue.length && (k === 0 || n + this.queue[k]!.dims[0]! <= this.maxBatch)) {
      n += this.queue[k]!.dims[0]!;
      k++;
    }
    return this.queue.splice(0, k);
  }

  private async runBatch(batch: Request[]): Promise<void> {
    const first = batch[0]!;
    if (batch.length === 1) {
      const out = await this.model.run(first.inputName, first.data, first.dims);
      this.count(first.dims[0]!);
      first.resolve(out);
      return;
    }
    const per = first.data.length / first.dims[0]!;
    const total = batch.reduce((n, r) => n + r.dims[0]!, 0);
    for (const r of batch) {
      if (r.inputName !== first.inputName || r.data.length !== per * r.dims[0]!) {
        throw new EgobridgeError(`model lane ${this.model.file}: requests of different inputs in one lane`);
      }
    }
    if (this.buffer.length < total * per) this.buffer = new Float32Array(total * per);
    let offset = 0;
    for (const r of batch) {
      this.buffer.set(r.data, offset * per);
      offset += r.dims[0]!;
    }
    const out = await this.model.run(first.inputName, this.buffer.subarray(0, total * per), [
      total,
      ...first.dims.slice(1),
    ]);
    this.count(total);
    for (const t of Object.values(out)) {
      if (t.dims[0] !== total) {
        throw new EgobridgeError(
          `model lane ${this.model.file}: an output has ${t.dims[0]} rows for a batch of ${total}; the model cannot be batched this way`,
        );
      }
    }
    offset = 0;
    for (const r of batch) {
      const n = r.dims[0]!;
      const mine: Record<string, OutputTensor> = {};
      for (const [name, t] of Object.entries(out)) {
        const rows = t.data.length / total;
        mine[name] = {
          data: t.data.slice(offset * rows, (offset + n) * rows),
          dims: [n, ...t.dims.slice(1)],
        };
      }
      offset += n;
      r.resolve(mine);
    }
  }

  private count(samples: number): void {
    this.stats.runs++;
    this.stats.samples += samples;
    this.stats.maxSamples = Math.max(this.stats.maxSamples, samples);
  }
}

/**
 * The lanes of a process (a batch job's device lane, a benchmark): one per model file and session
 * options, loaded on first use and kept until `dispose()`.
 */
export class PerceptionLanes {
  private readonly lanes = new Map<string, Promise<ModelLane>>();
  private closed = false;

  constructor(readonly o: LaneOptions = {}) {}

  /** The lane of a model file with these session options (one session, shared). */
  lane(file: string, options: SessionOptions, load: () => Promise<OnnxModel>): Promise<ModelLane> {
    if (this.closed) return Promise.reject(new Error("the perception lanes are disposed"));
    const key = JSON.stringify([file, options]);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = load().then((m) => new ModelLane(m, options.dynamicBatch === true, this.o));
      // A failed load is not kept: the next video tries again (and says why again).
      lane.catch(() => this.lanes.delete(key));
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /** Every lane's figures, by model file. */
  async stats(): Promise<{ file: string; stats: LaneStats }[]> {
    const out: { file: string; stats: LaneStats }[] = [];
    for (const l of this.lanes.values()) {
      const lane = await l.catch(() => undefined);
      if (lane) out.push({ file: lane.model.file, stats: { ...lane.stats } });
    }
    return out;
  }

  /** Releases every session. */
  async dispose(): Promise<void> {
    this.closed = true;
    const all = [...this.lanes.values()];
    this.lanes.clear();
    for (const l of all) {
      const lane = await l.catch(() => undefined);
      await lane?.model.dispose();
    }
  }
}
