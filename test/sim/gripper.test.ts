import { afterEach, describe, expect, it } from "vitest";
import { loadEmbodiment } from "../../src/pipeline/catalog.js";
import { ParallelJawGripper } from "../../src/sim/gripper.js";
import { loadRapier, type World } from "../../src/sim/rapier.js";

const DT = 1 / 240;
/** How far the pads may sink into a squeezed box (m): contact softness at 300 Hz natural frequency. */
const PAD_PENETRATION_M = 0.002;

let world: World | undefined;
afterEach(() => {
  world?.free();
  world = undefined;
});

async function boxBetweenFingers(widthM: number, massKg: number, friction: number) {
  const R = await loadRapier();
  world = new R.World({ x: 0, y: 0, z: -9.81 });
  world.timestep = DT;
  world.integrationParameters.contact_natural_frequency = 300;
  const e = await loadEmbodiment("robotiq_2f85");
  // Gripper pointing down (approach −z_W): G's z axis = −z_W, y axis = +y_W.
  const q = { x: 1, y: 0, z: 0, w: 0 };
  const X = { p: { x: 0, y: 0, z: 0.3 }, q };
  const g = new ParallelJawGripper(R, world, e, X, e.strokeM);
  const floor = world.createRigidBody(R.RigidBodyDesc.fixed());
  world.createCollider(R.ColliderDesc.cuboid(1, 1, 0.05).setTranslation(0, 0, -0.05), floor);
  const box = world.createRigidBody(R.RigidBodyDesc.dynamic().setTranslation(0, 0, 0.3));
  world.createCollider(
    R.ColliderDesc.cuboid(0.02, widthM / 2, 0.04)
      .setMass(massKg)
      .setFriction(friction)
      // "Min": the box's own friction is the contact's (the default averages it with the pads').
      .setFrictionCombineRule(R.CoefficientCombineRule.Min),
    box,
  );
  // The box starts between the open jaws, resting on a support we remove once gripped.
  const support = world.createRigidBody(R.RigidBodyDesc.fixed());
  world.createCollider(R.ColliderDesc.cuboid(0.1, 0.1, 0.01).setTranslation(0, 0, 0.25), support);
  return { R, g, box, support, X, e };
}

describe("ParallelJawGripper", () => {
  it("closes on a box until the pads touch it, with the grip force", async () => {
    const { g, box, X } = await boxBetweenFingers(0.05, 0.2, 0.8);
    for (let i = 0; i < 480; i++) {
      g.setPalmTarget(X, DT);
      g.setJawTarget(0, DT);
      world!.step();
    }
    expect(g.apertureM()).toBeGreaterThan(0.05 - PAD_PENETRATION_M);
    expect(g.apertureM()).toBeLessThan(0.05 + 0.001);
    expect(box.translation().z).toBeCloseTo(0.3, 2);
  });

  it("lifts a box by friction alone and loses it when friction is near zero", async () => {
    for (const [friction, held] of [
      [0.8, true],
      [0.0, false],
    ] as const) {
      const { g, box, support, X } = await boxBetweenFingers(0.05, 0.2, friction);
      for (let i = 0; i < 240; i++) {
        g.setPalmTarget(X, DT);
        g.setJawTarget(0, DT);
        world!.step();
      }
      world!.removeRigidBody(support);
      for (let i = 0; i < 240; i++) {
        const lifted = { p: { x: 0, y: 0, z: 0.3 + (0.1 * i) / 240 }, q: X.q };
        g.setPalmTarget(lifted, DT);
        g.setJawTarget(0, DT);
        world!.step();
      }
      const z = box.translation().z;
      if (held) expect(z).toBeGreaterThan(0.39);
      else expect(z).toBeLessThan(0.2);
      world!.free();
      world = undefined;
    }
  });
});
