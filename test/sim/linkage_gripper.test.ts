/**
 * The 2F-85 built in Rapier from its MJCF (robotiq_2f85_mjcf): geometry from the model's meshes,
 * the pads' motion from the model's forward kinematics (an independent reference: the MJCF's
 * joint chain, not the Rapier solver), joint ranges that hold, and the demo's pick held by both fingers.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Pose, qfromAxes, vec3 } from "../../src/core/math.js";
import type { Embodiment } from "../../src/core/schemas/embodiment.js";
import { proceduralPickToTote } from "../../src/hands/procedural.js";
import { loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";
import { linkageOf } from "../../src/sim/gripper_models.js";
import { apertureAt, type GripperLinkage, LinkageGripper } from "../../src/sim/linkage_gripper.js";
import { loadRobotiq2f85, type MjcfGripper } from "../../src/sim/mujoco/robotiq_2f85.js";
import { loadRapier, type Rapier, type World } from "../../src/sim/rapier.js";
import { sceneryIncursion } from "../../src/sim/scenery_clearance.js";
import { simulateEpisode } from "../../src/sim/simulate.js";

const DT = 1 / 240;
/** Gripper pointing down (approach −z_W), jaws opening along ±x_W. */
const DOWN = qfromAxes(vec3(0, 1, 0), vec3(1, 0, 0), vec3(0, 0, -1));
const at = (x: number, y: number, z: number): Pose => ({ p: vec3(x, y, z), q: DOWN });

let R: Rapier;
let e: Embodiment;
let linkage: GripperLinkage;
let mjcf: MjcfGripper;
let world: World | undefined;

beforeAll(async () => {
  R = await loadRapier();
  e = await loadEmbodiment("robotiq_2f85_mjcf");
  linkage = (await linkageOf(e))!;
  mjcf = await loadRobotiq2f85();
});
afterEach(() => {
  world?.free();
  world = undefined;
});

function newWorld(): World {
  world = new R.World({ x: 0, y: 0, z: -9.81 });
  world.timestep = DT;
  world.numSolverIterations = 8;
  world.integrationParameters.contact_natural_frequency = 300;
  world.integrationParameters.normalizedPredictionDistance = 0.002;
  return world;
}

function run(g: LinkageGripper, w: World, seconds: number, X: (t: number) => Pose, aperture: number): void {
  for (let i = 0; i < Math.round(seconds / DT); i++) {
    g.setPalmTarget(X(i * DT), DT);
    g.setJawTarget(aperture, DT);
    w.step();
  }
}

describe("the 2F-85 from its MJCF in Rapier", () => {
  it("is built from every collision mesh and pad box of the model", () => {
    const meshes = mjcf.model.links.flatMap((l) => l.collisions).filter((g) => g.shape.kind === "mesh");
    const boxes = mjcf.model.links.flatMap((l) => l.collisions).filter((g) => g.shape.kind === "box");
    const hulls = linkage.palm.hulls.length + linkage.bodies.reduce((s, b) => s + b.hulls.length, 0);
    expect(hulls).toBe(meshes.length);
    expect(linkage.bodies.reduce((s, b) => s + b.boxes.length, 0)).toBe(boxes.length);
    // Four-bar per side: driver, spring link and follower hinges, closed by the coupler–follower connect.
    expect(linkage.joints.filter((j) => j.kind === "revolute")).toHaveLength(6);
    expect(linkage.joints.filter((j) => j.kind === "spherical")).toHaveLength(2);
    expect(
      linkage.joints
        .filter((j) => j.actuated)
        .map((j) => j.body2)
        .sort(),
    ).toEqual(["left_driver", "right_driver"]);
  });

  it("opens as the model's forward kinematics say, under gravity", () => {
    const w = newWorld();
    const X = at(0, 0, 0.5);
    const g = new LinkageGripper(R, w, e, linkage, X, e.strokeM);
    for (const target of [0.08, 0.06, 0.04, 0.02]) {
      run(g, w, 0.8, () => X, target);
      const measured = g.apertureM();
      expect(Math.abs(measured - target)).toBeLessThan(0.0015);
      // The pads sit where the MJCF's kinematic chain puts them for the drivers' measured angles.
      for (const q of g.driverAngles()) expect(Math.abs(mjcf.apertureAt(q) - measured)).toBeLessThan(0.0015);
    }
    expect(apertureAt(linkage, 0)).toBeCloseTo(mjcf.strokeM, 9);
  });

  it("squeezes an object with the embodiment's grip force, whatever its width", () => {
    for (const widthM of [0.02, 0.04, 0.06]) {
      world?.free();
      world = new R.World({ x: 0, y: 0, z: 0 });
      world.timestep = DT;
      world.numSolverIterations = 8;
      world.integrationParameters.contact_natural_frequency = 300;
      world.integrationParameters.normalizedPredictionDistance = 0.002;
      const w = world;
      const block = w.createCollider(
        R.ColliderDesc.cuboid(widthM / 2, 0.008, 0.008),
        w.createRigidBody(R.RigidBodyDesc.fixed()),
      );
      const g = new LinkageGripper(R, w, e, linkage, at(0, 0, 0), e.strokeM);
      run(g, w, 2, () => at(0, 0, 0), 0);
      const force = new Map<string, number>();
      w.contactPairsWith(block, (other) => {
        let impulse = 0;
        w.contactPair(block, other, (m) => {
          for (let k = 0; k < m.numContacts(); k++) impulse += m.contactImpulse(k);
        });
        const part = g.colliders.get(other.handle)!;
        force.set(part, (force.get(part) ?? 0) + impulse / DT);
      });
      for (const side of ["gripper.finger_left", "gripper.finger_right"]) {
        expect(Math.abs((force.get(side) ?? 0) - e.gripForceN), `${side} on ${widthM} m`).toBeLessThan(
          0.25 * e.gripForceN,
        );
      }
    }
  });

  it("keeps the joint ranges: a finger pushed outwards does not open past the stroke", () => {
    const w = newWorld();
    const ball = w.createRigidBody(R.RigidBodyDesc.fixed().setTranslation(0.03, 0, 0));
    w.createCollider(R.ColliderDesc.ball(0.04), ball);
    const g = new LinkageGripper(R, w, e, linkage, at(0, 0, 0.2), e.strokeM);
    run(g, w, 1.5, (t) => at(0, 0, Math.max(0.2 - 0.15 * t, 0.02)), e.strokeM);
    expect(g.apertureM()).toBeLessThan(mjcf.strokeM + 0.001);
    for (const q of g.driverAngles()) expect(q).toBeGreaterThan(-0.01);
  });

  it("picks the built-in demo's carton from the shelf into the tote, held by both fingers", async () => {
    const scene = await loadScene("shelf_to_tote");
    const episode = await simulateEpisode({
      scene,
      embodiment: e,
      trajectory: retargetParallelJaw(proceduralPickToTote(scene, { seed: 0 }), e),
      seed: 0,
      id: "linkage-demo",
      task: "pick",
      lineageSource: "test",
    });
    expect(episode.reasons).toEqual(["grasped", "lifted", "placed_in_region"]);
    const target = scene.task.targetId;
    const pinched = episode.steps.filter(
      (s) =>
        s.contacts.some((c) => [c.a, c.b].includes(target) && [c.a, c.b].includes("gripper.finger_left")) &&
        s.contacts.some((c) => [c.a, c.b].includes(target) && [c.a, c.b].includes("gripper.finger_right")),
    );
    expect(pinched.length).toBeGreaterThan(30);
    // Never inside fixed scenery by the engine-independent check.
    expect(sceneryIncursion(episode.steps, scene, e, linkage).maxDepthM).toBeLessThan(0.005);
  });
});
