/**
 * Metric 3D in the camera frame: find the translation t that places a hand-centred metric hand
 * (hand_shape.ts, axes aligned with the image) so that it projects onto the detected image
 * keypoints — a PnP with the rotation fixed, 3 unknowns.
 *
 * 1. Linear solve: each keypoint's viewing ray d_i must be parallel to W_i + t, i.e.
 *    [d_i]× t = W_i × d_i (three rows per keypoint, rank 2), least squares over all 21.
 * 2. Gauss–Newton on the pixel reprojection error Σ‖π(W_i + t) − u_i‖², Jacobian by central
 *    differences (works for both camera models), Levenberg damping.
 *
 * Then keypointsCam_i = W_i + t (m, OpenCV camera axes). Before the solve, the world landmarks are
 * turned from the crop's line of sight to the camera's (alignToViewRay).
 */
import type { CameraSpec } from "../core/schemas/camera.js";
import { pixelToRay, projectPoint, type Vec3Tuple } from "./camera_model.js";

export interface TranslationFit {
  /** Camera-frame translation of the hand-centred world landmarks (m). */
  t: Vec3Tuple;
  /** Root-mean-square reprojection error (px). */
  rmsPx: number;
  converged: boolean;
  iterations: number;
}

/**
 * The world landmarks of a crop, turned from the crop's view to the camera's: the landmark model
 * sees each crop as if looking straight at it, so its "camera-aligned" world landmarks are aligned
 * with the viewing ray through the crop centre, not with the optical axis. For a hand 35° off-axis
 * (the bottom corners of a wide head camera) the difference is a 35° rotation. `ray` is the
 * direction of the crop centre's pixel (camera_model.ts pixelToRay); the rotation is the smallest
 * one taking +z onto it (Rodrigues).
 */
export function alignToViewRay(world: readonly Vec3Tuple[], ray: Vec3Tuple): Vec3Tuple[] {
  const n = Math.hypot(...ray);
  const [dx, dy, dz] = [ray[0] / n, ray[1] / n, ray[2] / n];
  // axis = z × d = (−dy, dx, 0); |axis| = sin θ, cos θ = dz
  const s = Math.hypot(dx, dy);
  if (s < 1e-12) return world.map((p) => [...p] as Vec3Tuple);
  const kx = -dy / s;
  const ky = dx / s;
  const c = dz;
  return world.map(([x, y, z]): Vec3Tuple => {
    // v cos θ + (k × v) sin θ + k (k·v)(1 − cos θ), with k = (kx, ky, 0)
    const kv = kx * x + ky * y;
    return [
      x * c + ky * z * s + kx * kv * (1 - c),
      y * c - kx * z * s + ky * kv * (1 - c),
      z * c + (kx * y - ky * x) * s,
    ];
  });
}

/** Solves the 3×3 system A x = b (Cramer); null when singular. */
function solve3(A: number[][], b: number[]): Vec3Tuple | null {
  const det = (m: number[][]) =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const d = det(A);
  if (!(Math.abs(d) > 1e-18)) return null;
  const col = (j: number) => A.map((row, i) => row.map((v, k) => (k === j ? b[i]! : v)));
  return [det(col(0)) / d, det(col(1)) / d, det(col(2)) / d];
}

/** Linear least-squares translation from rays (step 1). */
export function linearTranslation(
  cam: CameraSpec,
  world: readonly Vec3Tuple[],
  px: readonly (readonly number[])[],
): Vec3Tuple | null {
  const AtA = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const Atb = [0, 0, 0];
  for (let i = 0; i < world.length; i++) {
    const [dx, dy, dz] = pixelToRay(cam, px[i]![0]!, px[i]![1]!);
    const [wx, wy, wz] = world[i]!;
    // [d]× rows and W × d.
    const rows: [number[], number][] = [
      [[0, -dz, dy], wy * dz - wz * dy],
      [[dz, 0, -dx], wz * dx - wx * dz],
      [[-dy, dx, 0], wx * dy - wy * dx],
    ];
    for (const [a, b] of rows) {
      for (let r = 0; r < 3; r++) {
        Atb[r]! += a[r]! * b;
        for (let c = 0; c < 3; c++) AtA[r]![c]! += a[r]! * a[c]!;
      }
    }
  }
  return solve3(AtA, Atb);
}

function residuals(
  cam: CameraSpec,
  world: readonly Vec3Tuple[],
  px: readonly (readonly number[])[],
  t: Vec3Tuple,
): number[] {
  const r: number[] = [];
  for (let i = 0; i < world.length; i++) {
    const w = world[i]!;
    const [u, v] = projectPoint(cam, [w[0] + t[0], w[1] + t[1], w[2] + t[2]]);
    r.push(u - px[i]![0]!, v - px[i]![1]!);
  }
  return r;
}

const sumSq = (r: readonly number[]): number => r.reduce((s, x) => s + x * x, 0);

/**
 * The translation placing `world` (21 × [x, y, z] m, camera-aligned axes, hand-centred) on the
 * image keypoints `px` (21 × [u, v]). Never throws for a degenerate hand: returns converged false.
 */
export function solveTranslation(
  cam: CameraSpec,
  world: readonly Vec3Tuple[],
  px: readonly (readonly number[])[],
  maxIterations = 20,
): TranslationFit {
  let t = linearTranslation(cam, world, px);
  if (!t || !(t[2] > 0) || !t.every(Number.isFinite)) {
    // Hand "behind" the camera or a degenerate system: start half a metre in front.
    t = [0, 0, 0.5];
  }
  let r = residuals(cam, world, px, t);
  let cost = sumSq(r);
  let lambda = 1e-3;
  let converged = false;
  let it = 0;
  for (; it < maxIterations && !converged; it++) {
    const h = Math.max(1e-6, 1e-5 * Math.abs(t[2]));
    const J: number[][] = [];
    for (let k = 0; k < 3; k++) {
      const tp = [...t] as Vec3Tuple;
      const tm = [...t] as Vec3Tuple;
      tp[k] += h;
      tm[k] -= h;
      const rp = residuals(cam, world, px, tp);
      const rm = residuals(cam, world, px, tm);
      J.push(rp.map((v, i) => (v - rm[i]!) / (2 * h)));
    }
    const JtJ = [0, 1, 2].map((a) => [0, 1, 2].map((b) => J[a]!.reduce((s, v, i) => s + v * J[b]![i]!, 0)));
    const Jtr = [0, 1, 2].map((a) => J[a]!.reduce((s, v, i) => s + v * r[i]!, 0));
    let accepted = false;
    for (let tries = 0; tries < 8 && !accepted; tries++) {
      const A = JtJ.map((row, a) => row.map((v, b) => (a === b ? v * (1 + lambda) : v)));
      const step = solve3(
        A,
        Jtr.map((v) => -v),
      );
      if (!step) break;
      const tn: Vec3Tuple = [t[0] + step[0], t[1] + step[1], t[2] + step[2]];
      const rn = residuals(cam, world, px, tn);
      const cn = sumSq(rn);
      if (Number.isFinite(cn) && cn <= cost) {
        accepted = true;
        converged = Math.hypot(...step) < 1e-7 || cost - cn < 1e-10 * cost;
        t = tn;
        r = rn;
        cost = cn;
        lambda = Math.max(lambda / 10, 1e-9);
      } else lambda *= 10;
    }
    if (!accepted) {
      converged = true; // no step lowers the cost: a (local) minimum
      break;
    }
  }
  return { t, rmsPx: Math.sqrt(cost / world.length), converged, iterations: it };
}
