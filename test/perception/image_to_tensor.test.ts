import { describe, expect, it } from "vitest";
import { cropToTensor, type RgbImage, tensorSize } from "../../src/perception/image_to_tensor.js";
import type { InputSpec } from "../../src/perception/model_registry.js";

/** A W×H image whose pixel (i, j) is (i, j, 7), so a sample tells where it came from. */
function coordImage(w: number, h: number): RgbImage {
  const rgb = new Uint8Array(w * h * 3);
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const q = (j * w + i) * 3;
      rgb[q] = i;
      rgb[q + 1] = j;
      rgb[q + 2] = 7;
    }
  return { widthPx: w, heightPx: h, rgb };
}

const spec = (o: Partial<InputSpec> = {}): InputSpec => ({
  name: "x",
  layout: "NHWC",
  width: 4,
  height: 4,
  range: [0, 255],
  border: "zero",
  ...o,
});

/** Value of channel c at tensor pixel (u, v). */
const at = (t: Float32Array, s: InputSpec, u: number, v: number, c: number, item = 0): number =>
  s.layout === "NHWC"
    ? t[item * tensorSize(s) + (v * s.width + u) * 3 + c]!
    : t[item * tensorSize(s) + c * s.width * s.height + v * s.width + u]!;

describe("cropToTensor (ImageToTensor: rotated rect → tensor)", () => {
  const img = coordImage(16, 12);

  it("an axis-aligned rect the size of the tensor copies pixels exactly (pixel centres line up)", () => {
    const s = spec();
    const t = new Float32Array(tensorSize(s));
    cropToTensor(img, { cx: 6, cy: 5, width: 4, height: 4, rotation: 0 }, s, t);
    // Tensor pixel (0, 0) is image pixel (4, 3).
    expect([at(t, s, 0, 0, 0), at(t, s, 0, 0, 1), at(t, s, 0, 0, 2)]).toEqual([4, 3, 7]);
    expect([at(t, s, 3, 2, 0), at(t, s, 3, 2, 1)]).toEqual([7, 5]);
  });

  it("rotating the rect by 90° turns the crop: tensor +u walks along image +y", () => {
    const s = spec();
    const t = new Float32Array(tensorSize(s));
    cropToTensor(img, { cx: 6, cy: 6, width: 4, height: 4, rotation: Math.PI / 2 }, s, t);
    const p0 = [at(t, s, 0, 0, 0), at(t, s, 0, 0, 1)];
    const p1 = [at(t, s, 1, 0, 0), at(t, s, 1, 0, 1)];
    expect(p1[0]! - p0[0]!).toBeCloseTo(0, 4);
    expect(p1[1]! - p0[1]!).toBeCloseTo(1, 4);
  });

  it("maps 0..255 onto the range, in NCHW as in NHWC, into the requested batch item", () => {
    const s = spec({ layout: "NCHW", range: [-1, 1] });
    const t = new Float32Array(tensorSize(s) * 2).fill(99);
    cropToTensor(img, { cx: 6, cy: 5, width: 4, height: 4, rotation: 0 }, s, t, 1);
    expect(t[0]).toBe(99); // item 0 untouched
    expect(at(t, s, 0, 0, 0, 1)).toBeCloseTo(-1 + (2 * 4) / 255, 6);
    expect(at(t, s, 0, 0, 2, 1)).toBeCloseTo(-1 + (2 * 7) / 255, 6);
  });

  it("outside the image: black for a zero border, the edge pixel for replicate", () => {
    const rect = { cx: 0, cy: 0, width: 4, height: 4, rotation: 0 };
    const z = spec({ border: "zero" });
    const tz = new Float32Array(tensorSize(z));
    cropToTensor(img, rect, z, tz);
    expect(at(tz, z, 0, 0, 2)).toBe(0);
    const r = spec({ border: "replicate" });
    const tr = new Float32Array(tensorSize(r));
    cropToTensor(img, rect, r, tr);
    expect([at(tr, r, 0, 0, 0), at(tr, r, 0, 0, 1), at(tr, r, 0, 0, 2)]).toEqual([0, 0, 7]);
  });

  it("samples between pixels bilinearly", () => {
    const s = spec({ width: 1, height: 1 });
    const t = new Float32Array(3);
    // Centre at the corner shared by pixels (4..5, 3..4): the mean of the four.
    cropToTensor(img, { cx: 5, cy: 4, width: 1, height: 1, rotation: 0 }, s, t);
    expect(t[0]).toBeCloseTo(4.5, 5);
    expect(t[1]).toBeCloseTo(3.5, 5);
  });

  it("refuses a buffer too small for the batch item", () => {
    const s = spec();
    expect(() =>
      cropToTensor(img, { cx: 6, cy: 5, width: 4, height: 4, rotation: 0 }, s, new Float32Array(10)),
    ).toThrow(/too small/);
  });
});
