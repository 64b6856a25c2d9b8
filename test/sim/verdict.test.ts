import { describe, expect, it } from "vitest";
import type { EpisodeStep } from "../../src/core/schemas/episode.js";
import type { SceneSpec } from "../../src/core/schemas/scene.js";
import { loadScene } from "../../src/pipeline/catalog.js";
import { HARD_COLLISION_N, HOLD_FORCE_N, judge } from "../../src/sim/verdict.js";

const human = {
  frameIndex: 0,
  t: 0,
  keypointsWorld: Array.from({ length: 21 }, () => [0, 0, 0] as [number, number, number]),
};
const tcp = {
  pos: [0, 0, 1] as [number, number, number],
  quatXyzw: [0, 0, 0, 1] as [number, number, number, number],
};

/** A step with the carton at height z and the given contacts. */
function step(z: number, contacts: EpisodeStep["contacts"], x = 0): EpisodeStep {
  return {
    t: 0,
    state: { tcp, apertureM: 0.04 },
    action: { tcp, apertureM: 0, grasp: true },
    objects: { carton: { pos: [x, 0.43, z], quatXyzw: [0, 0, 0, 1] } },
    contacts,
    human,
  };
}
const held = [
  { a: "carton", b: "gripper.finger_left", forceN: 2 * HOLD_FORCE_N },
  { a: "carton", b: "gripper.finger_right", forceN: 2 * HOLD_FORCE_N },
];

describe("judge", () => {
  let scene: SceneSpec;
  it("scores a lift and a placement in the region as success", async () => {
    scene = await loadScene("shelf_to_tote");
    const steps = [step(0.85, []), step(0.92, held), step(0.675, [], 0.55)];
    steps[2]!.objects["carton"]!.pos = [0.55, 0, 0.675];
    const v = judge(steps, scene, null);
    expect(v.reasons).toEqual(["grasped", "lifted", "placed_in_region"]);
    expect(v.success).toBe(true);
  });

  it("fails a rollout with a hard collision of the gripper with the shelf", async () => {
    scene = await loadScene("shelf_to_tote");
    const crash = [...held, { a: "gripper.palm", b: "shelf", forceN: HARD_COLLISION_N + 1 }];
    const steps = [step(0.85, []), step(0.92, crash), step(0.675, [], 0.55)];
    steps[2]!.objects["carton"]!.pos = [0.55, 0, 0.675];
    const v = judge(steps, scene, null);
    expect(v.reasons).toContain("hard_collision");
    expect(v.success).toBe(false);
    expect(v.metrics["maxGripperSceneryForceN"]).toBeGreaterThan(HARD_COLLISION_N);
  });

  it("a lift of less than task.liftM is not a lift; a physics fault fails whatever else", async () => {
    scene = await loadScene("shelf_to_tote");
    const low = judge([step(0.85, []), step(0.85 + scene.task.liftM / 2, held)], scene, null);
    expect(low.reasons).toContain("not_lifted");
    const fault = judge([step(0.85, []), step(0.92, held)], scene, "physics_fault_nan");
    expect(fault.success).toBe(false);
    expect(fault.reasons[0]).toBe("physics_fault_nan");
  });
});
