import { describe, expect, it } from "vitest";
import {
  detectionToImage,
  detectionToRect,
  rotationFromKeypoints,
} from "../../src/perception/detection_to_rect.js";
import { landmarksToRect } from "../../src/perception/landmarks_to_rect.js";
import {
  letterboxRect,
  normalizeRadians,
  rectBounds,
  rectToImage,
  squareTiles,
  transformRect,
} from "../../src/perception/rect_transform.js";
import type { Detection, Rect } from "../../src/perception/types.js";

const PALM_ROI = {
  rotationStartKeypoint: 0,
  rotationEndKeypoint: 2,
  targetAngleDeg: 90,
  transform: { scaleX: 2.6, scaleY: 2.6, shiftX: 0, shiftY: -0.5, squareLong: true },
};
const TRACK_ROI = { scaleX: 2, scaleY: 2, shiftX: 0, shiftY: -0.1, squareLong: true };

/** A palm detection in image px whose wrist→middle-MCP vector points along `dir` (image axes, y down). */
function palm(cx: number, cy: number, w: number, h: number, dir: [number, number]): Detection {
  const kp: [number, number][] = Array.from({ length: 7 }, () => [cx, cy]);
  kp[0] = [cx - dir[0] * 20, cy - dir[1] * 20];
  kp[2] = [cx + dir[0] * 20, cy + dir[1] * 20];
  return {
    score: 0.9,
    xMin: cx - w / 2,
    yMin: cy - h / 2,
    xMax: cx + w / 2,
    yMax: cy + h / 2,
    keypoints: kp,
  };
}

describe("rotationFromKeypoints (DetectionsToRects::ComputeRotation, target 90°)", () => {
  it.each([
    ["fingers up (−y)", [0, -1], 0],
    ["fingers right (+x)", [1, 0], Math.PI / 2],
    ["fingers down (+y)", [0, 1], -Math.PI],
    ["fingers left (−x)", [-1, 0], -Math.PI / 2],
  ] as const)("%s → %f rad", (_name, dir, want) => {
    expect(rotationFromKeypoints([100, 100], [100 + dir[0], 100 + dir[1]], Math.PI / 2)).toBeCloseTo(
      want,
      12,
    );
  });

  it("normalizeRadians wraps into [−π, π)", () => {
    expect(normalizeRadians(3 * Math.PI)).toBeCloseTo(-Math.PI, 12);
    expect(normalizeRadians(-Math.PI / 2 - 2 * Math.PI)).toBeCloseTo(-Math.PI / 2, 12);
  });
});

describe("detectionToRect (palm → hand ROI: shift −0.5 h towards the fingers, square, ×2.6)", () => {
  it("upright palm: centre moves up by half the box height, size 2.6 × the long side", () => {
    const r = detectionToRect(palm(500, 400, 80, 100, [0, -1]), PALM_ROI);
    expect(r.rotation).toBeCloseTo(0, 12);
    expect(r.cx).toBeCloseTo(500, 9);
    expect(r.cy).toBeCloseTo(400 - 50, 9);
    expect(r.width).toBeCloseTo(260, 9);
    expect(r.height).toBeCloseTo(260, 9);
  });

  it("palm pointing right (+x): the shift follows the fingers, along +x", () => {
    const r = detectionToRect(palm(500, 400, 100, 100, [1, 0]), PALM_ROI);
    expect(r.rotation).toBeCloseTo(Math.PI / 2, 12);
    expect(r.cx).toBeCloseTo(550, 9);
    expect(r.cy).toBeCloseTo(400, 9);
  });

  it("needs the rotation keypoints", () => {
    const d = { ...palm(0, 0, 1, 1, [0, -1]), keypoints: [[0, 0] as [number, number]] };
    expect(() => detectionToRect(d, PALM_ROI)).toThrow(/keypoints/);
  });

  it("detectionToImage maps the detector's unit square through the letterbox rect", () => {
    // 1920×1080 letterboxed into a 1920×1920 square centred on the image.
    const lb = letterboxRect(1920, 1080);
    const d = detectionToImage(
      { score: 1, xMin: 0.25, yMin: 0.5, xMax: 0.5, yMax: 0.75, keypoints: [[0, 0]] },
      lb,
    );
    expect([d.xMin, d.xMax]).toEqual([480, 960]);
    expect([d.yMin, d.yMax]).toEqual([540, 1020]);
    expect(d.keypoints[0]).toEqual([0, 540 - 960]);
  });
});

describe("transformRect (RectTransformationCalculator)", () => {
  it("shifts along the rotated y axis by a fraction of the height, then squares to the long side and scales", () => {
    const r: Rect = { cx: 0, cy: 0, width: 10, height: 20, rotation: Math.PI / 2 };
    const t = transformRect(r, { scaleX: 2, scaleY: 3, shiftX: 0, shiftY: -0.5, squareLong: true });
    // Rotated y axis (0, 1) → (−sin, cos) = (−1, 0): shift −0.5·20 along it = +10 in x.
    expect(t.cx).toBeCloseTo(10, 12);
    expect(t.cy).toBeCloseTo(0, 12);
    expect(t.width).toBeCloseTo(40, 12);
    expect(t.height).toBeCloseTo(60, 12);
  });
});

describe("rectToImage / rectBounds", () => {
  const r: Rect = { cx: 100, cy: 50, width: 40, height: 20, rotation: Math.PI / 2 };
  it("the rect's corners and centre", () => {
    expect(rectToImage(r, 0.5, 0.5)).toEqual([100, 50]);
    const [x, y] = rectToImage(r, 1, 0.5); // local +x (20 px) rotated by 90° → image +y
    expect(x).toBeCloseTo(100, 9);
    expect(y).toBeCloseTo(70, 9);
  });
  it("bounds of a rotated rect swap its extents at 90°", () => {
    const b = rectBounds(r);
    expect(b.xMax - b.xMin).toBeCloseTo(20, 9);
    expect(b.yMax - b.yMin).toBeCloseTo(40, 9);
  });
});

describe("squareTiles", () => {
  it("a 16:9 frame gets two overlapping square tiles that cover it", () => {
    const t = squareTiles(1920, 1080);
    expect(t).toHaveLength(2);
    expect(t.map((r) => [r.cx, r.cy, r.width])).toEqual([
      [540, 540, 1080],
      [1380, 540, 1080],
    ]);
  });
  it("a square frame or count 1 is the MediaPipe letterbox; portrait frames tile vertically", () => {
    expect(squareTiles(640, 640)).toEqual([letterboxRect(640, 640)]);
    expect(squareTiles(1920, 1080, 1)).toEqual([letterboxRect(1920, 1080)]);
    expect(squareTiles(720, 1280).map((r) => r.cy)).toEqual([360, 920]);
  });
});

describe("landmarksToRect (HandLandmarksToRect + RectTransformation 2×, shift −0.1)", () => {
  /** An upright open hand: wrist at the bottom, MCPs 80 px above, fingers above them. */
  function uprightHand(cx: number, wristY: number): [number, number, number][] {
    const lm: [number, number, number][] = Array.from({ length: 21 }, () => [cx, wristY, 0]);
    const fingerX = [-20, 0, 20, 40];
    [5, 9, 13, 17].forEach((mcp, f) => {
      for (let j = 0; j < 4; j++) lm[mcp + j] = [cx + fingerX[f]!, wristY - 80 - j * 25, 0];
    });
    for (let j = 1; j <= 4; j++) lm[j] = [cx - 30 - j * 15, wristY - 20 - j * 15, 0];
    return lm;
  }

  it("an upright hand gives rotation 0 and a square rect around the palm, shifted towards the fingers", () => {
    const r = landmarksToRect(uprightHand(300, 500), TRACK_ROI);
    expect(r.rotation).toBeCloseTo(0, 12);
    // Landmarks 0–3 and each finger's MCP/PIP span x ∈ [225, 340], y ∈ [395, 500] → long side 115.
    expect(r.cx).toBeCloseTo((225 + 340) / 2, 9);
    expect(r.width).toBeCloseTo(230, 9);
    expect(r.height).toBeCloseTo(230, 9);
    expect(r.cy).toBeCloseTo((395 + 500) / 2 - 0.1 * 105, 9);
  });

  it("turning the hand by 90° turns the rect by 90° and keeps its size", () => {
    const lm = uprightHand(300, 500).map(([x, y, z]): [number, number, number] => [
      300 + (500 - y),
      500 + (x - 300),
      z,
    ]);
    const a = landmarksToRect(uprightHand(300, 500), TRACK_ROI);
    const b = landmarksToRect(lm, TRACK_ROI);
    expect(b.rotation).toBeCloseTo(Math.PI / 2, 12);
    expect(b.width).toBeCloseTo(a.width, 9);
  });

  it("needs 21 landmarks", () => {
    expect(() => landmarksToRect([[0, 0]], TRACK_ROI)).toThrow(/21/);
  });
});
