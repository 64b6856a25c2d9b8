import { describe, expect, it } from "vitest";
import { qangle, qfromAxisAngle, vec3 } from "../../src/core/math.js";
import { forwardKinematics, jointMotion, jointPosition } from "../../src/robots/kinematics.js";
import type { RobotJoint, RobotModel } from "../../src/robots/robot_model.js";

const link = (name: string, parent: string | null, x: number, joints: string[] = []) => ({
  name,
  parent,
  X_PL: { p: vec3(x, 0, 0), q: { x: 0, y: 0, z: 0, w: 1 } },
  joints,
  visuals: [],
  collisions: [],
});
const joint = (
  j: Partial<RobotJoint> & Pick<RobotJoint, "name" | "type" | "link" | "parent">,
): RobotJoint => ({
  axis_L: vec3(0, 0, 1),
  anchor_L: vec3(0, 0, 0),
  ...j,
});

/** A planar arm: base → a (hinge about z) → b (slide along x, mimicking the hinge ×2). */
const ARM: RobotModel = {
  name: "arm",
  format: "urdf",
  file: "arm.urdf",
  links: [link("base", null, 0), link("a", "base", 1, ["ja"]), link("b", "a", 1, ["jb"])],
  joints: [
    joint({ name: "ja", type: "revolute", link: "a", parent: "base" }),
    joint({
      name: "jb",
      type: "prismatic",
      link: "b",
      parent: "a",
      axis_L: vec3(1, 0, 0),
      mimic: { joint: "ja", multiplier: 2, offset: 0.5 },
    }),
  ],
  ignored: [],
};

describe("forward kinematics", () => {
  it("composes joint motions down the tree; a mimic joint follows its source", () => {
    const X = forwardKinematics(ARM, { ja: Math.PI / 2 });
    expect(X.get("a")!.p).toEqual({ x: 1, y: 0, z: 0 });
    expect(qangle(X.get("a")!.q, qfromAxisAngle(vec3(0, 0, 1), Math.PI / 2))).toBeLessThan(1e-12);
    // b: 1 m along a's x (now world y), then the slide of 2·π/2 + 0.5 along a's x too.
    const slide = 2 * (Math.PI / 2) + 0.5;
    expect(X.get("b")!.p.x).toBeCloseTo(1, 12);
    expect(X.get("b")!.p.y).toBeCloseTo(1 + slide, 12);
    expect(jointPosition(ARM, { ja: 1 }, "jb")).toBeCloseTo(2.5, 12);
    expect(jointPosition(ARM, { ja: 1, jb: 7 }, "jb")).toBe(7);
  });

  it("a hinge rotates about its anchor, not the link origin", () => {
    const j = joint({ name: "h", type: "revolute", link: "l", parent: "p", anchor_L: vec3(1, 0, 0) });
    const M = jointMotion(j, Math.PI);
    // The anchor stays put; the link origin swings to the other side of it.
    expect(M.p.x).toBeCloseTo(2, 12);
    expect(M.p.y).toBeCloseTo(0, 12);
  });

  it("floating and ball joints stay at their zero pose", () => {
    for (const type of ["floating", "ball"] as const) {
      expect(jointMotion(joint({ name: "f", type, link: "l", parent: "p" }), 1)).toEqual({
        p: { x: 0, y: 0, z: 0 },
        q: { x: 0, y: 0, z: 0, w: 1 },
      });
    }
  });
});
