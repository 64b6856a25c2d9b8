/**
 * Inverse dynamics of the Franka Panda (mujoco_menagerie's panda_nohand.xml, the arm of the
 * franka_panda embodiment) against MuJoCo's own (`mj_inverse`) on the same file: random positions,
 * speeds and accelerations within the arm's range, with gravity; then with a point mass carried by
 * the flange, against MuJoCo with that mass added to the model as a body on link7.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import { POSE_IDENTITY, transformPoint, vec3 } from "../../src/core/math.js";
import { createRng } from "../../src/core/rng.js";
import { jointTorques } from "../../src/robots/dynamics.js";
import { type ArmChain, armChain, linkPoses } from "../../src/robots/ik.js";
import { loadMjcf } from "../../src/robots/mjcf.js";
import { compileModel, loadMujoco, type Mujoco } from "../../src/sim/mujoco/mujoco.js";

const ARM = "robots/franka_panda_mjcf/panda_nohand.xml";
let file: string;
let chain: ArmChain;
let files: Map<string, Uint8Array | string>;
let mj: Mujoco;

beforeAll(async () => {
  file = await resolveAsset({ name: ARM });
  chain = armChain(await loadMjcf(file), "link7");
  const dir = path.dirname(file);
  files = new Map();
  files.set("arm.xml", await fs.readFile(file, "utf8"));
  for (const name of await fs.readdir(path.join(dir, "assets")))
    files.set(`assets/${name}`, await fs.readFile(path.join(dir, "assets", name)));
  mj = await loadMujoco();
});

/**
 * MuJoCo's joint forces for (q, qd, qdd) on the model `xml`, less its joints' armature and
 * damping, with contacts and joint limits switched off (their constraint forces are no part of
 * the motion's torques).
 */
function mujocoTorques(xml: string, states: { q: number[]; qd: number[]; qdd: number[] }[]): number[][] {
  const free = xml.replace(
    '<option integrator="implicitfast"/>',
    '<option integrator="implicitfast"><flag contact="disable" limit="disable"/></option>',
  );
  expect(free).toContain('flag contact="disable"');
  const m = compileModel(mj, new Map([...files, ["arm.xml", free]]), "arm.xml");
  const d = new mj.MjData(m);
  try {
    const adr = chain.joints.map((j) => mj.mj_name2id(m, mj.mjtObj.mjOBJ_JOINT.value, j.name));
    return states.map(({ q, qd, qdd }) => {
      for (const [i, j] of adr.entries()) {
        d.qpos[m.jnt_qposadr[j] as number] = q[i]!;
        d.qvel[m.jnt_dofadr[j] as number] = qd[i]!;
        d.qacc[m.jnt_dofadr[j] as number] = qdd[i]!;
      }
      mj.mj_inverse(m, d);
      return adr.map((j, i) => {
        const v = m.jnt_dofadr[j] as number;
        const f = d.qfrc_inverse[v] as number;
        return f - (m.dof_armature[v] as number) * qdd[i]! + (m.dof_damping[v] as number) * qd[i]!;
      });
    });
  } finally {
    d.delete();
    m.delete();
  }
}

function randomStates(seed: number, n: number) {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => ({
    q: chain.joints.map((_, i) => rng.uniform(chain.lower[i]!, chain.upper[i]!)),
    qd: chain.joints.map(() => rng.uniform(-2, 2)),
    qdd: chain.joints.map(() => rng.uniform(-10, 10)),
  }));
}

describe("joint torques of the Panda", () => {
  it("are MuJoCo's inverse dynamics of the same model, within 1e-5 N·m", () => {
    const states = randomStates(3, 30);
    const ref = mujocoTorques(files.get("arm.xml") as string, states);
    let largest = 0;
    states.forEach((s, k) => {
      const mine = jointTorques(chain, s.q, s.qd, s.qdd, POSE_IDENTITY);
      mine.forEach((t, i) => {
        expect(Math.abs(t - ref[k]![i]!)).toBeLessThan(1e-5);
        largest = Math.max(largest, Math.abs(t));
      });
    });
    // Not a trivial agreement: gravity and motion load the shoulder by tens of N·m.
    expect(largest).toBeGreaterThan(20);
  });

  it("count a mass carried by the flange as MuJoCo counts a body there", () => {
    const at = vec3(0.02, -0.01, 0.2);
    const massKg = 1.5;
    const xml = (files.get("arm.xml") as string).replace(
      /(<body name="link7"[^>]*>)/,
      `$1<body name="load" pos="${at.x} ${at.y} ${at.z}"><inertial mass="${massKg}" pos="0 0 0" diaginertia="1e-9 1e-9 1e-9"/></body>`,
    );
    expect(xml).toContain('name="load"');
    const states = randomStates(5, 20);
    const ref = mujocoTorques(xml, states);
    states.forEach((s, k) => {
      const p_W = transformPoint(linkPoses(chain, s.q).get("link7")!, at);
      const mine = jointTorques(chain, s.q, s.qd, s.qdd, POSE_IDENTITY, [{ massKg, p_W }]);
      const without = jointTorques(chain, s.q, s.qd, s.qdd, POSE_IDENTITY);
      for (const [i, t] of mine.entries()) expect(Math.abs(t - ref[k]![i]!)).toBeLessThan(1e-5);
      // The load changes the torques (the check above is not passed by the arm alone).
      expect(Math.max(...mine.map((t, i) => Math.abs(t - without[i]!)))).toBeGreaterThan(0.1);
    });
  });
});
