/**
 * Finding third-party files (models, sample videos, mocap sequences) by name.
 *
 * These files are not part of egobridge (several have research-only licences), so code never
 * hard-codes where they live. An `AssetRef` names a file by a relative path; `resolveAsset`
 * returns an absolute path to a verified copy, looking in this order:
 *
 *   1. each directory of `EGOBRIDGE_ASSETS` (a `path.delimiter`-separated list; user-managed),
 *   2. `../shared/assets` beside the checkout (the folder holding package.json), when it exists
 *      (`EGOBRIDGE_ASSETS_BESIDE=0` skips it),
 *   3. the package's own `assets/` folder: the few files egobridge ships (the default gripper's
 *      model, under its licence; see assets/README.md),
 *   4. the user cache: `EGOBRIDGE_CACHE`, else `$XDG_CACHE_HOME/egobridge`, else `~/.cache/egobridge`,
 *   5. a download of `ref.url` into the cache (unless offline: no url, `offline`, `EGOBRIDGE_OFFLINE=1`).
 *
 * Layout: `<dir>/<name>` for every directory above, e.g.
 * `$EGOBRIDGE_ASSETS/hands/grab/derived_json/cylindersmall_lift.json`.
 *
 * Downloads stream into a temporary sibling of the cache entry while hashing, and are renamed into
 * place only after the size and SHA-256 check out, so the cache never holds a partial or corrupt
 * file (a crash leaves at most a `*.download-*` temporary).
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EgobridgeError } from "./errors.js";

export interface AssetRef {
  /** Path relative to an asset directory, `/`-separated: "hands/grab/derived_json/cylindersmall_lift.json". */
  name: string;
  /** Expected SHA-256 of the content (hex). Checked on every copy found or downloaded. */
  sha256?: string;
  /** Canonical download URL, used when no local copy exists. */
  url?: string;
  /** Expected size; a cheap check before hashing and after downloading. */
  sizeBytes?: number;
}

export interface ResolveAssetOptions {
  /** Where EGOBRIDGE_* / XDG_CACHE_HOME / HOME are read from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Never download, even when the ref has a url. */
  offline?: boolean;
  /** Aborts a download in progress. */
  signal?: AbortSignal;
}

export const ASSETS_ENV = "EGOBRIDGE_ASSETS";
export const CACHE_ENV = "EGOBRIDGE_CACHE";
export const OFFLINE_ENV = "EGOBRIDGE_OFFLINE";

type Env = Readonly<Record<string, string | undefined>>;

/** The directories listed in EGOBRIDGE_ASSETS, absolute, in order (empty entries ignored). */
const listedAssetDirs = (env: Env): string[] =>
  (env[ASSETS_ENV] ?? "")
    .split(path.delimiter)
    .filter((d) => d.trim() !== "")
    .map((d) => path.resolve(d));

export const BESIDE_ENV = "EGOBRIDGE_ASSETS_BESIDE";

/** `../shared/assets` beside the checkout: this file is `<checkout>/{src,dist}/core/assets.*`. */
export const besideCheckoutDir = (): string =>
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "shared", "assets");

/**
 * The asset directories, absolute, in order: those listed in EGOBRIDGE_ASSETS (empty entries
 * ignored), then `../shared/assets` beside the checkout when it exists and is not already listed
 * (unless EGOBRIDGE_ASSETS_BESIDE=0).
 */
export function assetDirs(env: Env = process.env): string[] {
  const dirs = listedAssetDirs(env);
  const beside = besideCheckoutDir();
  if (env[BESIDE_ENV] !== "0" && !dirs.includes(beside) && existsSync(beside)) dirs.push(beside);
  return dirs;
}

/** The files shipped in the package (`<package>/assets`): this file is `<package>/{src,dist}/core/assets.*`. */
export const bundledAssetDir = (): string =>
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "assets");

/** The user cache directory for downloaded assets. */
export function assetCacheDir(env: Env = process.env): string {
  if (env[CACHE_ENV]) return path.resolve(env[CACHE_ENV]);
  if (env["XDG_CACHE_HOME"]) return path.resolve(env["XDG_CACHE_HOME"], "egobridge");
  return path.join(env["HOME"] || os.homedir(), ".cache", "egobridge");
}

/** SHA-256 of a file's content as lowercase hex, streamed (models can be large). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Absolute path of a verified local copy of `ref`, downloading it into the cache when needed.
 * Throws an EgobridgeError that says what was wanted, where it looked and how to provide it.
 */
export async function resolveAsset(ref: AssetRef, opts: ResolveAssetOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const segments = checkName(ref.name);
  const expectedSha = checkSha(ref);
  const looked: string[] = [];

  const dirs = assetDirs(env);
  const listed = new Set(listedAssetDirs(env));
  for (const dir of dirs) {
    const candidate = path.join(dir, ...segments);
    if (await isFile(candidate)) {
      await verifyCopy(ref, candidate, expectedSha);
      return candidate;
    }
    looked.push(`${candidate} (${listed.has(dir) ? ASSETS_ENV : "beside the checkout"})`);
  }
  const bundled = path.join(bundledAssetDir(), ...segments);
  if (await isFile(bundled)) {
    await verifyCopy(ref, bundled, expectedSha);
    return bundled;
  }

  const cached = path.join(assetCacheDir(env), ...segments);
  const offline = opts.offline === true || isTruthy(env[OFFLINE_ENV]);
  const canDownload = ref.url !== undefined && !offline;
  if (await isFile(cached)) {
    // The cache belongs to egobridge: a stale or damaged entry is replaced when it can be fetched again.
    const problem = await copyProblem(ref, cached, expectedSha);
    if (problem === undefined) return cached;
    if (!canDownload) throw new EgobridgeError(problem, { hint: provideHint(ref, cached) });
    looked.push(`${cached} (cache; unusable: ${problem})`);
  } else {
    looked.push(`${cached} (cache)`);
  }

  if (ref.url === undefined || offline) {
    const why =
      ref.url === undefined
        ? "no download URL is known for it"
        : `not downloading ${ref.url}: offline (${OFFLINE_ENV} or the offline option)`;
    throw notFound(ref, !env[ASSETS_ENV], looked, why, cached);
  }
  try {
    await download(ref, ref.url, cached, expectedSha, opts.signal);
    return cached;
  } catch (err) {
    if (err instanceof ChecksumError) throw err.error;
    const why = `download of ${ref.url} failed: ${describeError(err)}`;
    throw notFound(ref, !env[ASSETS_ENV], looked, why, cached);
  }
}

function notFound(
  ref: AssetRef,
  noAssetDirs: boolean,
  looked: string[],
  downloadFailure: string,
  cached: string,
): EgobridgeError {
  const lines = [
    `asset not found: ${ref.name}`,
    "looked in:",
    ...looked.map((l) => `  ${l}`),
    ...(noAssetDirs ? [`  (${ASSETS_ENV} is not set)`] : []),
    downloadFailure,
  ];
  return new EgobridgeError(lines.join("\n"), { hint: provideHint(ref, cached) });
}

function provideHint(ref: AssetRef, cached: string): string {
  const ways = [
    `set ${ASSETS_ENV} to a folder containing ${ref.name}`,
    `or place the file at ${cached}`,
    ...(ref.url !== undefined ? [`or download ${ref.url} to that path`] : []),
  ];
  return ways.join(", ");
}

/** The name's path segments; rejects anything that could point outside an asset directory. */
function checkName(name: string): string[] {
  const segments = name.split("/");
  const bad =
    name === "" ||
    name.includes("\\") ||
    path.isAbsolute(name) ||
    segments.some((s) => s === "" || s === "." || s === "..");
  if (bad) {
    throw new EgobridgeError(
      `invalid asset name '${name}': expected a relative path such as "hands/grab/derived_json/apple_pass_1.json" (forward slashes, no '..')`,
    );
  }
  return segments;
}

function checkSha(ref: AssetRef): string | undefined {
  if (ref.sha256 === undefined) return undefined;
  const sha = ref.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha)) {
    throw new EgobridgeError(`invalid sha256 for asset ${ref.name}: '${ref.sha256}' is not 64 hex digits`);
  }
  return sha;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw new EgobridgeError(`cannot access ${file}: ${(err as Error).message}`, { cause: err });
  }
}

async function verifyCopy(ref: AssetRef, file: string, expectedSha: string | undefined): Promise<void> {
  const problem = await copyProblem(ref, file, expectedSha);
  if (problem !== undefined) {
    throw new EgobridgeError(problem, {
      hint: `replace ${file} with the right version${ref.url !== undefined ? ` (${ref.url})` : ""}, or remove it`,
    });
  }
}

/** Why a local copy is not the wanted file, or undefined when it is. */
async function copyProblem(
  ref: AssetRef,
  file: string,
  expectedSha: string | undefined,
): Promise<string | undefined> {
  if (ref.sizeBytes !== undefined) {
    const size = (await fs.stat(file)).size;
    if (size !== ref.sizeBytes) {
      return `size mismatch for asset ${ref.name}: ${file} has ${size} bytes, expected ${ref.sizeBytes} (truncated, corrupted or a different version)`;
    }
  }
  if (expectedSha !== undefined) {
    const actual = await sha256File(file);
    if (actual !== expectedSha) return shaMismatch(ref, file, actual, expectedSha);
  }
  return undefined;
}

const shaMismatch = (ref: AssetRef, file: string, actual: string, expected: string): string =>
  `checksum mismatch for asset ${ref.name}: ${file} has sha256 ${actual}, expected sha256 ${expected} (corrupted, truncated or a different version)`;

/** A download that arrived but is not the wanted file: reported as is, never as "not found". */
class ChecksumError extends Error {
  constructor(readonly error: EgobridgeError) {
    super(error.message);
  }
}

/** Streams `url` into a temporary sibling of `dest`, checks size and hash, then renames into place. */
async function download(
  ref: AssetRef,
  url: string,
  dest: string,
  expectedSha: string | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const response = await fetch(url, signal === undefined ? {} : { signal });
  if (!response.ok || response.body === null) {
    throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  }
  await fs.mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.download-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    const hash = createHash("sha256");
    let sizeBytes = 0;
    const handle = await fs.open(tmp, "w");
    try {
      for await (const chunk of response.body) {
        hash.update(chunk);
        sizeBytes += chunk.byteLength;
        await handle.write(chunk);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    const source = `the download of ${url}`;
    if (ref.sizeBytes !== undefined && sizeBytes !== ref.sizeBytes) {
      throw new ChecksumError(
        new EgobridgeError(
          `size mismatch for asset ${ref.name}: ${source} has ${sizeBytes} bytes, expected ${ref.sizeBytes}; nothing was saved`,
        ),
      );
    }
    const actual = hash.digest("hex");
    if (expectedSha !== undefined && actual !== expectedSha) {
      throw new ChecksumError(
        new EgobridgeError(`${shaMismatch(ref, source, actual, expectedSha)}; nothing was saved`, {
          hint: "the server may be serving another version; check the URL and the expected hash",
        }),
      );
    }
    await fs.rename(tmp, dest);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Node's fetch reports "fetch failed" and keeps the real reason (ECONNREFUSED, ENOTFOUND) in `cause`.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`;
}

const isTruthy = (v: string | undefined): boolean => v !== undefined && !["", "0", "false", "no"].includes(v);
