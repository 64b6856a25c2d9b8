import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import { qangle, qfromAxisAngle, vec3 } from "../../src/core/math.js";
import { forwardKinematics } from "../../src/robots/kinematics.js";
import { collisionShapes, loadModelMeshes, loadRobotModel } from "../../src/robots/load.js";
import { jointNamed, linkNamed, meshFiles } from "../../src/robots/robot_model.js";
import { loadUrdf, parseUrdf } from "../../src/robots/urdf.js";
import { count, robotAsset, xmlText } from "./fixtures.js";

/** Joint limits copied from the files by hand (name → [lower, upper]). */
const KNOWN_LIMITS: Record<string, [string, string, number, number]> = {
  "robotiq_2f85_urdf/robotiq_2f_85.urdf": ["robotiq_2f_85_right_driver_joint", "revolute", 0, 0.834],
  "panda_gripper_urdf/panda_gripper_glb.urdf": ["panda_finger_joint1", "prismatic", 0, 0.04],
  "allegro_hand_urdf/allegro_hand_right.urdf": ["joint_1.0", "revolute", -0.196, 1.61],
  "allegro_hand_urdf/allegro_hand_left.urdf": ["joint_0.0", "revolute", -0.47, 0.47],
  "leap_hand_right_urdf/leap_hand_right.urdf": ["0", "revolute", -1.047, 1.047],
};

describe("URDF importer on the shared robot models", () => {
  it.each(Object.keys(KNOWN_LIMITS))(
    "%s imports with the links, joints and meshes the file declares",
    async (name) => {
      const file = await robotAsset(name);
      const model = await loadRobotModel(file);
      const text = await xmlText(file);
      // Counted independently: <link …> elements; <joint … type=…> (a <transmission> also has <joint> children, without type).
      expect(model.links.length).toBe(count(text, /<link\s+name=/g));
      expect(model.joints.length).toBe(count(text, /<joint\s[^>]*type=/g));
      const meshRefs = new Set(
        [...text.matchAll(/filename="([^"]+)"/g)].map((m) => path.resolve(path.dirname(file), m[1]!)),
      );
      expect(new Set(meshFiles(model))).toEqual(meshRefs);
      expect(model.links[0]!.parent).toBeNull();
      const [joint, type, lower, upper] = KNOWN_LIMITS[name]!;
      const j = jointNamed(model, joint);
      expect(j.type).toBe(type);
      expect(j.limits?.lower).toBeCloseTo(lower, 9);
      expect(j.limits?.upper).toBeCloseTo(upper, 9);
    },
  );

  it.each([
    "robotiq_2f85_urdf/robotiq_2f_85.urdf",
    "allegro_hand_urdf/allegro_hand_right.urdf",
    "leap_hand_right_urdf/leap_hand_right.urdf",
  ])("%s: every mesh loads and every collision mesh has a convex hull", async (name) => {
    const model = await loadRobotModel(await robotAsset(name));
    const meshes = await loadModelMeshes(model);
    expect(meshes.size).toBe(meshFiles(model).length);
    for (const m of meshes.values()) expect(m.positions.length).toBeGreaterThan(0);
    const shapes = await collisionShapes(model);
    expect(shapes.length).toBe(model.links.reduce((n, l) => n + l.collisions.length, 0));
    for (const s of shapes)
      if (s.shape.kind === "convex") expect(s.shape.hull.faces.length).toBeGreaterThanOrEqual(12);
  });

  it("the Panda gripper's GLB visual meshes are reported as an unsupported format, naming the model", async () => {
    const file = await robotAsset("panda_gripper_urdf/panda_gripper_glb.urdf");
    const model = await loadRobotModel(file);
    expect(meshFiles(model).map((f) => path.basename(f))).toEqual(["hand.glb", "finger.glb"]);
    await expect(loadModelMeshes(model)).rejects.toThrow(
      /unsupported mesh format '\.glb'.*referenced by .*panda_gripper_glb\.urdf/s,
    );
    // Its collision geometry is primitives only, so collision shapes need no mesh.
    const shapes = await collisionShapes(model);
    expect(shapes.map((s) => s.shape.kind)).toEqual(["box", "cylinder", ...Array(8).fill("box")]);
  });

  it("reads origins (rpy), axes and mimic couplings of the 2F-85", async () => {
    const model = await loadRobotModel(await robotAsset("robotiq_2f85_urdf/robotiq_2f_85.urdf"));
    const left = linkNamed(model, "robotiq_2f_85_left_driver");
    expect(left.parent).toBe("robotiq_2f_85_base");
    expect(left.X_PL.p).toEqual({ x: 0, y: -0.0306011, z: 0.054904 });
    expect(qangle(left.X_PL.q, qfromAxisAngle(vec3(0, 0, 1), Math.PI))).toBeLessThan(1e-9);
    expect(jointNamed(model, "robotiq_2f_85_left_follower_joint").mimic).toEqual({
      joint: "robotiq_2f_85_right_driver_joint",
      multiplier: -1,
      offset: 0,
    });
    // The fingers are symmetric: at any driver angle the left and right pads mirror through the base's z axis.
    for (const q of [0, 0.4, 0.8]) {
      const X = forwardKinematics(model, { robotiq_2f_85_right_driver_joint: q });
      const l = X.get("robotiq_2f_85_left_pad")!.p;
      const r = X.get("robotiq_2f_85_right_pad")!.p;
      expect(l.x + r.x).toBeCloseTo(0, 9);
      expect(l.y + r.y).toBeCloseTo(0, 9);
      expect(l.z - r.z).toBeCloseTo(0, 9);
    }
    expect(model.ignored).toEqual(['<transmission name="robotiq_2f_85_right_driver_trans">: not imported']);
  });
});

describe("URDF importer errors", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-urdf-"));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const robot = (body: string) => `<robot name="r">${body}</robot>`;
  const cases: [string, string, RegExp][] = [
    ["malformed XML", "<robot><link name='a'></robot>", /malformed XML/],
    ["not a robot", "<mujoco/>", /root element is <mujoco>, expected <robot>/],
    [
      "a joint to a missing link",
      robot(`<link name="a"/><joint name="j" type="fixed"><parent link="a"/><child link="b"/></joint>`),
      /refers to link 'b', which does not exist/,
    ],
    ["two roots", robot(`<link name="a"/><link name="b"/>`), /exactly one root link, found 2/],
    [
      "a revolute joint without limits",
      robot(
        `<link name="a"/><link name="b"/><joint name="j" type="revolute"><parent link="a"/><child link="b"/></joint>`,
      ),
      /needs <limit>/,
    ],
    [
      "a bad number",
      robot(
        `<link name="a"><visual><origin xyz="0 zero 0"/><geometry><sphere radius="1"/></geometry></visual></link>`,
      ),
      /xyz: '0 zero 0' is not a list of numbers/,
    ],
    [
      "an unknown joint type",
      robot(
        `<link name="a"/><link name="b"/><joint name="j" type="hinge"><parent link="a"/><child link="b"/></joint>`,
      ),
      /unknown joint type 'hinge'/,
    ],
  ];
  it.each(cases)("%s is an InputError that says what is wrong", (_what, text, message) => {
    expect(() => parseUrdf(text, path.join(dir, "x.urdf"))).toThrow(InputError);
    expect(() => parseUrdf(text, path.join(dir, "x.urdf"))).toThrow(message);
  });

  it("a missing mesh fails with the mesh path and the model that wants it", async () => {
    const file = path.join(dir, "m.urdf");
    await fs.writeFile(
      file,
      robot(
        `<link name="a"><collision><geometry><mesh filename="meshes/nope.stl"/></geometry></collision></link>`,
      ),
    );
    const model = await loadUrdf(file);
    await expect(loadModelMeshes(model)).rejects.toThrow(
      `mesh file not found: ${path.join(dir, "meshes", "nope.stl")} (referenced by ${file})`,
    );
  });

  it("a missing URDF file is an InputError naming it", async () => {
    await expect(loadUrdf(path.join(dir, "absent.urdf"))).rejects.toThrow(/cannot read URDF .*absent\.urdf/);
  });
});
