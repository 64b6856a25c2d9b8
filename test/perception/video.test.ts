import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import { probeVideo, readFrames, selectedFrames } from "../../src/perception/video.js";
import { asset, EGODEX_CUP, makeBadVideos, WEBCAM_RIGHT_HAND } from "./assets.js";

let tmp: string;
let egodex: string;
let bad: Awaited<ReturnType<typeof makeBadVideos>>;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-video-"));
  egodex = await asset(EGODEX_CUP);
  bad = await makeBadVideos(tmp, egodex);
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("probeVideo", () => {
  it("reads size, rate, frame count and codec of the real samples", async () => {
    expect(await probeVideo(egodex)).toMatchObject({
      widthPx: 1920,
      heightPx: 1080,
      fps: 30,
      frameCount: 94,
      codec: "mpeg4",
    });
    expect(await probeVideo(await asset(WEBCAM_RIGHT_HAND))).toMatchObject({
      widthPx: 1280,
      heightPx: 720,
      fps: 30,
      frameCount: 621,
      codec: "h264",
    });
  });

  it.each([
    ["missing file", "missing", /video not found/],
    ["empty file", "empty", /empty \(0 bytes\)/],
    ["text file named .mp4", "text", /not a readable video[\s\S]*ffprobe says[\s\S]*Invalid data/],
    ["truncated mp4 (head -c)", "truncated", /not a readable video[\s\S]*moov atom not found/],
  ] as const)("%s: InputError with the reason", async (_name, key, message) => {
    const err = await probeVideo(bad[key]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(message);
  });
});

describe("readFrames", () => {
  it("streams every frame as RGB24 with index and time", async () => {
    const info = await probeVideo(egodex);
    let n = 0;
    for await (const f of readFrames(info)) {
      expect(f.index).toBe(n);
      expect(f.t).toBeCloseTo(n / 30, 12);
      expect(f.rgb.length).toBe(1920 * 1080 * 3);
      n++;
    }
    expect(n).toBe(94);
  });

  it("start / end / stride select frames in ffmpeg; a range past the end is clipped", async () => {
    const info = await probeVideo(egodex);
    const got: number[] = [];
    for await (const f of readFrames(info, { start: 10, end: 40, stride: 7 })) got.push(f.index);
    expect(got).toEqual([10, 17, 24, 31, 38]);
    const tail: number[] = [];
    for await (const f of readFrames(info, { start: 90, end: 500 })) tail.push(f.index);
    expect(tail).toEqual([90, 91, 92, 93]);
    expect(selectedFrames(94, { start: 90, end: 500 }).count).toBe(4);
    expect(() => selectedFrames(94, { start: 94 })).toThrow(InputError);
    expect(() => selectedFrames(94, { stride: 0 })).toThrow(/stride/);
  });

  it("frames decode to the right picture: frame 0 is the same with and without a range", async () => {
    const info = await probeVideo(egodex);
    const first = (await readFrames(info).next()).value!;
    const again = (await readFrames(info, { start: 0, end: 1 }).next()).value!;
    expect(Buffer.from(first.rgb).equals(Buffer.from(again.rgb))).toBe(true);
    // The table in the lower half is yellow-brown: red > blue.
    const q = (900 * 1920 + 300) * 3;
    expect(first.rgb[q]!).toBeGreaterThan(first.rgb[q + 2]!);
  });

  it("reuseBuffer hands out one buffer; without it each frame is its own", async () => {
    const info = await probeVideo(egodex);
    const shared: Uint8Array[] = [];
    for await (const f of readFrames(info, { end: 3 }, { reuseBuffer: true })) shared.push(f.rgb);
    expect(new Set(shared).size).toBe(1);
    const own: Uint8Array[] = [];
    for await (const f of readFrames(info, { end: 3 })) own.push(f.rgb);
    expect(new Set(own).size).toBe(3);
  });

  it("ahead: the decoder thread yields the same frames, byte for byte, in order, with and without a range", async () => {
    const info = await probeVideo(egodex);
    const digest = async (range: Parameters<typeof readFrames>[1], ahead: number) => {
      const h = createHash("sha256");
      const indices: number[] = [];
      for await (const f of readFrames(info, range, { reuseBuffer: true, ahead })) {
        expect(f.rgb.length).toBe(1920 * 1080 * 3);
        h.update(f.rgb);
        indices.push(f.index);
      }
      return { hash: h.digest("hex"), indices };
    };
    const inThread = await digest({}, 0);
    expect(inThread.indices).toHaveLength(94);
    expect(await digest({}, 2)).toEqual(inThread);
    expect(await digest({}, 1)).toEqual(inThread);
    const ranged = await digest({ start: 10, end: 40, stride: 7 }, 2);
    expect(ranged.indices).toEqual([10, 17, 24, 31, 38]);
    expect(ranged).toEqual(await digest({ start: 10, end: 40, stride: 7 }, 0));
  });

  it("ahead: breaking out early stops ffmpeg and the decoder thread; a missing ffmpeg is named", async () => {
    const info = await probeVideo(egodex);
    for await (const f of readFrames(info, {}, { ahead: 2 })) {
      if (f.index === 2) break;
    }
    const err = await (async () => {
      for await (const _ of readFrames(info, {}, { ahead: 2, ffmpeg: "/no/such/ffmpeg" })) {
      }
    })().catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/'\/no\/such\/ffmpeg' was not found on PATH/);
  });

  it("breaking out early stops ffmpeg (no hang, no error)", async () => {
    const info = await probeVideo(egodex);
    for await (const f of readFrames(info)) {
      if (f.index === 2) break;
    }
  });

  it("a truncated file whose index survived (faststart): frames decode, then an InputError with ffmpeg's stderr", async () => {
    const info = await probeVideo(bad.truncatedFaststart);
    expect(info.frameCount).toBe(94);
    let n = 0;
    const err = await (async () => {
      for await (const _ of readFrames(info)) n++;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      /ended after \d+ of 94 expected frames[\s\S]*truncated[\s\S]*partial file/,
    );
    expect(n).toBeGreaterThan(10);
    expect(n).toBeLessThan(94);
    // Through the decoder thread: the same frames, then the same error.
    let m = 0;
    const again = await (async () => {
      for await (const _ of readFrames(info, {}, { ahead: 2 })) m++;
    })().catch((e: unknown) => e);
    expect(again).toBeInstanceOf(InputError);
    // (ffmpeg's log lines name its context's address, which differs from run to run.)
    const unaddressed = (e: unknown) => (e as Error).message.replace(/ @ 0x[0-9a-f]+/g, "");
    expect(unaddressed(again)).toBe(unaddressed(err));
    expect(m).toBe(n);
  });
});
