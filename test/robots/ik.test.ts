/**
 * Inverse kinematics of the Franka Panda (the real MJCF from mujoco_menagerie): its forward
 * kinematics against MuJoCo's own on the same file, targets made by moving the arm to random
 * configurations reached again from another start within tolerance and the joint limits, a target
 * out of reach reported as such, and the null-space pull towards the comfortable posture.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import { distance, POSE_IDENTITY, type Pose, qangle, qfromWxyz, vec3 } from "../../src/core/math.js";
import { createRng } from "../../src/core/rng.js";
import { type ArmChain, armChain, IK_TOLERANCE, solveIk, toolPose } from "../../src/robots/ik.js";
import { loadMjcf } from "../../src/robots/mjcf.js";
import { compileModel, loadMujoco } from "../../src/sim/mujoco/mujoco.js";

const PANDA = "robots/franka_panda_mjcf/panda.xml";
let file: string;
let chain: ArmChain;

beforeAll(async () => {
  file = await resolveAsset({ name: PANDA });
  chain = armChain(await loadMjcf(file), "hand");
});

/** A random configuration inside the limits, kept `margin` (rad) away from them. */
function randomQ(rng: ReturnType<typeof createRng>, margin = 0.1): number[] {
  return chain.joints.map((_, i) => rng.uniform(chain.lower[i]! + margin, chain.upper[i]! - margin));
}

describe("Panda arm chain", () => {
  it("has the 7 arm joints with the MJCF's limits", () => {
    expect(chain.joints.map((j) => j.name)).toEqual([
      "joint1",
      "joint2",
      "joint3",
      "joint4",
      "joint5",
      "joint6",
      "joint7",
    ]);
    expect(chain.lower[3]).toBeCloseTo(-3.0718, 4);
    expect(chain.upper[3]).toBeCloseTo(-0.0698, 4);
    expect(chain.upper[5]).toBeCloseTo(3.7525, 4);
  });

  it("puts the hand where MuJoCo's kinematics of the same file puts it", async () => {
    const mj = await loadMujoco();
    const dir = path.dirname(file);
    const files = new Map<string, Uint8Array>();
    files.set("panda.xml", await fs.readFile(file));
    for (const name of await fs.readdir(path.join(dir, "assets")))
      files.set(`assets/${name}`, await fs.readFile(path.join(dir, "assets", name)));
    const m = compileModel(mj, files, "panda.xml");
    const d = new mj.MjData(m);
    try {
      const hand = mj.mj_name2id(m, mj.mjtObj.mjOBJ_BODY.value, "hand");
      const adr = chain.joints.map(
        (j) => m.jnt_qposadr[mj.mj_name2id(m, mj.mjtObj.mjOBJ_JOINT.value, j.name)] as number,
      );
      const rng = createRng(11);
      for (let k = 0; k < 20; k++) {
        const q = randomQ(rng, 0);
        for (const [i, a] of adr.entries()) d.qpos[a] = q[i]!;
        mj.mj_kinematics(m, d);
        const mine = toolPose(chain, q);
        const p = vec3(
          d.xpos[3 * hand] as number,
          d.xpos[3 * hand + 1] as number,
          d.xpos[3 * hand + 2] as number,
        );
        const quat = qfromWxyz([0, 1, 2, 3].map((c) => d.xquat[4 * hand + c] as number));
        expect(distance(mine.p, p)).toBeLessThan(1e-6);
        expect(qangle(mine.q, quat)).toBeLessThan(1e-5);
      }
    } finally {
      d.delete();
      m.delete();
    }
  });
});

describe("solveIk (damped least squares, joint limits, null-space posture)", () => {
  it("reaches poses of random configurations again from 0.3 rad away, within the limits", () => {
    const rng = createRng(3);
    for (let k = 0; k < 40; k++) {
      const truth = randomQ(rng);
      const target = toolPose(chain, truth);
      const start = truth.map((v) => v + rng.uniform(-0.3, 0.3));
      const r = solveIk(chain, target, start);
      expect(r.reached, `case ${k}: ${r.positionErrorM} m, ${r.rotationErrorRad} rad`).toBe(true);
      const got = toolPose(chain, r.q);
      expect(distance(got.p, target.p)).toBeLessThanOrEqual(IK_TOLERANCE.positionM);
      expect(qangle(got.q, target.q)).toBeLessThanOrEqual(IK_TOLERANCE.rotationRad);
      for (const [i, v] of r.q.entries()) {
        expect(v).toBeGreaterThanOrEqual(chain.lower[i]!);
        expect(v).toBeLessThanOrEqual(chain.upper[i]!);
      }
    }
  });

  it("follows a moving target step by step, warm-started, in a few iterations each", () => {
    // Franka's "ready" posture: the hand 0.3 m in front of the base, 0.48 m up, pointing down.
    let q = [0, -Math.PI / 4, 0, (-3 * Math.PI) / 4, 0, Math.PI / 2, Math.PI / 4];
    const base = toolPose(chain, q);
    let iterations = 0;
    for (let t = 1; t <= 90; t++) {
      // 30 Hz: 3 s along a 15 cm circle.
      const a = (2 * Math.PI * t) / 90;
      const p = vec3(base.p.x + 0.15 * Math.sin(a), base.p.y + 0.15 * (1 - Math.cos(a)), base.p.z);
      const r = solveIk(chain, { p, q: base.q }, q);
      expect(r.reached, `step ${t}`).toBe(true);
      iterations += r.iterations;
      q = r.q;
    }
    expect(iterations / 90).toBeLessThan(8);
  });

  it("says a target beyond the arm's reach is not reached, with the distance left", () => {
    const target: Pose = { p: vec3(1.6, 0, 0.4), q: toolPose(chain, chain.comfort).q };
    const r = solveIk(chain, target, chain.comfort);
    expect(r.reached).toBe(false);
    expect(r.positionErrorM).toBeGreaterThan(0.5);
  });

  it("pulls the redundant joint towards the comfortable posture without moving the hand", () => {
    const rng = createRng(8);
    const truth = randomQ(rng, 0.3);
    const target = toolPose(chain, truth);
    // One second of control steps holding the hand still, with and without the pull.
    const hold = (postureGain: number) => {
      let r = solveIk(chain, target, truth, POSE_IDENTITY, { postureGain });
      for (let t = 1; t < 30; t++) r = solveIk(chain, target, r.q, POSE_IDENTITY, { postureGain });
      return r;
    };
    const free = hold(0);
    const pulled = hold(0.2);
    expect(pulled.reached).toBe(true);
    const off = (q: number[]) => Math.hypot(...q.map((v, i) => v - chain.comfort[i]!));
    expect(off(pulled.q)).toBeLessThan(off(free.q) - 0.05);
  });
});
