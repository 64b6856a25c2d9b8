/**
 * robomimic `actions` as robosuite's OSC_POSE delta input (`actions: "delta"`), read back with
 * jsfive: applying each row's delta the way robosuite does — goal position = measured + d·0.05,
 * goal rotation = R(axis-angle·0.5) · R(measured), by Rodrigues' formula here — to the measured
 * pose in `obs` gives the commanded pose the file stores in `datagen_info/target_pose`, a
 * different dataset written by a different path; the gripper is ±1; a step beyond the
 * controller's range is clipped and counted.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vec3 } from "../../src/core/math.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import { writeRobomimicHdf5 } from "../../src/dataset/robomimic/index.js";
import { makeEpisode } from "./factories.js";
import { dataset, group, readH5, rowsOf } from "./robomimic_helpers.js";

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-robomimic-actions-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

type M3 = number[][];
const matMul = (a: M3, b: M3): M3 =>
  a.map((r) => [0, 1, 2].map((j) => r[0]! * b[0]![j]! + r[1]! * b[1]![j]! + r[2]! * b[2]![j]!));

/** Rotation matrix of an axis-angle vector (Rodrigues). */
function rodrigues(v: number[]): M3 {
  const th = Math.hypot(v[0]!, v[1]!, v[2]!);
  if (th < 1e-15)
    return [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
  const [x, y, z] = v.map((c) => c / th) as [number, number, number];
  const c = Math.cos(th);
  const s = Math.sin(th);
  const t = 1 - c;
  return [
    [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
    [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
    [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
  ];
}

/** Rotation matrix of a unit quaternion [x, y, z, w]. */
function quatMatrix([x, y, z, w]: number[]): M3 {
  return [
    [1 - 2 * (y! * y! + z! * z!), 2 * (x! * y! - z! * w!), 2 * (x! * z! + y! * w!)],
    [2 * (x! * y! + z! * w!), 1 - 2 * (x! * x! + z! * z!), 2 * (y! * z! - x! * w!)],
    [2 * (x! * z! - y! * w!), 2 * (y! * z! + x! * w!), 1 - 2 * (x! * x! + y! * y!)],
  ];
}

/** An episode whose commanded orientation turns a little every step (about a tilted axis). */
function turning(): Episode {
  const e = makeEpisode({ id: "turning", length: 14 });
  const axis = [0.3, -0.5, 0.81];
  const n = Math.hypot(...axis);
  for (const [i, step] of e.steps.entries()) {
    const half = (0.06 * i) / 2;
    const q = [...axis.map((a) => (a / n) * Math.sin(half)), Math.cos(half)] as [
      number,
      number,
      number,
      number,
    ];
    step.action.tcp.quatXyzw = q;
    // The measured orientation lags the command by a step, as a tracking controller's does.
    const lag = (0.06 * Math.max(0, i - 1)) / 2;
    step.state.tcp.quatXyzw = [...axis.map((a) => (a / n) * Math.sin(lag)), Math.cos(lag)] as typeof q;
  }
  return e;
}

describe("robomimic delta actions", () => {
  it("hold robosuite's OSC_POSE input: the measured pose moved by each row's delta is the commanded pose", async () => {
    const file = path.join(tmp, "delta.hdf5");
    // Slow enough for the controller's 5 cm per step (the factory's shortest episodes are not).
    const episodes = [
      makeEpisode({ id: "a", length: 20 }),
      makeEpisode({ id: "b", length: 16, offsetM: vec3(0.05, -0.1, 0), yawRad: -0.5 }),
      turning(),
    ];
    const summary = await writeRobomimicHdf5(file, episodes, { actions: "delta" });
    expect(summary.clippedActions).toBe(0);
    const f = await readH5(file);
    const env = JSON.parse(String(group(f, "data").attrs.env_args));
    expect(env.env_kwargs.controller_configs).toMatchObject({ type: "OSC_POSE", control_delta: true });
    const outMax: number[] = env.env_kwargs.controller_configs.output_max;
    for (const [i, e] of episodes.entries()) {
      const demo = `data/demo_${i}`;
      const actions = dataset(f, `${demo}/actions`);
      expect(actions.shape).toEqual([e.steps.length, 7]);
      const pos = rowsOf(dataset(f, `${demo}/obs/robot0_eef_pos`));
      const quat = rowsOf(dataset(f, `${demo}/obs/robot0_eef_quat`));
      const target = rowsOf(dataset(f, `${demo}/datagen_info/target_pose`));
      const gripper = rowsOf(dataset(f, `${demo}/datagen_info/gripper_action`));
      let turned = 0;
      for (const [t, a] of rowsOf(actions).entries()) {
        for (const v of a) expect(Math.abs(v)).toBeLessThanOrEqual(1);
        const goalPos = [0, 1, 2].map((k) => pos[t]![k]! + a[k]! * outMax[k]!);
        const goalRot = matMul(rodrigues([3, 4, 5].map((k) => a[k]! * outMax[k]!)), quatMatrix(quat[t]!));
        const T = target[t]!;
        for (const k of [0, 1, 2]) {
          expect(goalPos[k]).toBeCloseTo(T[4 * k + 3]!, 12);
          for (const j of [0, 1, 2]) expect(goalRot[k]![j]).toBeCloseTo(T[4 * k + j]!, 10);
        }
        expect(a[6]).toBe(gripper[t]![0]);
        if (Math.hypot(a[3]!, a[4]!, a[5]!) > 0.05) turned++;
      }
      if (e.id === "turning") expect(turned).toBeGreaterThan(8);
      expect(Number(group(f, demo).attrs.actions_clipped)).toBe(0);
    }
  });

  it("clip a step beyond the controller's range to it, and count it", async () => {
    const e = makeEpisode({ id: "jump" });
    e.steps[5]!.action.tcp.pos[2]! += 0.2;
    const file = path.join(tmp, "jump.hdf5");
    const summary = await writeRobomimicHdf5(file, [e], { actions: "delta" });
    expect(summary.clippedActions).toBe(1);
    const f = await readH5(file);
    expect(Number(group(f, "data/demo_0").attrs.actions_clipped)).toBe(1);
    expect(rowsOf(dataset(f, "data/demo_0/actions"))[5]![2]).toBe(1);
    // The default stays absolute: the commanded pose itself.
    const abs = path.join(tmp, "abs.hdf5");
    await writeRobomimicHdf5(abs, [e]);
    const g = await readH5(abs);
    expect(dataset(g, "data/demo_0/actions").shape).toEqual([e.steps.length, 8]);
    expect(rowsOf(dataset(g, "data/demo_0/actions"))[5]![2]).toBeCloseTo(e.steps[5]!.action.tcp.pos[2]!, 15);
  });
});
