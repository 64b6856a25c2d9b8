/**
 * The one module that touches h5wasm (the HDF5 C library compiled to WebAssembly). The rest of
 * the robomimic writer describes groups, datasets and attributes as plain data.
 *
 * Loading: `h5wasm/node` is the Node build; it reaches the host filesystem through Emscripten's
 * NODERAWFS, so HDF5 writes each dataset straight to the file on disk and nothing of the file is
 * kept in JS memory. `ready` resolves once the .wasm is instantiated.
 *
 * File format: the oldest that holds the content (superblock 0, version-1 object headers, as
 * h5py writes with HDF5 1.x and robomimic's published datasets have). The wasm build is HDF5 2.0,
 * whose default lower bound (the 1.8 format) moves a group's attributes past the eighth into
 * "dense" storage that older readers, jsfive among them, do not read.
 *
 * Determinism: HDF5 records when objects were modified (a modification-time message in a
 * version-1 object header, four timestamps in a version-2 one): the object-time-tracking property
 * is on by default and h5wasm has no switch for it, so the same content written twice would
 * differ in a few bytes. The library reads the clock through
 * Emscripten's `clock_time_get`, which calls `Date.now()`; every HDF5 call here is synchronous
 * and runs with `Date.now` pinned to 0 (the Unix epoch) and restored before it returns, so no
 * other code ever sees the pinned clock and the file is byte-identical for the same content.
 */
import h5wasm from "h5wasm/node";

/** Library version bounds for new objects: the earliest format that can represent each one. */
const LIBVER: ["earliest", "latest"] = ["earliest", "latest"];

/** Object timestamps written into the file (ms since the Unix epoch). */
const PINNED_CLOCK_MS = 0;

function withPinnedClock<T>(fn: () => T): T {
  const now = Date.now;
  Date.now = () => PINNED_CLOCK_MS;
  try {
    return fn();
  } finally {
    Date.now = now;
  }
}

/** Attribute values: strings become UTF-8 variable-length strings (as h5py writes `str`), integers int64, booleans int8 0/1. */
export type AttrValue = string | number | boolean;

/** A dataset's element type follows its array: Float64Array → float64, BigInt64Array → int64. */
export type NumericData = Float64Array | BigInt64Array;

/** An HDF5 file open for writing. Paths are absolute within the file, without a leading slash. */
export class Hdf5Writer {
  private file: InstanceType<typeof h5wasm.File> | null;

  private constructor(file: InstanceType<typeof h5wasm.File>) {
    this.file = file;
  }

  /** Creates (or truncates) `path` on disk. */
  static async create(path: string): Promise<Hdf5Writer> {
    await h5wasm.ready;
    return new Hdf5Writer(withPinnedClock(() => new h5wasm.File(path, "w", { libver: LIBVER })));
  }

  private open(): InstanceType<typeof h5wasm.File> {
    if (!this.file) throw new Error("HDF5 file is closed");
    return this.file;
  }

  /** Creates a group; its parent must exist. */
  group(path: string): void {
    const file = this.open();
    withPinnedClock(() => file.create_group(path));
  }

  /** Writes a contiguous, uncompressed numeric dataset of `shape` (row-major `data`). */
  dataset(path: string, shape: readonly number[], data: NumericData): void {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new Error(`dataset '${path}': shape [${shape.join(", ")}] does not hold ${data.length} values`);
    }
    const dtype = data instanceof Float64Array ? "<d" : "<q";
    const file = this.open();
    withPinnedClock(() => file.create_dataset({ name: path, data, shape: [...shape], dtype }));
  }

  /**
   * Writes images: uint8 `[N, H, W, C]`, one frame per chunk and gzip-compressed (level 4), so a
   * trainer reading a window of frames decompresses only those (h5py reads gzip natively).
   */
  images(path: string, shape: readonly [number, number, number, number], data: Uint8Array): void {
    if (shape.reduce((a, b) => a * b, 1) !== data.length) {
      throw new Error(`dataset '${path}': shape [${shape.join(", ")}] does not hold ${data.length} values`);
    }
    const file = this.open();
    const [, h, w, c] = shape;
    withPinnedClock(() =>
      file.create_dataset({
        name: path,
        data,
        shape: [...shape],
        dtype: "<B",
        chunks: [1, h, w, c],
        compression: "gzip",
        compression_opts: 4,
      }),
    );
  }

  /**
   * Writes a 1-D dataset of fixed-length ASCII strings, the HDF5 type numpy's `S` dtype maps to
   * (robomimic stores filter keys as `np.array(demo_keys, dtype="S")`). The length leaves room
   * for the terminating NUL of HDF5's NULLTERM padding.
   */
  strings(path: string, values: readonly string[]): void {
    for (const v of values) {
      if (!/^[\x20-\x7e]*$/.test(v)) throw new Error(`dataset '${path}': '${v}' is not printable ASCII`);
    }
    const length = Math.max(0, ...values.map((v) => v.length)) + 1;
    const file = this.open();
    withPinnedClock(() =>
      file.create_dataset({ name: path, data: [...values], shape: [values.length], dtype: `A${length}` }),
    );
  }

  /** Sets an attribute on the group or dataset at `path`. */
  attr(path: string, name: string, value: AttrValue): void {
    const file = this.open();
    if (typeof value === "number" && !Number.isSafeInteger(value)) {
      throw new Error(`attribute '${path}@${name}': ${value} is not an integer`);
    }
    withPinnedClock(() => {
      const target = file.get(path);
      if (!target || !("create_attribute" in target)) throw new Error(`no group or dataset at '${path}'`);
      if (typeof value === "string") target.create_attribute(name, value);
      else if (typeof value === "boolean") target.create_attribute(name, value ? 1 : 0, [], "<b");
      else target.create_attribute(name, value, [], "<q");
    });
  }

  /** Flushes and closes the file; further calls throw. Safe to call twice. */
  close(): void {
    const file = this.file;
    this.file = null;
    if (file) withPinnedClock(() => file.close());
  }
}
