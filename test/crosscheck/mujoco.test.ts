/**
 * The real 2F-85 MJCF in MuJoCo (mujoco-js): it loads, its pads are where the importer's forward
 * kinematics says, and the actuator opens and closes the jaws as the cross-check assumes.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { compose } from "../../src/core/math.js";
import { forwardKinematics } from "../../src/robots/kinematics.js";
import { linkNamed, meshFiles } from "../../src/robots/robot_model.js";
import {
  compileModel,
  loadMujoco,
  type MjData,
  type MjModel,
  type Mujoco,
} from "../../src/sim/mujoco/mujoco.js";
import { loadRobotiq2f85, type MjcfGripper } from "../../src/sim/mujoco/robotiq_2f85.js";

/** Importer FK vs MuJoCo's own kinematics of the same model (m): both are exact, only rounding differs. */
const FK_TOLERANCE_M = 1e-6;
/** How close MuJoCo's position servo brings the opening to the commanded one, in free air (m). */
const SERVO_TOLERANCE_M = 0.002;

let mj: Mujoco;
let gripper: MjcfGripper;
let model: MjModel | undefined;
let data: MjData | undefined;
beforeAll(async () => {
  mj = await loadMujoco();
  gripper = await loadRobotiq2f85();
});
afterEach(() => {
  data?.delete();
  model?.delete();
  data = undefined;
  model = undefined;
});

/** The gripper alone, base fixed at the origin, no gravity (so only the actuator moves it). */
function gripperOnly(xml: string, files: Map<string, Uint8Array>): { m: MjModel; d: MjData } {
  const all = new Map<string, string | Uint8Array>([["gripper.xml", xml]]);
  for (const [k, v] of files) all.set(k, v);
  all.set("scene.xml", `<mujoco><include file="gripper.xml"/><option gravity="0 0 0"/></mujoco>`);
  model = compileModel(mj, all, "scene.xml");
  data = new mj.MjData(model);
  return { m: model, d: data };
}

const geomId = (m: MjModel, name: string) => mj.mj_name2id(m, mj.mjtObj.mjOBJ_GEOM.value, name);
const geomPos = (d: MjData, id: number) =>
  [d.geom_xpos[3 * id], d.geom_xpos[3 * id + 1], d.geom_xpos[3 * id + 2]] as number[];
/** Opening between the pads' inner faces, from MuJoCo's pad geoms (pad boxes 2 mm half-thick along x). */
const mujocoAperture = (m: MjModel, d: MjData) =>
  geomPos(d, geomId(m, "right_pad1"))[0]! -
  geomPos(d, geomId(m, "left_pad1"))[0]! -
  2 * m.geom_size[3 * geomId(m, "left_pad1")];

describe("Robotiq 2F-85 MJCF in MuJoCo", () => {
  it("the untouched 2f85.xml and its STL meshes load in mujoco-js, with the bodies and joints the importer finds", async () => {
    const files = new Map<string, Uint8Array>();
    const dir = path.dirname(gripper.file);
    for (const f of meshFiles(gripper.model)) files.set(path.relative(dir, f), await fs.readFile(f));
    const { m } = gripperOnly(await fs.readFile(gripper.file, "utf8"), files);
    expect(m.nbody).toBe(gripper.model.links.length);
    expect(m.njnt).toBe(gripper.model.joints.length);
    expect(m.nmesh).toBe(files.size);
    expect(m.nu).toBe(1);
  });

  it("pads sit where the importer's forward kinematics puts them, at any linkage angle", () => {
    const { m, d } = gripperOnly(gripper.xml, gripper.files);
    for (const q of [0, 0.2, 0.5, 0.8]) {
      for (const name of gripper.linkageJoints)
        d.qpos[m.jnt_qposadr[mj.mj_name2id(m, mj.mjtObj.mjOBJ_JOINT.value, name)]] = q;
      mj.mj_forward(m, d);
      const X = forwardKinematics(
        gripper.model,
        Object.fromEntries(gripper.linkageJoints.map((j) => [j, q])),
      );
      for (const side of ["left", "right"]) {
        for (const g of linkNamed(gripper.model, `${side}_pad`).collisions) {
          const p = compose(X.get(`${side}_pad`)!, g.X_LG).p;
          const pm = geomPos(d, geomId(m, g.name!));
          expect(Math.hypot(p.x - pm[0]!, p.y - pm[1]!, p.z - pm[2]!), `${g.name} at q=${q}`).toBeLessThan(
            FK_TOLERANCE_M,
          );
        }
      }
    }
  });

  it("ctrl opens and closes the jaws: 0 → the full stroke, 255 → closed, and the cross-check's ctrl for an opening reaches it", () => {
    const { m, d } = gripperOnly(gripper.xml, gripper.files);
    const settle = (ctrl: number) => {
      d.ctrl[0] = ctrl;
      for (let i = 0; i < 1000; i++) mj.mj_step(m, d);
      return mujocoAperture(m, d);
    };
    expect(settle(0)).toBeCloseTo(gripper.strokeM, 3);
    expect(gripper.strokeM).toBeGreaterThan(0.085);
    expect(settle(255)).toBeLessThan(0.005);
    // The four-bar stays closed by its constraints: every linkage joint at the same angle (the FK's assumption).
    const qs = gripper.linkageJoints.map(
      (j) => d.qpos[m.jnt_qposadr[mj.mj_name2id(m, mj.mjtObj.mjOBJ_JOINT.value, j)]] as number,
    );
    for (const q of qs) expect(q).toBeCloseTo(gripper.qMax, 1);
    for (const opening of [0.07, 0.04, 0.02]) {
      const reached = settle(gripper.qForAperture(opening) / gripper.actuator.qPerCtrl);
      expect(Math.abs(reached - opening), `opening ${opening}`).toBeLessThan(SERVO_TOLERANCE_M);
    }
  });

  it("the FK aperture table matches MuJoCo's pads and the TCP sits between them", () => {
    expect(gripper.apertureAt(0)).toBeCloseTo(gripper.strokeM, 12);
    expect(gripper.qForAperture(gripper.apertureAt(0.4))).toBeCloseTo(0.4, 3);
    // The TCP is on the base's z axis, ~0.153 m out, at the pads' centre for a 40 mm opening.
    expect(Math.abs(gripper.X_BG.p.x)).toBeLessThan(1e-4);
    expect(Math.abs(gripper.X_BG.p.y)).toBeLessThan(1e-4);
    expect(gripper.X_BG.p.z).toBeGreaterThan(0.14);
    expect(gripper.X_BG.p.z).toBeLessThan(0.16);
  });
});
