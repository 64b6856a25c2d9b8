/**
 * The camera renderer against the pinhole model it claims: the target drawn by headless
 * Chromium's WebGL lies where Node's own projection of the recorded object pose puts it, for each
 * camera; the frames are the same on every run.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromArray3, invert, poseFromJson, poseToJson, transformPoint, vec3 } from "../../src/core/math.js";
import { EpisodeSchema } from "../../src/core/schemas/episode.js";
import {
  CAMERA_KEYS,
  type CameraJitter,
  episodeCameras,
  headSource,
  lookAt,
  project,
} from "../../src/render/cameras.js";
import { DEFAULT_LOOK, renderEpisodeInput } from "../../src/render/episode_scene.js";
import { renderVariation } from "../../src/render/episode_videos.js";
import { CameraRenderer } from "../../src/render/renderer.js";
import { CAN_ID, makeEpisode } from "../dataset/factories.js";

const SIZE = { widthPx: 320, heightPx: 240 };
const episode = EpisodeSchema.parse(makeEpisode({ length: 6 }));

let renderer: CameraRenderer;
beforeAll(async () => {
  renderer = await CameraRenderer.open();
  await renderer.load(await renderEpisodeInput(episode));
}, 60_000);
afterAll(async () => {
  await renderer?.close();
});

/** All frames of a camera, rows top first (the renderer hands them bottom first, as WebGL reads). */
async function frames(camera: ReturnType<typeof episodeCameras>[number]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const bytes = camera.widthPx * camera.heightPx * 4;
  await renderer.render(camera, async (_first, count, rgba) => {
    for (let k = 0; k < count; k++) {
      const frame = Buffer.alloc(bytes);
      const src = rgba.subarray(k * bytes, (k + 1) * bytes);
      const row = camera.widthPx * 4;
      for (let y = 0; y < camera.heightPx; y++)
        src.copy(frame, y * row, (camera.heightPx - 1 - y) * row, (camera.heightPx - y) * row);
      out.push(frame);
    }
  });
  return out;
}

/** Centroid (u, v) and count of the pixels in the target's orange (the scene's only saturated orange). */
function orangeCentroid(frame: Buffer, w: number): { u: number; v: number; n: number } {
  let su = 0;
  let sv = 0;
  let n = 0;
  for (let i = 0; i < frame.length; i += 4) {
    const r = frame[i]!;
    const g = frame[i + 1]!;
    const b = frame[i + 2]!;
    if (r > 90 && r - b > 60 && g - b > 15 && r > g) {
      const p = i / 4;
      su += p % w;
      sv += Math.floor(p / w);
      n++;
    }
  }
  return { u: su / n, v: sv / n, n };
}

describe("camera renderer", () => {
  it("draws the target where the pinhole projection of its recorded pose falls, from every camera", async () => {
    // Turned off their look-at aim, so the target is off the image centre in both axes.
    const turned: CameraJitter = { positionM: [0.02, -0.03, 0.01], rotationRad: [0.09, -0.07, 0.2] };
    const jitter = { head: turned, scene: turned, wrist: turned };
    for (const camera of episodeCameras(episode, CAMERA_KEYS, SIZE, jitter)) {
      const all = await frames(camera);
      expect(all).toHaveLength(episode.steps.length);
      // At the first step: later the gripper hides it from the head, and the wrist camera is so close
      // that the visible top is far from the projected centre.
      for (const step of [0]) {
        const at = project(camera, step, fromArray3(episode.steps[step]!.objects[CAN_ID]!.pos));
        expect(at, `${camera.key}: target behind the camera`).toBeDefined();
        const seen = orangeCentroid(all[step]!, camera.widthPx);
        expect(seen.n, `${camera.key} step ${step}: target not visible`).toBeGreaterThan(15);
        // The visible part of a lit cylinder is not centred on its axis exactly: a few pixels.
        expect(Math.hypot(seen.u - at![0], seen.v - at![1]), `${camera.key} step ${step}`).toBeLessThan(5);
      }
    }
  }, 60_000);

  it("a head camera from the capture sees the target where the source camera's own intrinsics put it", async () => {
    // A 16:9 source camera (off-centre principal point) at a moving head pose, as a video source gives.
    const camera = {
      format: "egobridge.camera" as const,
      version: 1 as const,
      model: "pinhole" as const,
      widthPx: 1920,
      heightPx: 1080,
      fx: 1300,
      fy: 1310,
      cx: 1010,
      cy: 500,
      distortion: [],
      provenance: "calibrated" as const,
    };
    const can = fromArray3(episode.steps[0]!.objects[CAN_ID]!.pos);
    const captured = EpisodeSchema.parse({
      ...episode,
      source: { ...episode.source, camera, headPose: "measured" },
      steps: episode.steps.map((s, k) => ({
        ...s,
        human: {
          ...s.human,
          X_WC: poseToJson(lookAt(vec3(0.05 + 0.01 * k, -0.45, 0.75), vec3(can.x + 0.08, can.y, can.z))),
        },
      })),
    });
    expect(headSource(captured)).toBe("capture_measured");
    await renderer.load(await renderEpisodeInput(captured));
    const [head] = episodeCameras(captured, ["head"], SIZE);
    const seen = orangeCentroid((await frames(head!))[0]!, SIZE.widthPx);
    // Where the source camera saw the can (its pixels), scaled into the output as fitIntrinsics says.
    const p = transformPoint(invert(poseFromJson(captured.steps[0]!.human.X_WC!)), can);
    const u = camera.fx * (p.x / p.z) + camera.cx;
    const v = camera.fy * (p.y / p.z) + camera.cy;
    const scale = Math.min(SIZE.widthPx / 1920, SIZE.heightPx / 1080);
    const expected = [(u + 0.5) * scale - 0.5, (v + 0.5) * scale - 0.5 + (SIZE.heightPx - 1080 * scale) / 2];
    expect(seen.n).toBeGreaterThan(15);
    expect(Math.hypot(seen.u - expected[0]!, seen.v - expected[1]!)).toBeLessThan(4);
    await renderer.load(await renderEpisodeInput(episode));
  }, 60_000);

  it("draws a variant's carton pattern: the look's pattern changes the carton's pixels, the same pattern gives the same", async () => {
    // The can as a carton (a dynamic box of the can's size), seen from the head camera.
    const carton = EpisodeSchema.parse({
      ...episode,
      scene: {
        ...episode.scene,
        items: episode.scene.items.map((item) => {
          if (item.id !== CAN_ID || item.kind !== "cylinder") return item;
          const { radiusM, heightM, ...rest } = item;
          return { ...rest, kind: "box", sizeM: [2 * radiusM, 2 * radiusM, heightM] };
        }),
      },
    });
    const [head] = episodeCameras(carton, ["head"], SIZE);
    const digest = async (cartonPattern: number) => {
      await renderer.load(await renderEpisodeInput(carton, { ...DEFAULT_LOOK, cartonPattern }));
      return createHash("sha256")
        .update(Buffer.concat(await frames(head!)))
        .digest("hex");
    };
    const plain = await digest(0);
    const patterned = await digest(4242);
    expect(patterned).not.toBe(plain);
    expect(await digest(4242)).toBe(patterned);
    await renderer.load(await renderEpisodeInput(episode));
  }, 60_000);

  it("records a variant's look, carton pattern included, as a function of its seed", () => {
    const variant = (seed: number) => ({ ...episode, lineage: { ...episode.lineage, variant: 1, seed } });
    const a = renderVariation(variant(7));
    expect(renderVariation(variant(7))).toEqual(a);
    expect(Number.isInteger(a.look.cartonPattern)).toBe(true);
    expect(a.look.cartonPattern).toBeGreaterThanOrEqual(1);
    const patterns = new Set([1, 2, 3, 4, 5].map((s) => renderVariation(variant(s)).look.cartonPattern));
    expect(patterns.size).toBeGreaterThan(3);
    expect(renderVariation(episode).look).toEqual(DEFAULT_LOOK);
  });

  it("gives the same pixels on every run", async () => {
    const [head] = episodeCameras(episode, ["head"], SIZE);
    const digest = async () =>
      createHash("sha256")
        .update(Buffer.concat(await frames(head!)))
        .digest("hex");
    const a = await digest();
    await renderer.load(await renderEpisodeInput(episode));
    expect(await digest()).toBe(a);
  }, 60_000);
});
