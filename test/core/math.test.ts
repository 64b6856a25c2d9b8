/**
 * Quaternions and rigid transforms of src/core/math.ts, checked against an independent 3×3
 * rotation-matrix implementation written out below (no src/core/math helpers inside it).
 */
import { describe, expect, it } from "vitest";
import {
  compose,
  invert,
  normalize,
  POSE_IDENTITY,
  type Pose,
  type Quat,
  qangle,
  qaxes,
  qconj,
  qfromAxes,
  qfromAxisAngle,
  qfromWxyz,
  qmul,
  qnormalize,
  qrotate,
  qslerp,
  transformPoint,
  type Vec3,
  vec3,
} from "../../src/core/math.js";
import { createRng, type Rng } from "../../src/core/rng.js";
import { randomQuat } from "./random_pose.js";

/** Named tolerances. */
const TOL = {
  /** A handful of double-precision operations on unit-scale numbers (matrix entries, unit vectors). */
  roundOff: 1e-12,
  /** Positions after a few compositions of poses with metre-scale translations. */
  positionM: 1e-12,
  /** Angles recovered through acos, which loses precision near 0 (acos(1 − ε) ≈ √(2ε)). */
  angleRad: 1e-7,
};

const RANDOM_CASES = 200;

// ---------------------------------------------------------------------------------------------
// Independent reference: row-major 3×3 matrices.

type Mat3 = [[number, number, number], [number, number, number], [number, number, number]];
type Arr3 = [number, number, number];

/** Rotation matrix of a unit quaternion {x, y, z, w} (the standard textbook formula). */
function matFromQuat(q: Quat): Mat3 {
  const { x, y, z, w } = q;
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
  ];
}

/** Rodrigues' formula: R = I + sinθ K + (1 − cosθ) K², K the cross-product matrix of the unit axis. */
function matFromAxisAngle(axis: Arr3, angle: number): Mat3 {
  const n = Math.hypot(...axis);
  const [x, y, z] = axis.map((v) => v / n) as Arr3;
  const s = Math.sin(angle);
  const c = 1 - Math.cos(angle);
  return [
    [1 - c * (y * y + z * z), -s * z + c * x * y, s * y + c * x * z],
    [s * z + c * x * y, 1 - c * (x * x + z * z), -s * x + c * y * z],
    [-s * y + c * x * z, s * x + c * y * z, 1 - c * (x * x + y * y)],
  ];
}

function matMul(a: Mat3, b: Mat3): Mat3 {
  const out: Mat3 = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) out[r][c] = a[r][0] * b[0][c] + a[r][1] * b[1][c] + a[r][2] * b[2][c];
  return out;
}

const matVec = (m: Mat3, v: Arr3): Arr3 => [
  m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
  m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
  m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
];

const column = (m: Mat3, c: number): Arr3 => [m[0][c], m[1][c], m[2][c]];
const arr = (v: Vec3): Arr3 => [v.x, v.y, v.z];
const obj = (a: Arr3): Vec3 => ({ x: a[0], y: a[1], z: a[2] });

function expectMatClose(actual: Mat3, expected: Mat3, tol: number): void {
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) expect(Math.abs(actual[r][c] - expected[r][c])).toBeLessThan(tol);
}

function expectVecClose(actual: Vec3, expected: Vec3 | Arr3, tol: number): void {
  const e = Array.isArray(expected) ? expected : arr(expected);
  expect(Math.abs(actual.x - e[0])).toBeLessThan(tol);
  expect(Math.abs(actual.y - e[1])).toBeLessThan(tol);
  expect(Math.abs(actual.z - e[2])).toBeLessThan(tol);
}

/** q and −q are the same rotation: compare after flipping `actual` into `expected`'s hemisphere. */
function expectSameRotation(actual: Quat, expected: Quat, tol: number): void {
  const d = actual.x * expected.x + actual.y * expected.y + actual.z * expected.z + actual.w * expected.w;
  const sign = d < 0 ? -1 : 1;
  expect(Math.abs(sign * actual.x - expected.x)).toBeLessThan(tol);
  expect(Math.abs(sign * actual.y - expected.y)).toBeLessThan(tol);
  expect(Math.abs(sign * actual.z - expected.z)).toBeLessThan(tol);
  expect(Math.abs(sign * actual.w - expected.w)).toBeLessThan(tol);
}

// ---------------------------------------------------------------------------------------------
// Factories

const randomVec = (rng: Rng, halfRange = 1): Vec3 =>
  vec3(
    rng.uniform(-halfRange, halfRange),
    rng.uniform(-halfRange, halfRange),
    rng.uniform(-halfRange, halfRange),
  );

const randomPose = (rng: Rng): Pose => ({ p: randomVec(rng, 2), q: randomQuat(rng) });

/** Named rotations that hit every branch of Shepperd's method and the 180° singular cases. */
const NAMED_ROTATIONS: { name: string; axis: Arr3; angle: number }[] = [
  { name: "identity", axis: [0, 0, 1], angle: 0 },
  { name: "90° about x", axis: [1, 0, 0], angle: Math.PI / 2 },
  { name: "180° about x", axis: [1, 0, 0], angle: Math.PI },
  { name: "180° about y", axis: [0, 1, 0], angle: Math.PI },
  { name: "180° about z", axis: [0, 0, 1], angle: Math.PI },
  { name: "180° about (1, 1, 0)", axis: [1, 1, 0], angle: Math.PI },
  { name: "179.9° about (1, −2, 3)", axis: [1, -2, 3], angle: Math.PI - 1e-3 },
  { name: "−120° about (1, 1, 1)", axis: [1, 1, 1], angle: (-2 * Math.PI) / 3 },
];

describe("math", () => {
  describe("qmul", () => {
    it("matches the rotation-matrix product R(a ⊗ b) = R(a) R(b) on seeded random quaternions", () => {
      const rng = createRng(11);
      for (let i = 0; i < RANDOM_CASES; i++) {
        const a = randomQuat(rng);
        const b = randomQuat(rng);
        expectMatClose(matFromQuat(qmul(a, b)), matMul(matFromQuat(a), matFromQuat(b)), TOL.roundOff);
      }
    });

    it("rotates by b first, then by a", () => {
      // 90° about z then 90° about x takes +x to +y and then to +z.
      const aboutZ = qfromAxisAngle(vec3(0, 0, 1), Math.PI / 2);
      const aboutX = qfromAxisAngle(vec3(1, 0, 0), Math.PI / 2);
      expectVecClose(qrotate(qmul(aboutX, aboutZ), vec3(1, 0, 0)), [0, 0, 1], TOL.roundOff);
    });

    it("has the identity as neutral element and q* as inverse", () => {
      const rng = createRng(12);
      const identity = { x: 0, y: 0, z: 0, w: 1 };
      for (let i = 0; i < 20; i++) {
        const q = randomQuat(rng);
        expectSameRotation(qmul(q, identity), q, TOL.roundOff);
        expectSameRotation(qmul(q, qconj(q)), identity, TOL.roundOff);
      }
    });
  });

  describe("qrotate", () => {
    it("matches R(q) · v on seeded random quaternions and vectors", () => {
      const rng = createRng(21);
      for (let i = 0; i < RANDOM_CASES; i++) {
        const q = randomQuat(rng);
        const v = randomVec(rng, 3);
        expectVecClose(qrotate(q, v), matVec(matFromQuat(q), arr(v)), 3 * TOL.roundOff);
      }
    });

    it("matches Rodrigues' formula for qfromAxisAngle on named rotations", () => {
      const v: Arr3 = [0.3, -0.7, 1.1];
      for (const { axis, angle } of NAMED_ROTATIONS) {
        const q = qfromAxisAngle(obj(axis), angle);
        expectVecClose(qrotate(q, obj(v)), matVec(matFromAxisAngle(axis, angle), v), TOL.roundOff);
      }
    });

    it("keeps vector length", () => {
      const rng = createRng(22);
      for (let i = 0; i < 50; i++) {
        const v = randomVec(rng, 5);
        const r = qrotate(randomQuat(rng), v);
        expect(Math.abs(Math.hypot(r.x, r.y, r.z) - Math.hypot(v.x, v.y, v.z))).toBeLessThan(
          TOL.roundOff * 10,
        );
      }
    });
  });

  describe("compose / invert", () => {
    it("X ∘ X⁻¹ = X⁻¹ ∘ X = identity on seeded random poses", () => {
      const rng = createRng(31);
      for (let i = 0; i < RANDOM_CASES; i++) {
        const X = randomPose(rng);
        for (const I of [compose(X, invert(X)), compose(invert(X), X)]) {
          expectVecClose(I.p, [0, 0, 0], TOL.positionM);
          expectSameRotation(I.q, POSE_IDENTITY.q, TOL.roundOff);
        }
      }
    });

    it("invert matches the matrix inverse: p_B = Rᵀ (p_A − p)", () => {
      const rng = createRng(32);
      for (let i = 0; i < 50; i++) {
        const X_AB = randomPose(rng);
        const p_A = randomVec(rng, 2);
        const R = matFromQuat(X_AB.q);
        const Rt: Mat3 = [column(R, 0), column(R, 1), column(R, 2)];
        const expected = matVec(Rt, [p_A.x - X_AB.p.x, p_A.y - X_AB.p.y, p_A.z - X_AB.p.z]);
        expectVecClose(transformPoint(invert(X_AB), p_A), expected, TOL.positionM);
      }
    });

    it("X_AC = X_AB ∘ X_BC maps points like applying X_BC then X_AB (monogram composition)", () => {
      const rng = createRng(33);
      for (let i = 0; i < RANDOM_CASES; i++) {
        const X_AB = randomPose(rng);
        const X_BC = randomPose(rng);
        const X_AC = compose(X_AB, X_BC);
        const p_C = randomVec(rng, 1);
        const twice = transformPoint(X_AB, transformPoint(X_BC, p_C));
        expectVecClose(transformPoint(X_AC, p_C), twice, TOL.positionM * 10);
        // The same through the reference matrices: p_A = R_AB (R_BC p_C + p_BC) + p_AB.
        const p_B = matVec(matFromQuat(X_BC.q), arr(p_C)).map((v, k) => v + arr(X_BC.p)[k]!) as Arr3;
        const p_A = matVec(matFromQuat(X_AB.q), p_B).map((v, k) => v + arr(X_AB.p)[k]!) as Arr3;
        expectVecClose(transformPoint(X_AC, p_C), p_A, TOL.positionM * 10);
      }
    });

    it("is associative: (X_AB ∘ X_BC) ∘ X_CD = X_AB ∘ (X_BC ∘ X_CD)", () => {
      const rng = createRng(34);
      for (let i = 0; i < 50; i++) {
        const [X_AB, X_BC, X_CD] = [randomPose(rng), randomPose(rng), randomPose(rng)];
        const left = compose(compose(X_AB, X_BC), X_CD);
        const right = compose(X_AB, compose(X_BC, X_CD));
        expectVecClose(left.p, right.p, TOL.positionM * 10);
        expectSameRotation(left.q, right.q, TOL.roundOff);
      }
    });

    it("does not mutate its inputs", () => {
      const X_AB: Pose = { p: vec3(1, 2, 3), q: qfromAxisAngle(vec3(0, 1, 0), 0.4) };
      const copy = structuredClone(X_AB);
      compose(X_AB, invert(X_AB));
      expect(X_AB).toEqual(copy);
    });
  });

  describe("qfromAxes / qaxes", () => {
    it("round-trips the columns of seeded random rotation matrices", () => {
      const rng = createRng(41);
      for (let i = 0; i < RANDOM_CASES; i++) {
        const R = matFromQuat(randomQuat(rng));
        const q = qfromAxes(obj(column(R, 0)), obj(column(R, 1)), obj(column(R, 2)));
        expect(q.w).toBeGreaterThanOrEqual(0);
        const axes = qaxes(q);
        for (let c = 0; c < 3; c++) expectVecClose(axes[c]!, column(R, c), TOL.roundOff * 10);
      }
    });

    it.each(NAMED_ROTATIONS)(
      "recovers the named rotation $name (every Shepperd branch)",
      ({ axis, angle }) => {
        const R = matFromAxisAngle(axis, angle);
        const q = qfromAxes(obj(column(R, 0)), obj(column(R, 1)), obj(column(R, 2)));
        expectMatClose(matFromQuat(q), R, TOL.roundOff * 10);
        expect(Math.abs(Math.hypot(q.x, q.y, q.z, q.w) - 1)).toBeLessThan(TOL.roundOff);
      },
    );

    it("qaxes returns the columns of the reference matrix", () => {
      const rng = createRng(42);
      for (let i = 0; i < 50; i++) {
        const q = randomQuat(rng);
        const R = matFromQuat(q);
        qaxes(q).forEach((a, c) => {
          expectVecClose(a, column(R, c), TOL.roundOff);
        });
      }
    });
  });

  describe("qslerp", () => {
    it("returns the endpoints at s = 0 and s = 1", () => {
      const rng = createRng(51);
      for (let i = 0; i < 50; i++) {
        const a = randomQuat(rng);
        const b = randomQuat(rng);
        expectSameRotation(qslerp(a, b, 0), a, TOL.roundOff);
        expectSameRotation(qslerp(a, b, 1), b, TOL.roundOff);
      }
    });

    it("moves along the geodesic: angle(a, slerp(s)) = s · angle(a, b), and stays unit length", () => {
      const rng = createRng(52);
      for (let i = 0; i < 50; i++) {
        const a = randomQuat(rng);
        const b = randomQuat(rng);
        const total = qangle(a, b);
        for (const s of [0.25, 0.5, 0.75]) {
          const m = qslerp(a, b, s);
          expect(Math.abs(Math.hypot(m.x, m.y, m.z, m.w) - 1)).toBeLessThan(TOL.roundOff);
          expect(Math.abs(qangle(a, m) - s * total)).toBeLessThan(TOL.angleRad);
          expect(Math.abs(qangle(m, b) - (1 - s) * total)).toBeLessThan(TOL.angleRad);
        }
      }
    });

    it("takes the shorter arc when the quaternions lie in opposite hemispheres", () => {
      // 0° and 300° about z: the shorter way is −60°, so the midpoint is −30°, not +150°.
      const a = qfromAxisAngle(vec3(0, 0, 1), 0);
      const b = qfromAxisAngle(vec3(0, 0, 1), (5 * Math.PI) / 3);
      expect(a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w).toBeLessThan(0);
      const mid = qslerp(a, b, 0.5);
      expectMatClose(matFromQuat(mid), matFromAxisAngle([0, 0, 1], -Math.PI / 6), TOL.roundOff);
    });

    it("interpolates nearly equal quaternions without NaN (the linear branch)", () => {
      const a = qfromAxisAngle(vec3(1, 2, 3), 0.5);
      const b = qfromAxisAngle(vec3(1, 2, 3), 0.5 + 1e-9);
      const m = qslerp(a, b, 0.5);
      expect(Number.isFinite(m.x + m.y + m.z + m.w)).toBe(true);
      expectMatClose(matFromQuat(m), matFromAxisAngle([1, 2, 3], 0.5 + 5e-10), TOL.roundOff * 10);
      // Identical inputs: 0/0 must not appear.
      expectSameRotation(qslerp(a, a, 0.3), a, TOL.roundOff);
    });
  });

  describe("qfromWxyz", () => {
    it("reads scalar-first [w, x, y, z] arrays", () => {
      const angle = 0.8;
      const axis: Arr3 = [2, -1, 2]; // length 3
      const h = Math.sin(angle / 2) / 3;
      const q = qfromWxyz([Math.cos(angle / 2), 2 * h, -1 * h, 2 * h]);
      expect(q).toEqual({ x: 2 * h, y: -h, z: 2 * h, w: Math.cos(angle / 2) });
      expectMatClose(matFromQuat(q), matFromAxisAngle(axis, angle), TOL.roundOff);
    });
  });

  describe("normalize", () => {
    it("returns a unit vector along the input", () => {
      const n = normalize(vec3(3, 0, -4));
      expectVecClose(n, [0.6, 0, -0.8], TOL.roundOff);
    });

    it.each([
      { name: "zero vector", v: vec3(0, 0, 0) },
      { name: "denormal-length vector", v: vec3(1e-300, 0, 0) },
      { name: "NaN component", v: vec3(Number.NaN, 1, 0) },
      { name: "infinite component", v: vec3(Number.POSITIVE_INFINITY, 0, 0) },
    ])("throws a RangeError for a $name instead of returning NaN", ({ v }) => {
      expect(() => normalize(v)).toThrow(RangeError);
    });

    it("qnormalize throws for the zero quaternion", () => {
      expect(() => qnormalize({ x: 0, y: 0, z: 0, w: 0 })).toThrow(RangeError);
    });
  });
});
