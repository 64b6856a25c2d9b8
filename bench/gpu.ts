/**
 * Perception throughput across concurrent videos, per device: frames/s at 1080p when K videos are
 * extracted at once in one process (each its own tracker and model sessions, as `run` gives each
 * video), for K = 1, 8, 32, 128 on cpu, webgpu and cuda. Beside each row, decoding alone for the
 * same K (K ffmpeg processes through the decoder thread, frames dropped): the bound the video side
 * sets on that machine. The figure to read is frames/s of the whole machine (all videos).
 *
 *   npx tsx bench/gpu.ts [--devices cpu,webgpu,cuda] [--videos 1,8,32,128] [--frames 90]
 *                        [--video FILE] [--json]
 *
 * On a GPU node: install with the CUDA execution provider first
 * (`ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node --ignore-scripts=false`; without
 * it the cuda rows say why), and Vulkan for webgpu (README, "Devices"). A device that is not
 * available prints why instead of its rows. CPU sessions get cores / K intra-op threads each (at
 * least 1), so K sessions do not fight over the cores. `--json`: one JSON line per row,
 * {"device", "videos", "frames", "framesPerS", "decodeOnlyFramesPerS", "perVideoFps", "wallS",
 * "peakRssMb"}. The clip is the EgoDex sample (1920×1080) unless --video names another; each video
 * takes its first `--frames` frames (the sample has 94).
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { extractHandTrack } from "../src/perception/extract.js";
import type { Device } from "../src/perception/onnx.js";
import { benchVideo, decodeOnlyFps, printTable } from "./video_input.js";

const { values } = parseArgs({
  options: {
    devices: { type: "string", default: "cpu,webgpu,cuda" },
    videos: { type: "string", default: "1,8,32,128" },
    frames: { type: "string", default: "90" },
    video: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const { video, info } = await benchVideo(values.video);
const range = { start: 0, end: Math.min(Number(values.frames), info.frameCount) };
const counts = values.videos.split(",").map(Number);
const cores = os.cpus().length;

interface Row {
  device: string;
  videos: number;
  frames: number;
  framesPerS: number;
  decodeOnlyFramesPerS: number;
  perVideoFps: number;
  wallS: number;
  peakRssMb: number;
}

async function extractMany(
  device: Device,
  k: number,
): Promise<{ frames: number; wallS: number; device: string }> {
  const threads = device === "cpu" ? Math.max(1, Math.floor(cores / k)) : undefined;
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: k }, () =>
      extractHandTrack(video, {
        device,
        range,
        allowEmpty: true,
        ...(threads ? { intraOpThreads: threads } : {}),
      }),
    ),
  );
  return {
    frames: results.reduce((a, r) => a + r.stats.frames, 0),
    wallS: (performance.now() - t0) / 1000,
    device: results[0]!.stats.device,
  };
}

const rows: (Row | string)[] = [];
for (const device of values.devices.split(",") as Device[]) {
  try {
    await extractMany(device, 1); // warm-up; fails here when the device is not available
  } catch (err) {
    rows.push(`${device}: unavailable (${(err as Error).message.split("\n")[0]})`);
    continue;
  }
  for (const k of counts) {
    const r = await extractMany(device, k);
    rows.push({
      device: r.device,
      videos: k,
      frames: r.frames,
      framesPerS: r.frames / r.wallS,
      decodeOnlyFramesPerS: await decodeOnlyFps(info, range, k),
      perVideoFps: r.frames / k / r.wallS,
      wallS: r.wallS,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    });
    if (!values.json) {
      const last = rows.at(-1) as Row;
      console.error(`${device} × ${k}: ${last.framesPerS.toFixed(0)} frames/s`);
    }
  }
}

if (values.json) {
  for (const r of rows) console.log(JSON.stringify(typeof r === "string" ? { unavailable: r } : r));
} else {
  console.log(
    `\nnpx tsx bench/gpu.ts --devices ${values.devices} --videos ${values.videos} --frames ${values.frames}${values.video ? ` --video ${values.video}` : ""}`,
  );
  console.log(
    `${info.widthPx}x${info.heightPx}, ${range.end} frames per video; ${cores} CPU cores (${os.cpus()[0]?.model ?? "?"}), node ${process.version}\n`,
  );
  printTable(
    [
      "device",
      "videos at once",
      "frames/s (all videos)",
      "per video",
      "decode alone, frames/s",
      "peak RSS so far (MB)",
    ],
    rows.map((r) =>
      typeof r === "string"
        ? r
        : [
            r.device,
            String(r.videos),
            r.framesPerS.toFixed(1),
            r.perVideoFps.toFixed(1),
            r.decodeOnlyFramesPerS.toFixed(1),
            r.peakRssMb.toFixed(0),
          ],
    ),
  );
}
