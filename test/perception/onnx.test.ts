import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EgobridgeError } from "../../src/core/errors.js";
import { loadModelFile } from "../../src/perception/hand_tracker.js";
import { loadPerceptionModel } from "../../src/perception/model_registry.js";
import { OnnxModel } from "../../src/perception/onnx.js";
import { withSymbolicBatch } from "../../src/perception/onnx_batch.js";

const models: OnnxModel[] = [];
afterEach(async () => {
  for (const m of models.splice(0)) await m.dispose();
});
const keep = (m: OnnxModel) => {
  models.push(m);
  return m;
};

const landmarkFile = async (name = "mediapipe_hand_landmark_lite_224") =>
  loadModelFile(await loadPerceptionModel(name));

describe("OnnxModel devices", () => {
  // These run on any machine: where the provider exists the session must work, where it does not the
  // error must say how to get it. Neither branch is skipped.
  it("cuda: a working session, or an error naming the install command", async () => {
    const r = await OnnxModel.load(await landmarkFile(), { device: "cuda" }).catch((e: unknown) => e);
    if (r instanceof OnnxModel) expect(keep(r).device).toBe("cuda");
    else {
      expect(r).toBeInstanceOf(EgobridgeError);
      expect((r as EgobridgeError).message).toMatch(/--device cuda is not available/);
      expect((r as EgobridgeError).hint).toContain(
        "ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node --ignore-scripts=false",
      );
    }
  });

  it("webgpu: a working session, or an error naming the Vulkan requirement", async () => {
    const r = await OnnxModel.load(await landmarkFile(), { device: "webgpu" }).catch((e: unknown) => e);
    if (r instanceof OnnxModel) expect(keep(r).device).toBe("webgpu");
    else {
      expect(r).toBeInstanceOf(EgobridgeError);
      expect((r as EgobridgeError).hint).toMatch(/Vulkan/);
    }
  });

  it("auto: always a session; when it lands on cpu it says what it skipped", async () => {
    const m = keep(await OnnxModel.load(await landmarkFile(), { device: "auto" }));
    if (m.device === "cpu") expect(m.note).toMatch(/cuda unavailable.*webgpu unavailable.*running on cpu/s);
    const out = await m.run("input_1", new Float32Array(224 * 224 * 3), [1, 224, 224, 3]);
    expect(out["Identity"]!.dims).toEqual([1, 63]);
  });

  it("a file that is not an ONNX model: EgobridgeError naming the file", async () => {
    const bogus = path.join(os.tmpdir(), `egobridge-not-a-model-${process.pid}.onnx`);
    await fs.writeFile(bogus, "not onnx");
    try {
      await expect(OnnxModel.load(bogus)).rejects.toThrow(/cannot load ONNX model .*not-a-model/);
    } finally {
      await fs.rm(bogus, { force: true });
    }
  });
});

describe("withSymbolicBatch", () => {
  it.each(["mediapipe_hand_landmark_lite_224", "keijiro_hand_landmark_full_224"])(
    "%s: a batch of 2 gives the same outputs as two single runs",
    async (name) => {
      const spec = await loadPerceptionModel(name);
      const file = await loadModelFile(spec);
      const single = keep(await OnnxModel.load(file));
      const batched = keep(await OnnxModel.load(file, { dynamicBatch: true }));
      expect(batched.inputShape("input_1")[0]).toBe("batch");
      const n = 224 * 224 * 3;
      const data = new Float32Array(2 * n);
      for (let i = 0; i < data.length; i++) data[i] = 0.5 + 0.5 * Math.sin(i * 0.37);
      const dims = (b: number) => (spec.input.layout === "NHWC" ? [b, 224, 224, 3] : [b, 3, 224, 224]);
      const both = await batched.run("input_1", data, dims(2));
      for (let b = 0; b < 2; b++) {
        const one = await single.run("input_1", data.slice(b * n, (b + 1) * n), dims(1));
        for (const [k, t] of Object.entries(one)) {
          const per = t.data.length;
          const mine = both[k]!.data.subarray(b * per, (b + 1) * per);
          t.data.forEach((v, i) => {
            expect(mine[i]).toBeCloseTo(v, 4);
          });
        }
      }
    },
  );

  it("leaves weights alone and rejects a truncated protobuf", async () => {
    const bytes = await fs.readFile(await landmarkFile());
    const patched = withSymbolicBatch(bytes);
    expect(Math.abs(patched.length - bytes.length)).toBeLessThan(bytes.length * 0.01);
    expect(() => withSymbolicBatch(bytes.subarray(0, 1000))).toThrow(/truncated/);
  });
});
