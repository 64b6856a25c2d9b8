/**
 * The cross-check with an arm (panda_robotiq_2f85): MuJoCo replays a Rapier rollout with the
 * Panda's own MJCF, its servos following the recorded joints, the 2F-85 welded to its flange. The
 * figures are checked against the recorded episode: where the joints put the tool (forward
 * kinematics, cross-checked against MuJoCo in test/robots/ik.test.ts), where Rapier measured it.
 * Moving the recorded base moves the arm and the grasp with it; a post put where the elbow
 * passes is met by the elbow's own collision geometry in MuJoCo.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { poseFromJson } from "../../src/core/math.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import type { SceneSpec } from "../../src/core/schemas/scene.js";
import { builtinCases } from "../../src/crosscheck/cases.js";
import { compareWithMujoco, runCase } from "../../src/crosscheck/crosscheck.js";
import { linkPoses, toolPose } from "../../src/robots/ik.js";
import { type ArmModel, armModelOf } from "../../src/sim/arm.js";
import { loadRobotiq2f85, type MjcfGripper } from "../../src/sim/mujoco/robotiq_2f85.js";
import { mujocoOpinion } from "../../src/sim/mujoco/second_opinion.js";
import { simulateEpisode } from "../../src/sim/simulate.js";
import { withPost } from "../sim/fixtures.js";

/** How closely the Panda's servos follow the recorded joints (m, at the TCP), measured: about 1 cm where Rapier's joints jerk. */
const ARM_TRACKING_M = 0.015;

let gripper: MjcfGripper;
let episode: Episode;
let arm: ArmModel;

beforeAll(async () => {
  gripper = await loadRobotiq2f85();
  const c = (await builtinCases("arm_shelf_s0")).find((x) => x.id === "arm_shelf_s0")!;
  episode = await simulateEpisode({
    scene: c.scene,
    embodiment: c.embodiment,
    trajectory: c.trajectory,
    seed: 0,
    id: "arm-crosscheck",
    task: "crosscheck",
    lineageSource: c.id,
  });
  arm = (await armModelOf(episode.embodiment))!;
}, 120_000);

describe("cross-check of an arm trajectory", () => {
  it("the built-in set holds arm trajectories: the shelf and tote demos with the Panda, and bad variants", async () => {
    const ids = (await builtinCases("arm_")).map((c) => c.id);
    for (const id of ["arm_shelf_s0", "arm_shelf_s0/wide", "arm_shelf_s1", "arm_shelf_s2", "arm_tote_s0"])
      expect(ids).toContain(id);
  });

  it("MuJoCo's Panda follows the recorded joints, carries the gripper where Rapier measured it, and both engines succeed", async () => {
    expect(episode.success, episode.reasons.join(",")).toBe(true);
    const r = await compareWithMujoco(episode, gripper);
    expect(r.mujoco.success, r.mujoco.reasons.join(",")).toBe(true);
    expect(r.agree).toBe(true);
    expect(r.mujoco.maxTrackingErrorM).toBeLessThan(ARM_TRACKING_M);
    const o = await mujocoOpinion(episode, gripper);
    const X_WB = poseFromJson(episode.scene.robotBase!.pose);
    expect(o.mujoco.steps.length).toBe(episode.steps.length);
    for (const [i, s] of o.mujoco.steps.entries()) {
      const rec = episode.steps[i]!;
      // MuJoCo's own joints, 7 of them, near the recorded ones.
      expect(s.state.joints!.q).toHaveLength(7);
      const worst = Math.max(...s.state.joints!.q.map((v, k) => Math.abs(v - rec.state.joints!.q[k]!)));
      expect(worst, `step ${i}`).toBeLessThan(0.05);
      // Its TCP near where the recorded joints put the tool, and where Rapier measured it.
      const want = toolPose(arm.chain, rec.state.joints!.q, X_WB).p;
      const got = s.state.tcp.pos;
      const rapier = rec.state.tcp.pos;
      expect(Math.hypot(got[0]! - want.x, got[1]! - want.y, got[2]! - want.z), `step ${i}`).toBeLessThan(
        ARM_TRACKING_M,
      );
      expect(Math.hypot(...got.map((v, k) => v - rapier[k]!)), `step ${i}`).toBeLessThan(ARM_TRACKING_M);
    }
  }, 120_000);

  it("the arm stands where the episode's scene says: moved 5 cm, the same joints miss the carton", async () => {
    const moved: SceneSpec = structuredClone(episode.scene);
    moved.robotBase!.pose.pos[0]! += 0.05;
    const o = await mujocoOpinion({ ...episode, scene: moved }, gripper);
    expect(o.mujoco.verdict.success).toBe(false);
    expect(o.agree).toBe(false);
    const p = o.mujoco.steps[0]!.state.tcp.pos;
    const q = episode.steps[0]!.state.tcp.pos;
    expect(Math.hypot(p[0]! - q[0]! - 0.05, p[1]! - q[1]!, p[2]! - q[2]!)).toBeLessThan(ARM_TRACKING_M);
  }, 120_000);

  it("a post where the elbow passes is met by the elbow's links in MuJoCo, and the episode fails", async () => {
    const X_WB = poseFromJson(episode.scene.robotBase!.pose);
    const elbow = linkPoses(arm.chain, episode.steps[150]!.state.joints!.q, X_WB).get("link4")!;
    const post = withPost(episode.scene, elbow.p);
    const o = await mujocoOpinion({ ...episode, scene: post }, gripper);
    const hits = o.mujoco.steps.flatMap((s) =>
      s.contacts.filter((c) => (c.a === "post" || c.b === "post") && `${c.a}${c.b}`.includes("arm.link")),
    );
    expect(hits.length).toBeGreaterThan(0);
    expect(o.mujoco.verdict.success).toBe(false);
  }, 120_000);

  it("runs as a built-in case: Rapier simulates the arm, MuJoCo replays it", async () => {
    const c = (await builtinCases("arm_shelf_s0/wide"))[0]!;
    const r = await runCase(c, gripper);
    expect(r.rapier.success).toBe(false);
    expect(r.mujoco.success).toBe(false);
    expect(r.mujoco.reasons).toContain("never_grasped");
  }, 120_000);
});
