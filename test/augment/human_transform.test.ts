/**
 * The human half of a variant: moved with the robot by the segment's object-frame transform,
 * time-warped with the same warp (interpolated, not the nearest sample), marked transformed, with
 * the source's observation confidence.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { applyVariation } from "../../src/augment/apply_scene.js";
import { type Segments, segmentEpisode } from "../../src/augment/segments.js";
import { variantSteps } from "../../src/augment/transform.js";
import { IDENTITY_VARIATION, type VariationParams } from "../../src/augment/variation.js";
import { fromArray3, invert, poseFromJson, transformPoint } from "../../src/core/math.js";
import type { PoseJson } from "../../src/core/schemas/common.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import { loadEmbodiment } from "../../src/pipeline/catalog.js";
import { demoCase, runCase } from "../sim/fixtures.js";

const TOL_M = 1e-9;

let source: Episode;
let segments: Segments;
beforeAll(async () => {
  source = (await runCase(await demoCase(0))).episode;
  segments = segmentEpisode(source);
});

/** The variant's scene and command steps for variation `v` of the demo. */
async function variant(v: VariationParams) {
  const applied = applyVariation(source.scene, v);
  const e = await loadEmbodiment("robotiq_2f85");
  return { applied, steps: variantSteps(source, segments, applied.T_obj, applied.T_place, v, e) };
}

describe("a variant's human samples", () => {
  it("move with the target in the pick segment: the hand keeps its place relative to the object", async () => {
    const v: VariationParams = { ...IDENTITY_VARIATION("robotiq_2f85"), shift: [0.1, 0.03], yawRad: 0.3 };
    const { applied, steps } = await variant(v);
    const id = source.scene.task.targetId;
    const X_src = poseFromJson((source.scene.items.find((i) => i.id === id) as { pose: PoseJson }).pose);
    const X_new = poseFromJson((applied.scene.items.find((i) => i.id === id) as { pose: PoseJson }).pose);
    const firstPick = steps.findIndex((s) => s.human.t === source.steps[segments.approachStart]!.human.t);
    expect(firstPick).toBeGreaterThan(0);
    for (let j = 0; j < segments.pickEnd - segments.approachStart; j++) {
      const h = steps[firstPick + j]!.human;
      const src = source.steps[segments.approachStart + j]!.human;
      expect(h.status).toBe("transformed");
      expect(h.confidence).toBe(src.confidence);
      h.keypointsWorld.forEach((k, i) => {
        const a = transformPoint(invert(X_new), fromArray3(k));
        const b = transformPoint(invert(X_src), fromArray3(src.keypointsWorld[i]!));
        expect(Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z)).toBeLessThan(TOL_M);
      });
    }
    expect(steps.every((s) => s.human.status === "transformed")).toBe(true);
  });

  it("are interpolated under time warping, not copied from the nearest source sample", async () => {
    const v: VariationParams = { ...IDENTITY_VARIATION("robotiq_2f85"), speed: 1.3 };
    const { steps } = await variant(v);
    const src = source.steps.map((s) => s.human);
    let between = 0;
    for (const { human: h } of steps) {
      // Consecutive source samples around this time, and the keypoints linearly between them.
      const i = src.findIndex((a, k) => k + 1 < src.length && a.t <= h.t && h.t <= src[k + 1]!.t);
      expect(i).toBeGreaterThanOrEqual(0);
      const a = src[i]!;
      const b = src[i + 1]!;
      const s = b.t > a.t ? (h.t - a.t) / (b.t - a.t) : 0;
      if (s > 1e-6 && s < 1 - 1e-6) between++;
      h.keypointsWorld.forEach((k, j) => {
        k.forEach((x, c) => {
          const expected =
            a.keypointsWorld[j]![c]! + (b.keypointsWorld[j]![c]! - a.keypointsWorld[j]![c]!) * s;
          expect(Math.abs(x - expected)).toBeLessThan(1e-9);
        });
      });
    }
    expect(between).toBeGreaterThan(steps.length / 2);
  });

  it("under time warping the final hold keeps the source's length, its added steps marked held", async () => {
    const { steps } = await variant({ ...IDENTITY_VARIATION("robotiq_2f85"), speed: 1.3 });
    // The source ends on a hold (the settle): its last steps repeat one command.
    const sameAsLast = (xs: { pos: number[] }[]) => {
      const last = xs[xs.length - 1]!.pos;
      let k = xs.length - 1;
      while (k > 0 && xs[k - 1]!.pos.every((v, i) => Math.abs(v - last[i]!) < 1e-6)) k--;
      return xs.length - k;
    };
    const sourceHold = sameAsLast(source.steps.map((st) => st.action.tcp));
    expect(sourceHold).toBeGreaterThanOrEqual(10);
    expect(sameAsLast(steps.map((st) => st.tcp))).toBeGreaterThanOrEqual(sourceHold);
    const added = steps.filter((st) => st.human.status === "held");
    expect(added.length).toBeGreaterThan(0);
    expect(steps.slice(-added.length).every((st) => st.human.status === "held")).toBe(true);
  });
});
