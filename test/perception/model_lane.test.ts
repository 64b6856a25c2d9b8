import { beforeAll, describe, expect, it } from "vitest";
import { extractHandTrack } from "../../src/perception/extract.js";
import { loadModelFile } from "../../src/perception/hand_tracker.js";
import { ModelLane, PerceptionLanes } from "../../src/perception/model_lane.js";
import { loadPerceptionModel } from "../../src/perception/model_registry.js";
import { OnnxModel } from "../../src/perception/onnx.js";
import { asset, EGODEX_CUP, WEBCAM_RIGHT_HAND } from "./assets.js";

let egodex: string;
let webcam: string;
beforeAll(async () => {
  egodex = await asset(EGODEX_CUP);
  webcam = await asset(WEBCAM_RIGHT_HAND);
});

/** Three extractions perceived at once: two clips, and a second stretch of the first. */
const jobs = () =>
  [
    { file: egodex, range: { end: 36 } },
    { file: webcam, range: { end: 36 }, mirrored: true },
    { file: egodex, range: { start: 30, end: 66 } },
  ] as const;

describe("perception lanes (one session, crops of several videos per run)", () => {
  const alone: string[] = [];
  beforeAll(async () => {
    for (const j of jobs()) {
      const { track } = await extractHandTrack(j.file, { ...j, allowEmpty: true, intraOpThreads: 1 });
      alone.push(JSON.stringify(track));
    }
  });

  it.each([64, 3])(
    "give every video the track it gets alone, byte for byte (batches of at most %i crops)",
    async (maxBatch) => {
      const lanes = new PerceptionLanes({ maxBatch });
      try {
        const tracks = await Promise.all(
          jobs().map((j) => extractHandTrack(j.file, { ...j, allowEmpty: true, intraOpThreads: 1, lanes })),
        );
        expect(tracks.map((t) => JSON.stringify(t.track))).toEqual(alone);
        const landmarks = (await lanes.stats()).find((s) => /landmark/.test(s.file))!.stats;
        // The crops of different videos did share runs: more crops per run than one video has hands.
        expect(landmarks.maxSamples).toBeGreaterThan(2);
        expect(landmarks.maxSamples).toBeLessThanOrEqual(maxBatch);
        expect(landmarks.runs).toBeLessThan(tracks.reduce((n, t) => n + t.stats.frames, 0));
      } finally {
        await lanes.dispose();
      }
    },
  );

  it("refuses a model whose outputs do not come one row per sample, instead of splitting them wrong", async () => {
    // The 192 palm detector, made to take a batch, concatenates the anchors of all its inputs.
    const spec = await loadPerceptionModel("mediapipe_palm_lite_192");
    const model = await OnnxModel.load(await loadModelFile(spec), { dynamicBatch: true });
    const lane = new ModelLane(model, true);
    try {
      const a = lane.client();
      const b = lane.client();
      const n = spec.input.height * spec.input.width * 3;
      const dims = [1, spec.input.height, spec.input.width, 3];
      const runs = [a, b].map((c) => c.run(spec.input.name, new Float32Array(n).fill(0.5), dims));
      for (const r of runs) await expect(r).rejects.toThrow(/rows for a batch of 2/);
    } finally {
      await model.dispose();
    }
  });
});
