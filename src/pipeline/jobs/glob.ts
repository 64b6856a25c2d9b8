/**
 * File globs for job inputs (Node 20 has no fs.glob): `*` and `?` within a path segment, `**` for
 * any number of folders, `[abc]` classes and `{a,b}` alternatives. Matches files only, in sorted
 * order, so a job lists its inputs the same way on every machine. Like a shell, `*` does not match
 * a leading dot.
 */
import { promises as fs } from "node:fs";
import path from "node:path";

const MAGIC = /[*?[{]/;

export const hasMagic = (pattern: string): boolean => MAGIC.test(pattern);

/** A regular expression for one path segment of a glob. */
export function segmentRegExp(segment: string): RegExp {
  let re = "";
  let braces = 0;
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = segment.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        const body = segment
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\");
        re += `[${body}]`;
        i = end;
      }
    } else if (c === "{") {
      braces++;
      re += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      re += ")";
    } else if (c === "," && braces > 0) re += "|";
    else re += c.replace(/[.+^$()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

async function entries(dir: string): Promise<{ name: string; dir: boolean }[]> {
  try {
    const list = await fs.readdir(dir, { withFileTypes: true });
    const out: { name: string; dir: boolean }[] = [];
    for (const e of list) {
      let isDir = e.isDirectory();
      if (e.isSymbolicLink())
        isDir = (await fs.stat(path.join(dir, e.name)).catch(() => undefined))?.isDirectory() ?? false;
      out.push({ name: e.name, dir: isDir });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

async function walk(dir: string, segments: readonly string[], out: string[]): Promise<void> {
  if (segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === "**") {
    await walk(dir, rest, out); // zero folders
    for (const e of await entries(dir)) {
      if (e.dir && !e.name.startsWith(".")) await walk(path.join(dir, e.name), segments, out);
    }
    return;
  }
  if (!hasMagic(head)) {
    const next = path.join(dir, head);
    if (rest.length > 0) return walk(next, rest, out);
    const st = await fs.stat(next).catch(() => undefined);
    if (st?.isFile()) out.push(next);
    return;
  }
  const re = segmentRegExp(head);
  for (const e of await entries(dir)) {
    if (e.name.startsWith(".") && !head.startsWith(".")) continue;
    if (!re.test(e.name)) continue;
    if (rest.length > 0) {
      if (e.dir) await walk(path.join(dir, e.name), rest, out);
    } else if (!e.dir) out.push(path.join(dir, e.name));
  }
}

/** The folder a glob starts from: its segments up to the first one with a wildcard. */
export function globBase(pattern: string, cwd: string): { base: string; rest: string[] } {
  const abs = path.resolve(cwd, pattern);
  const segments = abs.split(path.sep);
  const first = segments.findIndex((s) => hasMagic(s));
  if (first < 0) return { base: path.dirname(abs), rest: [path.basename(abs)] };
  return { base: segments.slice(0, first).join(path.sep) || path.sep, rest: segments.slice(first) };
}

/** Absolute paths of the files `pattern` matches (relative to `cwd`), sorted and without duplicates. */
export async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const { base, rest } = globBase(pattern, cwd);
  const out: string[] = [];
  await walk(base, rest, out);
  return [...new Set(out)].sort();
}
