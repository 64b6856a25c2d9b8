/**
 * robomimic camera images (obs/<camera>_image), read back with jsfive: uint8 [N, H, W, 3] per
 * camera, next_obs shifted by one frame from obs, the same pixels the LeRobot video stream holds
 * before encoding, and the cameras named in env_args.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeRobomimicHdf5 } from "../../src/dataset/robomimic/index.js";
import { openImageSource } from "../../src/render/camera_source.js";
import { makeEpisodes } from "./factories.js";
import { dataset, group, readH5 } from "./robomimic_helpers.js";

const W = 64;
const H = 48;
let tmp: string;
let source: Awaited<ReturnType<typeof openImageSource>>;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-robomimic-images-"));
  source = await openImageSource({ keys: ["head", "wrist"], size: { widthPx: W, heightPx: H } });
}, 60_000);
afterAll(async () => {
  await source?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("robomimic camera images", () => {
  it("stores obs/<camera>_image and next_obs/<camera>_image as uint8 frames, next_obs one frame on", async () => {
    const file = path.join(tmp, "images.hdf5");
    const episodes = makeEpisodes();
    await writeRobomimicHdf5(file, episodes, { images: source });
    const f = await readH5(file);
    for (const [i, e] of episodes.entries()) {
      const n = e.steps.length;
      for (const camera of ["head", "wrist"]) {
        const obs = dataset(f, `data/demo_${i}/obs/${camera}_image`);
        const next = dataset(f, `data/demo_${i}/next_obs/${camera}_image`);
        expect(obs.shape).toEqual([n, H, W, 3]);
        expect(next.shape).toEqual([n, H, W, 3]);
        expect(obs.dtype).toBe("<u1");
        const a = obs.value as number[];
        const b = next.value as number[];
        const frame = H * W * 3;
        // next_obs row t is obs row t + 1 (the state after step t is what row t + 1 observes).
        expect(b.slice(0, (n - 1) * frame)).toEqual(a.slice(frame));
        // A drawn scene, not a blank frame.
        expect(new Set(a.slice(0, frame)).size, `${camera} demo ${i}`).toBeGreaterThan(20);
      }
    }
    const envArgs = JSON.parse(String(group(f, "data").attrs.env_args));
    expect(envArgs.env_kwargs).toMatchObject({
      camera_names: ["head", "wrist"],
      camera_height: H,
      camera_width: W,
    });
  }, 120_000);
});
