/**
 * The CLI as a user runs it: a real child process on the TypeScript sources (through tsx), real
 * files, exit codes and messages.
 */
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as hdf5 from "jsfive";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import { readEpisodeExtras } from "../../src/dataset/lerobot/index.js";
import { egobridge, ROOT } from "../jobs/fixtures.js";

let tmp: string;
let grabFile: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-cli-"));
  grabFile = await resolveAsset({
    name: "hands/grab/derived_json/apple_lift_frames200-300_hand_glob_poses.json",
  });
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("egobridge CLI", () => {
  it("every command has --help", async () => {
    for (const cmd of [[], ["demo"], ["import", "grab"], ["retarget"], ["simulate"], ["export"]]) {
      const r = await egobridge([...cmd, "--help"], tmp);
      expect(r.code, cmd.join(" ")).toBe(0);
      expect(r.stdout).toContain("Usage: egobridge");
    }
  });

  it("runs import grab → retarget → simulate → export on a real GRAB sequence", async () => {
    const run = async (args: string[]) => {
      const r = await egobridge(args, tmp);
      expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
      return r;
    };
    await run(["import", "grab", grabFile, "-o", "track.json"]);
    // The 83 mm apple: the 2F-140 clears it open (the 2F-85's 85 mm jaws land a finger on it).
    await run(["retarget", "track.json", "-o", "traj.json", "--embodiment", "robotiq_2f140"]);
    const sim = await run(["simulate", "traj.json", "--track", "track.json", "-o", "episode.json"]);
    expect(sim.stdout).toContain("SUCCESS");
    const exp = await run(["export", "episode.json", "-o", "dataset"]);
    expect(exp.stdout).toContain("1 episodes (1 successful)");
    const info = JSON.parse(await fs.readFile(path.join(tmp, "dataset/meta/info.json"), "utf8"));
    expect(info.total_episodes).toBe(1);
    const h5 = await run(["export", "episode.json", "--format", "robomimic", "-o", "demo.hdf5"]);
    expect(h5.stdout).toContain("1 episodes (1 successful)");
    const buf = await fs.readFile(path.join(tmp, "demo.hdf5"));
    const file = new hdf5.File(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    expect((file.get("data") as hdf5.Group).attrs.total).toBe(info.total_frames);
    const bad = await egobridge(["export", "episode.json", "--format", "hdf5", "-o", "x.hdf5"], tmp);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--format must be lerobot or robomimic");
  });

  it("demo multiplies the demonstration; augment multiplies a dataset; a variant replays identically", async () => {
    const demo = await egobridge(["demo", "-o", "demo", "--variants", "2"], tmp);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toContain("SYNTHETIC");
    expect(demo.stdout).toMatch(/variants: +2 validated/);
    // The default cameras: head and wrist streams, one frame per row of the table.
    const info = JSON.parse(await fs.readFile(path.join(tmp, "demo/meta/info.json"), "utf8"));
    const cameras = Object.keys(info.features).filter((k) => info.features[k].dtype === "video");
    expect(cameras).toEqual(["observation.images.head", "observation.images.wrist"]);
    for (const key of cameras) {
      const probe = spawnSync("ffprobe", [
        ...["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"],
        path.join(tmp, `demo/videos/${key}/chunk-000/file-000.mp4`),
      ]);
      expect(Number(probe.stdout.toString().trim()), key).toBe(info.total_frames);
    }
    const aug = await egobridge(["augment", "demo", "--variants", "2", "--seed", "4", "-o", "aug"], tmp);
    expect(aug.code, aug.stderr).toBe(0);
    expect(aug.stdout).toMatch(/2 validated/);
    const stored = await readEpisodeExtras(path.join(tmp, "aug"));
    const id = stored.find((e) => e.lineage.variant !== undefined)!.id;
    const replay = await egobridge(["augment", "aug", "--replay", id], tmp);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain("identical");
  });

  it("augment --validate both keeps only variants MuJoCo confirms, says how many it dropped, and replays them", async () => {
    const demo = await egobridge(["demo", "-o", "vdemo", "--variants", "0"], tmp);
    expect(demo.code, demo.stderr).toBe(0);
    const aug = await egobridge(
      ["augment", "vdemo", "--variants", "3", "--seed", "4", "--validate", "both", "-o", "vaug"],
      tmp,
    );
    expect(aug.code, aug.stderr).toBe(0);
    const stats = JSON.parse(await fs.readFile(path.join(tmp, "vaug/extras/augment_stats.json"), "utf8"));
    const dropped = stats.sources[0].failures["mujoco_disagrees"] ?? 0;
    expect(aug.stdout).toContain(dropped > 0 ? `mujoco_disagrees ${dropped}` : "validated");
    const variants = (await readEpisodeExtras(path.join(tmp, "vaug"))).filter(
      (e) => e.lineage.variant !== undefined,
    );
    expect(variants.length).toBe(3);
    for (const v of variants) {
      expect(v.lineage.params["validator"]).toBe("mujoco");
      expect(v.metrics["mujocoSuccess"]).toBe(1);
      expect(v.metrics["mujocoFinalTargetGapM"]).toBeLessThanOrEqual(0.02);
    }
    const replay = await egobridge(["augment", "vaug", "--replay", variants[0]!.id], tmp);
    expect(replay.stdout).toContain("identical");
    const bad = await egobridge(["augment", "vdemo", "--validate", "mujoco", "-o", "x"], tmp);
    expect(bad.code).toBe(2);
  });

  it("demo and augment --actions joints write the arm's joint targets as the action; a gripper alone is refused before anything runs", async () => {
    const args = ["--embodiment", "franka_panda", "--scene", "tote_to_tote", "--cameras", "none"];
    const demo = await egobridge(
      ["demo", ...args, "--variants", "1", "--actions", "joints", "-o", "jdemo"],
      tmp,
    );
    expect(demo.code, demo.stderr).toBe(0);
    const joints = [1, 2, 3, 4, 5, 6, 7].map((k) => `arm.joint${k}.pos`);
    const names = async (dir: string) =>
      JSON.parse(await fs.readFile(path.join(tmp, dir, "meta/info.json"), "utf8")).features.action.names;
    expect(await names("jdemo")).toEqual([...joints, "gripper.aperture_m", "gripper.grasp"]);
    const aug = await egobridge(
      ["augment", "jdemo", "--variants", "1", "--actions", "joints", "-o", "jaug"],
      tmp,
    );
    expect(aug.code, aug.stderr).toBe(0);
    expect(await names("jaug")).toEqual([...joints, "gripper.aperture_m", "gripper.grasp"]);
    const gripper = await egobridge(["demo", "--cameras", "none", "--actions", "joints", "-o", "jbad"], tmp);
    expect(gripper.code).toBe(2);
    expect(gripper.stderr).toMatch(/--actions joints needs an arm, and robotiq_2f85_mjcf is a gripper alone/);
    await expect(fs.access(path.join(tmp, "jbad"))).rejects.toThrow();
  });

  describe("bad input: clear error, non-zero exit, existing output untouched", () => {
    const OUT = "kept.json";
    const KEPT = '{"keep": "me"}\n';
    const expectFails = async (args: string[], message: RegExp) => {
      await fs.writeFile(path.join(tmp, OUT), KEPT);
      const r = await egobridge([...args, "-o", OUT], tmp);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
      expect(await fs.readFile(path.join(tmp, OUT), "utf8")).toBe(KEPT);
    };

    it("truncated JSON", async () => {
      const track = await fs.readFile(grabFile, "utf8");
      await fs.writeFile(path.join(tmp, "truncated.json"), track.slice(0, track.length / 2));
      await expectFails(["import", "grab", "truncated.json"], /not valid JSON|truncated/);
    });

    it("a hand track with a NaN keypoint (null in JSON)", async () => {
      await egobridge(["import", "grab", grabFile, "-o", "good.json"], tmp);
      const t = JSON.parse(await fs.readFile(path.join(tmp, "good.json"), "utf8"));
      t.frames[5].hands[0].keypointsWorld[8][1] = null;
      await fs.writeFile(path.join(tmp, "nan.json"), JSON.stringify(t));
      await expectFails(["retarget", "nan.json"], /frames\.5\.hands\.0\.keypointsWorld\.8\.1/);
    });

    it("a scene file with an unknown field", async () => {
      const scene = JSON.parse(await fs.readFile(path.join(ROOT, "scenes/shelf_to_tote.json"), "utf8"));
      scene.items[1].colour = "orange";
      await fs.writeFile(path.join(tmp, "scene.json"), JSON.stringify(scene));
      await egobridge(["import", "grab", grabFile, "-o", "good.json"], tmp);
      await egobridge(["retarget", "good.json", "-o", "traj.json"], tmp);
      await expectFails(
        ["simulate", "traj.json", "--scene", "scene.json"],
        /items\.1: unknown field 'colour'/,
      );
    });

    it("an empty file and a missing file", async () => {
      await fs.writeFile(path.join(tmp, "empty.json"), "");
      await expectFails(["retarget", "empty.json"], /empty/);
      await expectFails(["retarget", "nope.json"], /file not found: nope\.json/);
    });

    it("an unknown embodiment names the built-in ones", async () => {
      await egobridge(["import", "grab", grabFile, "-o", "good.json"], tmp);
      await expectFails(
        ["retarget", "good.json", "--embodiment", "gripper9000"],
        /unknown embodiment 'gripper9000'[\s\S]*robotiq_2f85/,
      );
    });
  });
});
