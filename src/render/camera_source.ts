/**
 * The camera streams of a dataset as its writers take them: an EpisodeVideoSource (LeRobot) and
 * an EpisodeImageSource (robomimic). Either renders each episode as the dataset is written (one
 * headless Chromium for the whole dataset: `demo`, `augment`), or reads what a job's render units
 * recorded (`recordedCameraSource`, `recordedImageSource`).
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { EgobridgeError, InputError } from "../core/errors.js";
import type { Episode } from "../core/schemas/episode.js";
import type { EpisodeVideoSource, RenderedEpisode, VideoStream } from "../dataset/lerobot/videos.js";
import type { EpisodeImageSource } from "../dataset/robomimic/writer.js";
import { CAMERA_KEYS, CAMERA_PROVENANCE, type CameraKey, type CameraSize, imageSizeOf } from "./cameras.js";
import { CODEC_INFO, PIX_FMT, readLosslessFrames, VIDEO_CODECS, type VideoCodec } from "./encode.js";
import { type CameraOptions, type EpisodeMedia, renderEpisodeMedia } from "./episode_videos.js";
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

/** The video features of `o`, as info.json describes them. */
const cameraStreams = (o: CameraOptions): VideoStream[] =>
  o.keys.map((k) => ({
    key: imageKey(k),
    ...o.size,
    codec: CODEC_INFO[o.codec].name,
    pixFmt: PIX_FMT,
    description:
      k === "composite"
        ? `COMPOSITE: RECORDED source video frames (hand and arm masked and filled) with the gripper RENDERED over them where the episode is a source demonstration of a video, else RENDERED; camera: ${CAMERA_PROVENANCE[k]}`
        : `RENDERED from the simulated episode (three.js in headless Chromium), not recorded; camera: ${CAMERA_PROVENANCE[k]}`,
  }));

const describeCameras = (keys: readonly CameraKey[], name: (k: CameraKey) => string): string =>
  keys.map((k) => `${name(k)}: ${CAMERA_PROVENANCE[k]}`).join("\n");

/** Media of `episode` that do not fit it or lack a camera: an error naming what is wrong. */
function checkMedia(
  media: EpisodeMedia,
  episode: Episode,
  keys: readonly CameraKey[],
  what: "video" | "images",
) {
  if (media.steps !== episode.steps.length)
    throw new EgobridgeError(
      `episode ${episode.id}: its rendered cameras have ${media.steps} steps, the episode ${episode.steps.length}`,
    );
  for (const k of keys) {
    const m = media.cameras.find((c) => c.camera === k)?.[what];
    const want = what === "video" ? media.steps : media.steps + 1;
    if (!m) throw new EgobridgeError(`episode ${episode.id}: camera ${k} has no rendered ${what}`);
    if (m.frames !== want)
      throw new EgobridgeError(`episode ${episode.id}: camera ${k}: ${m.frames} ${what} frames for ${want}`);
  }
}

/** The LeRobot writer's view of media rendered into `dir`. */
function renderedEpisode(media: EpisodeMedia, dir: string, keys: readonly CameraKey[]): RenderedEpisode {
  const files: Record<string, string> = {};
  const stats: RenderedEpisode["stats"] = {};
  for (const k of keys) {
    const v = media.cameras.find((c) => c.camera === k)!.video!;
    files[imageKey(k)] = path.join(dir, v.file);
    stats[imageKey(k)] = v.stats;
  }
  return { files, stats, lineageParams: { ...media.variation } };
}

/** robomimic's frames of media rendered into `dir`: per camera steps + 1 RGB frames, rows top first. */
async function mediaImages(media: EpisodeMedia, dir: string, keys: readonly CameraKey[]) {
  const frames: Record<string, Uint8Array> = {};
  for (const k of keys) {
    const m = media.cameras.find((c) => c.camera === k)!.images!;
    frames[k] = await readLosslessFrames(path.join(dir, m.file), media.size, m.frames);
  }
  return frames;
}

/** Opens the renderer (Chromium) at once, so a missing browser fails before any simulation. */
export async function openCameraSource(o: CameraOptions): Promise<CameraSource> {
  if (o.keys.length === 0) throw new Error("a camera source needs at least one camera");
  const renderer = await CameraRenderer.open();
  return {
    streams: cameraStreams(o),
    async render(episode: Episode, dir: string): Promise<RenderedEpisode> {
      const media = await renderEpisodeMedia(renderer, episode, {
        ...o,
        video: { codec: o.codec, fps: episode.controlHz },
        dir,
      });
      checkMedia(media, episode, o.keys, "video");
      return renderedEpisode(media, dir, o.keys);
    },
    describe: () => describeCameras(o.keys, imageKey),
    close: () => renderer.close(),
  };
}

/** The robomimic image source of `o`: the exact rendered pixels; one Chromium for the whole file. */
export async function openImageSource(
  o: Omit<CameraOptions, "codec">,
): Promise<EpisodeImageSource & { close(): Promise<void> }> {
  if (o.keys.length === 0) throw new Error("an image source needs at least one camera");
  const renderer = await CameraRenderer.open();
  return {
    cameras: o.keys,
    ...o.size,
    async render(episode: Episode) {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-images-"));
      try {
        const media = await renderEpisodeMedia(renderer, episode, { ...o, images: true, dir });
        checkMedia(media, episode, o.keys, "images");
        return { frames: await mediaImages(media, dir, o.keys), lineageParams: { ...media.variation } };
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
    describe: () => describeCameras(o.keys, (k) => k),
    close: () => renderer.close(),
  };
}

/** Finds the media rendered earlier for an episode, and the folder they are in. */
export type FindMedia = (episode: Episode) => Promise<{ media: EpisodeMedia; dir: string }>;

/** Places `from` at `to` without copying where the file system allows (a hard link), else copies. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await fs.link(from, to).catch(() => fs.copyFile(from, to));
}

/**
 * The LeRobot camera source of media rendered earlier (a job's render units): each episode's
 * MP4s are linked into the writer's folder (the writer moves and removes what it is given; the
 * records stay whole).
 */
export function recordedCameraSource(o: CameraOptions, find: FindMedia): EpisodeVideoSource {
  return {
    streams: cameraStreams(o),
    async render(episode: Episode, dir: string): Promise<RenderedEpisode> {
      const { media, dir: from } = await find(episode);
      checkMedia(media, episode, o.keys, "video");
      for (const k of o.keys) {
        const file = media.cameras.find((c) => c.camera === k)!.video!.file;
        await linkOrCopy(path.join(from, file), path.join(dir, file));
      }
      return renderedEpisode(media, dir, o.keys);
    },
    describe: () => describeCameras(o.keys, imageKey),
  };
}

/** The robomimic image source of media rendered earlier (a job's render units). */
export function recordedImageSource(o: Omit<CameraOptions, "codec">, find: FindMedia): EpisodeImageSource {
  return {
    cameras: o.keys,
    ...o.size,
    async render(episode: Episode) {
      const { media, dir } = await find(episode);
      checkMedia(media, episode, o.keys, "images");
      return { frames: await mediaImages(media, dir, o.keys), lineageParams: { ...media.variation } };
    },
    describe: () => describeCameras(o.keys, (k) => k),
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
