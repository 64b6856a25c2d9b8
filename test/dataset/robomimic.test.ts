/**
 * End-to-end tests of what the robomimic HDF5 writer stores: the layout of data/ and mask/, actions,
 * states, obs / next_obs, rewards and dones, MimicGen's datagen_info, env_args and demo attrs, the
 * train / valid split and links from variants to their source demos. Every file is read back with
 * jsfive and compared with values computed here from the input episodes.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Episode } from "../../src/core/schemas/episode.js";
import { isValidationDemo, writeRobomimicHdf5 } from "../../src/dataset/robomimic/index.js";
import { CAN_ID, makeEpisode, makeEpisodes } from "./factories.js";
import {
  dataset,
  demoNames,
  expectClose,
  expectedObs,
  expectPoseMatrix,
  group,
  MATRIX_TOL,
  numbers,
  OBS_KEYS,
  observedStep,
  poseRow,
  readH5,
  rowsOf,
  sortedKeys,
  wxyz,
} from "./robomimic_helpers.js";

/** A variant of `source` as the augmenter labels one. */
function variantOf(source: Episode, id: string, variant: number): Episode {
  const e = makeEpisode({ id, length: 10, seed: 20 + variant });
  return { ...e, lineage: { ...e.lineage, sourceEpisode: source.id, variant } };
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
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it("writes one demo per episode, in input order, with total and num_samples", async () => {
    const summary = await writeRobomimicHdf5(file, episodes);
    expect(summary).toEqual({ demos: 3, frames: 12 + 9 + 15, successes: 2, file, clippedActions: 0 });
    const f = await readH5(file);
    expect(sortedKeys(f)).toEqual(["data", "mask"]);
    const data = group(f, "data");
    expect(sortedKeys(data)).toEqual(["demo_0", "demo_1", "demo_2"]);
    expect(data.attrs.total).toBe(36);
    episodes.forEach((e, i) => {
      const demo = group(f, `data/demo_${i}`);
      expect(demo.attrs.num_samples).toBe(e.steps.length);
      expect(demo.attrs.episode_id).toBe(e.id);
      expect(sortedKeys(demo)).toEqual([
        "actions",
        "datagen_info",
        "dones",
        "next_obs",
        "obs",
        "rewards",
        "states",
      ]);
      expect(sortedKeys(group(demo, "obs"))).toEqual(OBS_KEYS);
      expect(sortedKeys(group(demo, "next_obs"))).toEqual(OBS_KEYS);
    });
    expect(await fs.readdir(tmp)).toEqual(["demos.hdf5"]);
  });

  it("stores actions and states as absolute W-frame poses with scalar-first quaternions", async () => {
    await writeRobomimicHdf5(file, episodes);
    const f = await readH5(file);
    episodes.forEach((e, ep) => {
      const n = e.steps.length;
      const actions = dataset(f, `data/demo_${ep}/actions`);
      const states = dataset(f, `data/demo_${ep}/states`);
      expect([actions.shape, actions.dtype]).toEqual([[n, 8], "<f8"]);
      expect([states.shape, states.dtype]).toEqual([[n, 8 + 7], "<f8"]);
      const a = rowsOf(actions);
      const s = rowsOf(states);
      e.steps.forEach((step, i) => {
        expect(a[i]).toEqual([
          ...step.action.tcp.pos,
          ...wxyz(step.action.tcp.quatXyzw),
          step.action.apertureM,
        ]);
        const seen = e.steps[observedStep(i)]!;
        expect(s[i]).toEqual([
          ...seen.state.tcp.pos,
          ...wxyz(seen.state.tcp.quatXyzw),
          seen.state.apertureM,
          ...poseRow(seen.objects[CAN_ID]!),
        ]);
      });
    });
    // The gripper points down, so its quaternion has w = 0 and x ≠ 0: the order is visible.
    const q = episodes[0]!.steps[0]!.state.tcp.quatXyzw;
    expect(Math.abs(q[3])).toBeLessThan(1e-12);
    expect(Math.abs(q[0])).toBeGreaterThan(0.5);
    // States are scalar-first (MuJoCo's state); the observation keys robosuite's [x, y, z, w].
    expect(rowsOf(dataset(f, "data/demo_0/states"))[0]!.slice(3, 7)).toEqual([q[3], q[0], q[1], q[2]]);
    expect(rowsOf(dataset(f, "data/demo_0/obs/robot0_eef_quat"))[0]).toEqual([q[0], q[1], q[2], q[3]]);
    expect(rowsOf(dataset(f, "data/demo_0/obs/object"))[0]!.slice(3)).toEqual([0, 0, 0, 1]);
  });

  it("stores every observation key per step: obs before the step, next_obs after it", async () => {
    await writeRobomimicHdf5(file, episodes);
    const f = await readH5(file);
    episodes.forEach((e, ep) => {
      const n = e.steps.length;
      for (const key of OBS_KEYS) {
        const obs = dataset(f, `data/demo_${ep}/obs/${key}`);
        const next = dataset(f, `data/demo_${ep}/next_obs/${key}`);
        const width = expectedObs(e, 0, 0)[key]!.length;
        const dtype = key === "human_frame_index" || key === "human_status" ? "<i8" : "<f8";
        expect([obs.shape, obs.dtype], key).toEqual([[n, width], dtype]);
        expect([next.shape, next.dtype], key).toEqual([[n, width], dtype]);
        const o = rowsOf(obs);
        const x = rowsOf(next);
        for (let i = 0; i < n; i++) {
          expect(o[i], `${key} step ${i}`).toEqual(expectedObs(e, observedStep(i), i)[key]);
          expect(x[i], `next ${key} step ${i}`).toEqual(expectedObs(e, i, Math.min(i + 1, n - 1))[key]);
        }
      }
    });
  });

  it("writes sparse rewards on the last step of successful demos and dones on every last step", async () => {
    await writeRobomimicHdf5(file, episodes);
    const f = await readH5(file);
    episodes.forEach((e, ep) => {
      const n = e.steps.length;
      const rewards = dataset(f, `data/demo_${ep}/rewards`);
      const dones = dataset(f, `data/demo_${ep}/dones`);
      expect([rewards.shape, rewards.dtype, dones.shape, dones.dtype]).toEqual([[n], "<f8", [n], "<i8"]);
      const last = (v: number) => Array.from({ length: n }, (_, i) => (i === n - 1 ? v : 0));
      expect(numbers(rewards)).toEqual(last(e.success ? 1 : 0));
      expect(numbers(dones)).toEqual(last(1));
    });
    expect(episodes.map((e) => e.success)).toEqual([true, false, true]);
  });

  it("writes MimicGen's datagen_info: pose matrices, gripper actions and the grasp signal", async () => {
    await writeRobomimicHdf5(file, episodes);
    const f = await readH5(file);
    episodes.forEach((e, ep) => {
      const n = e.steps.length;
      const info = group(f, `data/demo_${ep}/datagen_info`);
      expect(sortedKeys(info)).toEqual([
        "eef_pose",
        "gripper_action",
        "object_poses",
        "subtask_term_signals",
        "target_pose",
      ]);
      expect(info.attrs).toMatchObject({ env_interface_name: "egobridge", env_interface_type: "egobridge" });
      const pose = (key: string) => {
        const d = dataset(info, key);
        expect([d.shape, d.dtype], key).toEqual([[n, 4, 4], "<f8"]);
        return rowsOf(d);
      };
      const eef = pose("eef_pose");
      const target = pose("target_pose");
      expect(sortedKeys(group(info, "object_poses"))).toEqual([CAN_ID]);
      const can = pose(`object_poses/${CAN_ID}`);
      const gripper = dataset(info, "gripper_action");
      const grasp = dataset(info, "subtask_term_signals/grasp");
      expect([gripper.shape, gripper.dtype, grasp.shape, grasp.dtype]).toEqual([[n, 1], "<f8", [n], "<i8"]);
      e.steps.forEach((step, i) => {
        expectPoseMatrix(eef[i]!, e.steps[observedStep(i)]!.state.tcp);
        expectPoseMatrix(target[i]!, step.action.tcp);
        expectPoseMatrix(can[i]!, e.steps[observedStep(i)]!.objects[CAN_ID]!);
      });
      expect(numbers(gripper)).toEqual(e.steps.map((s) => (s.action.grasp ? 1 : -1)));
      expect(numbers(grasp)).toEqual(e.steps.map((s) => (s.action.grasp ? 1 : 0)));
      // The demo grasps half way: the signal's 0 → 1 edge is where MimicGen ends the first subtask.
      expect(numbers(grasp)).toContain(0);
      expect(numbers(grasp)).toContain(1);
    });
  });

  it("writes X_WB, not its transpose: a can turned 90° about z maps its x axis to W's y", async () => {
    const turned = makeEpisode({ id: "turned", length: 3 });
    const half = Math.SQRT1_2;
    for (const step of turned.steps) step.objects[CAN_ID]!.quatXyzw = [0, 0, half, half];
    await writeRobomimicHdf5(file, [turned]);
    const m = rowsOf(dataset(await readH5(file), `data/demo_0/datagen_info/object_poses/${CAN_ID}`))[0]!;
    const [x, y, z] = turned.steps[0]!.objects[CAN_ID]!.pos;
    expectClose(m, [0, -1, 0, x, 1, 0, 0, y, 0, 0, 1, z, 0, 0, 0, 1], MATRIX_TOL);
  });

  it("describes the environment in env_args and the episode's provenance in demo attrs", async () => {
    await writeRobomimicHdf5(file, episodes);
    const f = await readH5(file);
    const envArgs = JSON.parse(String(group(f, "data").attrs.env_args));
    expect(envArgs).toMatchObject({
      // No environment robomimic could create: not a gym id named by the task.
      env_name: "egobridge",
      type: 0,
      env_kwargs: {
        tasks: ["pick up the can", "put the can down"],
        frame: "W",
        control_hz: 30,
        controller: "absolute_pose",
        quaternion_order: { obs: "xyzw", next_obs: "xyzw", actions: "wxyz", states: "wxyz" },
        action_names: ["x", "y", "z", "qw", "qx", "qy", "qz", "aperture_m"],
        gripper_action: { open: -1, closed: 1 },
      },
    });
    expect(envArgs.env_kwargs.human_keypoint_names).toHaveLength(63);
    episodes.forEach((e, i) => {
      const attrs = group(f, `data/demo_${i}`).attrs;
      expect(attrs).toMatchObject({
        episode_id: e.id,
        task: e.task,
        success: e.success ? 1 : 0,
        source: e.lineage.source,
        seed: e.lineage.seed,
        embodiment: "robotiq_2f85",
      });
      expect(JSON.parse(String(attrs.reasons))).toEqual(e.reasons);
      expect(JSON.parse(String(attrs.lineage_params))).toEqual(e.lineage.params);
      expect(JSON.parse(String(attrs.object_ids))).toEqual([CAN_ID]);
      expect(attrs.source_episode).toBeUndefined();
      expect(attrs.variant).toBeUndefined();
    });
    await writeRobomimicHdf5(file, episodes, { envName: "EgobridgeCanLift" });
    expect(JSON.parse(String(group(await readH5(file), "data").attrs.env_args)).env_name).toBe(
      "EgobridgeCanLift",
    );
  });

  it("splits demos into mask/train and mask/valid by order and lists mask/successful", async () => {
    const many = Array.from({ length: 25 }, (_, i) =>
      makeEpisode({ id: `ep_${i}`, length: 3, success: i % 3 !== 0, sourceFrame0: i }),
    );
    await writeRobomimicHdf5(file, many);
    const f = await readH5(file);
    expect(sortedKeys(group(f, "mask"))).toEqual(["successful", "train", "valid"]);
    const names = (key: string) => demoNames(dataset(f, `mask/${key}`));
    expect(names("valid")).toEqual(["demo_9", "demo_19"]);
    expect(names("train")).toEqual(
      Array.from({ length: 25 }, (_, i) => i)
        .filter((i) => i !== 9 && i !== 19)
        .map((i) => `demo_${i}`),
    );
    expect(names("successful")).toEqual(
      Array.from({ length: 25 }, (_, i) => i)
        .filter((i) => i % 3 !== 0)
        .map((i) => `demo_${i}`),
    );
    expect(dataset(f, "mask/valid").dtype).toMatch(/^S\d+$/);

    // Fewer demos than 1 / fraction: the last one validates, so mask/valid is never empty.
    await writeRobomimicHdf5(file, many.slice(0, 4));
    const small = await readH5(file);
    expect(demoNames(dataset(small, "mask/valid"))).toEqual(["demo_3"]);
    expect(demoNames(dataset(small, "mask/train"))).toEqual(["demo_0", "demo_1", "demo_2"]);

    await writeRobomimicHdf5(file, many.slice(0, 4), { validFraction: 0 });
    const g = await readH5(file);
    expect(demoNames(dataset(g, "mask/valid"))).toEqual([]);
    expect(demoNames(dataset(g, "mask/train"))).toEqual(["demo_0", "demo_1", "demo_2", "demo_3"]);
  });

  it("puts floor(n · fraction) of any first n demos into the validation split, spread evenly", () => {
    for (const [p, q] of [
      [1, 10],
      [1, 4],
      [1, 3],
      [57, 100],
      [9, 10],
    ] as const) {
      let count = 0;
      for (let n = 1; n <= 300; n++) {
        if (isValidationDemo(n - 1, p / q)) count++;
        expect(count, `fraction ${p}/${q}, n = ${n}`).toBe(Math.floor((n * p) / q));
      }
    }
  });

  it("links variants to their source demo as MimicGen's src_demo_inds / src_demo_labels", async () => {
    const [source, other] = episodes;
    const early = variantOf(other!, "grab_can_001~v0", 0);
    const input = [
      early,
      source!,
      variantOf(source!, "grab_can_000~v3", 3),
      other!,
      variantOf(makeEpisode({ id: "elsewhere" }), "elsewhere~v1", 1),
    ];
    await writeRobomimicHdf5(file, input);
    const f = await readH5(file);
    const inds = dataset(f, "data/demo_2/src_demo_inds");
    const labels = dataset(f, "data/demo_2/src_demo_labels");
    expect([inds.shape, inds.dtype, numbers(inds)]).toEqual([[2], "<i8", [1, 1]]);
    expect([labels.shape, labels.dtype]).toEqual([[10, 1], "<i8"]);
    expect(numbers(labels)).toEqual(Array(10).fill(1));
    expect(group(f, "data/demo_2").attrs).toMatchObject({ source_episode: source!.id, variant: 3 });
    // Source later in the file, or not in it at all: only the source's id is recorded.
    for (const [demo, sourceId] of [
      ["demo_0", other!.id],
      ["demo_4", "elsewhere"],
    ] as const) {
      const g = group(f, `data/${demo}`);
      expect(g.keys).not.toContain("src_demo_inds");
      expect(g.keys).not.toContain("src_demo_labels");
      expect(g.attrs.source_episode).toBe(sourceId);
    }
  });
});
