/**
 * Atomic writes: write to a temporary sibling, then rename into place. A reader (or a crash)
 * sees either the old content or the new one, never a half-written file.
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";

/** A unique suffix for a temporary sibling of a file or folder being written. */
export const tmpSuffix = (): string => `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
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
    await fs.rm(tmp, { force: true });
    throw err;
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
  await fs.mkdir(parent, { recursive: true });
  const tmp = path.resolve(dir) + tmpSuffix();
  await fs.mkdir(tmp);
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
