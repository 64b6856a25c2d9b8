/**
 * Minimal raster drawing into an RGB24 frame buffer, for the QA overlay: anti-aliasing-free thick
 * lines, filled discs and rect outlines. Everything is clipped to the image.
 */
import type { RgbImage } from "./image_to_tensor.js";

export type Rgb = readonly [number, number, number];

import { HAND_CONNECTIONS } from "../core/schemas/common.js";

export { HAND_CONNECTIONS };

/**
 * Calls `f(i, j)` for each pixel of a w × h image whose centre lies in the disc of radius r (px)
 * centred at (x, y) (continuous px: pixel (i, j) covers [i, i + 1) × [j, j + 1)).
 */
export function forEachDiscPixel(
  w: number,
  h: number,
  x: number,
  y: number,
  r: number,
  f: (i: number, j: number) => void,
): void {
  const x0 = Math.max(0, Math.floor(x - r));
  const x1 = Math.min(w - 1, Math.ceil(x + r));
  const y0 = Math.max(0, Math.floor(y - r));
  const y1 = Math.min(h - 1, Math.ceil(y + r));
  const r2 = r * r;
  for (let j = y0; j <= y1; j++) {
    const dy = j + 0.5 - y;
    for (let i = x0; i <= x1; i++) {
      const dx = i + 0.5 - x;
      if (dx * dx + dy * dy <= r2) f(i, j);
    }
  }
}

/** Fills a disc of radius r (px) centred at (x, y) (continuous px). */
export function fillDisc(img: RgbImage, x: number, y: number, r: number, c: Rgb): void {
  const { widthPx: w, heightPx: h, rgb } = img;
  forEachDiscPixel(w, h, x, y, r, (i, j) => {
    const q = (j * w + i) * 3;
    rgb[q] = c[0];
    rgb[q + 1] = c[1];
    rgb[q + 2] = c[2];
  });
}

/** Draws a line of the given thickness (px) as a row of discs (simple and clip-safe). */
export function drawLine(
  img: RgbImage,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  thickness: number,
  c: Rgb,
): void {
  if (![x0, y0, x1, y1].every(Number.isFinite)) return;
  const len = Math.hypot(x1 - x0, y1 - y0);
  // Skip lines entirely outside the image (far-off points of a lost track).
  const m = thickness + 1;
  if (
    Math.max(x0, x1) < -m ||
    Math.min(x0, x1) > img.widthPx + m ||
    Math.max(y0, y1) < -m ||
    Math.min(y0, y1) > img.heightPx + m
  )
    return;
  const steps = Math.max(1, Math.ceil(len / Math.max(1, thickness / 2)));
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    fillDisc(img, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, thickness / 2, c);
  }
}

/** Draws a closed polygon outline. */
export function drawPolygon(
  img: RgbImage,
  pts: readonly (readonly [number, number])[],
  thickness: number,
  c: Rgb,
): void {
  pts.forEach((p, i) => {
    const q = pts[(i + 1) % pts.length]!;
    drawLine(img, p[0], p[1], q[0], q[1], thickness, c);
  });
}

/** Draws a 21-keypoint hand skeleton: bones, then joints. */
export function drawSkeleton(
  img: RgbImage,
  keypointsPx: readonly (readonly number[])[],
  bone: Rgb,
  joint: Rgb,
  thickness: number,
): void {
  for (const [a, b] of HAND_CONNECTIONS) {
    const p = keypointsPx[a]!;
    const q = keypointsPx[b]!;
    drawLine(img, p[0]!, p[1]!, q[0]!, q[1]!, thickness, bone);
  }
  for (const p of keypointsPx) fillDisc(img, p[0]!, p[1]!, thickness * 1.2, joint);
}
