import { describe, expect, it } from "vitest";
import { worldFromImageLandmarks } from "../../src/perception/canonical_hand.js";
import { inPlaneSize, metricHandShape } from "../../src/perception/hand_shape.js";
import { loadModelPair, MODEL_PAIRS } from "../../src/perception/model_registry.js";
import { tensorsToLandmarks } from "../../src/perception/tensors_to_landmarks.js";
import { randomHand } from "./random_hand.js";

describe("normalize_z (MediaPipe TensorsToLandmarksCalculator)", () => {
  it("both hand landmark models divide z by 0.4, as MediaPipe's hand landmark graphs do", async () => {
    for (const pair of Object.keys(MODEL_PAIRS)) {
      expect((await loadModelPair(pair)).landmarks.decoder.normalizeZ).toBe(0.4);
    }
    const rect = { cx: 500, cy: 300, width: 200, height: 200, rotation: 0 };
    const landmarks = Float32Array.from(Array.from({ length: 21 }, () => [112, 112, 22.4]).flat());
    const t = { landmarks, presence: Float32Array.of(1), handedness: Float32Array.of(0.5) };
    const o = { inputWidth: 224, inputHeight: 224, presenceIsLogit: false, handednessIsLogit: false };
    const raw = tensorsToLandmarks(t, 0, rect, { ...o, handednessLabel: "Left" });
    const normalised = tensorsToLandmarks(t, 0, rect, { ...o, handednessLabel: "Left", normalizeZ: 0.4 });
    expect(raw.image[0]![2]).toBeCloseTo(20, 5);
    expect(normalised.image[0]![2]).toBeCloseTo(50, 5);
  });
});

describe("metricHandShape", () => {
  it("takes the image landmarks' shape at the world landmarks' in-plane size, centred", () => {
    const image = randomHand(1).map((p): [number, number, number] => [
      p[0] * 4000 + 700,
      p[1] * 4000 + 500,
      p[2] * 4000,
    ]);
    // World landmarks of another shape (flat) but a known in-plane size.
    const world = randomHand(2).map((p): [number, number, number] => [p[0] * 0.5, p[1] * 0.5, 0]);
    const shape = metricHandShape({ image, world });
    expect(inPlaneSize(shape)).toBeCloseTo(inPlaneSize(world), 12);
    const s = inPlaneSize(world) / inPlaneSize(image);
    // Depth offsets are the image landmarks' z at the same scale as x and y.
    expect(shape[3]![2] - shape[7]![2]).toBeCloseTo((image[3]![2] - image[7]![2]) * s, 12);
    expect(shape[3]![0] - shape[7]![0]).toBeCloseTo((image[3]![0] - image[7]![0]) * s, 12);
    for (let k = 0; k < 3; k++) expect(shape.reduce((a, p) => a + p[k]!, 0)).toBeCloseTo(0, 12);
  });

  it("without world landmarks (or with degenerate ones) it is the canonical-palm hand", () => {
    const image = randomHand(3).map((p): [number, number, number] => [p[0] * 3000, p[1] * 3000, p[2] * 3000]);
    expect(metricHandShape({ image })).toEqual(worldFromImageLandmarks(image));
    const zero = image.map((): [number, number, number] => [0, 0, 0]);
    expect(metricHandShape({ image, world: zero })).toEqual(worldFromImageLandmarks(image));
  });
});
