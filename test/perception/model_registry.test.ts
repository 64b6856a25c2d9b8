import { afterEach, describe, expect, it } from "vitest";
import { ssdAnchors } from "../../src/perception/anchors.js";
import { loadModelFile } from "../../src/perception/hand_tracker.js";
import {
  DEFAULT_MODEL_PAIR,
  loadModelPair,
  loadPerceptionModel,
  MODEL_PAIRS,
  perceptionModelNames,
} from "../../src/perception/model_registry.js";
import { OnnxModel } from "../../src/perception/onnx.js";

let model: OnnxModel | undefined;
afterEach(async () => {
  await model?.dispose();
  model = undefined;
});

describe("perception model registry (models/perception/*.json)", () => {
  it("ships the two pairs, default first", () => {
    expect(perceptionModelNames()).toHaveLength(4);
    expect(Object.keys(MODEL_PAIRS)).toEqual(["default", "keijiro"]);
    expect(DEFAULT_MODEL_PAIR).toBe("default");
  });

  it.each(perceptionModelNames())(
    "%s: validates, its file resolves with the registered sha256, and its tensors are what the entry says",
    async (name) => {
      const m = await loadPerceptionModel(name);
      expect(m.name).toBe(name);
      model = await OnnxModel.load(await loadModelFile(m));
      expect(model.inputNames).toEqual([m.input.name]);
      const shape = model.inputShape(m.input.name);
      expect(shape).toEqual(
        m.input.layout === "NHWC"
          ? [1, m.input.height, m.input.width, 3]
          : [1, 3, m.input.height, m.input.width],
      );
      // Run on a mid-grey image and check every declared output exists with the declared size.
      const n = m.input.width * m.input.height * 3;
      const out = await model.run(m.input.name, new Float32Array(n).fill(0.5), shape as number[]);
      if (m.decoder.kind === "ssd_palm") {
        const d = m.decoder;
        expect(ssdAnchors(d.anchors)).toHaveLength(d.numBoxes);
        expect(out[d.outputs.boxes]!.dims).toEqual([1, d.numBoxes, 4 + 2 * d.numKeypoints]);
        expect(out[d.outputs.scores]!.dims).toEqual([1, d.numBoxes, 1]);
      } else {
        const d = m.decoder;
        expect(out[d.outputs.landmarks]!.dims).toEqual([1, 63]);
        expect(out[d.outputs.presence]!.dims).toEqual([1, 1]);
        expect(out[d.outputs.handedness]!.dims).toEqual([1, 1]);
        if (d.outputs.world) expect(out[d.outputs.world]!.dims).toEqual([1, 63]);
        expect(Object.keys(out).sort()).toEqual(model.outputNames.slice().sort());
        // Presence and handedness are probabilities here (the entries say not logits).
        for (const k of [d.outputs.presence, d.outputs.handedness]) {
          const v = out[k]!.data[0]!;
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
      }
    },
  );

  it("every pair names a detector and a landmark model", async () => {
    for (const pair of Object.keys(MODEL_PAIRS)) {
      const { detector, landmarks } = await loadModelPair(pair);
      expect(detector.role).toBe("palm_detector");
      expect(landmarks.role).toBe("hand_landmarks");
    }
  });

  it("unknown names are InputErrors listing what exists", async () => {
    await expect(loadModelPair("nope")).rejects.toThrow(/unknown model pair 'nope'/);
    await expect(loadPerceptionModel("nope")).rejects.toThrow(/unknown perception model/);
  });

  it("a model file that is not where the registry says fails with resolveAsset's message", async () => {
    const m = await loadPerceptionModel("mediapipe_palm_lite_192");
    const missing = { ...m, asset: { ...m.asset, name: "models/nowhere/palm.onnx" } };
    await expect(loadModelFile(missing, { offline: true })).rejects.toThrow(
      /asset not found: models\/nowhere\/palm.onnx[\s\S]*EGOBRIDGE_ASSETS/,
    );
  });
});
