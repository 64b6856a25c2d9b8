import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compose, qangle, qfromAxisAngle, qrotate, sub, vec3 } from "../../src/core/math.js";
import { forwardKinematics } from "../../src/robots/kinematics.js";
import { collisionShapes, loadModelMeshes } from "../../src/robots/load.js";
import { meshBounds, scaleMesh } from "../../src/robots/mesh.js";
import { loadMjcf } from "../../src/robots/mjcf.js";
import { jointNamed, linkNamed, meshFiles } from "../../src/robots/robot_model.js";
import { count, mjcfTextWithIncludes, robotAsset } from "./fixtures.js";

/** The 2F-85's rated stroke (Robotiq datasheet): the largest opening between the pads. */
const STROKE_2F85_M = 0.085;
/** How far the MJCF's pad geometry may open beyond or short of the rated stroke (m). */
const STROKE_TOLERANCE_M = 0.003;

/** Known joints: [file, joint, type, lower, upper], copied from the XML (with its default classes resolved by hand). */
const KNOWN: [string, string, string, number, number][] = [
  ["robotiq_2f85_mjcf/2f85.xml", "left_driver_joint", "revolute", 0, 0.9],
  ["robotiq_2f85_mjcf/2f85.xml", "right_follower_joint", "revolute", -0.872664, 0.9],
  ["robotiq_2f85_mjcf/2f85.xml", "left_spring_link_joint", "revolute", -0.29670597283, 0.9],
  ["robotiq_2f85_mjcf/scene.xml", "right_driver_joint", "revolute", 0, 0.9],
  ["franka_panda_mjcf/panda.xml", "joint4", "revolute", -3.0718, -0.0698],
  ["franka_panda_mjcf/panda.xml", "joint1", "revolute", -2.8973, 2.8973],
  ["franka_panda_mjcf/panda.xml", "finger_joint2", "prismatic", 0, 0.04],
  ["franka_panda_mjcf/hand.xml", "finger_joint1", "prismatic", 0, 0.04],
  ["franka_panda_mjcf/panda_nohand.xml", "joint6", "revolute", -0.0175, 3.7525],
  ["franka_panda_mjcf/scene.xml", "joint2", "revolute", -1.7628, 1.7628],
];

describe("MJCF importer on the shared robot models", () => {
  it.each([...new Set(KNOWN.map((k) => k[0]))])(
    "%s imports with the bodies, joints and meshes the XML declares",
    async (name) => {
      const file = await robotAsset(name);
      const model = await loadMjcf(file);
      const text = await mjcfTextWithIncludes(file);
      // The world body is the root link; every <body> is one more link.
      expect(model.links.length).toBe(count(text, /<body[\s>]/g) + 1);
      // Named <joint>s are the body joints (tendon and equality <joint>s have joint= / joint1=, defaults no name).
      expect(model.joints.length).toBe(count(text, /<joint\s[^>]*\bname=/g) + count(text, /<freejoint/g));
      const meshAssets = count(text, /<mesh\s[^>]*file=/g);
      const used = new Set([...text.matchAll(/<geom\s[^>]*mesh="([^"]+)"/g)].map((m) => m[1]!));
      expect(meshFiles(model).length).toBe(used.size);
      expect(meshFiles(model).length).toBeLessThanOrEqual(meshAssets);
      for (const [f, joint, type, lower, upper] of KNOWN.filter((k) => k[0] === name)) {
        const j = jointNamed(model, joint);
        expect([f, j.type]).toEqual([f, type]);
        expect(j.limits?.lower).toBeCloseTo(lower, 9);
        expect(j.limits?.upper).toBeCloseTo(upper, 9);
      }
      const meshes = await loadModelMeshes(model);
      expect(meshes.size).toBe(used.size);
    },
  );

  it("2f85.xml: classes, childclass, scalar-first quaternions and mesh units resolve as MuJoCo does", async () => {
    const model = await loadMjcf(await robotAsset("robotiq_2f85_mjcf/2f85.xml"));
    // <body name="left_driver" quat="1 -1 0 0">: normalized, a −90° turn about x.
    expect(
      qangle(linkNamed(model, "left_driver").X_PL.q, qfromAxisAngle(vec3(1, 0, 0), -Math.PI / 2)),
    ).toBeLessThan(1e-12);
    // Joint axis from class 2f85 (childclass of base) under class driver.
    expect(jointNamed(model, "left_driver_joint").axis_L).toEqual({ x: 0, y: 0, z: 1 });
    // pad_box1 inherits collision → 2f85: a box, half sizes doubled, pos and friction from the class.
    const pad = linkNamed(model, "left_pad").collisions.find((g) => g.name === "left_pad1")!;
    expect(pad.shape).toEqual({ kind: "box", sizeM: [0.004, 0.022, 0.01875] });
    expect(pad.X_LG.p).toEqual({ x: 0.043258, y: 0, z: 0.12 });
    expect(pad.friction).toBe(0.7);
    // Visual geoms (contype = conaffinity = 0 from class "visual") are not colliders.
    expect(linkNamed(model, "base").visuals.length).toBe(3);
    expect(linkNamed(model, "base").collisions.length).toBe(1);
    // Mesh assets take the "main" defaults, not the body's childclass: these STLs are already in metres.
    const base = linkNamed(model, "base").collisions[0]!;
    expect(base.shape).toMatchObject({ kind: "mesh", scale: [1, 1, 1] });
    const mesh = (await loadModelMeshes(model)).get((base.shape as { file: string }).file)!;
    const b = meshBounds(scaleMesh(mesh, [1, 1, 1]));
    expect(b.max[2] - b.min[2]).toBeGreaterThan(0.05);
    expect(b.max[2] - b.min[2]).toBeLessThan(0.15);
    expect(model.ignored.some((l) => l.includes("fixed 'split'"))).toBe(true);
    expect(model.ignored.filter((l) => l.includes("<connect>")).length).toBe(2);
    // The driver coupling (polycoef "0 1 0 0 0") is imported as a mimic joint.
    expect(jointNamed(model, "right_driver_joint").mimic).toEqual({
      joint: "left_driver_joint",
      multiplier: 1,
      offset: 0,
    });
  });

  it("2f85.xml: the pads open to the 85 mm stroke at the open joint configuration (forward kinematics)", async () => {
    const model = await loadMjcf(await robotAsset("robotiq_2f85_mjcf/2f85.xml"));
    // The four-bar is closed by <connect> constraints the tree cannot hold; at q = 0 (the
    // configuration the model is built in, c-a01-85-open) every linkage joint is 0. Opening axis: base x.
    const X = forwardKinematics(model, Object.fromEntries(model.joints.map((j) => [j.name, 0])));
    const innerFace = (side: "left" | "right") => {
      const link = linkNamed(model, `${side}_pad`);
      const g = link.collisions.find((c) => c.name === `${side}_pad1`)!;
      const X_WG = compose(X.get(link.name)!, g.X_LG);
      const half = (g.shape as { sizeM: number[] }).sizeM[0]! / 2;
      // The pad box's thin axis is its local x; the inner face is the side towards the base's z axis.
      const xAxis = qrotate(X_WG.q, vec3(1, 0, 0));
      const towardsCentre = Math.sign(-X_WG.p.x) * Math.sign(xAxis.x);
      return X_WG.p.x + towardsCentre * half * xAxis.x;
    };
    const separation = innerFace("right") - innerFace("left");
    expect(Math.abs(separation - STROKE_2F85_M)).toBeLessThan(STROKE_TOLERANCE_M);
    // And they close to (almost) touching at the driver's upper limit region (q ≈ 0.82, where MuJoCo's actuator stops).
    const closed = forwardKinematics(model, Object.fromEntries(model.joints.map((j) => [j.name, 0.824])));
    const gap = sub(closed.get("right_pad")!.p, closed.get("left_pad")!.p);
    expect(Math.abs(gap.x)).toBeLessThan(Math.abs(sub(X.get("right_pad")!.p, X.get("left_pad")!.p).x));
  });

  it("scene.xml includes 2f85.xml: the gripper's bodies plus the scene's own", async () => {
    const scene = await loadMjcf(await robotAsset("robotiq_2f85_mjcf/scene.xml"));
    const gripper = await loadMjcf(await robotAsset("robotiq_2f85_mjcf/2f85.xml"));
    expect(scene.links.map((l) => l.name)).toEqual([...gripper.links.map((l) => l.name), "object"]);
    expect(jointNamed(scene, "object_joint0").type).toBe("floating");
    expect(linkNamed(scene, "world").collisions.map((g) => g.shape.kind)).toEqual(["plane"]);
  });

  it("panda.xml: every collision mesh has a convex hull; the hand hangs 0.107 m beyond link7", async () => {
    const model = await loadMjcf(await robotAsset("franka_panda_mjcf/panda.xml"));
    const shapes = await collisionShapes(model);
    // 11 link meshes (link5 has three convex pieces) and the two fingers' finger_0.
    expect(shapes.filter((s) => s.shape.kind === "convex").length).toBe(13);
    expect(shapes.filter((s) => s.shape.kind === "box").length).toBe(10);
    expect(linkNamed(model, "hand").X_PL.p).toEqual({ x: 0, y: 0, z: 0.107 });
    expect(jointNamed(model, "finger_joint1").axis_L).toEqual({ x: 0, y: 1, z: 0 });
  });
});

describe("MJCF importer details", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-mjcf-"));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, text: string) => {
    const f = path.join(dir, name);
    await fs.writeFile(f, text);
    return f;
  };

  it("degrees, euler, frames, fromto and class inheritance", async () => {
    await write(
      "part.xml",
      `<mujoco><default><default class="a"><joint range="-90 90" axis="1 0 0"/><geom type="box" size="0.1 0.2 0.3"/>
         <default class="b"><joint axis="0 1 0"/></default></default></default></mujoco>`,
    );
    const file = await write(
      "m.xml",
      `<mujoco><include file="part.xml"/><worldbody>
        <body name="p" euler="0 0 90" childclass="a">
          <joint name="j1"/>
          <geom name="g1"/>
          <frame pos="0 0 1" euler="90 0 0"><body name="c"><joint name="j2" class="b" pos="0 0 0.5"/>
            <geom name="cap" type="capsule" fromto="0 0 0 0 0 0.4" size="0.05"/></body></frame>
        </body></worldbody></mujoco>`,
    );
    const m = await loadMjcf(file);
    expect(qangle(linkNamed(m, "p").X_PL.q, qfromAxisAngle(vec3(0, 0, 1), Math.PI / 2))).toBeLessThan(1e-12);
    expect(jointNamed(m, "j1").limits).toEqual({ lower: -Math.PI / 2, upper: Math.PI / 2 });
    expect(jointNamed(m, "j1").axis_L).toEqual({ x: 1, y: 0, z: 0 });
    expect(jointNamed(m, "j2").axis_L).toEqual({ x: 0, y: 1, z: 0 });
    expect(jointNamed(m, "j2").anchor_L).toEqual({ x: 0, y: 0, z: 0.5 });
    expect(linkNamed(m, "p").collisions[0]!.shape).toEqual({ kind: "box", sizeM: [0.2, 0.4, 0.6] });
    const c = linkNamed(m, "c");
    expect(c.X_PL.p).toEqual({ x: 0, y: 0, z: 1 });
    expect(qangle(c.X_PL.q, qfromAxisAngle(vec3(1, 0, 0), Math.PI / 2))).toBeLessThan(1e-12);
    const cap = c.collisions[0]!;
    expect(cap.shape).toEqual({ kind: "capsule", radiusM: 0.05, lengthM: 0.4 });
    expect(cap.X_LG.p.z).toBeCloseTo(0.2, 12);
  });

  it.each([
    [
      "an undefined class",
      `<mujoco><worldbody><body><geom class="nope" size="1"/></body></worldbody></mujoco>`,
      /default class 'nope', which is not defined/,
    ],
    [
      "an undefined mesh",
      `<mujoco><worldbody><body><geom type="mesh" mesh="m"/></body></worldbody></mujoco>`,
      /mesh 'm' is not defined in <asset>/,
    ],
    [
      "a missing include",
      `<mujoco><include file="absent.xml"/></mujoco>`,
      /MJCF file not found: .*absent\.xml \(included from .*\)/,
    ],
    [
      "a sphere without size",
      `<mujoco><worldbody><body><geom/></body></worldbody></mujoco>`,
      /a sphere needs a positive radius/,
    ],
    [
      "an unnormalizable quaternion",
      `<mujoco><worldbody><body quat="0 0 0 0"/></worldbody></mujoco>`,
      /has zero length/,
    ],
  ])("%s is an error that says what is wrong", async (_what, text, message) => {
    const file = await write(`bad-${Math.random().toString(36).slice(2)}.xml`, text);
    await expect(loadMjcf(file)).rejects.toThrow(message);
  });
});
