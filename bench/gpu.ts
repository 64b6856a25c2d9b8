/**
 * Perception throughput across concurrent videos, per device: frames/s at 1080p when K videos are
 * extracted at once in one process, for K = 1, 8, 32, 128 on cpu, webgpu and cuda, in two ways:
 * `lanes` (the videos share one session per model and their crops go through it in one batched
 * run, as `run` perceives videosAtOnce videos: src/perception/model_lane.ts) and `sessions` (each
 * video its own tracker and sessions), measured in the same run. Beside each row, decoding alone
 * for the same K (K ffmpeg processes through the decoder thread, frames dropped): the bound the
 * video side sets on that machine. The figure to read is frames/s of the whole machine.
 *
 *   npx tsx bench/gpu.ts [--devices cpu,webgpu,cuda] [--videos 1,8,32,128] [--frames 90]
 *                        [--modes lanes,sessions] [--max-batch 256] [--video FILE] [--json]
 *
 * On a GPU node: install the CUDA execution provider first (`ONNXRUNTIME_NODE_INSTALL=cuda12 npm
 * rebuild onnxruntime-node --ignore-scripts=false`, or offline the folder deploy/gpu/cuda-ep-bundle.sh
 * makes, named by EGOBRIDGE_ONNXRUNTIME_NODE; without it the cuda rows say why), and Vulkan for
 * webgpu (README, the perception devices). A device that is not available prints
 * why instead of its rows. CPU sessions get cores / K intra-op threads each (at least 1) in
 * `sessions`, so K sessions do not fight over the cores; a lane's one session gets all of them.
 * `--json`: one JSON line per row, {"device", "mode", "videos", "frames", "framesPerS",
 * "decodeOnlyFramesPerS", "perVideoFps", "cropsPerRun", "wallS", "peakRssMb"}. The clip is the
 * EgoDex sample (1920×1080) unless --video names another; each video takes its first `--frames`
 * frames (the sample has 94).
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { extractHandTrack } from "../src/perception/extract.js";
import { PerceptionLanes } from "../src/perception/model_lane.js";
import type { Device } from "../src/perception/onnx.js";
import { benchVideo, decodeOnlyFps, printTable } from "./video_input.js";

const { values } = parseArgs({
  options: {
    devices: { type: "string", default: "cpu,webgpu,cuda" },
    videos: { type: "string", default: "1,8,32,128" },
    modes: { type: "string", default: "lanes,sessions" },
    "max-batch": { type: "string", default: "256" },
    frames: { type: "string", default: "90" },
    video: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const { video, info } = await benchVideo(values.video);
const range = { start: 0, end: Math.min(Number(values.frames), info.frameCount) };
const counts = values.videos.split(",").map(Number);
const cores = os.cpus().length;

type Mode = "lanes" | "sessions";

interface Row {
  device: string;
  mode: Mode;
  videos: number;
  frames: number;
  framesPerS: number;
  decodeOnlyFramesPerS: number;
  perVideoFps: number;
  /** Landmark crops per model run (lanes: across videos). */
  cropsPerRun: number;
  wallS: number;
  peakRssMb: number;
}

async function extractMany(
  device: Device,
  k: number,
  mode: Mode,
): Promise<{ frames: number; wallS: number; device: string; cropsPerRun: number }> {
  const lanes = mode === "lanes" ? new PerceptionLanes({ maxBatch: Number(values["max-batch"]) }) : undefined;
  const threads = device === "cpu" && !lanes ? Math.max(1, Math.floor(cores / k)) : undefined;
  try {
    const t0 = performance.now();
    const results = await Promise.all(
      Array.from({ length: k }, () =>
        extractHandTrack(video, {
          device,
          range,
          allowEmpty: true,
          ...(threads ? { intraOpThreads: threads } : {}),
          ...(lanes ? { lanes } : {}),
        }),
      ),
    );
    const wallS = (performance.now() - t0) / 1000;
    const lane = (await lanes?.stats())?.find((s) => /landmark/.test(s.file))?.stats;
    const crops = results.reduce((a, r) => a + r.stats.tracker.landmarkCrops, 0);
    const runs = lane?.runs ?? results.reduce((a, r) => a + r.stats.tracker.landmarkRuns, 0);
    return {
      frames: results.reduce((a, r) => a + r.stats.frames, 0),
      wallS,
      device: results[0]!.stats.device,
      cropsPerRun: runs > 0 ? crops / runs : 0,
    };
  } finally {
    await lanes?.dispose();
  }
}

const rows: (Row | string)[] = [];
const modes = values.modes.split(",") as Mode[];
for (const device of values.devices.split(",") as Device[]) {
  try {
    await extractMany(device, 1, "sessions"); // warm-up; fails here when the device is not available
  } catch (err) {
    rows.push(`${device}: unavailable (${(err as Error).message.split("\n")[0]})`);
    continue;
  }
  for (const k of counts) {
    const decodeOnlyFramesPerS = await decodeOnlyFps(info, range, k);
    for (const mode of modes) {
      const r = await extractMany(device, k, mode);
      rows.push({
        device: r.device,
        mode,
        videos: k,
        frames: r.frames,
        framesPerS: r.frames / r.wallS,
        decodeOnlyFramesPerS,
        perVideoFps: r.frames / k / r.wallS,
        cropsPerRun: r.cropsPerRun,
        wallS: r.wallS,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
      });
      if (!values.json) {
        const last = rows.at(-1) as Row;
        console.error(`${device} ${mode} × ${k}: ${last.framesPerS.toFixed(0)} frames/s`);
      }
    }
  }
}

if (values.json) {
  for (const r of rows) console.log(JSON.stringify(typeof r === "string" ? { unavailable: r } : r));
} else {
  console.log(
    `\nnpx tsx bench/gpu.ts --devices ${values.devices} --videos ${values.videos} --frames ${values.frames} --modes ${values.modes} --max-batch ${values["max-batch"]}${values.video ? ` --video ${values.video}` : ""}`,
  );
  console.log(
    `${info.widthPx}x${info.heightPx}, ${range.end} frames per video; ${cores} CPU cores (${os.cpus()[0]?.model ?? "?"}), node ${process.version}\n`,
  );
  printTable(
    [
      "device",
      "mode",
      "videos at once",
      "frames/s (all videos)",
      "per video",
      "crops per run",
      "decode alone, frames/s",
      "peak RSS so far (MB)",
    ],
    rows.map((r) =>
      typeof r === "string"
        ? r
        : [
            r.device,
            r.mode,
            String(r.videos),
            r.framesPerS.toFixed(1),
            r.perVideoFps.toFixed(1),
            r.cropsPerRun.toFixed(1),
            r.decodeOnlyFramesPerS.toFixed(1),
            r.peakRssMb.toFixed(0),
          ],
    ),
  );
}
