/**
 * Vectors, quaternions and rigid transforms.
 *
 * Conventions (shared with Rapier and three.js):
 * - `Vec3` is `{x, y, z}`; `Quat` is `{x, y, z, w}` (scalar last), always unit length when it
 *   represents a rotation.
 * - `Pose` is a rigid transform named by frames: `X_WB` is the pose of frame B in frame W, so
 *   `p_W = X_WB · p_B`, and poses compose by matching letters: `X_WC = compose(X_WB, X_BC)`.
 *
 * Everything here is pure: inputs are never mutated.
 */

export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

export interface Quat {
  x: number;
  y: number;
  z: number;
  w: number;
}

export interface Pose {
  /** Translation of the child frame's origin, expressed in the parent frame (m). */
  p: Vec3;
  /** Rotation of the child frame relative to the parent frame. */
  q: Quat;
}

export const vec3 = (x: number, y: number, z: number): Vec3 => ({ x, y, z });
export const ZERO3: Vec3 = Object.freeze(vec3(0, 0, 0)) as Vec3;
export const QUAT_IDENTITY: Quat = Object.freeze({ x: 0, y: 0, z: 0, w: 1 }) as Quat;
export const POSE_IDENTITY: Pose = Object.freeze({ p: ZERO3, q: QUAT_IDENTITY }) as Pose;

export const add = (a: Vec3, b: Vec3): Vec3 => ({ x: a.x + b.x, y: a.y + b.y, z: a.z + b.z });
export const sub = (a: Vec3, b: Vec3): Vec3 => ({ x: a.x - b.x, y: a.y - b.y, z: a.z - b.z });
export const scale = (a: Vec3, s: number): Vec3 => ({ x: a.x * s, y: a.y * s, z: a.z * s });
export const dot = (a: Vec3, b: Vec3): number => a.x * b.x + a.y * b.y + a.z * b.z;
export const cross = (a: Vec3, b: Vec3): Vec3 => ({
  x: a.y * b.z - a.z * b.y,
  y: a.z * b.x - a.x * b.z,
  z: a.x * b.y - a.y * b.x,
});
export const norm = (a: Vec3): number => Math.sqrt(dot(a, a));
export const distance = (a: Vec3, b: Vec3): number => norm(sub(a, b));
export const lerp3 = (a: Vec3, b: Vec3, s: number): Vec3 => add(a, scale(sub(b, a), s));
export const midpoint = (a: Vec3, b: Vec3): Vec3 => lerp3(a, b, 0.5);

/** Unit vector along `a`; throws on a zero or non-finite vector, which would otherwise become NaN. */
export function normalize(a: Vec3): Vec3 {
  const n = norm(a);
  if (!(n > 1e-12) || !Number.isFinite(n)) throw new RangeError(`cannot normalize vector of length ${n}`);
  return scale(a, 1 / n);
}

export const isFiniteVec3 = (a: Vec3): boolean =>
  Number.isFinite(a.x) && Number.isFinite(a.y) && Number.isFinite(a.z);

export const toArray3 = (a: Vec3): [number, number, number] => [a.x, a.y, a.z];
export const fromArray3 = (a: readonly number[]): Vec3 => ({ x: a[0]!, y: a[1]!, z: a[2]! });

// ---------------------------------------------------------------------------------------------
// Quaternions {x, y, z, w}

/** Hamilton product a ⊗ b: rotating by b first, then by a. */
export function qmul(a: Quat, b: Quat): Quat {
  return {
    x: a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
    y: a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x,
    z: a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w,
    w: a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z,
  };
}

export const qconj = (q: Quat): Quat => ({ x: -q.x, y: -q.y, z: -q.z, w: q.w });

export function qnormalize(q: Quat): Quat {
  const n = Math.sqrt(q.x * q.x + q.y * q.y + q.z * q.z + q.w * q.w);
  if (!(n > 1e-12) || !Number.isFinite(n)) throw new RangeError(`cannot normalize quaternion of norm ${n}`);
  return { x: q.x / n, y: q.y / n, z: q.z / n, w: q.w / n };
}

/** Rotates vector v by unit quaternion q (v' = q v q*). */
export function qrotate(q: Quat, v: Vec3): Vec3 {
  // t = 2 (q.xyz × v); v' = v + w t + q.xyz × t
  const u = { x: q.x, y: q.y, z: q.z };
  const t = scale(cross(u, v), 2);
  return add(add(v, scale(t, q.w)), cross(u, t));
}

export function qfromAxisAngle(axis: Vec3, angleRad: number): Quat {
  const a = normalize(axis);
  const s = Math.sin(angleRad / 2);
  return { x: a.x * s, y: a.y * s, z: a.z * s, w: Math.cos(angleRad / 2) };
}

/**
 * The rotation of unit quaternion q as an axis-angle vector (axis × angle, angle in [0, π]):
 * q's shorter way round, as robosuite's `quat2axisangle`.
 */
export function qtoAxisAngle(q: Quat): Vec3 {
  const c = qcanonical(q);
  const s = Math.sqrt(c.x * c.x + c.y * c.y + c.z * c.z);
  if (s < 1e-12) return vec3(0, 0, 0);
  const angle = 2 * Math.atan2(s, c.w);
  return vec3((c.x / s) * angle, (c.y / s) * angle, (c.z / s) * angle);
}

/** Angle (rad, in [0, π]) of the rotation taking a to b. */
export function qangle(a: Quat, b: Quat): number {
  const d = Math.abs(a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w);
  return 2 * Math.acos(Math.min(1, d));
}

/** Spherical linear interpolation along the shorter arc. */
export function qslerp(a: Quat, b: Quat, s: number): Quat {
  let d = a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w;
  let bb = b;
  if (d < 0) {
    d = -d;
    bb = { x: -b.x, y: -b.y, z: -b.z, w: -b.w };
  }
  if (d > 0.9995) {
    return qnormalize({
      x: a.x + (bb.x - a.x) * s,
      y: a.y + (bb.y - a.y) * s,
      z: a.z + (bb.z - a.z) * s,
      w: a.w + (bb.w - a.w) * s,
    });
  }
  const th = Math.acos(d);
  const sa = Math.sin((1 - s) * th) / Math.sin(th);
  const sb = Math.sin(s * th) / Math.sin(th);
  return {
    x: a.x * sa + bb.x * sb,
    y: a.y * sa + bb.y * sb,
    z: a.z * sa + bb.z * sb,
    w: a.w * sa + bb.w * sb,
  };
}

/** Same rotation with w ≥ 0, so that equal rotations have equal components (for stable output). */
export const qcanonical = (q: Quat): Quat => (q.w < 0 ? { x: -q.x, y: -q.y, z: -q.z, w: -q.w } : q);

/**
 * Rotation whose columns are the given orthonormal axes (the child frame's x, y, z expressed in
 * the parent frame). Shepperd's method, numerically safe for all rotations.
 */
export function qfromAxes(xAxis: Vec3, yAxis: Vec3, zAxis: Vec3): Quat {
  const m00 = xAxis.x;
  const m10 = xAxis.y;
  const m20 = xAxis.z;
  const m01 = yAxis.x;
  const m11 = yAxis.y;
  const m21 = yAxis.z;
  const m02 = zAxis.x;
  const m12 = zAxis.y;
  const m22 = zAxis.z;
  const tr = m00 + m11 + m22;
  let q: Quat;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = { w: 0.25 * s, x: (m21 - m12) / s, y: (m02 - m20) / s, z: (m10 - m01) / s };
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    q = { w: (m21 - m12) / s, x: 0.25 * s, y: (m01 + m10) / s, z: (m02 + m20) / s };
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    q = { w: (m02 - m20) / s, x: (m01 + m10) / s, y: 0.25 * s, z: (m12 + m21) / s };
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    q = { w: (m10 - m01) / s, x: (m02 + m20) / s, y: (m12 + m21) / s, z: 0.25 * s };
  }
  return qcanonical(qnormalize(q));
}

/** The child frame's axes expressed in the parent frame: [x, y, z] columns of the rotation matrix. */
export function qaxes(q: Quat): [Vec3, Vec3, Vec3] {
  return [qrotate(q, vec3(1, 0, 0)), qrotate(q, vec3(0, 1, 0)), qrotate(q, vec3(0, 0, 1))];
}

/** Converts a scalar-first quaternion [w, x, y, z] (scipy, MuJoCo, GRAB) to `{x, y, z, w}`. */
export const qfromWxyz = (a: readonly number[]): Quat => ({ x: a[1]!, y: a[2]!, z: a[3]!, w: a[0]! });
export const qfromXyzw = (a: readonly number[]): Quat => ({ x: a[0]!, y: a[1]!, z: a[2]!, w: a[3]! });
export const qtoXyzw = (q: Quat): [number, number, number, number] => [q.x, q.y, q.z, q.w];

// ---------------------------------------------------------------------------------------------
// Rigid transforms

/** X_AC = X_AB ∘ X_BC. */
export function compose(X_AB: Pose, X_BC: Pose): Pose {
  return { p: add(X_AB.p, qrotate(X_AB.q, X_BC.p)), q: qnormalize(qmul(X_AB.q, X_BC.q)) };
}

/** X_BA from X_AB. */
export function invert(X_AB: Pose): Pose {
  const qi = qconj(X_AB.q);
  return { p: scale(qrotate(qi, X_AB.p), -1), q: qi };
}

/** p_A = X_AB · p_B. */
export const transformPoint = (X_AB: Pose, p_B: Vec3): Vec3 => add(X_AB.p, qrotate(X_AB.q, p_B));

/**
 * A pose as flat arrays (a PoseJson: position, quaternion [x, y, z, w]), the quaternion taken
 * with w ≥ 0 so that equal rotations are written alike.
 */
export function poseToJson(X: Pose): {
  pos: [number, number, number];
  quatXyzw: [number, number, number, number];
} {
  const q = qcanonical(X.q);
  return { pos: [X.p.x, X.p.y, X.p.z], quatXyzw: [q.x, q.y, q.z, q.w] };
}

/** A pose stored as flat arrays (a PoseJson: position, quaternion [x, y, z, w]) as a Pose. */
export const poseFromJson = (j: { pos: readonly number[]; quatXyzw: readonly number[] }): Pose => ({
  p: fromArray3(j.pos),
  q: qfromXyzw(j.quatXyzw),
});

export const poseInterp = (a: Pose, b: Pose, s: number): Pose => ({
  p: lerp3(a.p, b.p, s),
  q: qslerp(a.q, b.q, s),
});

export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
