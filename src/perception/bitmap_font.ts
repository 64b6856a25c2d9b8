/**
 * A 5 × 7 pixel bitmap font for the QA overlay's labels (hand sides, frame numbers, the legend):
 * drawn straight into the RGB frame, so the overlay needs no font file or ffmpeg text filter and
 * renders the same everywhere. Upper-case letters, digits and a little punctuation; other
 * characters draw as a blank.
 */
import type { Rgb } from "./draw.js";

const GLYPH_W = 5;
const GLYPH_H = 7;

/** Each glyph: 7 rows, top to bottom, of 5 columns ('#' = ink). */
const GLYPHS: Record<string, readonly string[]> = {
  A: [" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
  B: ["#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "],
  C: [" ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### "],
  D: ["#### ", "#   #", "#   #", "#   #", "#   #", "#   #", "#### "],
  E: ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"],
  F: ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    "],
  G: [" ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ####"],
  H: ["#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
  I: [" ### ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
  J: ["  ###", "   # ", "   # ", "   # ", "   # ", "#  # ", " ##  "],
  K: ["#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"],
  L: ["#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####"],
  M: ["#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"],
  N: ["#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #"],
  O: [" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
  P: ["#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "],
  Q: [" ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #"],
  R: ["#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"],
  S: [" ####", "#    ", "#    ", " ### ", "    #", "    #", "#### "],
  T: ["#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "],
  U: ["#   #", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
  V: ["#   #", "#   #", "#   #", "#   #", "#   #", " # # ", "  #  "],
  W: ["#   #", "#   #", "#   #", "# # #", "# # #", "# # #", " # # "],
  X: ["#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #"],
  Y: ["#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  "],
  Z: ["#####", "    #", "   # ", "  #  ", " #   ", "#    ", "#####"],
  "0": [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
  "1": ["  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
  "2": [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
  "3": ["#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "],
  "4": ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
  "5": ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
  "6": ["  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "],
  "7": ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
  "8": [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
  "9": [" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "],
  ":": ["     ", "  #  ", "  #  ", "     ", "  #  ", "  #  ", "     "],
  ".": ["     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "],
  "-": ["     ", "     ", "     ", "#####", "     ", "     ", "     "],
  "/": ["    #", "    #", "   # ", "  #  ", " #   ", "#    ", "#    "],
  "(": ["   # ", "  #  ", " #   ", " #   ", " #   ", "  #  ", "   # "],
  ")": [" #   ", "  #  ", "   # ", "   # ", "   # ", "  #  ", " #   "],
  "=": ["     ", "     ", "#####", "     ", "#####", "     ", "     "],
};

/** Size in pixels of `text` drawn at `scale` (one glyph column of spacing between characters). */
export function textSize(text: string, scale: number): { widthPx: number; heightPx: number } {
  const n = [...text].length;
  return { widthPx: n > 0 ? (n * (GLYPH_W + 1) - 1) * scale : 0, heightPx: GLYPH_H * scale };
}

/**
 * Draws `text` (upper-cased) with its top-left corner at (x, y), each font pixel a `scale` ×
 * `scale` square, clipped to the image.
 */
export function drawText(
  img: { widthPx: number; heightPx: number; rgb: Uint8Array },
  x: number,
  y: number,
  text: string,
  colour: Rgb,
  scale = 1,
): void {
  const x0 = Math.round(x);
  const y0 = Math.round(y);
  [...text.toUpperCase()].forEach((ch, k) => {
    const glyph = GLYPHS[ch];
    if (!glyph) return;
    const gx = x0 + k * (GLYPH_W + 1) * scale;
    for (let row = 0; row < GLYPH_H; row++) {
      for (let col = 0; col < GLYPH_W; col++) {
        if (glyph[row]![col] !== "#") continue;
        fillRect(img, gx + col * scale, y0 + row * scale, scale, scale, colour);
      }
    }
  });
}

/** Fills an axis-aligned rectangle, clipped to the image. */
export function fillRect(
  img: { widthPx: number; heightPx: number; rgb: Uint8Array },
  x: number,
  y: number,
  w: number,
  h: number,
  colour: Rgb,
): void {
  const xa = Math.max(0, Math.round(x));
  const ya = Math.max(0, Math.round(y));
  const xb = Math.min(img.widthPx, Math.round(x + w));
  const yb = Math.min(img.heightPx, Math.round(y + h));
  for (let py = ya; py < yb; py++) {
    for (let px = xa; px < xb; px++) {
      const i = 3 * (py * img.widthPx + px);
      img.rgb[i] = colour[0];
      img.rgb[i + 1] = colour[1];
      img.rgb[i + 2] = colour[2];
    }
  }
}
