/**
 * Perception throughput at 1080p: `extract` end to end (decode → detect/track → landmarks → 3D →
 * smoothing) on the egodex clip, next to the landmark model alone on the very crops that run fed
 * it (same batches, same session options), so their ratio is the pipeline's overhead.
 *
 *   npx tsx bench/perception.ts [--models default,keijiro] [--devices cpu,webgpu] [--runs 3] [--threads N]
 *                               [--video FILE] [--json]
 *
 * Also decode alone (ffmpeg through the decoder thread, frames read and dropped: the pipeline's
 * floor from the video side). `--json` prints one JSON line per configuration instead of the table:
 * {"pair", "device", "frames", "extractFps", "landmarkOnlyFps", "decodeOnlyFps", "realtime",
 * "peakRssMb", "cliPeakRssMb"}; realtime is extract frames/s over the video's frame rate,
 * peakRssMb the peak resident memory of this process after the timed extractions (first
 * configuration only, else null: later ones run in the same process; under tsx, whose own caches
 * add several hundred MB), cliPeakRssMb that of the built CLI's `egobridge extract` on the same
 * video (`npm run build` first; its track streamed to a temporary file; the peak read from
 * /proc while it runs, null where that cannot be read). `--video` benchmarks another
 * clip (a long one for steadier figures: `ffmpeg -stream_loop 9 -i sample.mp4 -c copy long.mp4`).
 *
 * Needs EGOBRIDGE_ASSETS (defaults to ../shared/assets). Each configuration runs once to warm up,
 * then `runs` times; medians are reported. A device that is not available prints why instead of a
 * row. Timings depend on the machine and its load: compare rows of one run only.
 */
import { spawn } from "node:child_process";
import { promises as fs, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { extractHandTrack } from "../src/perception/extract.js";
import { loadModelFile } from "../src/perception/hand_tracker.js";
import { loadModelPair } from "../src/perception/model_registry.js";
import { type Device, OnnxModel } from "../src/perception/onnx.js";
import { benchVideo, decodeOnlyFps, printTable } from "./video_input.js";

const { values } = parseArgs({
  options: {
    models: { type: "string", default: "default,keijiro" },
    devices: { type: "string", default: "cpu" },
    runs: { type: "string", default: "3" },
    threads: { type: "string" },
    video: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
process.env.EGOBRIDGE_ASSETS ??= "../shared/assets";
const runs = Math.max(1, Number(values.runs));
const threads = values.threads ? Number(values.threads) : undefined;
const { video, info } = await benchVideo(values.video);
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median frames/s of decoding alone over `runs` runs, after one to warm up. */
async function medianDecodeOnlyFps(): Promise<number> {
  await decodeOnlyFps(info);
  const fps: number[] = [];
  for (let r = 0; r < runs; r++) fps.push(await decodeOnlyFps(info));
  return median(fps);
}

interface Row {
  pair: string;
  device: string;
  frames: number;
  crops: number;
  pipelineFps: number;
  landmarkOnlyFps: number;
  decodeOnlyFps: number;
  /** Peak resident memory after the timed extractions (the first configuration only: later ones share the process). */
  peakRssMb: number | null;
  landmarkCropsPerS: number;
  overhead: number;
  breakdown: string;
}

let firstConfiguration = true;

async function bench(pair: string, device: Device): Promise<Row | string> {
  const batches: { input: Float32Array; n: number }[] = [];
  const runOnce = async (record: boolean) =>
    extractHandTrack(video, {
      models: pair,
      device,
      ...(threads ? { intraOpThreads: threads } : {}),
      tracker: record ? { onLandmarkInput: (input, n) => batches.push({ input: input.slice(), n }) } : {},
    });
  try {
    await runOnce(false); // warm-up
  } catch (err) {
    return `${pair} on ${device}: unavailable (${(err as Error).message.split("\n")[0]})`;
  }
  const walls: number[] = [];
  let last: Awaited<ReturnType<typeof runOnce>>["stats"] | undefined;
  for (let r = 0; r < runs; r++) {
    const { stats } = await runOnce(false);
    walls.push(stats.wallS);
    last = stats;
  }
  // Extraction's peak, read before the crops are recorded for the replay (which holds them all).
  const peakRssMb = firstConfiguration ? process.resourceUsage().maxRSS / 1024 : null;
  firstConfiguration = false;
  await runOnce(true); // the crops to replay
  // The landmark model alone, on the same crops, batched as the pipeline batched them.
  const { landmarks } = await loadModelPair(pair);
  const model = await OnnxModel.load(await loadModelFile(landmarks), {
    device: last!.device as Device,
    ...(threads ? { intraOpThreads: threads } : {}),
    dynamicBatch: landmarks.batchable,
  });
  const { width: w, height: h, layout } = landmarks.input;
  const dims = (n: number) => (layout === "NHWC" ? [n, h, w, 3] : [n, 3, h, w]);
  const replay = async () => {
    const t0 = performance.now();
    for (const b of batches) await model.run(landmarks.input.name, b.input, dims(b.n));
    return (performance.now() - t0) / 1000;
  };
  await replay();
  const modelS: number[] = [];
  for (let r = 0; r < runs; r++) modelS.push(await replay());
  await model.dispose();
  const crops = batches.reduce((a, b) => a + b.n, 0);
  const wall = median(walls);
  const lmOnly = median(modelS);
  const t = last!.tracker;
  const perFrame = (ms: number) => (ms / last!.frames).toFixed(1);
  return {
    pair,
    device: last!.device,
    frames: last!.frames,
    crops,
    pipelineFps: last!.frames / wall,
    landmarkOnlyFps: last!.frames / lmOnly,
    decodeOnlyFps: await medianDecodeOnlyFps(),
    peakRssMb,
    landmarkCropsPerS: crops / lmOnly,
    overhead: wall / lmOnly,
    breakdown: `per frame (last run): landmarks ${perFrame(t.landmarkMs)} ms, detector ${perFrame(t.detectorMs)} ms (${t.detectorRuns} runs), crops ${perFrame(t.cropMs)} ms, rest (decode, 3D, smoothing) ${perFrame(last!.wallS * 1000 - t.landmarkMs - t.detectorMs - t.cropMs)} ms`,
  };
}

const rows: (Row | string)[] = [];
for (const device of values.devices.split(",") as Device[]) {
  for (const pair of values.models.split(",")) rows.push(await bench(pair, device));
}

/**
 * Peak resident memory (MB) of the built CLI's `extract` of `video` with this configuration: the
 * child's VmHWM, read from /proc every 50 ms until it exits (Linux); null where it cannot be read.
 */
async function cliPeakRssMb(pair: string, device: string): Promise<number | null> {
  const cli = path.join(import.meta.dirname, "..", "bin", "egobridge.js");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-bench-"));
  try {
    const args = [
      cli,
      "extract",
      video,
      "--models",
      pair,
      "--device",
      device,
      "-o",
      path.join(dir, "t.json"),
    ];
    const child = spawn(process.execPath, [...args, ...(threads ? ["--threads", String(threads)] : [])], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr = (stderr + d).slice(-2000);
    });
    let peakKb: number | null = null;
    const poll = setInterval(() => {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSafe(`/proc/${child.pid}/status`));
      if (m) peakKb = Math.max(peakKb ?? 0, Number(m[1]));
    }, 50);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearInterval(poll);
    if (code !== 0) {
      console.error(`cli extract failed (${code}): ${stderr.trim()}`);
      return null;
    }
    return peakKb === null ? null : peakKb / 1024;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

const cliPeaks = new Map<Row, number | null>();
for (const r of rows) if (typeof r !== "string") cliPeaks.set(r, await cliPeakRssMb(r.pair, r.device));

if (values.json) {
  for (const r of rows) {
    if (typeof r === "string") {
      console.log(JSON.stringify({ unavailable: r }));
      continue;
    }
    const line = {
      pair: r.pair,
      device: r.device,
      frames: r.frames,
      extractFps: r.pipelineFps,
      landmarkOnlyFps: r.landmarkOnlyFps,
      decodeOnlyFps: r.decodeOnlyFps,
      realtime: r.pipelineFps / info.fps,
      peakRssMb: r.peakRssMb,
      cliPeakRssMb: cliPeaks.get(r) ?? null,
    };
    console.log(JSON.stringify(line));
  }
} else {
  const cmd = `npx tsx bench/perception.ts --models ${values.models} --devices ${values.devices} --runs ${runs}${threads ? ` --threads ${threads}` : ""}${values.video ? ` --video ${values.video}` : ""}`;
  console.log(`\n${cmd}`);
  console.log(
    `${path.basename(video)}, ${info.widthPx}x${info.heightPx}, ${info.frameCount} frames at ${info.fps} fps; ${os.cpus().length} CPU cores (${os.cpus()[0]?.model ?? "?"}), node ${process.version}; medians of ${runs} runs\n`,
  );
  printTable(
    [
      "pair",
      "device",
      "extract frames/s (× real time)",
      "landmark model alone, frames/s (crops/s)",
      "extract / landmark alone",
      "decode alone, frames/s",
    ],
    rows.map((r) =>
      typeof r === "string"
        ? r
        : [
            r.pair,
            r.device,
            `${r.pipelineFps.toFixed(1)} (${(r.pipelineFps / info.fps).toFixed(2)}×)`,
            `${r.landmarkOnlyFps.toFixed(1)} (${r.landmarkCropsPerS.toFixed(0)})`,
            (r.pipelineFps / r.landmarkOnlyFps).toFixed(2),
            r.decodeOnlyFps.toFixed(1),
          ],
    ),
  );
  for (const r of rows)
    if (typeof r !== "string")
      console.log(
        `\n${r.pair}/${r.device}: ${r.crops} crops; ${r.breakdown}${r.peakRssMb === null ? "" : `; peak RSS ${r.peakRssMb.toFixed(0)} MB`}${cliPeaks.get(r) == null ? "" : `; built CLI extract peak RSS ${cliPeaks.get(r)!.toFixed(0)} MB`}`,
      );
}
