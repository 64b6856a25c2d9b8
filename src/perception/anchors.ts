/**
 * SSD anchors of a palm detector: a port of MediaPipe's SsdAnchorsCalculator
 * (mediapipe/calculators/tflite/ssd_anchors_calculator.cc).
 *
 * Layers that share a stride are merged into one grid; each grid cell gets, per merged layer, one
 * anchor per aspect ratio plus (when interpolatedScaleAspectRatio > 0) one anchor at the geometric
 * mean of this layer's and the next layer's scale. Order: layer group, then y, then x, then anchor.
 * Centres and sizes are normalised to the input ([0, 1]²).
 */
import type { AnchorsConfig } from "./model_registry.js";

export interface Anchor {
  xCenter: number;
  yCenter: number;
  width: number;
  height: number;
}

/** MediaPipe CalculateScale: linear between min and max over the stride index. */
export function anchorScale(
  minScale: number,
  maxScale: number,
  strideIndex: number,
  numStrides: number,
): number {
  if (numStrides === 1) return (minScale + maxScale) * 0.5;
  return minScale + ((maxScale - minScale) * strideIndex) / (numStrides - 1);
}

/** The anchors of an SSD config (e.g. 2016 for the 192 palm detector, 896 for the 128 one). */
export function ssdAnchors(c: AnchorsConfig): Anchor[] {
  const anchors: Anchor[] = [];
  const n = c.strides.length;
  if (c.numLayers !== n) throw new RangeError(`numLayers ${c.numLayers} but ${n} strides`);
  let layer = 0;
  while (layer < n) {
    const heights: number[] = [];
    const widths: number[] = [];
    let last = layer;
    while (last < n && c.strides[last] === c.strides[layer]) {
      const scale = anchorScale(c.minScale, c.maxScale, last, n);
      const ratios: number[] = [];
      const scales: number[] = [];
      if (last === 0 && c.reduceBoxesInLowestLayer) {
        ratios.push(1.0, 2.0, 0.5);
        scales.push(0.1, scale, scale);
      } else {
        for (const r of c.aspectRatios) {
          ratios.push(r);
          scales.push(scale);
        }
        if (c.interpolatedScaleAspectRatio > 0) {
          const next = last === n - 1 ? 1.0 : anchorScale(c.minScale, c.maxScale, last + 1, n);
          scales.push(Math.sqrt(scale * next));
          ratios.push(c.interpolatedScaleAspectRatio);
        }
      }
      for (let i = 0; i < ratios.length; i++) {
        const s = Math.sqrt(ratios[i]!);
        heights.push(scales[i]! / s);
        widths.push(scales[i]! * s);
      }
      last++;
    }
    const stride = c.strides[layer]!;
    const fmH = Math.ceil(c.inputSizeHeight / stride);
    const fmW = Math.ceil(c.inputSizeWidth / stride);
    for (let y = 0; y < fmH; y++) {
      for (let x = 0; x < fmW; x++) {
        for (let a = 0; a < heights.length; a++) {
          anchors.push({
            xCenter: (x + c.anchorOffsetX) / fmW,
            yCenter: (y + c.anchorOffsetY) / fmH,
            width: c.fixedAnchorSize ? 1 : widths[a]!,
            height: c.fixedAnchorSize ? 1 : heights[a]!,
          });
        }
      }
    }
    layer = last;
  }
  return anchors;
}
