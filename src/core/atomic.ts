/**
 * Atomic writes: write to a temporary sibling, then rename into place. A reader (or a crash)
 * sees either the old content or the new one, never a half-written file.
 */
import { randomBytes } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import path from "node:path";
import { EgobridgeError, InputError } from "./errors.js";

/** Errors of a path the user chose (a file where a folder must be, no permission, read-only): exit 2. */
const PATH_ERRORS = new Set([
  "ENOENT",
  "ENOTDIR",
  "EISDIR",
  "EACCES",
  "EPERM",
  "EROFS",
  "EEXIST",
  "ENAMETOOLONG",
]);

/** A failed write of `target` as one clear line: the path's fault (InputError) or the machine's (disk full). */
export function writeError(target: string, err: unknown): EgobridgeError {
  if (err instanceof EgobridgeError) return err;
  const e = err as NodeJS.ErrnoException;
  const message = `cannot write ${target} (${e?.message ?? String(err)})`;
  return e.code && PATH_ERRORS.has(e.code)
    ? new InputError(message, { hint: "give -o a path in a folder you can write to", cause: err })
    : new EgobridgeError(message, { cause: err });
}

/**
 * Checks, before any work, that `target` (a file or folder to be written) can be: its nearest
 * existing ancestor is a folder this process may write into. Throws an InputError naming the
 * obstacle (a file on the way, no permission, a read-only file system).
 */
export async function checkOutputPath(target: string): Promise<void> {
  let dir = path.dirname(path.resolve(target));
  for (;;) {
    const stat = await fs.stat(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return null;
      throw writeError(target, err);
    });
    if (stat) {
      if (!stat.isDirectory()) {
        throw new InputError(`cannot write ${target}: ${dir} is a file, not a folder`, {
          hint: "give -o a path in a folder you can write to",
        });
      }
      await fs.access(dir, constants.W_OK).catch((err: unknown) => {
        throw writeError(target, err);
      });
      return;
    }
    const up = path.dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}

/** A unique suffix for a temporary sibling of a file or folder being written. */
export const tmpSuffix = (): string => `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true }).catch((err: unknown) => {
    throw writeError(file, err);
  });
  const tmp = file + tmpSuffix();
  try {
    const handle = await fs.open(tmp, "w");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw writeError(file, err);
  }
}

export const writeJsonAtomic = (file: string, value: unknown, o: { compact?: boolean } = {}): Promise<void> =>
  writeFileAtomic(file, `${JSON.stringify(value, null, o.compact ? undefined : 2)}\n`);

/**
 * Builds a whole directory atomically: `build` fills a fresh temporary directory next to `dir`;
 * only when it resolves is the result swapped into place (an existing `dir` is replaced). If
 * `build` throws, the temporary directory is removed and an existing `dir` is left untouched.
 */
export async function writeDirAtomic(dir: string, build: (tmpDir: string) => Promise<void>): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  const tmp = path.resolve(dir) + tmpSuffix();
  try {
    await fs.mkdir(parent, { recursive: true });
    await fs.mkdir(tmp);
  } catch (err) {
    throw writeError(dir, err);
  }
  try {
    await build(tmp);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const old = path.resolve(dir) + tmpSuffix();
  let moved = false;
  try {
    await fs.rename(dir, old);
    moved = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      await fs.rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
  try {
    await fs.rename(tmp, dir);
  } catch (err) {
    // Put the previous directory back rather than leave it under its temporary name.
    if (moved) await fs.rename(old, dir);
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  if (moved) await fs.rm(old, { recursive: true, force: true });
}
