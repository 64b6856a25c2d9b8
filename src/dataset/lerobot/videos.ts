/**
 * Camera features of a LeRobot v3.0 dataset: each camera's episodes concatenated into
 * `videos/{video_key}/chunk-…/file-….mp4` (a new file once `video_files_size_in_mb` would be
 * passed), each episode's place in its file given by `meta/episodes` as
 * `videos/{key}/{chunk_index, file_index, from_timestamp, to_timestamp}` (seconds, frame count /
 * fps: the streams have a constant rate).
 *
 * The episodes' own MP4s come from an EpisodeVideoSource (the camera renderer, src/render); the
 * writer only places and joins them, without re-encoding.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Episode } from "../../core/schemas/episode.js";
import { concatVideos } from "../../render/encode.js";
import { type FileSlot, formatPath, VIDEO_PATH } from "./layout.js";
import type { FeatureStats } from "./stats.js";

/** One camera stream as info.json describes it. */
export interface VideoStream {
  /** Feature key, e.g. `observation.images.head`. */
  key: string;
  widthPx: number;
  heightPx: number;
  /** Codec as ffprobe names it ("h264", "av1"). */
  codec: string;
  pixFmt: string;
  /** Where the pixels come from (rendered, and from which camera), for info.json and the card. */
  description: string;
}

export interface RenderedEpisode {
  /** Each stream's MP4, by feature key: exactly one frame per step, at the dataset's fps. */
  files: Record<string, string>;
  /** Each stream's per-channel stats (values in [0, 1]), by feature key. */
  stats: Record<string, FeatureStats>;
  /** What the rendering drew from the episode's seed, recorded with the episode. */
  lineageParams?: Record<string, unknown>;
}

/** Where the camera streams of each episode come from. */
export interface EpisodeVideoSource {
  streams: readonly VideoStream[];
  /** Writes the streams of `episode` as MP4s in `dir` (an empty folder the writer removes after). */
  render(episode: Episode, dir: string): Promise<RenderedEpisode>;
  /** A sentence for the dataset card: how the streams were made. */
  describe(): string;
}

/** The feature entry of a stream in info.json, with LeRobot's `video.*` info keys. */
export function videoFeature(s: VideoStream, fps: number) {
  return {
    dtype: "video" as const,
    shape: [s.heightPx, s.widthPx, 3],
    names: ["height", "width", "channels"],
    info: {
      "video.height": s.heightPx,
      "video.width": s.widthPx,
      "video.codec": s.codec,
      "video.pix_fmt": s.pixFmt,
      "video.is_depth_map": false,
      "video.fps": fps,
      "video.channels": 3,
      has_audio: false,
      // Not camera footage: said beside LeRobot's own keys (readers keep unknown ones).
      "egobridge.provenance": s.description,
    },
  };
}

export const videoFilePath = (key: string, slot: FileSlot): string =>
  formatPath(VIDEO_PATH, { video_key: key, chunk_index: slot.chunkIndex, file_index: slot.fileIndex });

/** An episode's place in one stream's files. */
export interface VideoPlace {
  slot: FileSlot;
  fromTimestamp: number;
  toTimestamp: number;
}

/** The meta/episodes columns of one stream. */
export const videoColumns = (key: string) => ({
  chunkIndex: `videos/${key}/chunk_index`,
  fileIndex: `videos/${key}/file_index`,
  fromTimestamp: `videos/${key}/from_timestamp`,
  toTimestamp: `videos/${key}/to_timestamp`,
});

/**
 * One stream's files being filled: the episode MP4s waiting to be joined into the current file,
 * its frame count and size. Memory holds paths only.
 */
export class VideoFileRoller {
  private slot: FileSlot = { chunkIndex: 0, fileIndex: 0 };
  private segments: { file: string; frames: number }[] = [];
  private frames = 0;
  private bytes = 0;
  readonly written: string[] = [];

  constructor(
    private readonly key: string,
    private readonly root: string,
    private readonly fps: number,
    private readonly limitBytes: number,
    private readonly chunksSize: number,
  ) {}

  /** Places an episode's MP4 (`frames` long) at the end of the current file, or of a new one. */
  async add(file: string, frames: number): Promise<VideoPlace> {
    const size = (await fs.stat(file)).size;
    if (this.segments.length > 0 && this.bytes + size > this.limitBytes) {
      await this.flush();
      const next = this.slot.fileIndex + 1;
      this.slot =
        next === this.chunksSize
          ? { chunkIndex: this.slot.chunkIndex + 1, fileIndex: 0 }
          : { chunkIndex: this.slot.chunkIndex, fileIndex: next };
    }
    const place = {
      slot: this.slot,
      fromTimestamp: this.frames / this.fps,
      toTimestamp: (this.frames + frames) / this.fps,
    };
    this.segments.push({ file, frames });
    this.frames += frames;
    this.bytes += size;
    return place;
  }

  /** Joins the waiting MP4s into the current file. */
  async flush(): Promise<void> {
    if (this.segments.length === 0) return;
    const relative = videoFilePath(this.key, this.slot);
    const out = path.join(this.root, relative);
    await fs.mkdir(path.dirname(out), { recursive: true });
    if (this.segments.length === 1) await fs.rename(this.segments[0]!.file, out);
    else await concatVideos(this.segments, this.fps, out);
    await Promise.all(this.segments.map((s) => fs.rm(s.file, { force: true })));
    this.written.push(relative);
    this.segments = [];
    this.frames = 0;
    this.bytes = 0;
  }
}
