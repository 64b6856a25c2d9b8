/**
 * What the perception benches share: the clip they run on (the EgoDex sample, 1920×1080, or a
 * file given with --video), decoding alone as extraction decodes, and their Markdown tables.
 */
import { performance } from "node:perf_hooks";
import { resolveAsset } from "../src/core/assets.js";
import {
  DECODE_AHEAD,
  type FrameRange,
  probeVideo,
  readFrames,
  type VideoInfo,
} from "../src/perception/video.js";

/** The clip a bench runs on: `file`, else the EgoDex sample from the asset folders (hash-checked). */
export async function benchVideo(file?: string): Promise<{ video: string; info: VideoInfo }> {
  const video =
    file ??
    (await resolveAsset({
      name: "video/egodex_cup/sample.mp4",
      sha256: "1a0ec11f438e100ad27d702ed098fc63f392348e6a3fb8b882f84c7751497af9",
    }));
  return { video, info: await probeVideo(video) };
}

/**
 * Frames/s of decoding alone, as extraction decodes (decoder thread, DECODE_AHEAD), with `k`
 * decodes at once: frames of all of them over the wall time.
 */
export async function decodeOnlyFps(info: VideoInfo, range: FrameRange = {}, k = 1): Promise<number> {
  const t0 = performance.now();
  const counted = await Promise.all(
    Array.from({ length: k }, async () => {
      let n = 0;
      for await (const _ of readFrames(info, range, { reuseBuffer: true, ahead: DECODE_AHEAD })) n++;
      return n;
    }),
  );
  return counted.reduce((a, b) => a + b, 0) / ((performance.now() - t0) / 1000);
}

/** Prints a Markdown table; a row given as a string (a configuration that could not run) fills the first cell. */
export function printTable(header: readonly string[], rows: readonly (readonly string[] | string)[]): void {
  const line = (cells: readonly string[]) => console.log(`| ${cells.join(" | ")} |`);
  line(header);
  line(header.map(() => "---"));
  for (const r of rows) line(typeof r === "string" ? [r, ...header.slice(1).map(() => "")] : r);
}
