/**
 * Perception throughput at 1080p: `extract` end to end (decode → detect/track → landmarks → 3D →
 * smoothing) on the egodex clip, next to the landmark model alone on the very crops that run fed
 * it (same batches, same session options), so their ratio is the pipeline's overhead.
 *
 *   npx tsx bench/perception.ts [--models default,keijiro] [--devices cpu,webgpu] [--runs 3] [--threads N]
 *
 * Needs EGOBRIDGE_ASSETS (defaults to ../shared/assets). Each configuration runs once to warm up,
 * then `runs` times; medians are reported. A device that is not available prints why instead of a
 * row. Timings depend on the machine and its load: compare rows of one run only.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { resolveAsset } from "../src/core/assets.js";
import { extractHandTrack } from "../src/perception/extract.js";
import { loadModelFile } from "../src/perception/hand_tracker.js";
import { loadModelPair } from "../src/perception/model_registry.js";
import { type Device, OnnxModel } from "../src/perception/onnx.js";

const { values } = parseArgs({
  options: {
    models: { type: "string", default: "default,keijiro" },
    devices: { type: "string", default: "cpu" },
    runs: { type: "string", default: "3" },
    threads: { type: "string" },
  },
});
process.env.EGOBRIDGE_ASSETS ??= "../shared/assets";
const runs = Math.max(1, Number(values.runs));
const threads = values.threads ? Number(values.threads) : undefined;
const video = await resolveAsset({
  name: "video/egodex_cup/sample.mp4",
  sha256: "1a0ec11f438e100ad27d702ed098fc63f392348e6a3fb8b882f84c7751497af9",
});
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row {
  pair: string;
  device: string;
  frames: number;
  crops: number;
  pipelineFps: number;
  landmarkOnlyFps: number;
  landmarkCropsPerS: number;
  overhead: number;
  breakdown: string;
}

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
    await runOnce(true); // warm-up, and the crops to replay
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
    landmarkCropsPerS: crops / lmOnly,
    overhead: wall / lmOnly,
    breakdown: `per frame (last run): landmarks ${perFrame(t.landmarkMs)} ms, detector ${perFrame(t.detectorMs)} ms (${t.detectorRuns} runs), crops ${perFrame(t.cropMs)} ms, rest (decode, 3D, smoothing) ${perFrame(last!.wallS * 1000 - t.landmarkMs - t.detectorMs - t.cropMs)} ms`,
  };
}

const rows: (Row | string)[] = [];
for (const device of values.devices.split(",") as Device[]) {
  for (const pair of values.models.split(",")) rows.push(await bench(pair, device));
}

const cmd = `npx tsx bench/perception.ts --models ${values.models} --devices ${values.devices} --runs ${runs}${threads ? ` --threads ${threads}` : ""}`;
console.log(`\n${cmd}`);
console.log(
  `egodex_cup/sample.mp4, 1920x1080, 94 frames; ${os.cpus().length} CPU cores (${os.cpus()[0]?.model ?? "?"}), node ${process.version}; medians of ${runs} runs\n`,
);
console.log(
  "| pair | device | extract frames/s | landmark model alone, frames/s (crops/s) | overhead (extract time / landmark time) |",
);
console.log("| --- | --- | --- | --- | --- |");
for (const r of rows) {
  if (typeof r === "string") console.log(`| ${r} | | | | |`);
  else
    console.log(
      `| ${r.pair} | ${r.device} | ${r.pipelineFps.toFixed(1)} | ${r.landmarkOnlyFps.toFixed(1)} (${r.landmarkCropsPerS.toFixed(0)}) | ${r.overhead.toFixed(2)}× |`,
    );
}
for (const r of rows)
  if (typeof r !== "string") console.log(`\n${r.pair}/${r.device}: ${r.crops} crops; ${r.breakdown}`);
