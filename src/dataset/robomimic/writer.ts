/**
 * Writes egobridge Episodes as one robomimic HDF5 file (layout in `layout.ts`), the format
 * robomimic trains from and MimicGen / Isaac Lab Mimic generate from.
 *
 * Streaming: episodes are consumed one at a time and each becomes its `data/demo_<i>` group
 * before the next is read; only ids, success flags and counters are kept, never the episodes.
 * Atomic: the file is built beside `file` under a temporary name and renamed into place only
 * when complete; on any error the temporary file is removed and an existing `file` is left as
 * it was. Deterministic: the same episodes give a byte-identical file (see `hdf5.ts`).
 *
 * Conventions (also in `env_args.env_kwargs`, so a reader need not guess):
 * - actions are, by default, absolute commanded TCP poses X_WG in the scene frame W plus the pad
 *   opening; with `actions: "delta"`, robosuite's OSC_POSE delta input in [−1, 1]; with
 *   `actions: "joints"`, an arm's joint position targets then the opening (ACTION_MODES);
 * - quaternions in the observation keys are [x, y, z, w], as robosuite's (whose key names they
 *   use) and as egobridge's LeRobot output; in `actions` and `states` scalar-first [w, x, y, z],
 *   as MuJoCo's state (`quaternion_order` says which is which);
 * - `env_args` names no environment robomimic could create (ENV_TYPE_NONE): the data come from
 *   egobridge's own simulation; the tasks are each demo's `task` attribute and `env_kwargs.tasks`.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { tmpSuffix } from "../../core/atomic.js";
import { InputError } from "../../core/errors.js";
import type { Episode } from "../../core/schemas/episode.js";
import { armJointsOf, checkSameJoints } from "../arm_joints.js";
import { checkEpisode } from "../episode_input.js";
import { demoContent } from "./demo.js";
import { envArgs } from "./env_args.js";
import { Hdf5Writer } from "./hdf5.js";
import {
  type ActionMode,
  DATA_GROUP,
  demoName,
  demoPath,
  ENV_INTERFACE,
  ENV_NAME,
  MASK,
  MASK_GROUP,
} from "./layout.js";

/** Camera images of each demo (robomimic's `obs/<camera>_image`). */
export interface EpisodeImageSource {
  /** Camera names: datasets `obs/<name>_image` and `next_obs/<name>_image`. */
  cameras: readonly string[];
  widthPx: number;
  heightPx: number;
  /**
   * Per camera, steps + 1 RGB frames (uint8, rows top first): frame t observed before step t,
   * the last after the final step. `lineageParams`: what the rendering drew from the seed.
   */
  render(
    episode: Episode,
  ): Promise<{ frames: Record<string, Uint8Array>; lineageParams?: Record<string, unknown> }>;
  /** A sentence per camera for env_args: how the images were made. */
  describe(): string;
}

export interface RobomimicOptions {
  /** Camera images to store per demo (absent: none). */
  images?: EpisodeImageSource;
  /** env_args.env_name; default "egobridge" (ENV_TYPE_NONE: no robomimic environment). */
  envName?: string;
  /** Fraction of demos (by order) in mask/valid; the rest in mask/train. Default 0.1 (deterministic: e.g. every 10th demo). */
  validFraction?: number;
  /**
   * What `actions` hold (ACTION_MODES): absolute TCP poses (default), robosuite OSC_POSE deltas,
   * or an arm's joint position targets.
   */
  actions?: ActionMode;
}

export interface RobomimicSummary {
  demos: number;
  frames: number;
  successes: number;
  file: string;
  /** Delta actions: rows with a component clipped to the controller's range (over all demos). */
  clippedActions: number;
}

export const DEFAULT_VALID_FRACTION = 0.1;

/**
 * Whether demo `index` goes to mask/valid: chosen so that any first n demos hold
 * floor(n · fraction) validation demos (robomimic's `split_train_val.py` takes
 * int(ratio · n)), spread evenly — with 0.1, demos 9, 19, 29, ….
 */
export function isValidationDemo(index: number, fraction: number): boolean {
  // The epsilon keeps products such as 0.57 · 100 = 56.99999999999999 on the right integer.
  const upTo = (n: number) => Math.floor(n * fraction + 1e-9);
  return upTo(index + 1) > upTo(index);
}

function checkOptions(options: RobomimicOptions): number {
  const fraction = options.validFraction ?? DEFAULT_VALID_FRACTION;
  if (!(Number.isFinite(fraction) && fraction >= 0 && fraction < 1)) {
    throw new InputError(`validFraction must be in [0, 1), got ${fraction}`);
  }
  if (options.envName !== undefined && options.envName.trim() === "") {
    throw new InputError("envName must not be empty");
  }
  return fraction;
}

/** What is kept while streaming: enough for the masks and the checks, not the episodes. */
interface Progress {
  /** Episode 0: its control rate and arm joints (empty: none) are the file's. */
  first?: { id: string; controlHz: number; task: string; joints: string[] };
  /** Demo index of every episode id seen. */
  demoOf: Map<string, number>;
  success: boolean[];
  frames: number;
  /** Distinct tasks, in order of first appearance. */
  tasks: Set<string>;
}

function validate(
  raw: unknown,
  index: number,
  progress: Progress,
): { episode: Episode; what: string; joints: string[] } {
  const { episode, what } = checkEpisode(raw, index, progress.demoOf);
  const first = progress.first;
  if (first && episode.controlHz !== first.controlHz) {
    throw new InputError(
      `${what}: controlHz is ${episode.controlHz} but episode 0 ('${first.id}') runs at ${first.controlHz}`,
      { hint: "write episodes of different control rates to separate files" },
    );
  }
  // robomimic reads the same obs keys from every demo: an arm's joints in some demos and not in
  // others (or other joints) would fail its loader, or mean different things in one key.
  const joints = armJointsOf(episode, what);
  if (first) checkSameJoints(joints, first.joints, what, `episode 0 ('${first.id}')`);
  return { episode, what, joints };
}

/** The demo this variant was generated from, when that source episode came earlier in the same file. */
function sourceDemoOf(episode: Episode, progress: Progress): number | undefined {
  const { variant, sourceEpisode } = episode.lineage;
  if (variant === undefined || sourceEpisode === undefined) return undefined;
  return progress.demoOf.get(sourceEpisode);
}

async function writeDemo(
  h5: Hdf5Writer,
  index: number,
  episode: Episode,
  what: string,
  sourceDemo: number | undefined,
  images: EpisodeImageSource | undefined,
  actions: ActionMode,
): Promise<number> {
  const content = demoContent(episode, what, sourceDemo, actions);
  let renderParams: Record<string, unknown> | undefined;
  if (images) {
    const n = content.length;
    const { frames, lineageParams } = await images.render(episode);
    renderParams = lineageParams;
    const frame = images.heightPx * images.widthPx * 3;
    const shape = [n, images.heightPx, images.widthPx, 3] as const;
    for (const camera of images.cameras) {
      const all = frames[camera];
      if (!all || all.length !== (n + 1) * frame)
        throw new Error(
          `${what}: camera '${camera}' gave ${all ? all.length / frame : 0} frames, expected ${n + 1}`,
        );
      content.datasets.push(
        { path: `obs/${camera}_image`, shape: [...shape], data: all.subarray(0, n * frame) },
        { path: `next_obs/${camera}_image`, shape: [...shape], data: all.subarray(frame) },
      );
    }
  }
  const root = demoPath(index);
  h5.group(root);
  const groups = new Set<string>();
  for (const dataset of content.datasets) {
    const parts = dataset.path.split("/");
    for (let k = 1; k < parts.length; k++) {
      const group = parts.slice(0, k).join("/");
      if (!groups.has(group)) h5.group(`${root}/${group}`);
      groups.add(group);
    }
    if (dataset.data instanceof Uint8Array)
      h5.images(`${root}/${dataset.path}`, dataset.shape as [number, number, number, number], dataset.data);
    else h5.dataset(`${root}/${dataset.path}`, dataset.shape, dataset.data);
  }
  h5.attr(`${root}/datagen_info`, "env_interface_name", ENV_INTERFACE.name);
  h5.attr(`${root}/datagen_info`, "env_interface_type", ENV_INTERFACE.type);
  const lineage = episode.lineage;
  const attrs: [string, string | number | boolean | undefined][] = [
    ["num_samples", content.length],
    ["episode_id", episode.id],
    ["task", episode.task],
    ["success", episode.success],
    ["reasons", JSON.stringify(episode.reasons)],
    ["source", lineage.source],
    ["source_episode", lineage.sourceEpisode],
    ["variant", lineage.variant],
    ["seed", lineage.seed],
    [
      "lineage_params",
      JSON.stringify(renderParams ? { ...lineage.params, render: renderParams } : lineage.params),
    ],
    ["embodiment", episode.embodiment.name],
    ["object_ids", JSON.stringify(content.objectIds)],
    ["joint_names", content.jointNames.length > 0 ? JSON.stringify(content.jointNames) : undefined],
    ["actions_clipped", actions === "delta" ? content.clippedActions : undefined],
  ];
  for (const [name, value] of attrs) if (value !== undefined) h5.attr(root, name, value);
  return content.clippedActions;
}

/**
 * The demos of mask/valid: `isValidationDemo`'s, or — when that leaves it empty in a file of two
 * or more demos (fewer than 1 / fraction) — the last demo, so a trainer that validates has a demo
 * to validate on (robomimic's loader fails on an empty filter key).
 */
export function validationDemos(count: number, fraction: number): Set<number> {
  const valid = new Set<number>();
  for (let i = 0; i < count; i++) if (isValidationDemo(i, fraction)) valid.add(i);
  if (valid.size === 0 && fraction > 0 && count >= 2) valid.add(count - 1);
  return valid;
}

function writeFileMetadata(
  h5: Hdf5Writer,
  progress: Progress,
  envName: string,
  validFraction: number,
  options: RobomimicOptions,
) {
  const names = progress.success.map((_, i) => demoName(i));
  const validSet = validationDemos(names.length, validFraction);
  const valid = (i: number) => validSet.has(i);
  h5.group(MASK_GROUP);
  h5.strings(
    `${MASK_GROUP}/${MASK.train}`,
    names.filter((_, i) => !valid(i)),
  );
  h5.strings(
    `${MASK_GROUP}/${MASK.valid}`,
    names.filter((_, i) => valid(i)),
  );
  h5.strings(
    `${MASK_GROUP}/${MASK.successful}`,
    names.filter((_, i) => progress.success[i]),
  );
  h5.attr(DATA_GROUP, "total", progress.frames);
  h5.attr(
    DATA_GROUP,
    "env_args",
    envArgs(
      envName,
      [...progress.tasks],
      progress.first!.controlHz,
      progress.first!.joints,
      options.images,
      options.actions ?? "absolute",
    ),
  );
}

async function checkTarget(file: string): Promise<void> {
  try {
    if ((await fs.stat(file)).isDirectory()) {
      throw new InputError(`cannot write a robomimic file to ${file}: it is a directory`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

async function syncToDisk(file: string): Promise<void> {
  const handle = await fs.open(file, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `episodes` (each validated against the Episode contract as it arrives) as a robomimic
 * HDF5 file at `file`, replacing any file there. Episode i becomes `data/demo_<i>`. Throws an
 * InputError naming the episode for input that cannot make a valid file (contract violation,
 * duplicate id, a control rate or arm joints differing from the first episode's, inconsistent
 * objects) or when there are no episodes; `file` is then left as it was.
 */
export async function writeRobomimicHdf5(
  file: string,
  episodes: Iterable<unknown> | AsyncIterable<unknown>,
  options: RobomimicOptions = {},
): Promise<RobomimicSummary> {
  const validFraction = checkOptions(options);
  const target = path.resolve(file);
  await checkTarget(target);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = target + tmpSuffix();
  const progress: Progress = { demoOf: new Map(), success: [], frames: 0, tasks: new Set() };
  let h5: Hdf5Writer | undefined;
  let clippedActions = 0;
  try {
    let index = 0;
    for await (const raw of episodes) {
      const { episode, what, joints } = validate(raw, index, progress);
      if (!h5) {
        h5 = await Hdf5Writer.create(tmp);
        h5.group(DATA_GROUP);
      }
      clippedActions += await writeDemo(
        h5,
        index,
        episode,
        what,
        sourceDemoOf(episode, progress),
        options.images,
        options.actions ?? "absolute",
      );
      progress.first ??= { id: episode.id, controlHz: episode.controlHz, task: episode.task, joints };
      progress.demoOf.set(episode.id, index);
      progress.success.push(episode.success);
      progress.tasks.add(episode.task);
      progress.frames += episode.steps.length;
      index++;
    }
    if (!h5 || !progress.first) {
      throw new InputError("no episodes to write: a robomimic file needs at least one demo");
    }
    writeFileMetadata(h5, progress, options.envName ?? ENV_NAME, validFraction, options);
    h5.close();
    await syncToDisk(tmp);
    await fs.rename(tmp, target);
  } catch (err) {
    try {
      h5?.close();
    } catch {
      // The file is being discarded; the error worth reporting is the one that got us here.
    }
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return {
    demos: progress.success.length,
    frames: progress.frames,
    successes: progress.success.filter(Boolean).length,
    file,
    clippedActions,
  };
}
