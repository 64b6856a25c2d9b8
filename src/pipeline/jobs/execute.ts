/**
 * Runs one work unit and records it: reads the records of the units it depends on, does the
 * work (import or perception, retargeting and simulation, or one variant attempt), and writes
 * the unit's record atomically. Runs inside a pool worker (worker.ts) or, for video perception and
 * `workers: 0`, in the main thread. A unit that throws is recorded as failed, with a code and the
 * message; it never stops the job.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import { failureReason, runVariant, variantParams } from "../../augment/generate.js";
import { type Segments, segmentEpisode } from "../../augment/segments.js";
import { writeDirAtomic } from "../../core/atomic.js";
import { EgobridgeError, InputError } from "../../core/errors.js";
import { parseContract, readContract } from "../../core/io.js";
import { memoPromise } from "../../core/memo.js";
import type { Embodiment } from "../../core/schemas/embodiment.js";
import { type Episode, EpisodeSchema } from "../../core/schemas/episode.js";
import { type HandTrack, HandTrackSchema } from "../../core/schemas/hand_track.js";
import { attachCameraTrajectory, readCameraSource, trajectoryStart } from "../../hands/camera_trajectory.js";
import { importGrabFile } from "../../hands/grab.js";
import { readHandTrack } from "../../hands/hand_track_io.js";
import { PICK_TO_TOTE_TASK, proceduralPickToTote } from "../../hands/procedural.js";
import type { SourceVideo } from "../../render/episode_videos.js";
import type { Side } from "../../retarget/hand_samples.js";
import { retargetParallelJaw } from "../../retarget/parallel_jaw.js";
import { linkageOf } from "../../sim/gripper_models.js";
import { validatorFor } from "../../sim/mujoco/second_opinion.js";
import { sceneFromObjectTrack } from "../../sim/scene_from_track.js";
import { simulateEpisode } from "../../sim/simulate.js";
import { taskSentence } from "../../sim/verdict.js";
import { loadEmbodiment, loadScene } from "../catalog.js";
import { type VideoHandEpisode, videoEpisodeSetup } from "../video_scene.js";
import {
  mediaDirFor,
  type RenderRecord,
  readUnitHeader,
  readUnitPayload,
  type UnitHeader,
  type UnitOutcome,
  writeUnitFile,
} from "./store.js";
import type { AugmentTask, EpisodeTask, HandsTask, RenderTask, SimTask, UnitSpec } from "./units.js";

/** What a worker is given: the unit, the records of its dependencies (in `deps` order) and where to write. */
export interface WorkItem {
  unit: UnitSpec;
  depFiles: string[];
  outFile: string;
  /** Render units of a video source: the video (the composite camera draws over its frames). */
  sourceVideo?: SourceVideo;
  /** Video perception units: how many videos the device lane perceives at once (above 1: on lanes). */
  videosAtOnce?: number;
}

/** A failure with a machine-readable code (e.g. "perception_unavailable"). */
export class UnitError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "UnitError";
  }
}

export function errorCode(err: unknown): string {
  if (err instanceof UnitError) return err.code;
  if (err instanceof InputError) return "input_error";
  if (err instanceof EgobridgeError) return "error";
  return "internal_error";
}

const errorMessage = (err: unknown): string => {
  if (err instanceof EgobridgeError || err instanceof UnitError) return err.message;
  const e = err as Error;
  return `${e?.name ?? "Error"}: ${e?.message ?? String(err)}`;
};

interface Result {
  /** The unit's output (HandTrack or Episode); absent when the unit has nothing to record. */
  payload?: unknown;
  outcome: UnitOutcome;
}

const embodimentCache = new Map<string, Promise<Embodiment>>();
const cachedEmbodiment = (ref: string): Promise<Embodiment> =>
  memoPromise(embodimentCache, ref, () => loadEmbodiment(ref));

/** Hand tracks never carry the machine's absolute paths: the source label stands for the file. */
const withUri = (track: HandTrack, label: string): HandTrack => ({
  ...track,
  source: { ...track.source, uri: label },
});

/**
 * Hand trackers loaded by the device lane, kept from one video to the next (model sessions cost
 * 50–150 ms to load on a CPU and more on a GPU). Released by `releasePerception`.
 */
let trackers: import("../../perception/tracker_cache.js").TrackerCache | undefined;
/** The device lane's shared model sessions, when it perceives several videos at once. */
let lanes: import("../../perception/model_lane.js").PerceptionLanes | undefined;

/** Releases the perception models the device lane kept loaded (at the end of a run). */
export async function releasePerception(): Promise<void> {
  const t = trackers;
  const l = lanes;
  trackers = undefined;
  lanes = undefined;
  await t?.dispose();
  await l?.dispose();
}

async function videoTrack(t: Extract<HandsTask, { kind: "video" }>, videosAtOnce: number): Promise<Result> {
  let extract: typeof import("../../perception/extract.js");
  try {
    extract = await import("../../perception/extract.js");
    if (videosAtOnce > 1) {
      // Batches of every video's crops, and a little room for the detector's requests.
      lanes ??= new (await import("../../perception/model_lane.js")).PerceptionLanes({
        maxBatch: 2 * videosAtOnce,
      });
    } else trackers ??= new (await import("../../perception/tracker_cache.js")).TrackerCache();
  } catch (err) {
    throw new UnitError(
      "perception_unavailable",
      `video perception could not be loaded: ${(err as Error).message}`,
    );
  }
  // Intrinsics and, from a capture (EgoDex, Aria MPS, TUM), the head camera's pose per frame.
  const cameraSource = t.camera ? await readCameraSource(t.camera) : undefined;
  const camera = cameraSource?.camera;
  const { track: extracted, stats } = await extract.extractHandTrack(t.file, {
    ...(videosAtOnce > 1 ? { lanes } : { trackers }),
    device: t.device,
    mirrored: t.mirrored,
    range: t.range,
    ...(camera ? { camera } : {}),
    ...(t.hfovDeg !== undefined ? { hfovDeg: t.hfovDeg } : {}),
    ...(t.models !== undefined ? { models: t.models } : {}),
  });
  const head = cameraSource?.trajectory;
  const track = head
    ? attachCameraTrajectory(extracted, head, trajectoryStart(head, t.cameraStartS))
    : extracted;
  return {
    payload: withUri(track, t.label),
    outcome: {
      success: true,
      reasons: [],
      frames: stats.frames,
      framesWithHands: stats.framesWithHands,
      framesPerS: stats.framesPerS,
      device: stats.device,
    },
  };
}

async function handsUnit(t: HandsTask, videosAtOnce: number): Promise<Result> {
  let track: HandTrack;
  switch (t.kind) {
    case "demo":
      track = proceduralPickToTote(await loadScene(t.scene), {
        seed: t.seed,
        ...(t.noiseM !== undefined ? { noiseM: t.noiseM } : {}),
      });
      break;
    case "grab":
      track = withUri(
        await importGrabFile(t.file, {
          startFrame: t.range.start,
          endFrame: t.range.end,
          stride: t.range.stride,
        }),
        t.label,
      );
      break;
    case "track":
      track = withUri(await readHandTrack(t.file), t.label);
      break;
    case "video":
      return videoTrack(t, videosAtOnce);
  }
  const valid = parseContract(HandTrackSchema, track, `hand track of ${t.label}`);
  return {
    payload: valid,
    outcome: {
      success: true,
      reasons: [],
      frames: valid.frames.length,
      framesWithHands: valid.frames.filter((f) => f.hands.length > 0).length,
    },
  };
}

/** Why an episode cannot be multiplied (segments not found), or undefined. */
function augmentable(episode: Episode): string | undefined {
  if (!episode.success) return undefined;
  try {
    segmentEpisode(episode);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function episodeOutcome(e: Episode): UnitOutcome {
  const outcome: UnitOutcome = {
    success: e.success,
    reasons: e.reasons,
    episodeId: e.id,
    embodiment: e.embodiment.name,
    steps: e.steps.length,
  };
  if (!e.success) outcome.failure = failureReason(e);
  return outcome;
}

async function simUnit(t: SimTask, handsFile: string): Promise<Result> {
  const track = await readUnitPayload<HandTrack>(handsFile);
  const embodiment = await cachedEmbodiment(t.embodiment);
  let scene: Awaited<ReturnType<typeof loadScene>>;
  let trajectory: ReturnType<typeof retargetParallelJaw>;
  let task: string;
  let episodeId = t.episodeId;
  if (t.kind === "video") {
    const slot = t.hand ?? 0;
    let sides: Side[];
    let hand: VideoHandEpisode | undefined;
    try {
      const setup = videoEpisodeSetup(track, embodiment, {
        ...t.video,
        retarget: t.retarget,
        table: t.table,
        linkage: await linkageOf(embodiment),
      });
      sides = setup.sides;
      // Only this unit's hand is retargeted; the other slot's unit does its own.
      hand = slot < sides.length ? setup.episode(sides[slot]!) : undefined;
    } catch (err) {
      // The manipulating hand's unit records why the video cannot be retargeted; once is enough.
      if (slot === 0) throw err;
      return {
        outcome: { success: false, reasons: [], noDemonstration: `not retargeted: ${errorMessage(err)}` },
      };
    }
    if (!hand) {
      return {
        outcome: {
          success: false,
          reasons: [],
          noDemonstration: `one demonstrating hand only (the ${sides[0]}); nothing for hand ${slot}`,
        },
      };
    }
    ({ trajectory, scene, task } = hand);
    if (t.hand) episodeId = `${episodeId}-${hand.side}`;
  } else {
    trajectory = retargetParallelJaw(track, embodiment, t.retarget, await linkageOf(embodiment));
    const object = track.objects[0];
    if (t.kind !== "demo" && object) {
      scene = sceneFromObjectTrack(track, `table_${object.name}`, t.table);
    } else {
      scene = await loadScene(t.scene);
    }
    task = t.kind === "demo" ? PICK_TO_TOTE_TASK : taskSentence(scene);
  }
  const episode = await simulateEpisode({
    scene,
    embodiment,
    trajectory,
    seed: t.seed,
    id: episodeId,
    task,
    lineageSource: t.lineageSource,
  });
  const outcome = episodeOutcome(episode);
  const why = augmentable(episode);
  if (why !== undefined) outcome.notAugmentable = why;
  return { payload: episode, outcome };
}

async function episodeUnit(t: EpisodeTask): Promise<Result> {
  const episode = await readContract(EpisodeSchema, t.file, "episode");
  const outcome = episodeOutcome(episode);
  if (episode.lineage.variant !== undefined) outcome.notASource = true;
  const why = augmentable(episode);
  if (why !== undefined) outcome.notAugmentable = why;
  return { payload: episode, outcome };
}

/** The last source episode a worker read, with its segments: consecutive variants reuse them. */
let lastSource: { file: string; episode: Episode; segments: Segments } | undefined;

async function augmentUnit(t: AugmentTask, sourceFile: string): Promise<Result> {
  if (lastSource?.file !== sourceFile) {
    const episode = await readUnitPayload<Episode>(sourceFile);
    lastSource = { file: sourceFile, episode, segments: segmentEpisode(episode) };
  }
  const { episode: source, segments } = lastSource;
  const load = (name: string) =>
    cachedEmbodiment(name.endsWith(".json") || name.includes("/") ? path.resolve(t.baseDir, name) : name);
  const params = variantParams(source, t.index, t.seed, t.ranges);
  const validator = await validatorFor(t.validate);
  const episode = await runVariant(source, t.index, params, segments, {
    seed: t.seed,
    loadEmbodiment: load,
    ...(validator ? { validator } : {}),
  });
  return { payload: episode, outcome: episodeOutcome(episode) };
}

/**
 * Camera renderers (one headless Chromium each) kept by the render lanes of this thread from one
 * unit to the next: a browser takes about a second to start. Released by `releaseRenderers`.
 */
const idleRenderers: import("../../render/renderer.js").CameraRenderer[] = [];

/** Closes the renderers the render lanes kept open (at the end of a run). */
export async function releaseRenderers(): Promise<void> {
  const all = idleRenderers.splice(0);
  await Promise.all(all.map((r) => r.close()));
}

async function renderUnit(
  t: RenderTask,
  episodeFile: string,
  outFile: string,
  sourceVideo: SourceVideo | undefined,
): Promise<Result> {
  const [{ CameraRenderer }, { renderEpisodeMedia }, { parseImageSize }] = await Promise.all([
    import("../../render/renderer.js"),
    import("../../render/episode_videos.js"),
    import("../../render/camera_source.js"),
  ]);
  const header = await readUnitHeader(episodeFile);
  const episode = await readUnitPayload<Episode>(episodeFile);
  const size = parseImageSize(t.size);
  const renderer = idleRenderers.pop() ?? (await CameraRenderer.open());
  let media: Awaited<ReturnType<typeof renderEpisodeMedia>> | undefined;
  try {
    // The media go in place whole or not at all; the record, written after, says they are there.
    await writeDirAtomic(mediaDirFor(outFile), async (dir) => {
      media = await renderEpisodeMedia(renderer, episode, {
        keys: t.keys,
        size,
        ...(t.video ? { video: { codec: t.codec, fps: episode.controlHz } } : {}),
        images: t.images,
        ...(sourceVideo ? { sourceVideo } : {}),
        dir,
      });
    });
  } catch (err) {
    // A browser that failed mid-episode is not trusted with the next one.
    await renderer.close();
    throw err;
  }
  idleRenderers.push(renderer);
  const record: RenderRecord = {
    format: "egobridge.render",
    episodeId: episode.id,
    episodeSha256: header.payloadSha256!,
    ...media!,
  };
  return {
    payload: record,
    outcome: { success: true, reasons: [], frames: media!.steps * media!.cameras.length },
  };
}

async function run(item: WorkItem): Promise<Result> {
  const t = item.unit.task;
  for (const [k, f] of item.depFiles.entries()) {
    const h = await readUnitHeader(f);
    if (h.status !== "ok") throw new UnitError("dependency_failed", `${item.unit.deps[k]} failed`);
  }
  switch (t.stage) {
    case "hands":
      return handsUnit(t, item.videosAtOnce ?? 1);
    case "sim":
      return simUnit(t, item.depFiles[0]!);
    case "episode":
      return episodeUnit(t);
    case "augment":
      return augmentUnit(t, item.depFiles[0]!);
    case "render":
      return renderUnit(t, item.depFiles[0]!, item.outFile, item.sourceVideo);
  }
}

/** A header for `unit` with the given result fields. */
export function unitHeader(
  unit: UnitSpec,
  fields: Pick<UnitHeader, "status" | "wallS"> & Partial<UnitHeader>,
) {
  const h: UnitHeader = {
    format: "egobridge.unit",
    version: 1,
    id: unit.id,
    stage: unit.stage,
    source: unit.source,
    ordinal: unit.ordinal,
    ...fields,
    finishedAt: new Date().toISOString(),
  };
  if (unit.root !== undefined) h.root = unit.root;
  if (unit.variant !== undefined) h.variant = unit.variant;
  return h;
}

/** Runs a unit: its header (success or failure) and, on success, its payload. */
export async function runUnit(item: WorkItem): Promise<{ header: UnitHeader; payload?: unknown }> {
  const t0 = performance.now();
  try {
    const result = await run(item);
    const wallS = (performance.now() - t0) / 1000;
    return {
      header: unitHeader(item.unit, { status: "ok", wallS, outcome: result.outcome }),
      payload: result.payload,
    };
  } catch (err) {
    const wallS = (performance.now() - t0) / 1000;
    return {
      header: unitHeader(item.unit, {
        status: "failed",
        wallS,
        error: { code: errorCode(err), message: errorMessage(err) },
      }),
    };
  }
}

/** Runs a unit and writes its record (success or failure); returns the header written. */
export async function executeUnit(item: WorkItem): Promise<UnitHeader> {
  const { header, payload } = await runUnit(item);
  return writeUnitFile(item.outFile, header, payload === undefined ? undefined : JSON.stringify(payload));
}
