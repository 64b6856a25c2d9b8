import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Episode } from "../../src/core/schemas/episode.js";
import { writeLeRobotDataset } from "../../src/dataset/lerobot/writer.js";
import { writeRobomimicHdf5 } from "../../src/dataset/robomimic/writer.js";
import { proceduralPickToTote } from "../../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";
import { linkageOf } from "../../src/sim/gripper_models.js";
import { simulateEpisode } from "../../src/sim/simulate.js";
import { caughtInputError } from "../input_error.js";
import { makeEpisode } from "./factories.js";
import { dataset, group, readH5, rowsOf } from "./robomimic_helpers.js";
import { snapshot } from "./snapshot.js";

/** The Panda's joints as its MJCF names them, written out rather than read from the embodiment. */
const JOINTS = ["joint1", "joint2", "joint3", "joint4", "joint5", "joint6", "joint7"];
const STATE_NAMES = [
  "tcp.x",
  "tcp.y",
  "tcp.z",
  "tcp.qx",
  "tcp.qy",
  "tcp.qz",
  "tcp.qw",
  "gripper.aperture_m",
  ...JOINTS.map((j) => `arm.${j}.pos`),
  ...JOINTS.map((j) => `arm.${j}.vel`),
];

/** The step whose measured state row i observes. */
const seenAt = (i: number): number => (i === 0 ? 0 : i - 1);

/** What `observation.state` row i holds, as float32 stores it. */
function expectedState(e: Episode, i: number): number[] {
  const s = e.steps[seenAt(i)]!.state;
  return [...s.tcp.pos, ...s.tcp.quatXyzw, s.apertureM, ...s.joints!.q, ...s.joints!.qd].map(Math.fround);
}

async function dataRows(dir: string): Promise<Record<string, unknown>[]> {
  const buf = await fs.readFile(path.join(dir, "data/chunk-000/file-000.parquet"));
  const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[];
}

const readJson = async (file: string) => JSON.parse(await fs.readFile(file, "utf8"));

let panda: Episode;
/** A free gripper's episode at the Panda episode's control rate (30 Hz). */
let free: Episode;

beforeAll(async () => {
  const embodiment = await loadEmbodiment("franka_panda");
  const scene = await loadScene("shelf_to_tote");
  const trajectory = retargetParallelJaw(
    proceduralPickToTote(scene, { seed: 0 }),
    embodiment,
    {},
    await linkageOf(embodiment),
  );
  panda = await simulateEpisode({
    scene,
    embodiment,
    trajectory,
    seed: 0,
    id: "panda_pick",
    task: "move the item from the shelf to the tote",
    lineageSource: "test",
  });
  free = makeEpisode({ id: "free_gripper", controlHz: panda.controlHz });
});

describe("arm joints in the datasets", () => {
  let tmp: string;

  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-arm-joints-"));
  });
  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it("the simulated Panda episode records its 7 joints on every step, and they move", () => {
    expect(panda.embodiment.arm?.joints).toEqual(JOINTS);
    for (const s of panda.steps) {
      expect(s.state.joints?.q).toHaveLength(7);
      expect(s.state.joints?.qd).toHaveLength(7);
    }
    // Consecutive rows must differ, or a one-step timing slip would go unseen below.
    const q = panda.steps.map((s) => s.state.joints!.q);
    expect(q.slice(1).some((row, i) => row.some((v, k) => v !== q[i]![k]))).toBe(true);
  });

  it("LeRobot: observation.state is the TCP then the joints' positions and speeds, in info, parquet and stats", async () => {
    const dir = path.join(tmp, "lerobot");
    await writeLeRobotDataset(dir, [panda]);
    const info = await readJson(path.join(dir, "meta/info.json"));
    const state = info.features["observation.state"];
    expect(state).toMatchObject({ dtype: "float32", shape: [22], names: STATE_NAMES });
    expect(state.info.description).toContain("inverse kinematics of the measured TCP");
    expect(state.info.units).toContain("arm.<joint>.pos in rad");
    expect(state.info.units).toContain("arm.<joint>.vel in rad/s");
    // The other features keep their widths.
    expect(info.features.action.shape).toEqual([9]);
    expect(info.features["observation.environment_state"].shape).toEqual([7]);

    const rows = await dataRows(dir);
    expect(rows).toHaveLength(panda.steps.length);
    rows.forEach((row, i) => {
      const got = row["observation.state"] as number[];
      expect(got, `row ${i}`).toHaveLength(22);
      expect(got, `row ${i}`).toEqual(expectedState(panda, i));
    });

    // stats.json describes the same 22 columns: exact extremes of the float32 values.
    const stats = (await readJson(path.join(dir, "meta/stats.json")))["observation.state"];
    const column = (k: number) => rows.map((r) => (r["observation.state"] as number[])[k]!);
    expect(stats.count).toEqual([panda.steps.length]);
    expect(stats.min).toEqual(STATE_NAMES.map((_, k) => Math.min(...column(k))));
    expect(stats.max).toEqual(STATE_NAMES.map((_, k) => Math.max(...column(k))));
    const card = await fs.readFile(path.join(dir, "README.md"), "utf8");
    expect(card).toContain("| `observation.state` | float32 | 22 |");
  });

  it("robomimic: obs/robot0_joint_pos and _vel hold the joints as float64, obs before the step and next_obs after it", async () => {
    const file = path.join(tmp, "demos.hdf5");
    await writeRobomimicHdf5(file, [panda]);
    const f = await readH5(file);
    const n = panda.steps.length;
    const joints = (i: number) => panda.steps[i]!.state.joints!;
    for (const [key, of] of [
      ["robot0_joint_pos", (i: number) => joints(i).q],
      ["robot0_joint_vel", (i: number) => joints(i).qd],
    ] as const) {
      const obs = dataset(f, `data/demo_0/obs/${key}`);
      const next = dataset(f, `data/demo_0/next_obs/${key}`);
      expect([obs.shape, obs.dtype], key).toEqual([[n, 7], "<f8"]);
      expect([next.shape, next.dtype], key).toEqual([[n, 7], "<f8"]);
      const o = rowsOf(obs);
      const x = rowsOf(next);
      for (let i = 0; i < n; i++) {
        expect(o[i], `${key} row ${i}`).toEqual(of(seenAt(i)));
        expect(x[i], `next ${key} row ${i}`).toEqual(of(i));
      }
    }
    expect(JSON.parse(String(group(f, "data/demo_0").attrs.joint_names))).toEqual(JOINTS);
    const env = JSON.parse(String(group(f, "data").attrs.env_args)).env_kwargs;
    expect(env.joint_names).toEqual(JOINTS);
    expect(env.joint_obs).toContain("rad/s");
  });

  it("joint actions: LeRobot's action is the joints reached at the end of the step, then the opening and grasp", async () => {
    const dir = path.join(tmp, "lerobot");
    await writeLeRobotDataset(dir, [panda], { actions: "joints" });
    const action = (await readJson(path.join(dir, "meta/info.json"))).features.action;
    expect(action).toMatchObject({
      dtype: "float32",
      shape: [9],
      names: [...JOINTS.map((j) => `arm.${j}.pos`), "gripper.aperture_m", "gripper.grasp"],
    });
    expect(action.info.description).toContain("joint position targets");
    const rows = await dataRows(dir);
    rows.forEach((row, i) => {
      const s = panda.steps[i]!;
      const want = [...s.state.joints!.q, s.action.apertureM, s.action.grasp ? 1 : 0].map(Math.fround);
      expect(row["action"], `row ${i}`).toEqual(want);
    });
    // The state is unchanged by the action layout.
    expect(rows[5]!["observation.state"]).toEqual(expectedState(panda, 5));
  });

  it("joint actions: robomimic's actions are the joints reached at the end of the step, then the opening (float64)", async () => {
    const file = path.join(tmp, "demos.hdf5");
    await writeRobomimicHdf5(file, [panda], { actions: "joints" });
    const f = await readH5(file);
    const actions = dataset(f, "data/demo_0/actions");
    expect([actions.shape, actions.dtype]).toEqual([[panda.steps.length, 8], "<f8"]);
    rowsOf(actions).forEach((row, i) => {
      const s = panda.steps[i]!;
      expect(row, `row ${i}`).toEqual([...s.state.joints!.q, s.action.apertureM]);
    });
    const env = JSON.parse(String(group(f, "data").attrs.env_args)).env_kwargs;
    expect(env.controller).toBe("joint_position");
    expect(env.action_names).toEqual([...JOINTS.map((j) => `${j}.pos`), "aperture_m"]);
  });

  it("joint actions need an arm: a free gripper's episodes are refused in both formats", async () => {
    const lerobot = await caughtInputError(() =>
      writeLeRobotDataset(path.join(tmp, "lerobot"), [free], { actions: "joints" }),
    );
    expect(lerobot.message).toContain("joint actions need an arm");
    const robomimic = await caughtInputError(() =>
      writeRobomimicHdf5(path.join(tmp, "demos.hdf5"), [free], { actions: "joints" }),
    );
    expect(robomimic.message).toContain("joint actions need an arm");
    expect(await fs.readdir(tmp)).toEqual([]);
  });

  it("a free gripper's files have no joints: an 8-wide state and no robot0_joint keys", async () => {
    const dir = path.join(tmp, "lerobot");
    const file = path.join(tmp, "demos.hdf5");
    await writeLeRobotDataset(dir, [free]);
    await writeRobomimicHdf5(file, [free]);
    const info = await readJson(path.join(dir, "meta/info.json"));
    expect(info.features["observation.state"]).toMatchObject({ shape: [8], names: STATE_NAMES.slice(0, 8) });
    expect(((await dataRows(dir))[0]!["observation.state"] as number[]).length).toBe(8);
    const f = await readH5(file);
    expect([...group(f, "data/demo_0/obs").keys].filter((k) => k.includes("joint"))).toEqual([]);
    expect(group(f, "data/demo_0").attrs.joint_names).toBeUndefined();
    expect(JSON.parse(String(group(f, "data").attrs.env_args)).env_kwargs.joint_names).toBeUndefined();
  });

  it("refuses a LeRobot dataset mixing the arm with a free gripper, in either order, and leaves the old dataset", async () => {
    const dir = path.join(tmp, "lerobot");
    await writeLeRobotDataset(dir, [makeEpisode({ id: "old" })]);
    const before = await snapshot(dir);
    const armFirst = await caughtInputError(() => writeLeRobotDataset(dir, [panda, free]));
    expect(armFirst.message).toContain("episode 1 ('free_gripper')");
    expect(armFirst.message).toContain("no arm joints");
    expect(armFirst.message).toContain(`arm joints [${JOINTS.join(", ")}]`);
    expect(armFirst.message).toContain("episode 0 ('panda_pick')");
    expect(armFirst.hint).toContain("separate datasets");
    const freeFirst = await caughtInputError(() => writeLeRobotDataset(dir, [free, panda]));
    expect(freeFirst.message).toContain("episode 1 ('panda_pick')");
    expect(freeFirst.message).toContain("episode 0 ('free_gripper')");
    expect(await snapshot(dir)).toEqual(before);
  });

  it("refuses a robomimic file mixing the arm with a free gripper, and leaves the old file", async () => {
    const file = path.join(tmp, "demos.hdf5");
    await writeRobomimicHdf5(file, [makeEpisode({ id: "old" })]);
    const before = await fs.readFile(file);
    const err = await caughtInputError(() => writeRobomimicHdf5(file, [panda, free]));
    expect(err.message).toContain("episode 1 ('free_gripper')");
    expect(err.message).toContain("no arm joints");
    expect(err.hint).toContain("separate datasets");
    expect((await fs.readFile(file)).equals(before)).toBe(true);
    expect(await fs.readdir(tmp)).toEqual(["demos.hdf5"]);
  });

  it("refuses arms with other joint names in one dataset", async () => {
    const renamed: Episode = structuredClone(panda);
    renamed.id = "renamed_arm";
    renamed.embodiment.arm!.joints = JOINTS.map((j) => `panda_${j}`);
    const err = await caughtInputError(() =>
      writeLeRobotDataset(path.join(tmp, "lerobot"), [panda, renamed]),
    );
    expect(err.message).toContain("episode 1 ('renamed_arm')");
    expect(err.message).toContain("panda_joint1");
    await caughtInputError(() => writeRobomimicHdf5(path.join(tmp, "demos.hdf5"), [panda, renamed]));
  });

  it("refuses an arm episode with a step that lacks its joints, naming the step", async () => {
    const gap: Episode = structuredClone(panda);
    delete gap.steps[5]!.state.joints;
    const err = await caughtInputError(() => writeLeRobotDataset(path.join(tmp, "lerobot"), [gap]));
    expect(err.message).toContain("step 5");
    expect(err.message).toContain("no joints");
    const short: Episode = structuredClone(panda);
    short.steps[7]!.state.joints!.qd.pop();
    const err2 = await caughtInputError(() => writeRobomimicHdf5(path.join(tmp, "demos.hdf5"), [short]));
    expect(err2.message).toContain("step 7");
    expect(err2.message).toContain("7 positions and 6 speeds");
  });
});
