import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import { readContract } from "../../src/core/io.js";
import { CameraSpecSchema } from "../../src/core/schemas/camera.js";
import { type HandTrack, HandTrackSchema } from "../../src/core/schemas/hand_track.js";
import { writeHandTrack } from "../../src/hands/hand_track_io.js";
import { projectPoint } from "../../src/perception/camera_model.js";
import { extractHandTrack, extractHandTrackToFile } from "../../src/perception/extract.js";
import { asset, EGODEX_CAMERA, EGODEX_CUP, makeBadVideos } from "./assets.js";

let tmp: string;
let egodex: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-extract-"));
  egodex = await asset(EGODEX_CUP);
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** In egocentric footage the arms come in from the bottom corners: the left hand's wrist is left of the right's. */
function sideStats(track: HandTrack) {
  const two = track.frames.filter((f) => f.hands.length === 2);
  const consistent = two.filter((f) => {
    const l = f.hands.find((h) => h.side === "left");
    const r = f.hands.find((h) => h.side === "right");
    return l && r && l.keypointsPx![0]![0] < r.keypointsPx![0]![0];
  });
  return { two: two.length, consistent: consistent.length };
}

describe("extractHandTrackToFile (frames spilled, then labelled, smoothed and streamed)", () => {
  it("writes the bytes of the track extracted in memory", async () => {
    const camera = await readContract(CameraSpecSchema, EGODEX_CAMERA, "camera");
    const inMemory = path.join(tmp, "in_memory.json");
    const streamed = path.join(tmp, "streamed.json");
    const { track, stats } = await extractHandTrack(egodex, { camera });
    await writeHandTrack(inMemory, track);
    const streamedStats = await extractHandTrackToFile(egodex, streamed, { camera });
    expect(await fs.readFile(streamed, "utf8")).toBe(await fs.readFile(inMemory, "utf8"));
    expect(streamedStats.framesWithTwoHands).toBe(stats.framesWithTwoHands);
  });
});

describe("extractHandTrack on the egodex clip (egocentric, two hands)", () => {
  // The whole clip (94 frames, a few seconds per pair): tracking runs at the video's 30 Hz.
  it.each([
    ["default", 0.9, 0.95],
    ["keijiro", 0.6, 0.6],
  ] as const)(
    "%s pair: a valid track with both hands in most frames",
    async (models, minTwoHands, minSidesConsistent) => {
      const camera = await readContract(CameraSpecSchema, EGODEX_CAMERA, "camera");
      const { track, stats } = await extractHandTrack(egodex, { models, camera });
      expect(HandTrackSchema.parse(track)).toBeTruthy();
      expect(track.frames).toHaveLength(94);
      expect(track.fps).toBe(30);
      expect(track.frames[1]!.index).toBe(1);
      expect(track.camera!.provenance).toBe("dataset");
      const { two, consistent } = sideStats(track);
      console.log(
        `egodex, ${models} pair: ${stats.frames} frames, hands in ${stats.framesWithHands}, both in ${two}, sides consistent with image position in ${consistent} of ${two}; reprojection ${stats.meanReprojectionPx.toFixed(1)} px; ${stats.framesPerS.toFixed(1)} frames/s`,
      );
      expect(two / track.frames.length).toBeGreaterThan(minTwoHands);
      // Sides come from the 3D hands' chirality over each track (the keijiro model's handedness score
      // is wrong on egocentric views and not used). The keijiro pair's misses (21 of 63) are frames
      // where it keeps a second skeleton on the right hand, which its shape labels right as well.
      expect(consistent).toBeGreaterThanOrEqual(minSidesConsistent * two);
      const ratios: number[] = [];
      for (const f of track.frames) {
        for (const h of f.hands) {
          // Keypoints in the frame (a little outside is fine: hands leave at the bottom edge).
          for (const [x, y] of h.keypointsPx!) {
            expect(x).toBeGreaterThan(-200);
            expect(x).toBeLessThan(1920 + 200);
            expect(y).toBeGreaterThan(-200);
            expect(y).toBeLessThan(1080 + 300);
          }
          // Camera-frame hand: in front of the camera at arm's length, hand-sized, and its wrist
          // projects back near the detected wrist: within half the hand's image size in every frame,
          // within a tenth on average (the 3D keypoints are smoothed more strongly than the image
          // keypoints, so fast motion separates them a little).
          const wrist = h.keypointsCam![0]!;
          expect(wrist[2]).toBeGreaterThan(0.15);
          expect(wrist[2]).toBeLessThan(2.5);
          const span = Math.hypot(...[0, 1, 2].map((k) => h.keypointsCam![0]![k]! - h.keypointsCam![9]![k]!));
          expect(span).toBeGreaterThan(0.03);
          expect(span).toBeLessThan(0.15);
          const [u, v] = projectPoint(track.camera!, wrist);
          const xs = h.keypointsPx!.map((p) => p[0]);
          const ys = h.keypointsPx!.map((p) => p[1]);
          const sizePx = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
          const ratio = Math.hypot(u - h.keypointsPx![0]![0], v - h.keypointsPx![0]![1]) / sizePx;
          expect(ratio).toBeLessThan(0.5);
          ratios.push(ratio);
        }
      }
      const meanRatio = ratios.reduce((a, b) => a + b, 0) / ratios.length;
      console.log(
        `  wrist reprojection / hand size: mean ${meanRatio.toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}`,
      );
      expect(meanRatio).toBeLessThan(0.1);
    },
  );

  it("without a calibration the camera is assumed from a field of view, and the track says so", async () => {
    const { track } = await extractHandTrack(egodex, { range: { end: 3 }, hfovDeg: 100 });
    expect(track.camera!.provenance).toBe("assumed");
    expect(track.camera!.fx).toBeCloseTo(960 / Math.tan((50 * Math.PI) / 180), 6);
    expect(track.source.description).toMatch(/camera ASSUMED: pinhole, 100 deg/);
  });

  it("a calibration for another frame size is an InputError", async () => {
    const camera = {
      ...(await readContract(CameraSpecSchema, EGODEX_CAMERA, "camera")),
      widthPx: 1280,
      heightPx: 720,
    };
    await expect(extractHandTrack(egodex, { camera, range: { end: 2 } })).rejects.toThrow(
      /calibrated for 1280x720/,
    );
  });

  it("a mirrored copy, extracted as mirrored, gets the same sides (the 3D chirality flips with the image)", async () => {
    const flipped = path.join(tmp, "mirrored.mp4");
    execFileSync("ffmpeg", [
      ...["-v", "error", "-y", "-i", egodex, "-vf", "hflip", "-frames:v", "30"],
      ...["-c:v", "mpeg4", "-q:v", "2", flipped],
    ]);
    const a = (await extractHandTrack(egodex, { range: { end: 30 } })).track;
    const b = (await extractHandTrack(flipped, { mirrored: true })).track;
    let matched = 0;
    a.frames.forEach((f, i) => {
      for (const h of f.hands) {
        const [x, y] = h.keypointsPx![0]!;
        // The same hand in the mirrored frame: its wrist mirrored about the vertical centre line.
        const m = b.frames[i]!.hands.find(
          (g) => Math.hypot(g.keypointsPx![0]![0] - (1920 - x), g.keypointsPx![0]![1] - y) < 50,
        );
        if (!m) continue;
        matched++;
        expect(m.side).toBe(h.side);
      }
    });
    expect(matched).toBeGreaterThan(50);
  });

  it("a video without hands is an InputError unless an empty track is allowed", async () => {
    const bad = await makeBadVideos(tmp, egodex);
    const err = await extractHandTrack(bad.noHands).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/no hands found in 8 frames/);
    const { track } = await extractHandTrack(bad.noHands, { allowEmpty: true });
    expect(track.frames).toHaveLength(8);
    expect(track.frames.every((f) => f.hands.length === 0)).toBe(true);
  });
});
