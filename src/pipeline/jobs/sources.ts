/**
 * The sources of a job: one per demonstration it reads (a procedural demo seed, a GRAB sequence,
 * a hand-track file, a video, an episode of an input dataset), numbered in a fixed order (input
 * entries in spec order, files sorted within each) so every machine numbers them alike.
 *
 * A source's `label` never holds an absolute path: it is the path relative to the job file's
 * folder, or to the asset folder for `asset:` inputs, so the same job gives the same bytes on any
 * machine whatever the mount points.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { assetDirs } from "../../core/assets.js";
import { InputError } from "../../core/errors.js";
import type { SourceVideo } from "../../render/episode_videos.js";
import { expandGlob, globBase, hasMagic } from "./glob.js";
import type { JobInput, JobSpec, LoadedJob } from "./spec.js";

export type SourceKind = "demo" | "grab" | "track" | "video" | "episode";

export interface SourceRef {
  /** Position in the whole job (0-based). */
  ordinal: number;
  /** Index of the input entry in `spec.inputs`. */
  entry: number;
  kind: SourceKind;
  /** Machine-independent name, e.g. "hands/grab/derived_json/apple_pass_1.json" or "demo:shelf_to_tote:s0". */
  label: string;
  /** Absolute path of the input file (file inputs). */
  file?: string;
  /** Procedural demonstration seed (demo inputs). */
  seed?: number;
  /** Frames [start, end) of the file this source covers: one segment of a video (`segmentS`). */
  frames?: { start: number; end: number };
  /** Absolute path of the video's camera file or folder (video inputs with `camera`). */
  camera?: string;
}

const ASSET_PREFIX = "asset:";
type Env = Readonly<Record<string, string | undefined>>;

/** Files of one pattern with their labels: asset-relative, or relative to the job folder / the glob's base. */
async function matchPattern(
  pattern: string,
  jobDir: string,
  field: string,
  env: Env,
): Promise<{ file: string; label: string }[]> {
  if (pattern.startsWith(ASSET_PREFIX)) {
    const name = pattern.slice(ASSET_PREFIX.length);
    const dirs = assetDirs(env);
    if (dirs.length === 0) {
      throw new InputError(`${field}: '${pattern}' names an asset but EGOBRIDGE_ASSETS is not set`, {
        hint: "set EGOBRIDGE_ASSETS to the folder(s) holding the assets",
      });
    }
    const byLabel = new Map<string, string>();
    for (const dir of dirs) {
      for (const file of await expandGlob(name, dir)) {
        const label = path.relative(dir, file).split(path.sep).join("/");
        if (!byLabel.has(label)) byLabel.set(label, file);
      }
    }
    if (byLabel.size === 0) {
      throw new InputError(`${field}: '${pattern}' matched no file in ${dirs.join(", ")} (EGOBRIDGE_ASSETS)`);
    }
    return [...byLabel.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([label, file]) => ({ file, label }));
  }
  const found = await expandGlob(pattern, jobDir);
  if (found.length === 0) {
    const what = hasMagic(pattern) ? "matched no file" : "does not exist";
    throw new InputError(`${field}: '${pattern}' ${what} (relative to ${jobDir})`);
  }
  const root = path.isAbsolute(pattern) ? globBase(pattern, jobDir).base : jobDir;
  return found.map((file) => ({ file, label: path.relative(root, file).split(path.sep).join("/") }));
}

async function filesOf(input: JobInput & { files: string | string[] }, at: string, job: LoadedJob, env: Env) {
  const patterns = Array.isArray(input.files) ? input.files : [input.files];
  const out: { file: string; label: string }[] = [];
  const seen = new Set<string>();
  for (const [k, p] of patterns.entries()) {
    const field = Array.isArray(input.files) ? `${at}.files.${k}` : `${at}.files`;
    for (const m of await matchPattern(p, job.dir, field, env)) {
      if (seen.has(m.file)) continue;
      seen.add(m.file);
      out.push(m);
    }
  }
  return out;
}

/**
 * The segments of `segmentS` seconds a video input splits `file` into, within its start/end
 * frames. A video that cannot be probed stays one source, whose hands unit then records why it
 * failed, so one bad file never stops the planning of a job.
 */
async function videoSegments(
  file: string,
  input: Extract<JobInput, { kind: "video" }>,
): Promise<{ start: number; end: number }[] | null> {
  const { probeVideo } = await import("../../perception/video.js");
  let info: Awaited<ReturnType<typeof probeVideo>>;
  try {
    info = await probeVideo(file);
  } catch {
    return null;
  }
  const length = Math.max(1, Math.round(input.segmentS! * info.fps));
  const from = Math.min(input.start ?? 0, info.frameCount);
  const to = Math.min(input.end ?? info.frameCount, info.frameCount);
  const out: { start: number; end: number }[] = [];
  for (let start = from; start < to; start += length) out.push({ start, end: Math.min(start + length, to) });
  return out.length > 0 ? out : null;
}

/**
 * The camera file of one video: `{video}` replaced by the video's path without its extension,
 * `asset:NAME` found in the asset folders (the first that holds it), else relative to the job
 * folder. Whether it exists and reads is checked when the source is planned, so one missing
 * camera file fails its own video only.
 */
function cameraOf(pattern: string, video: string, job: LoadedJob, env: Env): string {
  const named = pattern.replaceAll("{video}", video.slice(0, video.length - path.extname(video).length));
  if (named.startsWith(ASSET_PREFIX)) {
    const name = named.slice(ASSET_PREFIX.length);
    const dirs = assetDirs(env);
    const found = dirs.map((d) => path.join(d, name)).find((f) => existsSync(f));
    return found ?? path.join(dirs[0] ?? job.dir, name);
  }
  return path.resolve(job.dir, named);
}

/** Every source of the job, in job order. Globs that match nothing are errors naming their field. */
export async function enumerateSources(job: LoadedJob, env: Env = process.env): Promise<SourceRef[]> {
  const spec: JobSpec = job.spec;
  const sources: SourceRef[] = [];
  const push = (s: Omit<SourceRef, "ordinal">) => sources.push({ ...s, ordinal: sources.length });
  for (const [entry, input] of spec.inputs.entries()) {
    const at = `inputs.${entry}`;
    switch (input.kind) {
      case "demo": {
        const scene = input.scene ?? spec.scene.template;
        for (const seed of input.seeds) push({ entry, kind: "demo", label: `demo:${scene}:s${seed}`, seed });
        break;
      }
      case "grab":
      case "track":
        for (const m of await filesOf(input, at, job, env)) push({ entry, kind: input.kind, ...m });
        break;
      case "video":
        for (const m of await filesOf(input, at, job, env)) {
          const camera =
            input.camera === undefined ? {} : { camera: cameraOf(input.camera, m.file, job, env) };
          const segments = input.segmentS === undefined ? null : await videoSegments(m.file, input);
          if (!segments) push({ entry, kind: "video", ...m, ...camera });
          else
            for (const frames of segments) {
              push({
                entry,
                kind: "video",
                file: m.file,
                label: `${m.label}#frames=${frames.start}-${frames.end}`,
                frames,
                ...camera,
              });
            }
        }
        break;
      case "dataset": {
        const pattern = `${input.path.replace(/\/+$/, "")}/extras/episodes/episode_*.json`;
        for (const m of await matchPattern(pattern, job.dir, `${at}.path`, env)) {
          push({ entry, kind: "episode", ...m });
        }
        break;
      }
    }
  }
  return sources;
}

/** The video a source reads, for the composite camera: its file and label (video sources only). */
export function sourceVideoOf(s: SourceRef): SourceVideo | undefined {
  return s.kind === "video" && s.file !== undefined ? { file: s.file, label: s.label } : undefined;
}

/** A short name for ids and episode ids: the file's base name without extension, or the demo label. */
export function sourceSlug(s: SourceRef): string {
  const base =
    s.kind === "demo"
      ? s.label.replace(/:/g, "-")
      : path.posix.basename(s.label.replace(/#frames=.*$/, "")).replace(/\.[^.]*$/, "");
  const segment = s.frames ? `_f${s.frames.start}` : "";
  return `${base.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60)}${segment}`;
}
