/**
 * An arm's base under augmentation: varied within the stated ranges (and only when asked, so the
 * other draws stay as they were), mirrored with the scene, and refused where its pedestal stands
 * in the scenery (`base_blocked`), before any physics.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { applyVariation, mirrorScene } from "../../src/augment/apply_scene.js";
import {
  IDENTITY_VARIATION,
  sampleVariation,
  type VariationParams,
  VariationRangesSchema,
} from "../../src/augment/variation.js";
import { type Pose, poseFromJson, qrotate, vec3 } from "../../src/core/math.js";
import { createRng } from "../../src/core/rng.js";
import type { SceneSpec } from "../../src/core/schemas/scene.js";
import { proceduralPickToTote } from "../../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";
import { linkageOf } from "../../src/sim/gripper_models.js";
import { simulateEpisode } from "../../src/sim/simulate.js";

let scene: SceneSpec;
beforeAll(async () => {
  scene = await loadScene("shelf_to_tote");
});

const base = (s: SceneSpec): Pose => poseFromJson(s.robotBase!.pose);

describe("an arm's base in augmentation", () => {
  it("is varied only when its ranges ask, drawn after everything else, within the ranges", () => {
    const plain = VariationRangesSchema.parse({});
    const moving = VariationRangesSchema.parse({ robotBaseShiftM: [0.1, 0.05], robotBaseYawRad: 0.2 });
    for (let k = 0; k < 50; k++) {
      const a = sampleVariation(createRng(7).fork(`v${k}`), plain, 4, "franka_panda");
      const b = sampleVariation(createRng(7).fork(`v${k}`), moving, 4, "franka_panda");
      expect(a.robotBase).toBeUndefined();
      const { robotBase, ...rest } = b;
      expect(rest).toEqual(a);
      const [dx, dy, dyaw] = robotBase!;
      expect(Math.abs(dx)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(dy)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(dyaw)).toBeLessThanOrEqual(0.2);
    }
  });

  it("moves the scene's base by the drawn amounts and records it as varied", () => {
    const v: VariationParams = { ...IDENTITY_VARIATION("franka_panda"), robotBase: [0.05, -0.02, 0.1] };
    const moved = applyVariation(scene, v).scene;
    const [was, now] = [base(scene), base(moved)];
    expect(now.p.x - was.p.x).toBeCloseTo(0.05, 9);
    expect(now.p.y - was.p.y).toBeCloseTo(-0.02, 9);
    expect(now.p.z).toBe(was.p.z);
    const fwd = (X: Pose) => qrotate(X.q, vec3(1, 0, 0));
    const turn = Math.atan2(fwd(now).y, fwd(now).x) - Math.atan2(fwd(was).y, fwd(was).x);
    expect(turn).toBeCloseTo(0.1, 9);
    expect(moved.robotBase!.origin).toBe("varied");
    // A scene without a base stays without one.
    const { robotBase: _none, ...bare } = scene;
    expect(applyVariation(bare as SceneSpec, v).scene.robotBase).toBeUndefined();
  });

  it("is mirrored with the scene: at the mirror position, facing the mirrored way, upright", () => {
    const yaw = Math.PI / 6;
    const turned: SceneSpec = {
      ...scene,
      robotBase: {
        pose: { pos: [0.3, -0.4, 0.45], quatXyzw: [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)] },
        origin: "stated",
      },
    };
    const m = mirrorScene(turned);
    const [was, now] = [base(turned), base(m)];
    expect(now.p.x).toBeCloseTo(-was.p.x, 12);
    expect(now.p.y).toBeCloseTo(was.p.y, 12);
    expect(now.p.z).toBeCloseTo(was.p.z, 12);
    const f = qrotate(was.q, vec3(1, 0, 0));
    const g = qrotate(now.q, vec3(1, 0, 0));
    expect(f.x).toBeCloseTo(Math.cos(yaw), 12);
    expect(g.x).toBeCloseTo(-f.x, 12);
    expect(g.y).toBeCloseTo(f.y, 12);
    expect(g.z).toBeCloseTo(f.z, 12);
    expect(qrotate(now.q, vec3(0, 0, 1)).z).toBeCloseTo(1, 12);
    // Twice mirrored, it is back.
    const back = base(mirrorScene(m));
    expect(back.p.x).toBeCloseTo(was.p.x, 12);
    expect(
      Math.abs(back.q.x * was.q.x + back.q.y * was.q.y + back.q.z * was.q.z + back.q.w * was.q.w),
    ).toBeCloseTo(1, 12);
  });

  it("is refused where its pedestal stands in the scenery, as base_blocked, before any physics", async () => {
    const e = await loadEmbodiment("franka_panda");
    const trajectory = retargetParallelJaw(
      proceduralPickToTote(scene, { seed: 0 }),
      e,
      {},
      await linkageOf(e),
    );
    // Under the shelf.
    const blocked: SceneSpec = {
      ...scene,
      robotBase: { pose: { pos: [0, 0.55, 0.45], quatXyzw: [0, 0, 0, 1] }, origin: "varied" },
    };
    const ep = await simulateEpisode({
      scene: blocked,
      embodiment: e,
      trajectory,
      seed: 0,
      id: "blocked",
      task: "t",
      lineageSource: "test",
    });
    expect(ep.success).toBe(false);
    expect(ep.reasons).toEqual(["base_blocked"]);
    expect(ep.steps).toHaveLength(1);
    expect(ep.steps[0]!.state.joints!.q).toHaveLength(7);
    expect(ep.scene.robotBase).toEqual(blocked.robotBase);
  });
});
