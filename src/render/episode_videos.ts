/**
 * An episode's camera streams: each camera rendered in headless Chromium and encoded by ffmpeg
 * into its own MP4 (exactly one frame per control step), with the stream's per-channel stats,
 * and/or stored losslessly for formats that keep pixels. Frames flow from the page to the
 * encoders batch by batch and are never all held.
 *
 * Source demonstrations are drawn with the default look; a variant (lineage.variant set) gets
 * domain randomisation drawn from its lineage seed: light strength and direction, background,
 * a hue shift of the scene's colours and small offsets of the head and scene cameras. The look
 * is a function of the seed alone, and is returned so the caller records it with the episode.
 */
import path from "node:path";
import { createRng } from "../core/rng.js";
import type { Episode } from "../core/schemas/episode.js";
import type { FeatureStats } from "../dataset/lerobot/stats.js";
import { observedStepIndex } from "../dataset/timing.js";
import {
  type CameraJitter,
  type CameraKey,
  type CameraSize,
  episodeCameras,
  type HeadSource,
  headSource,
} from "./cameras.js";
import { type CompositeBackground, CompositeLayer } from "./composite.js";
import { FrameEncoder, type VideoCodec } from "./encode.js";
import { DEFAULT_LOOK, renderEpisodeInput } from "./episode_scene.js";
import { ImageStatsAccumulator } from "./image_stats.js";
import type { RenderLook } from "./protocol.js";
import type { CameraRenderer } from "./renderer.js";

export interface CameraOptions {
  keys: readonly CameraKey[];
  size: CameraSize;
  codec: VideoCodec;
  /** The source video of every episode (a dataset made from one video): for the composite camera. */
  sourceVideo?: SourceVideo;
}

/** A rendering's domain randomisation, as recorded in the episode's lineage. */
export interface RenderVariation {
  look: RenderLook;
  jitter: Partial<Record<CameraKey, CameraJitter>>;
  /** Where the head camera came from (see cameras.ts). */
  head: HeadSource;
  /** Where the composite camera's background came from (when it is rendered). */
  composite?: CompositeBackground;
}

const BACKGROUNDS = [0xc9ced4, 0xd8d2c4, 0xb7c1c9, 0xe0e0dc, 0xa9b3ad] as const;

/** The look of an episode: the default for a source demonstration, drawn from the seed for a variant. */
export function renderVariation(e: Episode): RenderVariation {
  const head = headSource(e);
  if (e.lineage.variant === undefined) return { look: DEFAULT_LOOK, jitter: {}, head };
  const rng = createRng(e.lineage.seed).fork("render");
  const azimuth = rng.uniform(-Math.PI, Math.PI);
  const elevation = rng.uniform(0.6, 1.3);
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  const look: RenderLook = {
    light: round(rng.uniform(0.7, 1.3)),
    lightDir: [
      round(Math.cos(elevation) * Math.cos(azimuth)),
      round(Math.cos(elevation) * Math.sin(azimuth)),
      round(Math.sin(elevation)),
    ],
    background: BACKGROUNDS[rng.int(BACKGROUNDS.length)]!,
    hueShift: round(rng.uniform(-0.04, 0.04)),
  };
  const jitterOf = (positionM: number, rotationRad: number): CameraJitter => ({
    positionM: [0, 1, 2].map(() => round(rng.uniform(-positionM, positionM))) as CameraJitter["positionM"],
    rotationRad: [0, 1, 2].map(() =>
      round(rng.uniform(-rotationRad, rotationRad)),
    ) as CameraJitter["rotationRad"],
  });
  const deg = Math.PI / 180;
  const headJitter = jitterOf(0.03, 2 * deg);
  const sceneJitter = jitterOf(0.05, 2 * deg);
  // Drawn last, so the draws before it are those of looks recorded before it existed.
  look.cartonPattern = 1 + rng.int(65535);
  // A head camera from the capture stays where the capture put it.
  return { look, jitter: { ...(head === "assumed" ? { head: headJitter } : {}), scene: sceneJitter }, head };
}

/**
 * The episode as its dataset rows observe it: row t shows the state measured before step t's
 * command (`observedStepIndex`, as observation.state), and, with `last`, one more frame after
 * the last step (robomimic's next_obs of the last row).
 */
export function observedSteps(e: Episode, last = false): Episode {
  const steps = e.steps.map((_, t) => e.steps[observedStepIndex(t)]!);
  return { ...e, steps: last ? [...steps, e.steps[e.steps.length - 1]!] : steps };
}

/** What to make of an episode's cameras. */
export interface MediaOptions {
  keys: readonly CameraKey[];
  size: CameraSize;
  /** LeRobot: per camera an MP4 of `steps` frames (frame t is what row t observes), with its stats. */
  video?: { codec: VideoCodec; fps: number };
  /**
   * Formats that store pixels (robomimic's `obs/<camera>_image`): per camera `steps + 1` frames
   * stored losslessly, the last one observed after the final step (next_obs of the last row).
   */
  images?: boolean;
  /** The episode's source video (for the composite camera): its file, and the name the lineage gives it. */
  sourceVideo?: SourceVideo;
}

/** A source video: the file, and the name recorded for it (a job's label: never a machine's path). */
export interface SourceVideo {
  file: string;
  label: string;
}

export interface CameraMedia {
  camera: CameraKey;
  /** File names are relative to the folder the media were rendered into. */
  video?: { file: string; frames: number; stats: FeatureStats };
  images?: { file: string; frames: number };
}

/** An episode's rendered cameras: what a job records as a render unit's payload. */
export interface EpisodeMedia {
  steps: number;
  size: CameraSize;
  variation: RenderVariation;
  cameras: CameraMedia[];
}

/**
 * Renders `o.keys` of `e` once per camera into `dir`: `<camera>.mp4` (o.video) and
 * `<camera>.mkv` (o.images, lossless), fed from the same frames as they arrive. Frames are never
 * all held. An encoder that fails leaves no file behind.
 */
export async function renderEpisodeMedia(
  renderer: CameraRenderer,
  e: Episode,
  o: MediaOptions & { dir: string },
): Promise<EpisodeMedia> {
  if (!o.video && !o.images) throw new Error("renderEpisodeMedia: neither video nor images asked for");
  const variation: RenderVariation = { ...renderVariation(e) };
  const n = e.steps.length;
  const seen = observedSteps(e, o.images === true);
  await renderer.load(await renderEpisodeInput(seen, variation.look));
  const frameBytes = o.size.widthPx * o.size.heightPx * 4;
  const cameras: CameraMedia[] = [];
  for (const camera of episodeCameras(seen, o.keys, o.size, variation.jitter)) {
    const key = camera.key as CameraKey;
    const encoders: FrameEncoder[] = [];
    const fps = o.video?.fps ?? e.controlHz;
    const video =
      o.video && new FrameEncoder(path.join(o.dir, `${key}.mp4`), { ...o.size, fps, codec: o.video.codec });
    const images = o.images
      ? new FrameEncoder(path.join(o.dir, `${key}.mkv`), { ...o.size, fps, codec: "lossless" })
      : undefined;
    if (video) encoders.push(video);
    if (images) encoders.push(images);
    const stats = new ImageStatsAccumulator();
    const composite =
      key === "composite" ? new CompositeLayer(seen, camera, o.size, o.sourceVideo) : undefined;
    try {
      await renderer.render(composite?.input ?? camera, async (first, count, rgba) => {
        await composite?.drawOver(first, count, rgba);
        if (images) await images.write(rgba);
        // The video holds the rows' observations only: not the frame after the final step.
        const rows = Math.max(0, Math.min(count, n - first));
        if (video && rows > 0) {
          const part = rows === count ? rgba : rgba.subarray(0, rows * frameBytes);
          stats.add(part, rows);
          await video.write(part);
        }
      });
      for (const enc of encoders) await enc.finish();
      if (composite) variation.composite = composite.background();
    } catch (err) {
      for (const enc of encoders) await enc.abort();
      throw err;
    } finally {
      await composite?.close();
    }
    const m: CameraMedia = { camera: key };
    if (video) m.video = { file: path.basename(video.file), frames: video.frames, stats: stats.stats() };
    if (images) m.images = { file: path.basename(images.file), frames: images.frames };
    cameras.push(m);
  }
  return { steps: n, size: o.size, variation, cameras };
}
