/**
 * The Franka Panda in the rollout (`--embodiment franka_panda`): the built-in shelf-to-tote pick
 * succeeds with the arm from the scene's stated base, and every recorded step holds the arm's 7
 * named joints. What the arm did is checked from the episode alone, independently of the engine's
 * collision queries: the recorded joints put the tool where the gripper was measured (forward
 * kinematics, cross-checked against MuJoCo in test/robots/ik.test.ts), and no vertex of any arm
 * link's collision hull is inside any fixed box of the scene. A shelf level out of the arm's reach
 * is rejected as `unreachable` before any physics; a box put where the elbow passes is found,
 * named, by the arm's clearance query. The joint torques the motion needs (inverse dynamics,
 * checked against MuJoCo in test/robots/dynamics.test.ts) are re-derived from the recorded steps,
 * and a carton too heavy for the wrist fails on them. In the aisle, the template's base and
 * posture make the pick and drop possible where the ready posture does not; a mirrored variant's
 * posture puts every link at the mirror image.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { mirrorPose, mirrorScene } from "../../src/augment/apply_scene.js";
import {
  compose,
  dot,
  type Pose,
  poseFromJson,
  qangle,
  sub,
  transformPoint,
  vec3,
} from "../../src/core/math.js";
import type { Embodiment } from "../../src/core/schemas/embodiment.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import type { SceneSpec } from "../../src/core/schemas/scene.js";
import { writeLeRobotDataset } from "../../src/dataset/lerobot/writer.js";
import { proceduralPickToTote } from "../../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { renderEpisodeInput } from "../../src/render/episode_scene.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";
import { IK_TOLERANCE, linkPoses, toolPose } from "../../src/robots/ik.js";
import { ArmClearance, type ArmModel, armModelOf } from "../../src/sim/arm.js";
import { loadArmModel } from "../../src/sim/arm_model.js";
import { stepTorques } from "../../src/sim/arm_torque.js";
import { linkageOf } from "../../src/sim/gripper_models.js";
import { loadRapier } from "../../src/sim/rapier.js";
import { fixedBoxes, MAX_SCENERY_PENETRATION_M } from "../../src/sim/scenery_clearance.js";
import { simulateEpisode } from "../../src/sim/simulate.js";
import { caughtInputError } from "../input_error.js";
import { withPost } from "./fixtures.js";

let e: Embodiment;
let arm: ArmModel;
let scene: SceneSpec;
let episode: Episode;

async function rollout(s: SceneSpec): Promise<Episode> {
  const trajectory = retargetParallelJaw(proceduralPickToTote(s, { seed: 0 }), e, {}, await linkageOf(e));
  return simulateEpisode({
    scene: s,
    embodiment: e,
    trajectory,
    seed: 0,
    id: "arm",
    task: "t",
    lineageSource: "test",
  });
}

beforeAll(async () => {
  e = await loadEmbodiment("franka_panda");
  arm = (await armModelOf(e))!;
  scene = await loadScene("shelf_to_tote");
  episode = await rollout(scene);
});

/** How deep a point is inside an oriented box (m; ≤ 0 outside). */
function insideDepth(
  p: { x: number; y: number; z: number },
  b: ReturnType<typeof fixedBoxes>[number]["box"],
) {
  const d = sub(p, b.center);
  return Math.min(...b.axes.map((a, k) => b.half[k]! - Math.abs(dot(d, a))));
}

/** Every step's recorded joints put the tool where the gripper was measured, within the speed limits. */
function expectJointsHoldTool(ep: Episode): void {
  const X_WB = poseFromJson(ep.scene.robotBase!.pose);
  for (const s of ep.steps) {
    const X = toolPose(arm.chain, s.state.joints!.q, X_WB);
    const m = poseFromJson(s.state.tcp);
    expect(Math.hypot(X.p.x - m.p.x, X.p.y - m.p.y, X.p.z - m.p.z)).toBeLessThanOrEqual(
      IK_TOLERANCE.positionM,
    );
    expect(qangle(X.q, m.q)).toBeLessThanOrEqual(IK_TOLERANCE.rotationRad);
    s.state.joints!.qd.forEach((v, i) => {
      expect(Math.abs(v)).toBeLessThanOrEqual(e.arm!.maxJointSpeedRadps[i]! * (1 + 1e-9));
    });
  }
}

/** The deepest any vertex of an arm link's hull is inside a fixed box, at the recorded joints (m). */
function deepestHullVertex(ep: Episode): number {
  const X_WB = poseFromJson(ep.scene.robotBase!.pose);
  const fixed = fixedBoxes(ep.scene);
  let deepest = 0;
  for (const s of ep.steps) {
    const poses = linkPoses(arm.chain, s.state.joints!.q, X_WB);
    for (const shape of arm.shapes) {
      if (shape.shape.kind !== "hull") continue;
      const X = compose(poses.get(shape.link)!, shape.X_LG);
      const v = shape.shape.points;
      for (let i = 0; i < v.length; i += 3) {
        const p = transformPoint(X, vec3(v[i]!, v[i + 1]!, v[i + 2]!));
        for (const f of fixed) deepest = Math.max(deepest, insideDepth(p, f.box));
      }
    }
  }
  return deepest;
}

/** The largest joint torque over an episode against the arm's limits, from its recorded steps. */
function maxTorqueRatio(ep: Episode, holding = true) {
  const X_WB = poseFromJson(ep.scene.robotBase!.pose);
  const target = ep.scene.items.find((i) => i.id === ep.scene.task.targetId) as {
    id: string;
    massKg: number;
  };
  const limits = e.arm!.maxJointTorqueNm!;
  let out = { ratio: 0, step: -1, joint: "", torqueNm: 0 };
  let qdBefore = e.arm!.joints.map(() => 0);
  for (const [k, s] of ep.steps.entries()) {
    const load = { gripperMassKg: e.massKg, target: { id: target.id, massKg: target.massKg } };
    const tau = stepTorques(arm, X_WB, s, qdBefore, ep.controlHz, load)[holding ? "holding" : "moving"];
    qdBefore = s.state.joints!.qd;
    tau.forEach((t, i) => {
      if (Math.abs(t) / limits[i]! > out.ratio)
        out = { ratio: Math.abs(t) / limits[i]!, step: k, joint: e.arm!.joints[i]!, torqueNm: t };
    });
  }
  return out;
}

describe("a Panda carrying the gripper", () => {
  it("succeeds on shelf_to_tote from the stated base, each step with 7 named joints", () => {
    expect(episode.reasons).toEqual(["grasped", "lifted", "placed_in_region"]);
    expect(episode.success).toBe(true);
    expect(episode.scene.robotBase?.origin).toBe("stated");
    expect(e.arm!.joints).toEqual(["joint1", "joint2", "joint3", "joint4", "joint5", "joint6", "joint7"]);
    for (const s of episode.steps) {
      expect(s.state.joints?.q).toHaveLength(7);
      expect(s.state.joints?.qd).toHaveLength(7);
    }
  });

  it("records joints that hold the tool where the gripper was measured, within the speed limits", () => {
    expectJointsHoldTool(episode);
    // Speeds are the change between recorded steps over the control period.
    const [a, b] = [episode.steps[100]!, episode.steps[101]!];
    b.state.joints!.qd.forEach((v, i) => {
      expect(v).toBeCloseTo((b.state.joints!.q[i]! - a.state.joints!.q[i]!) * episode.controlHz, 9);
    });
  });

  it("keeps every arm link out of the fixed scenery (hull vertices against the scene's boxes)", () => {
    expect(arm.shapes.filter((s) => s.shape.kind === "hull").length).toBeGreaterThanOrEqual(8);
    expect(deepestHullVertex(episode)).toBeLessThanOrEqual(MAX_SCENERY_PENETRATION_M);
  });

  it("records the largest joint torques, holding and moving, re-derivable from the episode", () => {
    const holding = maxTorqueRatio(episode);
    const moving = maxTorqueRatio(episode, false);
    expect(episode.metrics["armMaxHoldingTorqueRatio"]).toBeCloseTo(holding.ratio, 12);
    expect(episode.metrics["armMaxMovingTorqueRatio"]).toBeCloseTo(moving.ratio, 12);
    // The shoulder holds the arm reaching out on its pedestal: a real load, within its limit.
    expect(holding.ratio).toBeGreaterThan(0.3);
    expect(holding.ratio).toBeLessThanOrEqual(1);
  });

  it("reports the largest joint acceleration against the datasheet's, re-derived from the recorded speeds", () => {
    const limits = e.arm!.maxJointAccelRadps2!;
    let worst = { ratio: 0, step: -1 };
    let before = e.arm!.joints.map(() => 0);
    for (const [k, s] of episode.steps.entries()) {
      const qd = s.state.joints!.qd;
      qd.forEach((v, i) => {
        const ratio = (Math.abs(v - before[i]!) * episode.controlHz) / limits[i]!;
        if (ratio > worst.ratio) worst = { ratio, step: k };
      });
      before = qd;
    }
    expect(episode.metrics["armMaxJointAccelRatio"]).toBeCloseTo(worst.ratio, 12);
    expect(episode.metrics["armMaxJointAccelStep"]).toBe(worst.step);
    // Reported, not judged.
    expect(episode.reasons.some((r) => r.includes("accel"))).toBe(false);
  });

  it("fails a carton too heavy to hold as joint_torque_limit, at a step recorded over the limit", async () => {
    const heavy = {
      ...scene,
      // Three times the Panda's rated payload.
      items: scene.items.map((i) => (i.id === scene.task.targetId ? { ...i, massKg: 9 } : i)),
    } as SceneSpec;
    const ep = await rollout(heavy);
    expect(ep.success).toBe(false);
    expect(ep.reasons).toContain("joint_torque_limit");
    const over = maxTorqueRatio(ep);
    expect(over.ratio).toBeGreaterThan(1);
    // The rollout ends at the step the limit was passed.
    expect(ep.metrics["armJointTorqueStep"]).toBe(ep.steps.length - 1);
    expect(over.step).toBe(ep.steps.length - 1);
    expect(ep.metrics[`armJointTorqueNm:${over.joint}`]).toBeCloseTo(over.torqueNm, 9);
  });

  it("rejects a shelf level out of reach as unreachable, without simulating it", async () => {
    // The carton on the top board (1.7 m): the human reaches up to it; the arm on its pedestal cannot.
    const high: SceneSpec = {
      ...scene,
      items: scene.items.map((it) =>
        it.id === "carton" && "pose" in it ? { ...it, pose: { ...it.pose, pos: [0, 0.43, 1.75] } } : it,
      ),
    };
    const out = await rollout(high);
    expect(out.success).toBe(false);
    expect(out.reasons).toEqual(["unreachable"]);
    expect(out.steps).toHaveLength(1);
    expect(out.metrics["armUnreachableStep"]).toBeTypeOf("number");
    expect(out.metrics["armUnreachablePositionErrorM"]).toBeGreaterThan(IK_TOLERANCE.positionM);
    // The one step recorded is the robot as it stands: the arm at its start posture, the tool where that puts it.
    const rest = out.steps[0]!.state;
    expect(rest.joints).toEqual({ q: e.arm!.ready, qd: e.arm!.ready.map(() => 0) });
    const X = toolPose(arm.chain, e.arm!.ready, poseFromJson(out.scene.robotBase!.pose));
    expect(rest.tcp.pos[0]).toBeCloseTo(X.p.x, 9);
    expect(rest.tcp.pos[2]).toBeCloseTo(X.p.z, 9);
    // So the rejected episode goes into a dataset with the successful one, its verdict with it.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-arm-"));
    try {
      const s = await writeLeRobotDataset(path.join(dir, "ds"), [episode, { ...out, id: "arm_high" }]);
      expect([s.episodes, s.successes]).toEqual([2, 1]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("finds an arm link inside a box put where the elbow passes, and names it", async () => {
    const X_WB = poseFromJson(episode.scene.robotBase!.pose);
    const q = episode.steps[150]!.state.joints!.q;
    const elbow: Pose = linkPoses(arm.chain, q, X_WB).get("link4")!;
    const post = withPost(scene, elbow.p);
    const clearance = new ArmClearance(await loadRapier(), arm, post);
    const d = clearance.depth(q, X_WB);
    expect(d.item).toBe("post");
    // The elbow joint joins link3 and link4: the post is in one or both.
    expect(["link3", "link4"]).toContain(d.link);
    expect(d.depthM).toBeGreaterThan(0.01);
    // Without the post the same posture is clear.
    expect(new ArmClearance(await loadRapier(), arm, scene).depth(q, X_WB).depthM).toBeLessThanOrEqual(
      MAX_SCENERY_PENETRATION_M,
    );
  });

  it("is drawn as simulated: in the cameras' input, the tip link carries the tool to the recorded TCP at every step", async () => {
    const input = await renderEpisodeInput(episode);
    const drawn = input.hullArm!.links.map((l) => l.name);
    expect(drawn).toEqual([...new Set(arm.shapes.map((s) => s.link))]);
    for (const l of input.hullArm!.links) expect(l.hulls.length, l.name).toBeGreaterThan(0);
    expect(input.pedestal!.sizeM[2]).toBeCloseTo(episode.scene.robotBase!.pose.pos[2]!, 9);
    expect(input.steps).toHaveLength(episode.steps.length);
    for (const [i, s] of input.steps.entries()) {
      expect(Object.keys(s.armLinks!).sort()).toEqual([...drawn].sort());
      const tool = compose(poseFromJson(s.armLinks![arm.chain.tip]!), arm.chain.X_LT);
      const measured = poseFromJson(episode.steps[i]!.state.tcp);
      expect(
        Math.hypot(...["x", "y", "z"].map((k) => tool.p[k as "x"] - measured.p[k as "x"])),
        `step ${i}`,
      ).toBeLessThan(IK_TOLERANCE.positionM + 1e-9);
    }
  });

  it("refuses an arm whose joints are not the model's chain, naming both", async () => {
    const bad: Embodiment = { ...e, arm: { ...e.arm!, joints: ["joint1", "joint2"] } };
    const err = await caughtInputError(() => loadArmModel(bad));
    expect(err.message).toMatch(
      /arm\.joints \[joint1, joint2\] differ from the model's chain \[joint1, .*joint7\]/,
    );
  });
});

describe("a Panda in the aisle", () => {
  let aisle: SceneSpec;
  let ep: Episode;
  beforeAll(async () => {
    aisle = await loadScene("aisle");
    ep = await rollout(aisle);
  });

  it("succeeds from the template's base and posture, its links out of the shelf and the tote", () => {
    expect(ep.reasons).toEqual(["grasped", "lifted", "placed_in_region"]);
    expect(ep.scene.robotBase?.postureRad).toEqual(aisle.robotBase?.postureRad);
    expect(ep.steps.length).toBeGreaterThan(300);
    expectJointsHoldTool(ep);
    expect(deepestHullVertex(ep)).toBeLessThanOrEqual(MAX_SCENERY_PENETRATION_M);
  });

  it("fails from the same base in the arm's ready posture: the posture is what the template states", async () => {
    const { postureRad: _, ...base } = aisle.robotBase!;
    const ready = await rollout({ ...aisle, robotBase: base });
    expect(ready.success).toBe(false);
    expect(ready.scene.robotBase?.postureRad).toBeUndefined();
    expect(ready.reasons).toContain("joint_speed_limit");
  });

  it("refuses a posture with the wrong number of joints or outside a joint's limits", async () => {
    const wrong = (postureRad: number[]) =>
      rollout({ ...aisle, robotBase: { ...aisle.robotBase!, postureRad } });
    await expect(wrong([0, 0, 0])).rejects.toThrow(/postureRad has 3 values; the arm has 7 joints/);
    await expect(wrong([0, 0, 0])).rejects.toMatchObject({ name: "InputError", hint: /joint7 in \[/ });
    await expect(wrong([0, -0.8, 0, 0, 0, 1.5, 0.8])).rejects.toThrow(/joint4 = 0 rad is outside its limits/);
  });

  it("mirrors the posture with the base: every link at the mirror image, the tool as the mirrored path's", () => {
    const mirrored = mirrorScene(aisle, {
      mount: e.arm!.mount,
      ready: arm.ready,
      lower: arm.chain.lower,
      upper: arm.chain.upper,
    }).robotBase!;
    const X = poseFromJson(aisle.robotBase!.pose);
    const Xm = poseFromJson(mirrored.pose);
    const links = linkPoses(arm.chain, aisle.robotBase!.postureRad!, X);
    const mirroredLinks = linkPoses(arm.chain, mirrored.postureRad!, Xm);
    for (const [name, L] of links) {
      const M = mirroredLinks.get(name)!;
      expect(Math.hypot(M.p.x + L.p.x, M.p.y - L.p.y, M.p.z - L.p.z), name).toBeLessThan(1e-9);
    }
    const want = mirrorPose(toolPose(arm.chain, aisle.robotBase!.postureRad!, X));
    const got = toolPose(arm.chain, mirrored.postureRad!, Xm);
    expect(Math.hypot(got.p.x - want.p.x, got.p.y - want.p.y, got.p.z - want.p.z)).toBeLessThan(1e-9);
    expect(qangle(got.q, want.q)).toBeLessThan(1e-6);
    // Within the joints' limits.
    mirrored.postureRad!.forEach((v, i) => {
      expect(v).toBeGreaterThanOrEqual(arm.chain.lower[i]!);
      expect(v).toBeLessThanOrEqual(arm.chain.upper[i]!);
    });
  });
});
