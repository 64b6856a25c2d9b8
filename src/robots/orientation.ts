/**
 * Rotations as robot description files write them, converted to `{x, y, z, w}` quaternions.
 */
import { InputError } from "../core/errors.js";
import {
  cross,
  dot,
  normalize,
  QUAT_IDENTITY,
  type Quat,
  qfromAxes,
  qfromAxisAngle,
  qfromWxyz,
  qmul,
  qnormalize,
  scale,
  sub,
  vec3,
} from "../core/math.js";

const X = vec3(1, 0, 0);
const Y = vec3(0, 1, 0);
const Z = vec3(0, 0, 1);

/** URDF `rpy`: fixed-axis roll about x, then pitch about y, then yaw about z: R = Rz(yaw)·Ry(pitch)·Rx(roll). */
export function quatFromRpy(roll: number, pitch: number, yaw: number): Quat {
  return qnormalize(qmul(qmul(qfromAxisAngle(Z, yaw), qfromAxisAngle(Y, pitch)), qfromAxisAngle(X, roll)));
}

/** MJCF `quat` is scalar-first [w, x, y, z] and need not be unit length (MuJoCo normalizes it). */
export function quatFromMjcfWxyz(wxyz: readonly number[], what: () => string): Quat {
  try {
    return qnormalize(qfromWxyz(wxyz));
  } catch {
    throw new InputError(`${what()}: quaternion '${wxyz.join(" ")}' has zero length`);
  }
}

/**
 * MJCF `euler` with the compiler's `eulerseq`: lower-case axes rotate with the frame (intrinsic,
 * post-multiplied), upper-case ones stay fixed in the parent (extrinsic, pre-multiplied), as
 * MuJoCo's compiler does it.
 */
export function quatFromEuler(anglesRad: readonly number[], seq: string, what: () => string): Quat {
  if (!/^[xyzXYZ]{3}$/.test(seq)) throw new InputError(`${what()}: invalid eulerseq '${seq}'`);
  let q = QUAT_IDENTITY;
  for (let i = 0; i < 3; i++) {
    const c = seq[i]!;
    const axis = c.toLowerCase() === "x" ? X : c.toLowerCase() === "y" ? Y : Z;
    const r = qfromAxisAngle(axis, anglesRad[i]!);
    q = c === c.toLowerCase() ? qmul(q, r) : qmul(r, q);
  }
  return qnormalize(q);
}

/** MJCF `xyaxes`: the frame's x axis and (orthogonalized) y axis in the parent frame. */
export function quatFromXyAxes(v: readonly number[], what: () => string): Quat {
  try {
    const x = normalize(vec3(v[0]!, v[1]!, v[2]!));
    const y0 = vec3(v[3]!, v[4]!, v[5]!);
    const y = normalize(sub(y0, scale(x, dot(x, y0))));
    return qfromAxes(x, y, cross(x, y));
  } catch {
    throw new InputError(`${what()}: xyaxes '${v.join(" ")}' are degenerate`);
  }
}

/** MJCF `zaxis`: the smallest rotation taking (0, 0, 1) onto the given direction. */
export function quatFromZAxis(v: readonly number[], what: () => string): Quat {
  let z: ReturnType<typeof normalize>;
  try {
    z = normalize(vec3(v[0]!, v[1]!, v[2]!));
  } catch {
    throw new InputError(`${what()}: zaxis '${v.join(" ")}' has zero length`);
  }
  const c = dot(Z, z);
  if (c < -1 + 1e-12) return { x: 1, y: 0, z: 0, w: 0 };
  const axis = cross(Z, z);
  if (Math.hypot(axis.x, axis.y, axis.z) < 1e-12) return QUAT_IDENTITY;
  return qfromAxisAngle(axis, Math.acos(Math.min(1, Math.max(-1, c))));
}
