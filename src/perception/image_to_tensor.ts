/**
 * Rotated-rect crop of an RGB frame into a model input tensor: MediaPipe's ImageToTensorCalculator
 * (affine warp with bilinear sampling, border zero or replicate, values mapped onto a float range),
 * written straight into a (batched) Float32Array in NHWC or NCHW layout.
 *
 * Plain bilinear sampling, as MediaPipe's OpenCV path, also for large reductions: averaging over
 * each output pixel's footprint (a box filter) was tried and found no more palms on the egodex clip
 * with the 192 detector and fewer with the 128 one (two-tile detection, 32 sampled frames: frames
 * with both palms 28 vs 28 and 18 vs 10), so the models are fed what they were trained on.
 */
import type { InputSpec } from "./model_registry.js";
import type { Rect } from "./types.js";

export interface RgbImage {
  widthPx: number;
  heightPx: number;
  /** Row-major RGB24. */
  rgb: Uint8Array;
}

/** Number of float values of one input tensor item. */
export const tensorSize = (spec: InputSpec): number => spec.width * spec.height * 3;

/**
 * Writes the crop of `rect` from `image` into `out` at item `item` of the batch (so several crops
 * share one input tensor). The rect's normalised (0,0)–(1,1) maps onto the tensor's corners.
 */
export function cropToTensor(
  image: RgbImage,
  rect: Rect,
  spec: InputSpec,
  out: Float32Array,
  item = 0,
): void {
  const W = spec.width;
  const H = spec.height;
  const { widthPx: iw, heightPx: ih, rgb } = image;
  const base = item * W * H * 3;
  if (out.length < base + W * H * 3) throw new RangeError("tensor buffer too small for this batch item");
  const lo = spec.range[0];
  const k = (spec.range[1] - spec.range[0]) / 255;
  const zeroBorder = spec.border === "zero";
  const c = Math.cos(rect.rotation);
  const s = Math.sin(rect.rotation);
  // Image position (continuous px) of tensor position (u, v): p = p0 + u·du + v·dv.
  const sx = rect.width / W;
  const sy = rect.height / H;
  const dux = c * sx;
  const duy = s * sx;
  const dvx = -s * sy;
  const dvy = c * sy;
  const p0x = rect.cx - c * (rect.width / 2) + s * (rect.height / 2);
  const p0y = rect.cy - s * (rect.width / 2) - c * (rect.height / 2);
  // Where the three channels of tensor position idx go: NHWC interleaved, NCHW in planes.
  const nhwc = spec.layout === "NHWC";
  const step = nhwc ? 3 : 1;
  const chan = nhwc ? 1 : W * H;
  const acc = [0, 0, 0];
  for (let v = 0; v < H; v++) {
    const vc = v + 0.5;
    for (let u = 0; u < W; u++) {
      const uc = u + 0.5;
      const x = p0x + uc * dux + vc * dvx;
      const y = p0y + uc * duy + vc * dvy;
      const q = base + (v * W + u) * step;
      // Inside the image (nearly every sample of a hand crop): the four neighbours directly, the
      // same arithmetic as bilinear() without its border handling.
      const fx = x - 0.5;
      const fy = y - 0.5;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < iw && y0 + 1 < ih) {
        const ax = fx - x0;
        const ay = fy - y0;
        const w00 = (1 - ax) * (1 - ay);
        const w10 = ax * (1 - ay);
        const w01 = (1 - ax) * ay;
        const w11 = ax * ay;
        const q00 = (y0 * iw + x0) * 3;
        const q01 = q00 + iw * 3;
        out[q] = lo + k * (w00 * rgb[q00]! + w10 * rgb[q00 + 3]! + w01 * rgb[q01]! + w11 * rgb[q01 + 3]!);
        out[q + chan] =
          lo + k * (w00 * rgb[q00 + 1]! + w10 * rgb[q00 + 4]! + w01 * rgb[q01 + 1]! + w11 * rgb[q01 + 4]!);
        out[q + 2 * chan] =
          lo + k * (w00 * rgb[q00 + 2]! + w10 * rgb[q00 + 5]! + w01 * rgb[q01 + 2]! + w11 * rgb[q01 + 5]!);
        continue;
      }
      bilinear(rgb, iw, ih, x, y, zeroBorder, acc);
      out[q] = lo + k * acc[0]!;
      out[q + chan] = lo + k * acc[1]!;
      out[q + 2 * chan] = lo + k * acc[2]!;
    }
  }
}

/**
 * Bilinear sample at continuous image position (x, y) (pixel centres at +0.5) into acc.
 * Neighbours outside the image are black (zero border) or the nearest edge pixel (replicate).
 */
function bilinear(
  rgb: Uint8Array,
  iw: number,
  ih: number,
  x: number,
  y: number,
  zeroBorder: boolean,
  acc: number[],
): void {
  const fx = x - 0.5;
  const fy = y - 0.5;
  let x0 = Math.floor(fx);
  let y0 = Math.floor(fy);
  const ax = fx - x0;
  const ay = fy - y0;
  let x1 = x0 + 1;
  let y1 = y0 + 1;
  let w00 = (1 - ax) * (1 - ay);
  let w10 = ax * (1 - ay);
  let w01 = (1 - ax) * ay;
  let w11 = ax * ay;
  if (x0 < 0 || y0 < 0 || x1 >= iw || y1 >= ih) {
    if (zeroBorder) {
      if (x0 < 0 || x0 >= iw) w00 = w01 = 0;
      if (x1 < 0 || x1 >= iw) w10 = w11 = 0;
      if (y0 < 0 || y0 >= ih) w00 = w10 = 0;
      if (y1 < 0 || y1 >= ih) w01 = w11 = 0;
    }
    x0 = x0 < 0 ? 0 : x0 >= iw ? iw - 1 : x0;
    x1 = x1 < 0 ? 0 : x1 >= iw ? iw - 1 : x1;
    y0 = y0 < 0 ? 0 : y0 >= ih ? ih - 1 : y0;
    y1 = y1 < 0 ? 0 : y1 >= ih ? ih - 1 : y1;
  }
  const q00 = (y0 * iw + x0) * 3;
  const q10 = (y0 * iw + x1) * 3;
  const q01 = (y1 * iw + x0) * 3;
  const q11 = (y1 * iw + x1) * 3;
  acc[0] = w00 * rgb[q00]! + w10 * rgb[q10]! + w01 * rgb[q01]! + w11 * rgb[q11]!;
  acc[1] = w00 * rgb[q00 + 1]! + w10 * rgb[q10 + 1]! + w01 * rgb[q01 + 1]! + w11 * rgb[q11 + 1]!;
  acc[2] = w00 * rgb[q00 + 2]! + w10 * rgb[q10 + 2]! + w01 * rgb[q01 + 2]! + w11 * rgb[q11 + 2]!;
}
