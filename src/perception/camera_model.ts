/**
 * Camera models for the 3D lift: projection of camera-frame points to pixels and back-projection
 * of pixels to rays, for `CameraSpec` pinhole (OpenCV radial-tangential distortion k1 k2 p1 p2 k3),
 * fisheye (equidistant Kannala–Brandt, OpenCV cv::fisheye: θd = θ(1 + k1θ² + k2θ⁴ + k3θ⁶ + k4θ⁸))
 * and fisheye624 (Project Aria's FisheyeRadTanThinPrism, projectaria_tools
 * core/calibration/camera_projections/FisheyeRadTanThinPrism.h; formula at `distortFisheye624`).
 *
 * Frames: camera frame C with OpenCV axes (x right, y down, z forward), metres. Pixels are
 * continuous coordinates ((0,0) the image's top-left corner), so the centre of a W×H image is
 * (W/2, H/2); OpenCV calibrations put pixel centres at integers, half a pixel away, which is far
 * below what hand keypoints resolve.
 */
import type { CameraSpec } from "../core/schemas/camera.js";

export type Vec3Tuple = [number, number, number];

/** Horizontal field of view assumed when no calibration is given (deg). */
export const DEFAULT_HFOV_DEG = 90;

/**
 * Intrinsics from a horizontal field of view, principal point at the image centre, no distortion:
 * pinhole fx = (W/2) / tan(hfov/2); fisheye (equidistant) fx = (W/2) / (hfov/2). Marked "assumed".
 */
export function cameraFromFov(
  widthPx: number,
  heightPx: number,
  hfovDeg: number = DEFAULT_HFOV_DEG,
  model: "pinhole" | "fisheye" = "pinhole",
): CameraSpec {
  const half = (hfovDeg * Math.PI) / 360;
  if (!(half > 0 && (model === "fisheye" || half < Math.PI / 2))) {
    throw new RangeError(`field of view ${hfovDeg}° is not possible for a ${model} camera`);
  }
  const f = model === "pinhole" ? widthPx / 2 / Math.tan(half) : widthPx / 2 / half;
  return {
    format: "egobridge.camera",
    version: 1,
    model,
    widthPx,
    heightPx,
    fx: f,
    fy: f,
    cx: widthPx / 2,
    cy: heightPx / 2,
    distortion: [],
    provenance: "assumed",
  };
}

const coeff = (cam: CameraSpec, i: number): number => cam.distortion[i] ?? 0;

/** Pixel of a camera-frame point (m). Points behind the camera give NaN. */
export function projectPoint(cam: CameraSpec, p: Vec3Tuple): [number, number] {
  const [X, Y, Z] = p;
  if (cam.model === "fisheye624") return projectFisheye624(cam, p);
  if (cam.model === "fisheye") {
    const r = Math.hypot(X, Y);
    const theta = Math.atan2(r, Z);
    const t2 = theta * theta;
    const td =
      theta * (1 + t2 * (coeff(cam, 0) + t2 * (coeff(cam, 1) + t2 * (coeff(cam, 2) + t2 * coeff(cam, 3)))));
    const k = r > 1e-12 ? td / r : 1 / Math.max(Z, 1e-12);
    return [cam.fx * X * k + cam.cx, cam.fy * Y * k + cam.cy];
  }
  if (!(Z > 0)) return [Number.NaN, Number.NaN];
  const x = X / Z;
  const y = Y / Z;
  const [dx, dy] = distortPinhole(cam, x, y);
  return [cam.fx * dx + cam.cx, cam.fy * dy + cam.cy];
}

function distortPinhole(cam: CameraSpec, x: number, y: number): [number, number] {
  if (cam.distortion.length === 0) return [x, y];
  const k1 = coeff(cam, 0);
  const k2 = coeff(cam, 1);
  const p1 = coeff(cam, 2);
  const p2 = coeff(cam, 3);
  const k3 = coeff(cam, 4);
  const r2 = x * x + y * y;
  const radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3));
  return [
    x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x),
    y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y,
  ];
}

/**
 * The viewing ray of a pixel in the camera frame, as a direction with z = 1 for pinhole cameras
 * and a unit vector for fisheye ones (which see beyond 90°; fisheye624 rays stay in front, z > 0).
 * Distortion is inverted iteratively.
 */
export function pixelToRay(cam: CameraSpec, u: number, v: number): Vec3Tuple {
  const xd = (u - cam.cx) / cam.fx;
  const yd = (v - cam.cy) / cam.fy;
  if (cam.model === "fisheye624") return rayFisheye624(cam, xd, yd);
  if (cam.model === "fisheye") {
    const td = Math.hypot(xd, yd);
    if (td < 1e-12) return [0, 0, 1];
    const k1 = coeff(cam, 0);
    const k2 = coeff(cam, 1);
    const k3 = coeff(cam, 2);
    const k4 = coeff(cam, 3);
    // Newton on θd(θ) = td.
    let theta = td;
    for (let i = 0; i < 20; i++) {
      const t2 = theta * theta;
      const f = theta * (1 + t2 * (k1 + t2 * (k2 + t2 * (k3 + t2 * k4)))) - td;
      const df = 1 + t2 * (3 * k1 + t2 * (5 * k2 + t2 * (7 * k3 + t2 * 9 * k4)));
      const step = f / df;
      theta -= step;
      if (Math.abs(step) < 1e-12) break;
    }
    const s = Math.sin(theta) / td;
    return [xd * s, yd * s, Math.cos(theta)];
  }
  if (cam.distortion.length === 0) return [xd, yd, 1];
  // Fixed-point undistortion, as OpenCV's undistortPoints.
  let x = xd;
  let y = yd;
  for (let i = 0; i < 20; i++) {
    const [dx, dy] = distortPinhole(cam, x, y);
    x -= dx - xd;
    y -= dy - yd;
  }
  return [x, y, 1];
}

// ---------------------------------------------------------------------------------------------
// Fisheye624 (Project Aria FisheyeRadTanThinPrism with 6 radial, 2 tangential, 4 thin-prism terms)

/**
 * The distorted normalised coordinates (ud, vd) of the undistorted fisheye point (xr, yr), where
 * (xr, yr) = θd (cos φ, sin φ), θd = θ(1 + k0θ² + … + k5θ¹²), θ the angle off the optical axis:
 *   ud = xr + p0(2xr² + rd²) + 2p1·xr·yr + s0·rd² + s1·rd⁴
 *   vd = yr + p1(2yr² + rd²) + 2p0·xr·yr + s2·rd² + s3·rd⁴,   rd² = xr² + yr²
 * `distortion` = [k0..k5, p0, p1, s0..s3]. Also returns the Jacobian ∂(ud, vd)/∂(xr, yr).
 */
function distortFisheye624(
  cam: CameraSpec,
  xr: number,
  yr: number,
): { ud: number; vd: number; J: [number, number, number, number] } {
  const p0 = coeff(cam, 6);
  const p1 = coeff(cam, 7);
  const s0 = coeff(cam, 8);
  const s1 = coeff(cam, 9);
  const s2 = coeff(cam, 10);
  const s3 = coeff(cam, 11);
  const rd2 = xr * xr + yr * yr;
  const prismU = s0 + 2 * s1 * rd2; // d(s0·rd² + s1·rd⁴)/d(rd²)
  const prismV = s2 + 2 * s3 * rd2;
  return {
    ud: xr + p0 * (2 * xr * xr + rd2) + 2 * p1 * xr * yr + rd2 * (s0 + s1 * rd2),
    vd: yr + p1 * (2 * yr * yr + rd2) + 2 * p0 * xr * yr + rd2 * (s2 + s3 * rd2),
    J: [
      1 + 6 * p0 * xr + 2 * p1 * yr + 2 * xr * prismU,
      2 * p0 * yr + 2 * p1 * xr + 2 * yr * prismU,
      2 * p1 * xr + 2 * p0 * yr + 2 * xr * prismV,
      1 + 6 * p1 * yr + 2 * p0 * xr + 2 * yr * prismV,
    ],
  };
}

/** θd(θ) = θ(1 + k0θ² + … + k5θ¹²) and its derivative. */
function radialFisheye624(cam: CameraSpec, theta: number): { td: number; dtd: number } {
  const t2 = theta * theta;
  let td = theta;
  let dtd = 1;
  let pow = t2; // θ^(2i+2)
  for (let i = 0; i < 6; i++) {
    td += coeff(cam, i) * pow * theta;
    dtd += (2 * i + 3) * coeff(cam, i) * pow;
    pow *= t2;
  }
  return { td, dtd };
}

/**
 * Aria's model is defined for points in front of the lens only (it maps p and −p alike, and its
 * polynomial is calibrated inside the lens's < 180° field of view): points with z ≤ 0 give NaN.
 */
function projectFisheye624(cam: CameraSpec, [X, Y, Z]: Vec3Tuple): [number, number] {
  if (!(Z > 0)) return [Number.NaN, Number.NaN];
  const r = Math.hypot(X, Y);
  const { td } = radialFisheye624(cam, Math.atan2(r, Z));
  const s = r > 1e-12 ? td / r : 0;
  const { ud, vd } = distortFisheye624(cam, X * s, Y * s);
  return [cam.fx * ud + cam.cx, cam.fy * vd + cam.cy];
}

/** Unit ray of the distorted normalised point (ud, vd): Newton on the distortion, then on θd(θ), θ < 90°. */
function rayFisheye624(cam: CameraSpec, ud: number, vd: number): Vec3Tuple {
  let xr = ud;
  let yr = vd;
  for (let i = 0; i < 20; i++) {
    const d = distortFisheye624(cam, xr, yr);
    const [a, b, c, e] = d.J;
    const det = a * e - b * c;
    const ru = ud - d.ud;
    const rv = vd - d.vd;
    const dx = (e * ru - b * rv) / det;
    const dy = (a * rv - c * ru) / det;
    xr += dx;
    yr += dy;
    if (Math.hypot(dx, dy) < 1e-14) break;
  }
  const tdWanted = Math.hypot(xr, yr);
  if (tdWanted < 1e-12) return [0, 0, 1];
  let theta = tdWanted;
  for (let i = 0; i < 30; i++) {
    const { td, dtd } = radialFisheye624(cam, theta);
    const step = (td - tdWanted) / dtd;
    // Stay inside the model's half-space, as projectaria_tools does (θ below 90°).
    theta = Math.min(theta - step, 0.999 * (Math.PI / 2));
    if (Math.abs(step) < 1e-14) break;
  }
  const s = Math.sin(theta) / tdWanted;
  return [xr * s, yr * s, Math.cos(theta)];
}
