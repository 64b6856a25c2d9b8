import { describe, expect, it } from "vitest";
import { qangle, qfromAxisAngle, qmul, qrotate, vec3 } from "../../src/core/math.js";
import {
  quatFromEuler,
  quatFromMjcfWxyz,
  quatFromRpy,
  quatFromXyAxes,
  quatFromZAxis,
} from "../../src/robots/orientation.js";

const what = () => "test";
/** qangle is 2·acos(|q1·q2|): near identical rotations it resolves only ~1e-8 rad. */
const ANGLE_TOLERANCE_RAD = 1e-7;
const X = vec3(1, 0, 0);
const Y = vec3(0, 1, 0);
const Z = vec3(0, 0, 1);
const close = (a: ReturnType<typeof vec3>, b: ReturnType<typeof vec3>) => {
  expect(a.x).toBeCloseTo(b.x, 12);
  expect(a.y).toBeCloseTo(b.y, 12);
  expect(a.z).toBeCloseTo(b.z, 12);
};

describe("orientation conversions", () => {
  it("URDF rpy is Rz(yaw)·Ry(pitch)·Rx(roll)", () => {
    const q = quatFromRpy(0.3, -0.4, 1.1);
    const ref = qmul(qmul(qfromAxisAngle(Z, 1.1), qfromAxisAngle(Y, -0.4)), qfromAxisAngle(X, 0.3));
    expect(qangle(q, ref)).toBeLessThan(ANGLE_TOLERANCE_RAD);
  });

  it("MJCF quat is scalar-first and normalized", () => {
    expect(qangle(quatFromMjcfWxyz([1, 1, 0, 0], what), qfromAxisAngle(X, Math.PI / 2))).toBeLessThan(
      ANGLE_TOLERANCE_RAD,
    );
    expect(() => quatFromMjcfWxyz([0, 0, 0, 0], what)).toThrow(/zero length/);
  });

  it("MJCF euler: lower case rotates with the frame, upper case about the fixed axes", () => {
    const a = [0.5, 0.2, -0.7];
    const intrinsic = quatFromEuler(a, "xyz", what);
    const extrinsic = quatFromEuler(a, "XYZ", what);
    const [qx, qy, qz] = [qfromAxisAngle(X, a[0]!), qfromAxisAngle(Y, a[1]!), qfromAxisAngle(Z, a[2]!)];
    expect(qangle(intrinsic, qmul(qmul(qx, qy), qz))).toBeLessThan(ANGLE_TOLERANCE_RAD);
    expect(qangle(extrinsic, qmul(qmul(qz, qy), qx))).toBeLessThan(ANGLE_TOLERANCE_RAD);
    expect(() => quatFromEuler(a, "xyq", what)).toThrow(/invalid eulerseq/);
  });

  it("MJCF xyaxes and zaxis give frames with those axes", () => {
    const q = quatFromXyAxes([0, 1, 0, -1, 0.3, 0], what);
    close(qrotate(q, X), Y);
    close(qrotate(q, Y), vec3(-1, 0, 0));
    close(qrotate(quatFromZAxis([1, 0, 0], what), Z), X);
    close(qrotate(quatFromZAxis([0, 0, -2], what), Z), vec3(0, 0, -1));
  });
});
