/**
 * The built-in cross-check set: the demonstrations egobridge ships or tests with, and deliberately
 * bad variants of them that should fail in any engine.
 *
 * Sources: the SYNTHETIC built-in demo (procedural pick from a shelf into a tote, three seeds),
 * three real GRAB mocap sequences (via importGrabFile and sceneFromObjectTrack, like
 * test/sim/fixtures.ts), and arm trajectories: the demo on shelf_to_tote and tote_to_tote with
 * the 2F-85 on a Panda arm (ARM_EMBODIMENT), which MuJoCo replays with the Panda's MJCF following
 * the recorded joints. Variants:
 * - wide: the jaws are held at full stroke and never close;
 * - offset: the TCP is shifted 8 cm along the gripper's x axis (across the finger width, square to
 *   both the approach and the opening), so the pads close beside the object;
 * - heavy: the object weighs HEAVY_MARGIN times more than the grip can hold by friction
 *   (2·μ·F_grip) or the arm can lift (its force limit), whichever is more;
 * - slippery: the object's friction is so low that the grip holds 1/SLIPPERY_MARGIN of its weight.
 * The bad variants are negative controls, so they are bad by a clear margin: at a fixed ×20 mass
 * the demo's carton weighed half of what its grip holds (Rapier lifted it, MuJoCo did not), and at
 * a fixed friction of 0.02 the grip held 1.1 times its weight; both were questions of modelling
 * detail, not of whether the grasp can work.
 */
import { resolveAsset } from "../core/assets.js";
import { InputError } from "../core/errors.js";
import { add, fromArray3, qaxes, qfromXyzw, scale, toArray3 } from "../core/math.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { SceneItem, SceneSpec } from "../core/schemas/scene.js";
import type { RobotTrajectory } from "../core/schemas/trajectory.js";
import { importGrabFile } from "../hands/grab.js";
import { proceduralPickToTote } from "../hands/procedural.js";
import { loadEmbodiment, loadScene } from "../pipeline/catalog.js";
import { retargetParallelJaw } from "../retarget/parallel_jaw.js";
import { linkageOf } from "../sim/gripper_models.js";
import { mujocoModels } from "../sim/mujoco/second_opinion.js";
import { sceneFromObjectTrack } from "../sim/scene_from_track.js";

export type Variant = "nominal" | "wide" | "offset" | "heavy" | "slippery";

export interface CrosscheckCase {
  /** "demo_s0", "grab_cylindersmall_lift/offset", … */
  id: string;
  variant: Variant;
  description: string;
  scene: SceneSpec;
  embodiment: Embodiment;
  trajectory: RobotTrajectory;
}

/** Sideways TCP offset of the "offset" variant (m). */
export const OFFSET_M = 0.08;
export const HEAVY_MARGIN = 3;
export const SLIPPERY_MARGIN = 4;
const G = 9.81;

/** What the grip holds by friction (N): two pads at the grip force, each at the pair's friction (Rapier's min rule). */
const holdN = (e: Embodiment, friction: number) =>
  2 * Math.min(friction, e.finger.padFriction) * e.gripForceN;

/** The GRAB sequences of the set, by asset name under hands/grab/derived_json/. */
export const GRAB_SEQUENCES = {
  cylindersmall_lift: "cylindersmall_lift.json",
  cylindersmall_pass_1: "cylindersmall_pass_1.json",
  apple_lift: "apple_lift_frames200-300_hand_glob_poses.json",
} as const;

export const DEMO_SEEDS = [0, 1, 2] as const;

/**
 * Which variants each base gets: all get wide and offset; mass goes to four, friction to two. The
 * GRAB objects get no slippery variant: a nearly frictionless object on an open table, squeezed
 * out of the jaws or nudged by a finger, slides off it (the small cylinder then rolled on across
 * the floor, 2 and 5 m apart in the two engines), and where it stops says nothing about the
 * grasp; the demo's shelf bay holds a carton in.
 */
const VARIANTS: Record<string, Variant[]> = {
  demo_s0: ["nominal", "wide", "offset", "heavy", "slippery"],
  demo_s1: ["nominal", "wide", "offset", "slippery"],
  demo_s2: ["nominal", "wide", "offset"],
  grab_cylindersmall_lift: ["nominal", "wide", "offset", "heavy"],
  grab_cylindersmall_pass_1: ["nominal", "wide", "offset", "heavy"],
  grab_apple_lift: ["nominal", "wide", "offset", "heavy"],
  // The arm's variants are those in which the arm does something else: carries an open gripper
  // through the scene, follows a shifted path, lifts what its joints cannot. Slippery tests the
  // pads' friction, which the free-gripper cases cover.
  arm_shelf_s0: ["nominal", "wide", "offset", "heavy"],
  arm_shelf_s1: ["nominal", "wide", "offset"],
  arm_shelf_s2: ["nominal", "wide"],
  arm_tote_s0: ["nominal", "wide", "heavy"],
};

/** The arm embodiment of the built-in arm trajectories: the 2F-85 MJCF on a Franka Panda. */
export const ARM_EMBODIMENT = "panda_robotiq_2f85";

interface Base {
  id: string;
  description: string;
  scene: SceneSpec;
  embodiment: Embodiment;
  trajectory: RobotTrajectory;
}

/**
 * The Rapier gripper the built-in set runs by default: the 2F-85 built from the same MJCF that
 * MuJoCo simulates, so the two engines are given the same gripper. With the box 2F-85 (a declared
 * simplification) a disagreement can be the geometry: its box fingers land on GRAB's apple where
 * the real fingers pass beside it.
 */
export const CROSSCHECK_GRIPPER = "robotiq_2f85_mjcf";

/**
 * The built-in set (24 trajectories); `filter` keeps cases whose id contains it. `gripper`: the
 * Rapier side's 2F-85 (robotiq_2f85_mjcf, from the MJCF; or robotiq_2f85, boxes).
 */
export async function builtinCases(filter?: string, gripper = CROSSCHECK_GRIPPER): Promise<CrosscheckCase[]> {
  const embodiment = await loadEmbodiment(gripper);
  const linkage = await linkageOf(embodiment);
  if (!mujocoModels(embodiment))
    throw new InputError(
      `crosscheck: MuJoCo has no model of '${gripper}'; use robotiq_2f85 or robotiq_2f85_mjcf`,
    );
  const bases: Base[] = [];
  const shelf = await loadScene("shelf_to_tote");
  for (const seed of DEMO_SEEDS) {
    const track = proceduralPickToTote(shelf, { seed });
    bases.push({
      id: `demo_s${seed}`,
      description: `built-in SYNTHETIC demo (procedural pick into a tote, ${shelf.name}), seed ${seed}`,
      scene: shelf,
      embodiment,
      trajectory: retargetParallelJaw(track, embodiment, {}, linkage),
    });
  }
  for (const [name, file] of Object.entries(GRAB_SEQUENCES)) {
    const track = await importGrabFile(await resolveAsset({ name: `hands/grab/derived_json/${file}` }));
    bases.push({
      id: `grab_${name}`,
      description: `GRAB mocap ${file}`,
      scene: sceneFromObjectTrack(track, `grab_${name}`),
      embodiment,
      trajectory: retargetParallelJaw(track, embodiment, {}, linkage),
    });
  }
  bases.push(...(await armBases()));
  const cases = bases.flatMap((b) => (VARIANTS[b.id] ?? ["nominal"]).map((v) => makeVariant(b, v)));
  return filter ? cases.filter((c) => c.id.includes(filter)) : cases;
}

/** The demo on shelf_to_tote (three seeds) and tote_to_tote with ARM_EMBODIMENT, from each scene's stated base. */
async function armBases(): Promise<Base[]> {
  const embodiment = await loadEmbodiment(ARM_EMBODIMENT);
  const linkage = await linkageOf(embodiment);
  const out: Base[] = [];
  const demo = (scene: SceneSpec, id: string, seed: number) => {
    const track = proceduralPickToTote(scene, { seed });
    out.push({
      id,
      description: `built-in SYNTHETIC demo (${scene.name}), seed ${seed}, with ${ARM_EMBODIMENT}: MuJoCo drives the Panda MJCF with the recorded joints`,
      scene,
      embodiment,
      trajectory: retargetParallelJaw(track, embodiment, {}, linkage),
    });
  };
  const shelf = await loadScene("shelf_to_tote");
  for (const seed of DEMO_SEEDS) demo(shelf, `arm_shelf_s${seed}`, seed);
  demo(await loadScene("tote_to_tote"), "arm_tote_s0", 0);
  return out;
}

const targetOf = (scene: SceneSpec): SceneItem => scene.items.find((it) => it.id === scene.task.targetId)!;

const withTarget = (scene: SceneSpec, change: (item: SceneItem) => SceneItem): SceneSpec => ({
  ...scene,
  items: scene.items.map((it) => (it.id === scene.task.targetId ? change(it) : it)),
});

export function makeVariant(b: Base, variant: Variant): CrosscheckCase {
  const id = variant === "nominal" ? b.id : `${b.id}/${variant}`;
  const base = { id, variant, scene: b.scene, embodiment: b.embodiment, trajectory: b.trajectory };
  switch (variant) {
    case "nominal":
      return { ...base, description: b.description };
    case "wide":
      return {
        ...base,
        description: `${b.description}; jaws held open at ${b.embodiment.strokeM} m, never closing`,
        trajectory: {
          ...b.trajectory,
          steps: b.trajectory.steps.map((s) => ({ ...s, grasp: false, apertureM: b.embodiment.strokeM })),
        },
      };
    case "offset":
      return {
        ...base,
        description: `${b.description}; TCP shifted ${OFFSET_M} m along the gripper's x axis`,
        trajectory: {
          ...b.trajectory,
          steps: b.trajectory.steps.map((s) => {
            const x = qaxes(qfromXyzw(s.tcp.quatXyzw))[0];
            return { ...s, tcp: { ...s.tcp, pos: toArray3(add(fromArray3(s.tcp.pos), scale(x, OFFSET_M))) } };
          }),
        },
      };
    case "heavy": {
      const target = targetOf(b.scene);
      const massKg =
        (HEAVY_MARGIN * Math.max(holdN(b.embodiment, target.friction), b.embodiment.limits.maxForceN)) / G;
      return {
        ...base,
        description: `${b.description}; object mass ${massKg.toFixed(2)} kg (${HEAVY_MARGIN}× what the grip holds or the arm lifts)`,
        scene: withTarget(b.scene, (it) => ("massKg" in it ? { ...it, massKg } : it)),
      };
    }
    case "slippery": {
      const target = targetOf(b.scene);
      const weightN = ("massKg" in target ? target.massKg : 0) * G;
      const friction = weightN / (SLIPPERY_MARGIN * 2 * b.embodiment.gripForceN);
      return {
        ...base,
        description: `${b.description}; object friction ${friction.toPrecision(3)} (the grip holds 1/${SLIPPERY_MARGIN} of its weight)`,
        scene: withTarget(b.scene, (it) => ({ ...it, friction })),
      };
    }
  }
}
