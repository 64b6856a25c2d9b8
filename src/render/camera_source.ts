/**
 * The camera streams of a dataset, rendered per episode as the dataset is written: the
 * EpisodeVideoSource the LeRobot writer takes. One headless Chromium serves the whole dataset.
 */
import { EgobridgeError, InputError } from "../core/errors.js";
import type { Episode } from "../core/schemas/episode.js";
import type { EpisodeVideoSource, RenderedEpisode, VideoStream } from "../dataset/lerobot/videos.js";
import type { EpisodeImageSource } from "../dataset/robomimic/writer.js";
import { CAMERA_KEYS, CAMERA_PROVENANCE, type CameraKey, type CameraSize, imageSizeOf } from "./cameras.js";
import { CODEC_INFO, PIX_FMT, VIDEO_CODECS, type VideoCodec } from "./encode.js";
import { type CameraOptions, renderEpisodeImages, renderEpisodeVideos } from "./episode_videos.js";
import { CameraRenderer } from "./renderer.js";

export const imageKey = (camera: CameraKey): string => `observation.images.${camera}`;

/** `--cameras head,wrist` (or `none`): the camera list, checked. */
export function parseCameras(text: string): CameraKey[] {
  if (text.trim() === "none") return [];
  const keys = text.split(",").map((s) => s.trim());
  for (const k of keys) {
    if (!(CAMERA_KEYS as readonly string[]).includes(k))
      throw new InputError(`unknown camera '${k}'`, {
        hint: `cameras are ${CAMERA_KEYS.join(", ")}, or none`,
      });
  }
  if (new Set(keys).size !== keys.length) throw new InputError(`a camera is listed twice in '${text}'`);
  return keys as CameraKey[];
}

/** `--image-size 224x224`: width × height in pixels, even (yuv420p halves both). */
export function parseImageSize(text: string): CameraSize {
  const size = imageSizeOf(text);
  if (!size)
    throw new InputError(`image size must be WIDTHxHEIGHT, even, 16…4096 pixels each; got '${text}'`);
  return size;
}

export function parseCodec(text: string): VideoCodec {
  if (!(VIDEO_CODECS as readonly string[]).includes(text))
    throw new InputError(`unknown video codec '${text}'`, { hint: `use one of ${VIDEO_CODECS.join(", ")}` });
  return text as VideoCodec;
}

export interface CameraSource extends EpisodeVideoSource {
  close(): Promise<void>;
}

/** Opens the renderer (Chromium) at once, so a missing browser fails before any simulation. */
export async function openCameraSource(o: CameraOptions): Promise<CameraSource> {
  if (o.keys.length === 0) throw new Error("a camera source needs at least one camera");
  const renderer = await CameraRenderer.open();
  const streams: VideoStream[] = o.keys.map((k) => ({
    key: imageKey(k),
    ...o.size,
    codec: CODEC_INFO[o.codec].name,
    pixFmt: PIX_FMT,
    description: `RENDERED from the simulated episode (three.js in headless Chromium), not recorded; camera: ${CAMERA_PROVENANCE[k]}`,
  }));
  return {
    streams,
    async render(episode: Episode, dir: string): Promise<RenderedEpisode> {
      const { videos, variation } = await renderEpisodeVideos(renderer, episode, {
        ...o,
        dir,
        fps: episode.controlHz,
      });
      for (const v of videos) {
        if (v.frames !== episode.steps.length)
          throw new EgobridgeError(
            `camera ${v.camera}: ${v.frames} frames rendered for ${episode.steps.length} steps`,
          );
      }
      return {
        files: Object.fromEntries(videos.map((v) => [imageKey(v.camera), v.file])),
        stats: Object.fromEntries(videos.map((v) => [imageKey(v.camera), v.stats])),
        lineageParams: { ...variation },
      };
    },
    describe() {
      return o.keys.map((k) => `${imageKey(k)}: ${CAMERA_PROVENANCE[k]}`).join("\n");
    },
    close: () => renderer.close(),
  };
}

/** The robomimic image source of `o`: raw frames, no encoding; one Chromium for the whole file. */
export async function openImageSource(
  o: Omit<CameraOptions, "codec">,
): Promise<EpisodeImageSource & { close(): Promise<void> }> {
  if (o.keys.length === 0) throw new Error("an image source needs at least one camera");
  const renderer = await CameraRenderer.open();
  return {
    cameras: o.keys,
    ...o.size,
    async render(episode: Episode) {
      const { frames, variation } = await renderEpisodeImages(renderer, episode, o);
      return { frames, lineageParams: { ...variation } };
    },
    describe: () => o.keys.map((k) => `${k}: ${CAMERA_PROVENANCE[k]}`).join("\n"),
    close: () => renderer.close(),
  };
}

/**
 * Runs `f` with what `open` makes of `o` (undefined when `o` is absent or lists no camera), closed
 * after: one browser for the whole dataset, never left running.
 */
async function withSource<O extends { keys: readonly CameraKey[] }, S extends { close(): Promise<void> }, T>(
  o: O | undefined,
  open: (o: O) => Promise<S>,
  f: (source: S | undefined) => Promise<T>,
): Promise<T> {
  if (!o || o.keys.length === 0) return f(undefined);
  const source = await open(o);
  try {
    return await f(source);
  } finally {
    await source.close();
  }
}

/** Runs `f` with the robomimic image source of `o`. */
export const withImages = <T>(
  o: Omit<CameraOptions, "codec"> | undefined,
  f: (images: EpisodeImageSource | undefined) => Promise<T>,
): Promise<T> => withSource(o, openImageSource, f);

/** Runs `f` with the LeRobot camera source of `o`. */
export const withCameras = <T>(
  o: CameraOptions | undefined,
  f: (videos: EpisodeVideoSource | undefined) => Promise<T>,
): Promise<T> => withSource(o, openCameraSource, f);
