/**
 * Reading HDF5 files others wrote (EgoDex episodes), through h5wasm (the HDF5 C library compiled
 * to WebAssembly; `h5wasm/node` reads the file on disk, nothing is copied into JS memory but the
 * datasets asked for).
 *
 * The file is checked before the library opens it: HDF5 prints its own error stack to stderr
 * and fails with "name not defined" on a truncated or foreign file, which tells a user nothing.
 * The checks here (signature, and the end-of-file address the superblock records against the
 * file's size) turn those cases into an InputError that says what is wrong.
 */
import { promises as fs } from "node:fs";
import h5wasm from "h5wasm/node";
import { InputError } from "./errors.js";

const SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The end-of-file address a superblock at offset 0 records (HDF5 file format spec, "Superblock"),
 * or null for a layout not handled here (the library then has the last word).
 */
function superblockEndOfFile(head: Buffer): bigint | null {
  const version = head[8]!;
  const read = (at: number, size: number): bigint | null => {
    if (at + size > head.length) return null;
    if (size === 8) return head.readBigUInt64LE(at);
    if (size === 4) return BigInt(head.readUInt32LE(at));
    return null;
  };
  if (version === 0 || version === 1) {
    const sizeOfOffsets = head[13]!;
    // 24 bytes of fixed fields (+4 in version 1), then base, free-space and end-of-file addresses.
    const base = version === 0 ? 24 : 28;
    return read(base + 2 * sizeOfOffsets, sizeOfOffsets);
  }
  if (version === 2 || version === 3) {
    const sizeOfOffsets = head[9]!;
    // 12 bytes of fixed fields, then base, superblock-extension and end-of-file addresses.
    return read(12 + 2 * sizeOfOffsets, sizeOfOffsets);
  }
  return null;
}

type H5File = InstanceType<typeof h5wasm.File>;

/** An HDF5 file open for reading. Paths are within the file, without a leading slash. */
export class Hdf5Reader {
  private constructor(
    private readonly file: H5File,
    readonly path: string,
  ) {}

  /** Opens `file` after checking it is a whole HDF5 file; InputError otherwise. */
  static async open(file: string): Promise<Hdf5Reader> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, "r");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new InputError(
        code === "ENOENT" ? `file not found: ${file}` : `cannot read ${file}: ${(err as Error).message}`,
      );
    }
    try {
      const { size } = await handle.stat();
      if (size === 0) throw new InputError(`${file} is empty`);
      const head = Buffer.alloc(Math.min(size, 96));
      await handle.read(head, 0, head.length, 0);
      if (!head.subarray(0, 8).equals(SIGNATURE)) {
        throw new InputError(`${file} is not an HDF5 file (no HDF5 signature at its start)`);
      }
      const eof = superblockEndOfFile(head);
      if (eof !== null && eof > BigInt(size)) {
        throw new InputError(`${file} is truncated: ${size} bytes of the ${eof} its superblock records`, {
          hint: "copy or download the file again",
        });
      }
    } finally {
      await handle.close();
    }
    await h5wasm.ready;
    return new Hdf5Reader(new h5wasm.File(file, "r"), file);
  }

  /** Names of the members of a group ([] when there is no such group). */
  keys(group: string): string[] {
    const g = this.file.get(group);
    return g && "keys" in g ? g.keys() : [];
  }

  /** A numeric dataset as float64 with its shape; InputError naming the file when it is missing or not numeric. */
  floats(name: string): { shape: number[]; data: Float64Array } {
    const d = this.file.get(name);
    if (!d || !("shape" in d) || !d.shape) throw new InputError(`${this.path}: no dataset '${name}'`);
    const v = d.value;
    if (!(ArrayBuffer.isView(v) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array))) {
      throw new InputError(`${this.path}: dataset '${name}' is not numeric`);
    }
    return { shape: [...d.shape], data: Float64Array.from(v as ArrayLike<number>) };
  }

  /** A root attribute as text (arrays joined with ", "), or undefined. */
  attr(name: string): string | undefined {
    const a = this.file.attrs[name];
    if (!a) return undefined;
    const v = a.value;
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v)) return v.map(String).join(", ");
    return String(v);
  }

  close(): void {
    this.file.close();
  }
}
