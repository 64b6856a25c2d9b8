/**
 * Maps a request path onto a file below a root folder, refusing everything that could reach
 * outside it: `..` in any spelling (raw, percent-encoded, with backslashes), encoded slashes,
 * NUL bytes, hidden names, and symbolic links whose target lies outside the root.
 *
 * The check is done twice on purpose: lexically on the decoded segments (so `..` never reaches
 * the file system), then on the real path of what was found (so a symlink inside the root that
 * points out of it is refused too).
 */
import { promises as fs } from "node:fs";
import path from "node:path";

export type Resolved =
  | { ok: true; file: string; isDirectory: boolean; size: number }
  | { ok: false; status: 400 | 403 | 404; reason: string };

/** The decoded path segments of a URL path (still percent-encoded), or why it is refused. */
export function decodeSegments(
  urlPath: string,
): { ok: true; segments: string[] } | { ok: false; status: 400 | 403; reason: string } {
  const segments: string[] = [];
  for (const raw of urlPath.split("/")) {
    if (raw === "") continue;
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, reason: "malformed percent-encoding" };
    }
    if (s === "." || s === "..") return { ok: false, status: 403, reason: "path leaves the folder" };
    if (/[/\\\0]/.test(s)) return { ok: false, status: 403, reason: "encoded separator or NUL in a name" };
    if (s.startsWith(".")) return { ok: false, status: 403, reason: "hidden names are not served" };
    segments.push(s);
  }
  return { ok: true, segments };
}

/** True when `child` is `root` or lies below it (both absolute, real paths). */
export const isInside = (root: string, child: string): boolean =>
  child === root || child.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * Resolves `urlPath` (the part of a request path below the mount point, percent-encoded) inside
 * `rootReal` (the root's real path, see `fs.realpath`). Never throws for a bad request.
 */
export async function resolveInside(rootReal: string, urlPath: string): Promise<Resolved> {
  const decoded = decodeSegments(urlPath);
  if (!decoded.ok) return decoded;
  const candidate = path.join(rootReal, ...decoded.segments);
  let real: string;
  try {
    real = await fs.realpath(candidate);
  } catch {
    return { ok: false, status: 404, reason: "not found" };
  }
  if (!isInside(rootReal, real)) return { ok: false, status: 403, reason: "link leads outside the folder" };
  const st = await fs.stat(real).catch(() => undefined);
  if (!st || !(st.isFile() || st.isDirectory())) return { ok: false, status: 404, reason: "not found" };
  return { ok: true, file: real, isDirectory: st.isDirectory(), size: st.size };
}

export interface DirEntry {
  name: string;
  kind: "file" | "dir";
  size: number;
}

/**
 * The entries of a folder that `resolveInside` would serve: no hidden names, no links leading
 * outside the root, files and folders only; sorted by name.
 */
export async function listInside(rootReal: string, dirReal: string): Promise<DirEntry[]> {
  const names = (await fs.readdir(dirReal)).filter((n) => !n.startsWith(".")).sort();
  const entries: DirEntry[] = [];
  for (const name of names) {
    const real = await fs.realpath(path.join(dirReal, name)).catch(() => undefined);
    if (!real || !isInside(rootReal, real)) continue;
    const st = await fs.stat(real).catch(() => undefined);
    if (st?.isFile()) entries.push({ name, kind: "file", size: st.size });
    else if (st?.isDirectory()) entries.push({ name, kind: "dir", size: 0 });
  }
  return entries;
}
