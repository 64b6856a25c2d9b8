/**
 * The one module that loads onnxruntime-node: inference sessions on a chosen execution provider.
 *
 * Devices: `cpu` (bundled), `webgpu` (bundled in the Linux x64 binary; Dawn over Vulkan, needs a
 * Vulkan loader and a GPU driver), `cuda` (needs the CUDA EP libraries, which the install skips:
 * `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild …` where nuget.org is reachable, or the bundle of
 * deploy/gpu/cuda-ep-bundle.sh, made from npm registry packages alone, named by
 * EGOBRIDGE_ONNXRUNTIME_NODE), `auto` (cuda, then webgpu, then cpu; the session's `note` says what
 * happened). Asking for a GPU device explicitly never falls back silently: an unavailable one
 * throws an EgobridgeError saying why and how to get it.
 */
import { promises as fs } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type * as Ort from "onnxruntime-node";
import { EgobridgeError } from "../core/errors.js";
import { withSymbolicBatch } from "./onnx_batch.js";

/** An onnxruntime-node package folder to load instead of the installed one (e.g. with the CUDA EP). */
export const ONNXRUNTIME_NODE_ENV = "EGOBRIDGE_ONNXRUNTIME_NODE";

let loaded: typeof Ort | undefined;
/** onnxruntime-node: the installed package, or the one EGOBRIDGE_ONNXRUNTIME_NODE names. */
function ortModule(): typeof Ort {
  loaded ??= loadOrt(process.env[ONNXRUNTIME_NODE_ENV]);
  return loaded;
}

function loadOrt(dir: string | undefined): typeof Ort {
  const require = createRequire(import.meta.url);
  if (!dir) return require("onnxruntime-node") as typeof Ort;
  const at = path.resolve(dir);
  try {
    const m = require(at) as typeof Ort;
    if (typeof m.InferenceSession?.create !== "function") throw new Error("it has no InferenceSession");
    return m;
  } catch (err) {
    throw new EgobridgeError(
      `${ONNXRUNTIME_NODE_ENV}=${dir}: cannot load onnxruntime-node from ${at}: ${firstLine(err)}`,
      {
        hint: `point ${ONNXRUNTIME_NODE_ENV} at an onnxruntime-node package folder (deploy/gpu/cuda-ep-bundle.sh makes one with the CUDA EP), or unset it to use the installed onnxruntime-node`,
        cause: err,
      },
    );
  }
}

export type Device = "cpu" | "webgpu" | "cuda" | "auto";
export type ResolvedDevice = Exclude<Device, "auto">;
export const DEVICES: readonly Device[] = ["cpu", "webgpu", "cuda", "auto"];

export interface SessionOptions {
  device?: Device;
  /** Threads inside one operator (CPU EP); default: onnxruntime's choice (the physical cores). */
  intraOpThreads?: number;
  /** Make graph dim 0 symbolic so `run` takes a batch of N inputs (onnx_batch.ts). */
  dynamicBatch?: boolean;
}

export interface OutputTensor {
  data: Float32Array;
  dims: readonly number[];
}

const DEVICE_HINT: Record<Exclude<ResolvedDevice, "cpu">, string> = {
  cuda: "the CUDA execution provider is not installed (the default install skips its download), or the CUDA runtime it needs is not on the library path. Where nuget.org is reachable: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node --ignore-scripts=false; offline: deploy/gpu/cuda-ep-bundle.sh (npm registry only) and EGOBRIDGE_ONNXRUNTIME_NODE=<bundle>/onnxruntime-node (needs CUDA 13 + cuDNN 9 libraries, see its REQUIREMENTS.txt) — or use --device webgpu / cpu",
  webgpu:
    "the WebGPU execution provider found no GPU adapter: it needs a Vulkan loader (Debian: apt-get install libvulkan1) and the GPU's Vulkan driver (VK_DRIVER_FILES can point at the driver's ICD json) — or use --device cpu",
};

/**
 * The gist of an onnxruntime error: its first line, without the source-location prefix that
 * onnxruntime's C++ assertions carry ("/onnxruntime_src/…:136 … was false. Failed to …").
 */
function firstLine(err: unknown): string {
  const line = String((err as Error)?.message ?? err)
    .split("\n")[0]!
    .trim();
  const m = /^\/onnxruntime_src\/\S+ .*? was false\. (.*)$/.exec(line);
  return m ? m[1]! : line;
}

/** An ONNX model loaded into an inference session on one device. Free it with `dispose()`. */
export class OnnxModel {
  private constructor(
    private readonly session: Ort.InferenceSession,
    /** The execution provider the session runs on. */
    readonly device: ResolvedDevice,
    /** What `auto` tried before settling, for the user; empty otherwise. */
    readonly note: string,
    readonly file: string,
  ) {}

  static async load(file: string, o: SessionOptions = {}): Promise<OnnxModel> {
    let bytes: Uint8Array = await fs.readFile(file);
    if (o.dynamicBatch) bytes = withSymbolicBatch(bytes);
    const device = o.device ?? "cpu";
    const ort = ortModule();
    const base: Ort.InferenceSession.SessionOptions = {
      logSeverityLevel: 3,
      graphOptimizationLevel: "all",
      ...(o.intraOpThreads ? { intraOpNumThreads: o.intraOpThreads } : {}),
    };
    const create = (ep: ResolvedDevice) =>
      ort.InferenceSession.create(bytes, { ...base, executionProviders: [ep] });
    if (device !== "auto") {
      try {
        return new OnnxModel(await create(device), device, "", file);
      } catch (err) {
        if (device === "cpu") {
          throw new EgobridgeError(`cannot load ONNX model ${file}: ${firstLine(err)}`, { cause: err });
        }
        throw new EgobridgeError(`--device ${device} is not available: ${firstLine(err)}`, {
          hint: DEVICE_HINT[device],
          cause: err,
        });
      }
    }
    const skipped: string[] = [];
    for (const ep of ["cuda", "webgpu"] as const) {
      try {
        return new OnnxModel(await create(ep), ep, skipped.length ? `auto: ${skipped.join("; ")}` : "", file);
      } catch (err) {
        skipped.push(`${ep} unavailable (${firstLine(err)})`);
      }
    }
    try {
      return new OnnxModel(await create("cpu"), "cpu", `auto: ${skipped.join("; ")}; running on cpu`, file);
    } catch (err) {
      throw new EgobridgeError(`cannot load ONNX model ${file}: ${firstLine(err)}`, { cause: err });
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Declared input shape (symbolic dims as strings). */
  inputShape(name: string): readonly (number | string)[] {
    const meta = this.session.inputMetadata.find((m) => m.name === name);
    return meta?.isTensor ? meta.shape : [];
  }

  /** Runs the model on one float32 input; returns every output as float32. */
  async run(
    inputName: string,
    data: Float32Array,
    dims: readonly number[],
  ): Promise<Record<string, OutputTensor>> {
    const feeds = { [inputName]: new (ortModule().Tensor)("float32", data, dims) };
    const results = await this.session.run(feeds);
    const out: Record<string, OutputTensor> = {};
    for (const [name, t] of Object.entries(results)) {
      if (t.type !== "float32")
        throw new EgobridgeError(`model ${this.file}: output ${name} is ${t.type}, expected float32`);
      out[name] = { data: t.data as Float32Array, dims: t.dims };
      t.dispose();
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
