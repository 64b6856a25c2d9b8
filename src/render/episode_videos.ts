/**
 * An episode's camera streams: each camera rendered in headless Chromium and encoded by ffmpeg
 * into its own MP4 (exactly one frame per control step), with the stream's per-channel stats.
 * Frames flow from the page to the encoder batch by batch and are never all held.
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
import { FrameEncoder, type VideoCodec } from "./encode.js";
import { DEFAULT_LOOK, renderEpisodeInput } from "./episode_scene.js";
import { ImageStatsAccumulator } from "./image_stats.js";
import type { RenderLook } from "./protocol.js";
import type { CameraRenderer } from "./renderer.js";

export interface CameraOptions {
  keys: readonly CameraKey[];
  size: CameraSize;
  codec: VideoCodec;
}

export interface EpisodeVideo {
  camera: CameraKey;
  file: string;
  frames: number;
  stats: FeatureStats;
}

/** A rendering's domain randomisation, as recorded in the episode's lineage. */
export interface RenderVariation {
  look: RenderLook;
  jitter: Partial<Record<CameraKey, CameraJitter>>;
  /** Where the head camera came from (see cameras.ts). */
  head: HeadSource;
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

/** Renders and encodes `o.keys` of `e` into `dir/<camera>.mp4`: frame t is what row t observes. */
export async function renderEpisodeVideos(
  renderer: CameraRenderer,
  e: Episode,
  o: CameraOptions & { dir: string; fps: number },
): Promise<{ videos: EpisodeVideo[]; variation: RenderVariation }> {
  const variation = renderVariation(e);
  const seen = observedSteps(e);
  await renderer.load(await renderEpisodeInput(seen, variation.look));
  const videos: EpisodeVideo[] = [];
  for (const camera of episodeCameras(seen, o.keys, o.size, variation.jitter)) {
    const file = path.join(o.dir, `${camera.key}.mp4`);
    const encoder = new FrameEncoder(file, { ...o.size, fps: o.fps, codec: o.codec });
    const stats = new ImageStatsAccumulator();
    try {
      await renderer.render(camera, async (_first, count, rgba) => {
        stats.add(rgba, count);
        await encoder.write(rgba);
      });
      await encoder.finish();
    } catch (err) {
      await encoder.abort();
      throw err;
    }
    videos.push({ camera: camera.key as CameraKey, file, frames: encoder.frames, stats: stats.stats() });
  }
  return { videos, variation };
}

/**
 * An episode's frames as raw images for formats that store pixels (robomimic's `obs/<camera>_image`):
 * per camera, `steps + 1` RGB frames (uint8, rows top first), frame t observed before step t and
 * the last one after the final step, so `obs` is frames 0…N−1 and `next_obs` frames 1…N.
 */
export async function renderEpisodeImages(
  renderer: CameraRenderer,
  e: Episode,
  o: { keys: readonly CameraKey[]; size: CameraSize },
): Promise<{ frames: Record<string, Uint8Array>; variation: RenderVariation }> {
  const variation = renderVariation(e);
  const seen = observedSteps(e, true);
  await renderer.load(await renderEpisodeInput(seen, variation.look));
  const frames: Record<string, Uint8Array> = {};
  const { widthPx: w, heightPx: h } = o.size;
  for (const camera of episodeCameras(seen, o.keys, o.size, variation.jitter)) {
    const out = new Uint8Array(seen.steps.length * h * w * 3);
    await renderer.render(camera, async (first, count, rgba) => {
      for (let k = 0; k < count; k++) {
        const base = (first + k) * h * w * 3;
        for (let y = 0; y < h; y++) {
          // WebGL reads rows bottom first.
          const src = k * h * w * 4 + (h - 1 - y) * w * 4;
          const dst = base + y * w * 3;
          for (let x = 0; x < w; x++) {
            out[dst + 3 * x] = rgba[src + 4 * x]!;
            out[dst + 3 * x + 1] = rgba[src + 4 * x + 1]!;
            out[dst + 3 * x + 2] = rgba[src + 4 * x + 2]!;
          }
        }
      }
    });
    frames[camera.key] = out;
  }
  return { frames, variation };
}
