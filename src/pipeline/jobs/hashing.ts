/**
 * Content hashes for work-unit ids: SHA-256 of files (streamed) and of values in a canonical
 * JSON form (object keys sorted), so the same content always gives the same id on any machine.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { sha256File } from "../../core/assets.js";
import { InputError } from "../../core/errors.js";

export { sha256File };

/** JSON with object keys sorted at every level; `undefined` members are dropped, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      sorted[k] = (v as Record<string, unknown>)[k];
    }
    return sorted;
  });
}

export const sha256Text = (text: string): string => createHash("sha256").update(text).digest("hex");

/** SHA-256 (hex) of a value's canonical JSON. */
export const hashValue = (value: unknown): string => sha256Text(canonicalJson(value));

/** SHA-256 (hex) of several files' contents, in the given order (e.g. a GRAB hand file and its object file). */
export async function sha256Files(files: readonly string[]): Promise<string> {
  if (files.length === 1) return sha256File(files[0]!);
  const parts: string[] = [];
  for (const f of files) parts.push(await sha256File(f));
  return sha256Text(parts.join("\n"));
}

/**
 * SHA-256 (hex) of a file, or of a folder's files (an Aria MPS folder): each file's path relative
 * to the folder and its content hash, in sorted order, so a renamed or changed file changes it.
 */
export async function sha256Path(p: string): Promise<string> {
  const stat = await fs.stat(p).catch(() => null);
  if (!stat) throw new InputError(`not found: ${p}`);
  if (!stat.isDirectory()) return sha256File(p);
  const entries = (await fs.readdir(p, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(p, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
  const parts: string[] = [];
  for (const rel of entries) parts.push(`${rel}\t${await sha256File(path.join(p, rel))}`);
  return sha256Text(parts.join("\n"));
}
