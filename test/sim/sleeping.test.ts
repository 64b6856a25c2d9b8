/**
 * Resting scene objects other than the task's target may sleep (Rapier stops integrating a body at
 * rest after about 2 s), which is what makes big warehouse scenes fast. A sleeping carton must
 * still answer the gripper: pushed after it has fallen asleep, it moves, and the contact is
 * recorded with a live force.
 */
import { describe, expect, it } from "vitest";
import { SceneSpecSchema } from "../../src/core/schemas/scene.js";
import type { RobotTrajectory } from "../../src/core/schemas/trajectory.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";
import { simulateEpisode } from "../../src/sim/simulate.js";
import { demoCase } from "./fixtures.js";

/** Seconds the gripper holds still before the push: well past Rapier's 2 s until a resting body sleeps. */
const WAIT_S = 4;
const PUSH_S = 2;

describe("sleeping scene objects", () => {
  it("a carton asleep on the floor is woken and pushed by the gripper sweeping through it", async () => {
    const c = await demoCase();
    const good = retargetParallelJaw(c.track, c.embodiment);
    const start = good.steps[0]!;
    const [x, y] = start.tcp.pos;
    // A carton on the floor 0.3 m along +y from the point under the start pose.
    const carton = { x, y: y + 0.3, size: 0.1 };
    const scene = SceneSpecSchema.parse({
      ...c.scene,
      items: [
        ...c.scene.items,
        {
          kind: "box",
          id: "bump",
          role: "distractor",
          pose: { pos: [carton.x, carton.y, carton.size / 2], quatXyzw: [0, 0, 0, 1] },
          sizeM: [carton.size, carton.size, carton.size],
          massKg: 0.3,
          friction: 0.5,
        },
      ],
    });
    const hz = good.controlHz;
    const low = 0.06; // TCP height while sweeping: the fingers reach below it, into the carton
    const path = (k: number): [number, number, number] => {
      const t = k / hz;
      if (t < WAIT_S) return [x, y, low];
      const s = Math.min(1, (t - WAIT_S) / PUSH_S);
      return [x, y + 0.5 * s, low];
    };
    const n = Math.round((WAIT_S + PUSH_S + 1) * hz);
    const trajectory: RobotTrajectory = {
      ...good,
      steps: Array.from({ length: n }, (_, k) => ({
        ...start,
        t: k / hz,
        tcp: { ...start.tcp, pos: path(k) },
        grasp: false,
        apertureM: c.embodiment.strokeM,
      })),
    };
    const episode = await simulateEpisode({
      scene,
      embodiment: c.embodiment,
      trajectory,
      seed: 0,
      id: "push",
      task: "test",
      lineageSource: "test",
    });
    const at = (k: number) => episode.steps[k]!.objects["bump"]!.pos;
    const beforePush = Math.round(WAIT_S * hz) - 1;
    // At rest (and asleep) until the push …
    expect(Math.hypot(at(beforePush)[0] - at(hz)[0], at(beforePush)[1] - at(hz)[1])).toBeLessThan(1e-4);
    // … then moved along +y by the gripper.
    expect(at(episode.steps.length - 1)[1] - at(beforePush)[1]).toBeGreaterThan(0.05);
    const touched = episode.steps.filter((s) =>
      s.contacts.some((k) => (k.a === "bump" || k.b === "bump") && /finger|palm/.test(k.a + k.b)),
    );
    expect(touched.length).toBeGreaterThan(0);
  });
});
