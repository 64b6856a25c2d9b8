/**
 * Where finished units are recorded: `units/<stage>/<id>.jsonl`, one file per unit, written
 * atomically (temporary file + rename), so a unit is either recorded whole or not at all — the
 * record is the file's existence. Two JSON lines: a small header (status, verdict, timing) that
 * resuming and reporting read without parsing the rest, then the payload (HandTrack or Episode).
 *
 *   <part>/
 *     part.json            this part's plan and totals (parts.ts)
 *     run.lock             held while a run uses the folder
 *     units/hands/hands-<input>-<config>.jsonl
 *     units/sim/…  units/episode/…  units/augment/augment-<input>-<config>-v<i>.jsonl
 *     units/render/render-<episode>-<config>.jsonl   and its media: units/render/render-…/
 *
 * A render unit's media (videos, lossless frames) are a folder beside its record, put in place
 * atomically before the record is written: a record always has its media.
 */
import { existsSync, promises as fs, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../core/atomic.js";
import { EgobridgeError, EXIT, InputError } from "../../core/errors.js";
import type { EpisodeMedia } from "../../render/episode_videos.js";
import { sha256Text } from "./hashing.js";
import { STAGES, type Stage, stageOf } from "./units.js";

export const UNITS_DIR = "units";
export const LOCK_FILE = "run.lock";

export const UnitOutcomeSchema = z.strictObject({
  /** Episodes: the verdict. Hand tracks: true. */
  success: z.boolean(),
  reasons: z.array(z.string()),
  /** First reason that is not a success reason, for rejected episodes. */
  failure: z.string().optional(),
  episodeId: z.string().optional(),
  embodiment: z.string().optional(),
  steps: z.number().int().optional(),
  /** Hand tracks: frames, frames with hands, perception rate and device (videos). */
  frames: z.number().int().optional(),
  framesWithHands: z.number().int().optional(),
  framesPerS: z.number().optional(),
  device: z.string().optional(),
  /** Episode units from an input dataset: the episode is a variant, not a source. */
  notASource: z.boolean().optional(),
  /** Source episodes that cannot be split into segments for augmentation: why. */
  notAugmentable: z.string().optional(),
  /** A second-hand simulation unit whose video shows one demonstrating hand only: why (no episode). */
  noDemonstration: z.string().optional(),
});
export type UnitOutcome = z.infer<typeof UnitOutcomeSchema>;

export const UnitHeaderSchema = z.strictObject({
  format: z.literal("egobridge.unit"),
  version: z.literal(1),
  id: z.string(),
  stage: z.enum(STAGES as [Stage, ...Stage[]]),
  status: z.enum(["ok", "failed"]),
  source: z.string(),
  ordinal: z.number().int(),
  root: z.number().int().optional(),
  variant: z.number().int().optional(),
  outcome: UnitOutcomeSchema.optional(),
  /** Failed units: a short machine-readable code and the message. */
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  payloadSha256: z.string().optional(),
  wallS: z.number(),
  finishedAt: z.string(),
});
export type UnitHeader = z.infer<typeof UnitHeaderSchema>;

/** The payload of a render unit: its episode's rendered cameras, files in the media folder. */
export interface RenderRecord extends EpisodeMedia {
  format: "egobridge.render";
  episodeId: string;
  /** The payload hash of the episode unit rendered (its record's payloadSha256). */
  episodeSha256: string;
}

/** The folder of a unit's media (render units): beside its record, named like it. */
export const mediaDirFor = (recordFile: string): string => recordFile.replace(/\.jsonl$/, "");

/** Writes a unit record atomically: header line, then the payload line (if any). */
export async function writeUnitFile(
  file: string,
  header: UnitHeader,
  payloadJson?: string,
): Promise<UnitHeader> {
  const h: UnitHeader =
    payloadJson === undefined ? header : { ...header, payloadSha256: sha256Text(payloadJson) };
  await writeFileAtomic(file, `${JSON.stringify(h)}\n${payloadJson === undefined ? "" : `${payloadJson}\n`}`);
  return h;
}

/** The first line of a unit file, read without reading the payload. */
export async function readUnitHeader(file: string): Promise<UnitHeader> {
  const handle = await fs.open(file, "r");
  try {
    const chunks: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const buf = Buffer.alloc(16384);
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
      const at = buf.subarray(0, bytesRead).indexOf(10);
      if (at >= 0 || bytesRead === 0) {
        chunks.push(buf.subarray(0, at >= 0 ? at : bytesRead));
        break;
      }
      chunks.push(buf.subarray(0, bytesRead));
      offset += bytesRead;
    }
    const parsed = UnitHeaderSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
    if (!parsed.success) throw new InputError(`${file}: not an egobridge unit record`);
    return parsed.data;
  } finally {
    await handle.close();
  }
}

/** The payload (second line) of a unit file, parsed. */
export async function readUnitPayload<T>(file: string): Promise<T> {
  const text = await fs.readFile(file, "utf8");
  const at = text.indexOf("\n");
  const body = at < 0 ? "" : text.slice(at + 1).trim();
  if (body === "") throw new InputError(`${file}: the unit record has no payload`);
  return JSON.parse(body) as T;
}

/** Read access to recorded units, by id (one part, or several for a merge). */
export interface UnitLookup {
  has(id: string): Promise<boolean>;
  header(id: string): Promise<UnitHeader>;
  payload<T>(id: string): Promise<T>;
  /** Where the record of a recorded unit is (its media folder: mediaDirFor). */
  fileFor(id: string): string;
}

const TEMP = /\.tmp-\d+-[0-9a-f]{8}$/;
const exists = (f: string): Promise<boolean> =>
  fs.stat(f).then(
    (st) => st.isFile(),
    () => false,
  );

/** Streams the names in a folder (none if it does not exist), without listing it all in memory. */
async function* namesIn(dir: string): AsyncGenerator<string> {
  let handle: Awaited<ReturnType<typeof fs.opendir>>;
  try {
    handle = await fs.opendir(dir);
  } catch {
    return;
  }
  for await (const e of handle) yield e.name;
}

/**
 * The unit records of one part, where a run writes. Nothing is listed up front: a unit is looked
 * up by its file when its source is opened, so memory does not grow with the number of records.
 */
export class PartUnits implements UnitLookup {
  constructor(readonly root: string) {}

  /** Where the record of `id` is (or goes). */
  fileFor(id: string): string {
    return path.join(this.root, stageOf(id), `${id}.jsonl`);
  }

  has(id: string): Promise<boolean> {
    return exists(this.fileFor(id));
  }

  header(id: string): Promise<UnitHeader> {
    return readUnitHeader(this.fileFor(id));
  }

  payload<T>(id: string): Promise<T> {
    return readUnitPayload<T>(this.fileFor(id));
  }

  /** Number of records (streamed count). */
  async count(): Promise<number> {
    let n = 0;
    for (const stage of STAGES)
      for await (const name of namesIn(path.join(this.root, stage))) if (name.endsWith(".jsonl")) n++;
    return n;
  }
}

/**
 * The unit records of several parts (merge): an index of which part holds each id. Shards by unit
 * recompute the source episodes they need, so an id can be in several parts: `duplicates` lists
 * those, and merge checks that they agree.
 */
export class MergedUnits implements UnitLookup {
  private readonly where = new Map<string, number>();
  readonly duplicates = new Map<string, string[]>();

  private constructor(readonly roots: readonly string[]) {}

  static async open(roots: readonly string[]): Promise<MergedUnits> {
    const m = new MergedUnits(roots);
    for (const [k, root] of roots.entries()) {
      for (const stage of STAGES) {
        for await (const name of namesIn(path.join(root, stage))) {
          if (!name.endsWith(".jsonl")) continue;
          const id = name.slice(0, -".jsonl".length);
          const first = m.where.get(id);
          if (first === undefined) m.where.set(id, k);
          else
            m.duplicates.set(id, [
              ...(m.duplicates.get(id) ?? [m.fileFor(id)]),
              path.join(root, stage, name),
            ]);
        }
      }
    }
    return m;
  }

  fileFor(id: string): string {
    const k = this.where.get(id);
    if (k === undefined) throw new InputError(`unit ${id} is not recorded in any part`);
    return path.join(this.roots[k]!, stageOf(id), `${id}.jsonl`);
  }

  async has(id: string): Promise<boolean> {
    return this.where.has(id);
  }

  header(id: string): Promise<UnitHeader> {
    return readUnitHeader(this.fileFor(id));
  }

  payload<T>(id: string): Promise<T> {
    return readUnitPayload<T>(this.fileFor(id));
  }
}

/**
 * Removes what a killed run left half-done in a part folder: temporary files of atomic writes
 * (`*.tmp-<pid>-<hex>`) among the unit records and at the top (report, part.json, the dataset
 * folder being built). Only called while holding the folder's lock.
 */
export async function removeTemporaries(partDir: string): Promise<number> {
  let removed = 0;
  const sweep = async (dir: string) => {
    const temps: string[] = [];
    for await (const name of namesIn(dir)) if (TEMP.test(name)) temps.push(name);
    for (const name of temps) {
      await fs.rm(path.join(dir, name), { recursive: true, force: true });
      removed++;
    }
  };
  await sweep(partDir);
  for (const stage of STAGES) await sweep(path.join(partDir, UNITS_DIR, stage));
  return removed;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/**
 * Linux: a process's state letter and start time (clock ticks after boot) from /proc/<pid>/stat;
 * null when it has no entry (gone), undefined where /proc is not there to ask.
 */
function procStat(pid: number): { state: string; startTicks: string } | null | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses; fields follow the last ')'.
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: rest[0] ?? "", startTicks: rest[19] ?? "" };
}

/**
 * Whether the run that wrote a lock on this host still lives. Where /proc tells, a process that
 * has exited but is not yet reaped (a zombie, as a kill -9 through npx leaves for a moment) is
 * gone, and so is one whose pid was reused (its start time differs from the one the lock
 * recorded); elsewhere, a live pid whose lock has not been refreshed for LOCK_STALE_S is gone too.
 */
function ownerAlive(owner: LockOwner, ageS: number): boolean {
  if (owner.pid === undefined || !alive(owner.pid)) return false;
  const st = procStat(owner.pid);
  if (st === undefined) return ageS <= LOCK_STALE_S;
  if (st === null || st.state === "Z" || st.state === "X") return false;
  return owner.procStart === undefined || owner.procStart === st.startTicks;
}

/** A lock is refreshed this often while its run lives (s)… */
export const LOCK_HEARTBEAT_S = 10;
/** …and taken over from another host once it is this old (s): that run is gone (pod evicted, node lost). */
export const LOCK_STALE_S = 45;

export interface Lock {
  release(): Promise<void>;
  /** For signal handlers: release without waiting. */
  releaseSync(): void;
}

type LockOwner = { pid?: number; host?: string; startedAt?: string; procStart?: string };

async function lockState(file: string): Promise<{ owner: LockOwner; ageS: number } | undefined> {
  try {
    const [text, st] = await Promise.all([fs.readFile(file, "utf8"), fs.stat(file)]);
    let owner: LockOwner = {};
    try {
      owner = JSON.parse(text);
    } catch {
      // Killed between creating and filling the lock: no owner.
    }
    return { owner, ageS: (Date.now() - st.mtimeMs) / 1000 };
  } catch {
    return undefined;
  }
}

/**
 * Takes the folder's lock (`run.lock`: pid, host and process start time, its mtime refreshed every
 * LOCK_HEARTBEAT_S): one run per part folder at a time. A lock left by a process that no longer
 * runs on this host (kill -9; `ownerAlive`) is taken over at once; one from another host once it is LOCK_STALE_S old (a requeued
 * Slurm task or a restarted pod lands on another node), waiting for that if need be.
 */
export async function acquireLock(dir: string, o: { onWait?: (msg: string) => void } = {}): Promise<Lock> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const self = procStat(process.pid);
  const me: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    ...(self ? { procStart: self.startTicks } : {}),
  };
  const deadline = Date.now() + 2 * LOCK_STALE_S * 1000;
  for (;;) {
    try {
      const handle = await fs.open(file, "wx");
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      const beat = setInterval(() => {
        const now = new Date();
        fs.utimes(file, now, now).catch(() => {});
      }, LOCK_HEARTBEAT_S * 1000);
      beat.unref();
      let released = false;
      return {
        release: async () => {
          clearInterval(beat);
          if (!released) await fs.rm(file, { force: true });
          released = true;
        },
        releaseSync: () => {
          clearInterval(beat);
          if (!released) rmSync(file, { force: true });
          released = true;
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const state = await lockState(file);
    if (state === undefined) continue; // released meanwhile
    const { owner, ageS } = state;
    const sameHost = owner.host === me.host;
    const stale = owner.pid === undefined || (sameHost ? !ownerAlive(owner, ageS) : ageS > LOCK_STALE_S);
    if (stale) {
      await fs.rm(file, { force: true });
      continue;
    }
    const who = `another run (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}) is using ${dir}`;
    if (sameHost || Date.now() > deadline) {
      throw new EgobridgeError(who, {
        hint: `wait for it to finish, or delete ${file} if that process is gone`,
        exitCode: EXIT.busy,
      });
    }
    o.onWait?.(`${who}; taking over if it is not refreshed for ${LOCK_STALE_S} s`);
    await new Promise((r) => setTimeout(r, 5000));
  }
}
