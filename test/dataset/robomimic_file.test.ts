/**
 * The robomimic HDF5 writer as a file: byte-identical output for the same episodes, atomic
 * replacement (a failed write leaves no file, or the old one, behind), errors on bad input,
 * streaming from a generator, and a real simulated demonstration with a validated variant. Every
 * file is read back with jsfive.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runVariant } from "../../src/augment/generate.js";
import { segmentEpisode } from "../../src/augment/segments.js";
import { IDENTITY_VARIATION } from "../../src/augment/variation.js";
import { InputError } from "../../src/core/errors.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import { writeRobomimicHdf5 } from "../../src/dataset/robomimic/index.js";
import { loadEmbodiment } from "../../src/pipeline/catalog.js";
import { demoCase, runCase } from "../sim/fixtures.js";
import { CAN_ID, makeEpisode, makeEpisodes } from "./factories.js";
import {
  dataset,
  demoNames,
  expectPoseMatrix,
  group,
  numbers,
  observedStep,
  obsPoseRow,
  readH5,
  rowsOf,
} from "./robomimic_helpers.js";

async function* asAsync<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe("writeRobomimicHdf5", () => {
  let tmp: string;
  let file: string;
  let episodes: Episode[];

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-robomimic-"));
    file = path.join(tmp, "demos.hdf5");
    episodes = makeEpisodes();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it("is deterministic: the same episodes give a byte-identical file, whatever the clock says", async () => {
    const clock = vi.spyOn(Date, "now").mockReturnValue(Date.UTC(2024, 0, 1));
    await writeRobomimicHdf5(file, episodes);
    clock.mockReturnValue(Date.UTC(2031, 5, 7, 13, 45, 12));
    const again = path.join(tmp, "again.hdf5");
    await writeRobomimicHdf5(again, asAsync(makeEpisodes()));
    const [a, b] = await Promise.all([fs.readFile(file), fs.readFile(again)]);
    expect(a.length).toBeGreaterThan(0);
    expect(a.equals(b)).toBe(true);
    expect(Date.now()).toBe(Date.UTC(2031, 5, 7, 13, 45, 12));
  });

  it("rejects a step with NaN, naming the episode, and leaves no file behind", async () => {
    const bad = makeEpisode({ id: "bad" });
    bad.steps[4]!.state.tcp.pos[1] = Number.NaN;
    const write = writeRobomimicHdf5(file, [...episodes, bad]);
    await expect(write).rejects.toThrow(InputError);
    await expect(write).rejects.toThrow(/episode 3 \('bad'\).*steps\.4\.state\.tcp\.pos\.1/s);
    expect(await fs.readdir(tmp)).toEqual([]);
  });

  it("leaves an existing file untouched when a later write fails", async () => {
    await writeRobomimicHdf5(file, episodes);
    const before = await fs.readFile(file);
    const drifting = makeEpisode({ id: "drifting" });
    // Valid contract, but the can is reported as another object at one step: found while
    // writing the second demo, after the first was written into the temporary file.
    drifting.steps[7]!.objects = { box: drifting.steps[7]!.objects[CAN_ID]! };
    await expect(writeRobomimicHdf5(file, [episodes[0]!, drifting])).rejects.toThrow(
      /episode 1 \('drifting'\) step 7: objects \[box\] differ from step 0's \[can\]/,
    );
    expect((await fs.readFile(file)).equals(before)).toBe(true);
    expect(await fs.readdir(tmp)).toEqual(["demos.hdf5"]);
  });

  it("rejects no episodes, mixed control rates, duplicate ids and bad options", async () => {
    await expect(writeRobomimicHdf5(file, [])).rejects.toThrow(/no episodes to write/);
    await expect(writeRobomimicHdf5(file, asAsync([]))).rejects.toThrow(InputError);
    const slow = makeEpisode({ id: "slow", controlHz: 15 });
    await expect(writeRobomimicHdf5(file, [episodes[0]!, slow])).rejects.toThrow(
      /episode 1 \('slow'\): controlHz is 15 but episode 0 \('grab_can_000'\) runs at 30/,
    );
    await expect(writeRobomimicHdf5(file, [episodes[0]!, episodes[0]!])).rejects.toThrow(
      /also the id of episode 0/,
    );
    const slash = makeEpisode({ id: "slash" });
    for (const step of slash.steps) step.objects["shelf/can"] = step.objects[CAN_ID]!;
    await expect(writeRobomimicHdf5(file, [slash])).rejects.toThrow(
      /episode 0 \('slash'\): object id 'shelf\/can' cannot name an HDF5 dataset/,
    );
    await expect(writeRobomimicHdf5(file, episodes, { validFraction: 1 })).rejects.toThrow(/validFraction/);
    await expect(writeRobomimicHdf5(file, episodes, { envName: " " })).rejects.toThrow(/envName/);
    await expect(writeRobomimicHdf5(tmp, episodes)).rejects.toThrow(/it is a directory/);
    expect(await fs.readdir(tmp)).toEqual([]);
  });

  it("streams: stops pulling episodes at the first bad one and closes the source", async () => {
    const pulled: string[] = [];
    let closed = false;
    function* source(): Generator<unknown> {
      try {
        for (const e of [episodes[0]!, { ...episodes[1]!, controlHz: 10 }, episodes[2]!]) {
          pulled.push(e.id);
          yield e;
        }
      } finally {
        closed = true;
      }
    }
    await expect(writeRobomimicHdf5(file, source())).rejects.toThrow(/episode 1 \('grab_can_001'\)/);
    expect(pulled).toEqual(["grab_can_000", "grab_can_001"]);
    expect(closed).toBe(true);
    expect(await fs.readdir(tmp)).toEqual([]);
  });

  it("writes a simulated demonstration and a validated variant of it", async () => {
    const source = (await runCase(await demoCase(0))).episode;
    const variant = await runVariant(
      source,
      0,
      { ...IDENTITY_VARIATION("robotiq_2f85"), shift: [0.05, 0.02], yawRad: 0.2 },
      segmentEpisode(source),
      { seed: 1, loadEmbodiment },
    );
    const summary = await writeRobomimicHdf5(file, [source, variant]);
    expect(summary.frames).toBe(source.steps.length + variant.steps.length);
    const f = await readH5(file);
    [source, variant].forEach((e, d) => {
      const n = e.steps.length;
      const ids = Object.keys(e.steps[0]!.objects).sort();
      const demo = group(f, `data/demo_${d}`);
      expect(demo.attrs.num_samples).toBe(n);
      expect(JSON.parse(String(demo.attrs.object_ids))).toEqual(ids);
      expect(dataset(demo, "states").shape).toEqual([n, 8 + 7 * ids.length]);
      const eef = rowsOf(dataset(demo, "datagen_info/eef_pose"));
      const obs = rowsOf(dataset(demo, "obs/robot0_eef_pos"));
      const target = rowsOf(dataset(demo, "obs/target_pose"));
      for (const i of [0, Math.floor(n / 2), n - 1]) {
        const seen = e.steps[observedStep(i)]!;
        expectPoseMatrix(eef[i]!, seen.state.tcp);
        expect(obs[i]).toEqual(seen.state.tcp.pos);
        expect(target[i]).toEqual(obsPoseRow(seen.objects[e.scene.task.targetId]!));
      }
    });
    expect(numbers(dataset(f, "data/demo_1/src_demo_inds"))).toEqual([0, 0]);
    expect(group(f, "data/demo_1").attrs).toMatchObject({ source_episode: source.id, variant: 0 });
    expect(demoNames(dataset(f, "mask/successful"))).toEqual(
      [source, variant].flatMap((e, d) => (e.success ? [`demo_${d}`] : [])),
    );
  });
});
