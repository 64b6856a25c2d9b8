/**
 * An arm embodiment's MJCF as the cross-check hands it to MuJoCo: the same file src/sim reads
 * (sim/arm_model.ts), with its collision meshes given as convex hulls (gripper_mjcf.ts, which
 * leaves the physics as it is), and these changes:
 * - the links' collision geoms are contype 2, conaffinity 0: they meet fixed scenery (whose
 *   conaffinity the scene sets to 3) and, through explicit pairs, the moving objects, but neither
 *   each other nor the gripper on the tip (src/sim: kinematic links never meet each other, and
 *   their filter leaves out the gripper's group);
 * - every body of the arm compensates its own gravity (`gravcomp`), as the Panda's controller does
 *   (the gripper and what it holds are the load it carries);
 * - `<keyframe>` and `<option>` are dropped (the scene sets the options; a keyframe of the arm
 *   alone does not fit the composed model);
 * - every unnamed geom is named (the importer's rule), so pairs can name it.
 * The arm's actuators (the Panda's: joint position servos with its torque limits) come along.
 */
import { memoPromise } from "../../core/memo.js";
import { readMjcfDocument } from "../../robots/mjcf_document.js";
import { childrenNamed, type XmlElement } from "../../robots/xml.js";
import type { ArmModel } from "../arm.js";
import { mjcfForMujoco } from "./gripper_mjcf.js";

/** Collision bits of the arm's geoms and of what they meet (see the module note). */
export const ARM_CONTYPE = 2;
export const FIXED_CONAFFINITY = 3;

export interface MjcfArm {
  /** The arm's MJCF file (absolute). */
  file: string;
  xml: string;
  files: Map<string, Uint8Array>;
  /** Its root body (the one attached at the base pose). */
  rootBody: string;
  /** Collision geoms of the chain's links: name and link. */
  collisionGeoms: { name: string; link: string }[];
  /** Joints base to tip, as named in the MJCF. */
  joints: string[];
  /** The actuator driving each joint (same order), when the MJCF has one. */
  actuators: (string | undefined)[];
}

const memo = new Map<string, Promise<MjcfArm>>();

/** The arm of an embodiment for MuJoCo (once per process and arm file). */
export const mjcfArmOf = (arm: ArmModel): Promise<MjcfArm> =>
  memoPromise(memo, arm.chain.model.file, () => build(arm));

async function build(arm: ArmModel): Promise<MjcfArm> {
  const model = arm.chain.model;
  const doc = await readMjcfDocument(model.file);
  doc.children = doc.children.filter((c) => c.tag !== "keyframe" && c.tag !== "option");
  const compensate = (el: XmlElement) => {
    for (const c of el.children) {
      if (c.tag === "body") c.attrs["gravcomp"] = "1";
      compensate(c);
    }
  };
  for (const wb of childrenNamed(doc, "worldbody")) compensate(wb);
  const chainLinks = new Set(arm.chain.links);
  const collisionGeoms = model.links
    .filter((l) => chainLinks.has(l.name))
    .flatMap((l) => l.collisions.map((g) => ({ name: g.name!, link: l.name })));
  const collides = new Set(collisionGeoms.map((g) => g.name));
  const { xml, files } = await mjcfForMujoco(doc, model, "hull", (geom) => {
    if (!collides.has(geom.attrs["name"]!)) return;
    geom.attrs["contype"] = String(ARM_CONTYPE);
    geom.attrs["conaffinity"] = "0";
  });
  const joints = arm.chain.joints.map((j) => j.name);
  const actuators = joints.map((j) => {
    for (const section of childrenNamed(doc, "actuator"))
      for (const a of section.children) if (a.attrs["joint"] === j) return a.attrs["name"];
    return undefined;
  });
  return { file: model.file, xml, files, rootBody: arm.chain.links[0]!, collisionGeoms, joints, actuators };
}
