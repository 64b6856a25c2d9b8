/**
 * The pieces of the composite camera against references the test computes itself: the hand mask
 * where a pinhole projection written here puts the keypoints, the fill against images whose
 * answer is known, the layering, and the source frames against ffmpeg's own count of a video
 * whose frames say their index.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { poseToJson, vec3 } from "../../src/core/math.js";
import { lookAt } from "../../src/render/cameras.js";
import { drawOver, FrameMask, fillMasked, handMask, SourceFrameReader } from "../../src/render/composite.js";
import type { RenderCameraInput } from "../../src/render/protocol.js";

const W = 160;
const H = 120;

/** A camera 1 m from the origin along −y, looking at it; OpenCV axes; 100 px focal length. */
const camera: RenderCameraInput = {
  key: "composite",
  widthPx: W,
  heightPx: H,
  fx: 100,
  fy: 100,
  cx: (W - 1) / 2,
  cy: (H - 1) / 2,
  poses: [poseToJson(lookAt(vec3(0, -1, 0), vec3(0, 0, 0)))],
};

/** A flat hand in the plane y = 0, fingers up (+z), centred on the origin: 21 points, MediaPipe order. */
function flatHand(): { x: number; y: number; z: number }[] {
  const pts = [{ x: 0, y: 0, z: -0.05 }];
  const fingerX = [-0.045, -0.025, 0, 0.02, 0.04];
  for (const [f, x] of fingerX.entries())
    for (let j = 0; j < 4; j++)
      pts.push({ x: x - (f === 0 ? 0.02 * (3 - j) : 0), y: 0, z: 0.02 * j + (f === 0 ? -0.03 : 0.03) });
  return pts;
}

/** Where a point of the plane y = 0 lands (the camera looks along +y, image up = +z). */
const pixel = (p: { x: number; z: number }) => ({ u: 100 * p.x + (W - 1) / 2, v: -100 * p.z + (H - 1) / 2 });
/** The mask's value at (u, v) in image coordinates (its rows are bottom first). */
const masked = (m: FrameMask, u: number, v: number) => m.data[(H - 1 - Math.round(v)) * W + Math.round(u)];

describe("hand mask", () => {
  const hand = flatHand();
  const mask = handMask(camera, 0, hand, "right");

  it("covers every keypoint where the pinhole projection puts it, rows bottom first", () => {
    for (const p of hand) {
      const { u, v } = pixel(p);
      expect(masked(mask, u, v)).toBe(1);
    }
  });

  it("leaves the frame's far corners and the side away from the arm alone", () => {
    expect(masked(mask, 2, 2)).toBe(0);
    expect(masked(mask, W - 3, 2)).toBe(0);
    // 12 cm left of the hand, level with the fingertips: neither hand nor arm.
    const { u, v } = pixel({ x: -0.12, z: 0.09 });
    expect(masked(mask, u, v)).toBe(0);
    const share = mask.count() / (W * H);
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.6);
  });

  it("masks the forearm below the wrist (behind it along the hand's axis)", () => {
    const { u, v } = pixel({ x: 0, z: -0.2 });
    expect(masked(mask, u, v)).toBe(1);
  });
});

describe("fill", () => {
  it("fills a hole in a flat image with its colour exactly and leaves the rest untouched", () => {
    const rgba = new Uint8Array(W * H * 4);
    for (let i = 0; i < W * H; i++) rgba.set([40, 120, 200, 255], i * 4);
    const mask = new FrameMask(W, H);
    mask.disc(60, 50, 20);
    for (let i = 0; i < W * H; i++) if (mask.data[i]) rgba.set([255, 0, 0, 255], i * 4);
    fillMasked(rgba, mask);
    for (let i = 0; i < W * H; i++) expect([...rgba.subarray(i * 4, i * 4 + 4)]).toEqual([40, 120, 200, 255]);
  });

  it("fills a hole in a left-to-right ramp with values between the hole's left and right edges, rising", () => {
    const rgba = new Uint8Array(W * H * 4);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) rgba.set([x, x, x, 255], (y * W + x) * 4);
    const before = rgba.slice();
    const mask = new FrameMask(W, H);
    mask.disc(80, 60, 15);
    fillMasked(rgba, mask);
    const row = (H - 1 - 60) * W;
    let last = -1;
    for (let x = 66; x <= 94; x++) {
      const v = rgba[(row + x) * 4]!;
      expect(v).toBeGreaterThanOrEqual(60);
      expect(v).toBeLessThanOrEqual(100);
      expect(v).toBeGreaterThanOrEqual(last - 2);
      last = v;
    }
    for (let i = 0; i < W * H; i++) if (!mask.data[i]) expect(rgba[i * 4]).toBe(before[i * 4]);
  });
});

describe("layering", () => {
  it("keeps the robot where it is opaque and the background where nothing was drawn", () => {
    const robot = new Uint8Array([10, 20, 30, 255, 0, 0, 0, 0, 50, 50, 50, 128]);
    const bg = new Uint8Array([200, 200, 200, 255, 90, 80, 70, 255, 100, 100, 100, 255]);
    drawOver(robot, bg);
    expect([...robot.subarray(0, 8)]).toEqual([10, 20, 30, 255, 90, 80, 70, 255]);
    // Premultiplied half alpha: 50 + 100 · 127/255.
    expect(robot[8]).toBe(Math.round(50 + (100 * 127) / 255));
    expect(robot[11]).toBe(255);
  });
});

describe("source frames", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "egobridge-composite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // 8 frames of 320×240 whose grey level is 20 + 25 · n (frame n), lossless.
  const video = path.join(dir, "ramp.mkv");
  const made = spawnSync("ffmpeg", [
    ...["-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=320x240:r=10:d=0.8"],
    ...["-vf", "geq=r='20+25*N':g='20+25*N':b='20+25*N'", "-c:v", "ffv1", "-pix_fmt", "bgr0", video],
  ]);
  const cam = {
    format: "egobridge.camera" as const,
    version: 1 as const,
    model: "pinhole" as const,
    widthPx: 320,
    heightPx: 240,
    fx: 300,
    fy: 300,
    cx: 159.5,
    cy: 119.5,
    distortion: [],
    provenance: "calibrated" as const,
  };

  it("gives frame n by index, forwards and back, fitted with black bars top and bottom", async () => {
    expect(made.status, made.stderr?.toString()).toBe(0);
    const size = { widthPx: 160, heightPx: 160 };
    const reader = new SourceFrameReader(video, cam, size);
    try {
      for (const n of [2, 5, 5, 7, 1]) {
        const f = await reader.at(n);
        const centre = (80 * 160 + 80) * 4;
        expect(Math.abs(f[centre]! - (20 + 25 * n))).toBeLessThanOrEqual(1);
        // 160×120 of picture, centred: rows 0–19 and 140–159 are bars.
        expect([...f.subarray(0, 4)]).toEqual([0, 0, 0, 255]);
        expect(f[(150 * 160 + 80) * 4]).toBe(0);
        expect(f[(25 * 160 + 80) * 4]).toBeGreaterThan(10);
      }
      await expect(reader.at(8)).rejects.toThrow(/has no frame 8/);
    } finally {
      await reader.close();
    }
  });
});
