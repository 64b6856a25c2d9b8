/**
 * Camera rendering speed on this machine: frames per second per camera at 224×224 and 640×480,
 * (a) drawn and read back into Node (the page's render, readPixels and the batched upload) and
 * (b) the whole stream (a, then ffmpeg H.264 encoding); the transfer alone as MB/s and ms per
 * frame; and the share of a demo's wall time that rendering takes (demo with the default cameras
 * vs without, in the same run).
 *
 *   npx tsx bench/render.ts
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { readEpisodeExtras } from "../src/dataset/lerobot/index.js";
import { runDemo } from "../src/pipeline/demo.js";
import { CAMERA_KEYS, DEFAULT_CAMERAS, DEFAULT_IMAGE_SIZE, episodeCameras } from "../src/render/cameras.js";
import { FrameEncoder } from "../src/render/encode.js";
import { renderEpisodeInput } from "../src/render/episode_scene.js";
import { CameraRenderer } from "../src/render/renderer.js";
import "../src/sim/mujoco/second_opinion.js";
import { printTable } from "./video_input.js";

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-bench-render-"));
try {
  // The demo's episode (the 2F-85 from its hulls, shelf_to_tote), without cameras.
  const t0 = performance.now();
  await runDemo({ outDir: path.join(tmp, "plain"), variants: 2 });
  const plainS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await runDemo({
    outDir: path.join(tmp, "cams"),
    variants: 2,
    cameras: { keys: DEFAULT_CAMERAS, size: DEFAULT_IMAGE_SIZE, codec: "h264" },
  });
  const camsS = (performance.now() - t1) / 1000;
  const [episode] = await readEpisodeExtras(path.join(tmp, "plain"));

  const renderer = await CameraRenderer.open();
  await renderer.load(await renderEpisodeInput(episode!));
  const rows: string[][] = [];
  for (const size of [
    { widthPx: 224, heightPx: 224 },
    { widthPx: 640, heightPx: 480 },
  ]) {
    const frameBytes = size.widthPx * size.heightPx * 4;
    const mbps = await renderer.uploadRate(frameBytes * 16, 20);
    for (const camera of episodeCameras(episode!, CAMERA_KEYS, size)) {
      let t = performance.now();
      const n = await renderer.render(camera, async () => {});
      const drawnFps = n / ((performance.now() - t) / 1000);
      const file = path.join(tmp, `${camera.key}-${size.widthPx}.mp4`);
      const encoder = new FrameEncoder(file, { ...size, fps: episode!.controlHz, codec: "h264" });
      t = performance.now();
      await renderer.render(camera, (_f, _c, rgba) => encoder.write(rgba));
      await encoder.finish();
      const streamFps = n / ((performance.now() - t) / 1000);
      rows.push([
        `${size.widthPx}×${size.heightPx}`,
        camera.key,
        drawnFps.toFixed(1),
        streamFps.toFixed(1),
        mbps.toFixed(0),
        ((frameBytes / 1e6 / mbps) * 1000).toFixed(2),
      ]);
    }
  }
  await renderer.close();
  printTable(
    [
      "size",
      "camera",
      "drawn + read back (frames/s)",
      "+ H.264 encode (frames/s)",
      "upload alone (MB/s)",
      "upload ms/frame",
    ],
    rows,
  );
  console.log(
    `\ndemo --variants 2: ${plainS.toFixed(1)} s without cameras, ${camsS.toFixed(1)} s with ${DEFAULT_CAMERAS.join(" + ")} ` +
      `at ${DEFAULT_IMAGE_SIZE.widthPx}×${DEFAULT_IMAGE_SIZE.heightPx}: rendering is ${((1 - plainS / camsS) * 100).toFixed(0)} % of the wall time`,
  );
} finally {
  await fs.rm(tmp, { recursive: true, force: true });
}
