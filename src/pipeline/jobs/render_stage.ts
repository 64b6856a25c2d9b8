/**
 * The rendered cameras of a dataset's episodes, as its writers read them: each selected episode's
 * render unit. A run has rendered them as its units settled (scheduler.ts); what is not recorded —
 * the parts of a merge sharded by unit render every attempt they might need, but not the ones
 * another shard validated — is rendered here, once, into `store`, before anything is written.
 */
import type { Episode } from "../../core/schemas/episode.js";
import type { EpisodeVideoSource } from "../../dataset/lerobot/videos.js";
import type { EpisodeImageSource } from "../../dataset/robomimic/writer.js";
import { parseImageSize, recordedCameraSource, recordedImageSource } from "../../render/camera_source.js";
import type { SourceVideo } from "../../render/episode_videos.js";
import { executeUnit, releaseRenderers } from "./execute.js";
import type { JobLog } from "./progress.js";
import { mediaDirFor, type PartUnits, type RenderRecord, type UnitLookup } from "./store.js";
import { type RenderTask, renderUnit } from "./units.js";

export interface RenderedSelection {
  /** The LeRobot camera source, when the job writes LeRobot. */
  videos?: EpisodeVideoSource;
  /** The robomimic image source, when the job writes robomimic. */
  images?: EpisodeImageSource;
  /** Episodes rendered here (not by the run's units). */
  renderedNow: number;
}

/** Where an episode's render record is: among the recorded units, or in `store`. */
interface Place {
  lookup: UnitLookup;
  id: string;
}

async function usable(lookup: UnitLookup, id: string, episodeSha: string | undefined): Promise<boolean> {
  if (!(await lookup.has(id))) return false;
  const h = await lookup.header(id);
  if (h.status !== "ok") return false;
  const record = await lookup.payload<RenderRecord>(id);
  return record.episodeSha256 === episodeSha;
}

/**
 * Finds (or renders) the render unit of each selected episode unit and gives the dataset writers
 * their camera sources. `store` receives what is rendered now; `videoOf` gives a source's video
 * (for the composite camera), and throws where the video is needed but not at hand.
 */
export async function renderSelection(
  ids: readonly string[],
  lookup: UnitLookup,
  task: RenderTask,
  store: PartUnits,
  videoOf: (source: string) => SourceVideo | undefined,
  log?: JobLog,
): Promise<RenderedSelection> {
  const byEpisode = new Map<string, Place>();
  const todo: {
    unit: ReturnType<typeof renderUnit>;
    episodeFile: string;
    episodeId: string;
    video: SourceVideo | undefined;
  }[] = [];
  for (const id of ids) {
    const h = await lookup.header(id);
    const episodeId = h.outcome?.episodeId;
    if (!episodeId) throw new Error(`unit ${id} is selected but records no episode`);
    const unit = renderUnit(h, task);
    const place = (await usable(lookup, unit.id, h.payloadSha256))
      ? { lookup, id: unit.id }
      : (await usable(store, unit.id, h.payloadSha256))
        ? { lookup: store as UnitLookup, id: unit.id }
        : undefined;
    if (place) byEpisode.set(episodeId, place);
    else
      todo.push({
        unit,
        episodeFile: lookup.fileFor(id),
        episodeId,
        video: task.keys.includes("composite") ? videoOf(h.source) : undefined,
      });
  }
  if (todo.length > 0) {
    log?.event({ event: "render", status: "start", episodes: todo.length });
    try {
      for (const t of todo) {
        const h = await executeUnit({
          unit: t.unit,
          depFiles: [t.episodeFile],
          outFile: store.fileFor(t.unit.id),
          ...(t.video ? { sourceVideo: t.video } : {}),
        });
        if (h.status !== "ok") throw new Error(`rendering ${t.episodeId} failed: ${h.error!.message}`);
        byEpisode.set(t.episodeId, { lookup: store, id: t.unit.id });
      }
    } finally {
      await releaseRenderers();
    }
    log?.event({ event: "render", status: "done", episodes: todo.length });
  }
  const find = async (episode: Episode) => {
    const place = byEpisode.get(episode.id);
    if (!place) throw new Error(`episode ${episode.id} has no render unit`);
    const media = await place.lookup.payload<RenderRecord>(place.id);
    return { media, dir: mediaDirFor(place.lookup.fileFor(place.id)) };
  };
  const size = parseImageSize(task.size);
  const out: RenderedSelection = { renderedNow: todo.length };
  if (task.video) out.videos = recordedCameraSource({ keys: task.keys, size, codec: task.codec }, find);
  if (task.images) out.images = recordedImageSource({ keys: task.keys, size }, find);
  return out;
}
