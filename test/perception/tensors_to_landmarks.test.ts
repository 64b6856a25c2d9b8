import { describe, expect, it } from "vitest";
import { assignSides, probabilityRight, sideFromHandedness } from "../../src/perception/handedness.js";
import { tensorsToLandmarks } from "../../src/perception/tensors_to_landmarks.js";

const o = {
  inputWidth: 224,
  inputHeight: 224,
  presenceIsLogit: false,
  handednessIsLogit: false,
  handednessLabel: "Left" as const,
};

function tensors(points: [number, number, number][], world?: [number, number, number][]) {
  const flat = (p: [number, number, number][]) => Float32Array.from(p.flat());
  const lm = Array.from({ length: 21 }, (_, k) => points[k] ?? [112, 112, 0]) as [number, number, number][];
  return {
    landmarks: flat(lm),
    presence: Float32Array.of(0.9),
    handedness: Float32Array.of(0.8),
    ...(world
      ? {
          world: flat(
            Array.from({ length: 21 }, (_, k) => world[k] ?? [0, 0, 0]) as [number, number, number][],
          ),
        }
      : {}),
  };
}

describe("tensorsToLandmarks (TensorsToLandmarks + LandmarkProjection + WorldLandmarkProjection)", () => {
  it("crop pixels map back through the rect: the crop centre is the rect centre, corners its corners", () => {
    const rect = { cx: 500, cy: 300, width: 200, height: 200, rotation: 0 };
    const h = tensorsToLandmarks(
      tensors([
        [112, 112, 22.4],
        [0, 0, 0],
        [224, 224, 0],
      ]),
      0,
      rect,
      o,
    );
    expect(h.image[0]!.slice(0, 2)).toEqual([500, 300]);
    expect(h.image[0]![2]).toBeCloseTo(20, 5); // z scaled like x: 22.4 / 224 · 200 (float32 input)
    expect(h.image[1]!.slice(0, 2)).toEqual([400, 200]);
    expect(h.image[2]!.slice(0, 2)).toEqual([600, 400]);
    expect(h.presence).toBeCloseTo(0.9, 6);
  });

  it("rotates image landmarks and world landmarks by the rect's rotation", () => {
    const rect = { cx: 0, cy: 0, width: 224, height: 224, rotation: Math.PI / 2 };
    const h = tensorsToLandmarks(tensors([[224, 112, 0]], [[0.05, 0, 0.01]]), 0, rect, o);
    // Local +x (112 px) becomes image +y.
    expect(h.image[0]![0]).toBeCloseTo(0, 6);
    expect(h.image[0]![1]).toBeCloseTo(112, 6);
    expect(h.world![0]![0]).toBeCloseTo(0, 6);
    expect(h.world![0]![1]).toBeCloseTo(0.05, 6);
    expect(h.world![0]![2]).toBeCloseTo(0.01, 6);
  });

  it("the handedness output scores the label the registry names", () => {
    const rect = { cx: 0, cy: 0, width: 224, height: 224, rotation: 0 };
    expect(tensorsToLandmarks(tensors([]), 0, rect, o).probMirroredRight).toBeCloseTo(0.2, 6);
    expect(
      tensorsToLandmarks(tensors([]), 0, rect, { ...o, handednessLabel: "Right" }).probMirroredRight,
    ).toBeCloseTo(0.8, 6);
    expect(tensorsToLandmarks(tensors([]), 0, rect, { ...o, presenceIsLogit: true }).presence).toBeCloseTo(
      1 / (1 + Math.exp(-0.9)),
      6,
    );
  });
});

describe("handedness", () => {
  it("MediaPipe's label is for mirrored images: inverted for egocentric (non-mirrored) frames", () => {
    expect(sideFromHandedness(0.9, true)).toBe("right");
    expect(sideFromHandedness(0.9, false)).toBe("left");
    expect(probabilityRight(0.9, false)).toBeCloseTo(0.1, 12);
  });
  it("two hands never get the same side", () => {
    expect(assignSides([0.7, 0.2])).toEqual(["right", "left"]);
    expect(assignSides([0.7, 0.9])).toEqual(["left", "right"]);
    expect(assignSides([0.3, 0.1])).toEqual(["right", "left"]);
    expect(assignSides([0.3])).toEqual(["left"]);
    expect(assignSides([])).toEqual([]);
  });
});
