/**
 * The real Robotiq 2F-85 (MuJoCo Menagerie `robotiq_2f85_v4`, 2f85.xml) as the cross-check needs
 * it: its MJCF text and meshes for MuJoCo, and, from the importer's forward kinematics, where its
 * pads are, how far they open for a given linkage angle, and which control value holds that angle.
 *
 * Frames: B is the model's base body (approach +z_B, right pad towards +x_B). G is egobridge's
 * gripper frame (origin at the TCP between the pads, +z approach, +y opening towards the right
 * finger; see Embodiment), so the axes map y_G = x_B, z_G = z_B, x_G = −y_B.
 *
 * The four-bar linkage: the model is built open (all linkage joints 0); MuJoCo's <connect>
 * constraints keep driver, spring link and follower at the same angle q (checked against MuJoCo in
 * test/crosscheck), so the forward kinematics here sets every linkage joint to q.
 */
import path from "node:path";
import { resolveAsset } from "../../core/assets.js";
import { InputError } from "../../core/errors.js";
import {
  add,
  compose,
  type Pose,
  qconj,
  qfromAxisAngle,
  qrotate,
  scale,
  type Vec3,
  vec3,
} from "../../core/math.js";
import { forwardKinematics } from "../../robots/kinematics.js";
import { loadMjcf } from "../../robots/mjcf.js";
import { readMjcfDocument } from "../../robots/mjcf_document.js";
import { type Geometry, linkNamed, type RobotModel } from "../../robots/robot_model.js";
import { childrenNamed, numbersAttr, parseNumbers, type XmlElement } from "../../robots/xml.js";
import { GRIPPER_IDS } from "../gripper.js";
import type { GripperLinkage } from "../linkage_gripper.js";
import { type CollisionMeshMode, mjcfForMujoco } from "./gripper_mjcf.js";
import { deriveLinkage } from "./mjcf_linkage.js";

/** The model file, found in the asset folders (EGOBRIDGE_ASSETS). */
export const ROBOTIQ_2F85_MJCF = "robots/robotiq_2f85_mjcf/2f85.xml";

/** Opening (m) at which the TCP is taken as the pads' centre: the pads rise ~14 mm along the approach as they close. */
export const DEFAULT_TCP_APERTURE_M = 0.04;

export interface GripperGeom {
  /** Geom name in the gripper's MJCF (unnamed ones named by the importer's rule). */
  name: string;
  body: string;
  /** egobridge part id (GRIPPER_IDS) whose contacts it reports as. */
  part: string;
  isPad: boolean;
}

export interface MjcfGripper {
  file: string;
  model: RobotModel;
  /** The MJCF for MuJoCo (gripper_mjcf.ts) and the files it needs, by path relative to its folder. */
  xml: string;
  files: Map<string, Uint8Array>;
  baseBody: string;
  collisionGeoms: GripperGeom[];
  /** Pose of G in B (TCP at `tcpApertureM`). */
  X_BG: Pose;
  /** Opening between the pads' inner faces at q = 0 (m). */
  strokeM: number;
  /** Largest linkage angle the actuator commands (ctrl = ctrlMax). */
  qMax: number;
  /** The actuator: ctrl ∈ [0, ctrlMax] holds the linkage at q = ctrl · qPerCtrl. */
  actuator: { name: string; qPerCtrl: number; ctrlMax: number };
  linkageJoints: string[];
  /** The same gripper for Rapier (sim/linkage_gripper.ts): hulls, linkage, pads. */
  linkage: GripperLinkage;
  apertureAt(q: number): number;
  /** Linkage angle for an opening; 0 beyond the stroke, qMax for 0. */
  qForAperture(apertureM: number): number;
  /** Position of the pads' centre in B at linkage angle q. */
  padCentre_B(q: number): Vec3;
}

/**
 * Which bodies count as egobridge's fingers: the follower (finger tip link) and pad of each side,
 * i.e. what src/sim's finger box stands for. Drivers, couplers and spring links (the linkage
 * between base and finger tips) report as the palm, so "grasped" (both fingers press) means a
 * fingertip grasp, as in src/sim, not the linkage wrapping round the object.
 */
const FINGER_BODIES: Record<string, string> = {
  left_follower: GRIPPER_IDS.left,
  left_pad: GRIPPER_IDS.left,
  right_follower: GRIPPER_IDS.right,
  right_pad: GRIPPER_IDS.right,
};

export interface Robotiq2f85Options {
  /** The 2f85.xml to use (default: found in the asset folders). */
  file?: string;
  /** Opening at which the TCP is taken (default DEFAULT_TCP_APERTURE_M). */
  tcpApertureM?: number;
  /** How collision meshes reach MuJoCo (gripper_mjcf.ts); default "hull". */
  collisionMeshes?: CollisionMeshMode;
}

/** Loads the 2F-85 MJCF (default: from the asset folders) and derives its pad kinematics. */
export async function loadRobotiq2f85(o: Robotiq2f85Options = {}): Promise<MjcfGripper> {
  const { file, tcpApertureM = DEFAULT_TCP_APERTURE_M, collisionMeshes = "hull" } = o;
  const abs = file ? path.resolve(file) : await resolveAsset({ name: ROBOTIQ_2F85_MJCF });
  const model = await loadMjcf(abs);
  const doc = await readMjcfDocument(abs);
  const { apertureAt, padCentre_B } = padKinematics(model);
  const actuator = actuatorGain(doc, abs);
  const qMax = actuator.qPerCtrl * actuator.ctrlMax;
  const qForAperture = invertAperture(apertureAt, qMax);
  const X_BG: Pose = {
    p: padCentre_B(qForAperture(tcpApertureM)),
    q: qfromAxisAngle(vec3(0, 0, 1), -Math.PI / 2),
  };
  const linkage = await deriveLinkage({
    model,
    doc,
    baseBody: model.links[1]!.name,
    X_BG,
    qMax,
    apertureAt,
    partOf: (link) => FINGER_BODIES[link] ?? GRIPPER_IDS.palm,
  });
  const { xml, files } = await mjcfForMujoco(doc, model, collisionMeshes);
  return {
    file: abs,
    model,
    xml,
    files,
    baseBody: model.links[1]!.name,
    collisionGeoms: model.links.flatMap((l) =>
      l.collisions.map((g) => ({
        name: g.name!,
        body: l.name,
        part: FINGER_BODIES[l.name] ?? GRIPPER_IDS.palm,
        isPad: l.name.endsWith("_pad"),
      })),
    ),
    X_BG,
    strokeM: apertureAt(0),
    qMax,
    actuator,
    linkageJoints: model.joints.map((j) => j.name),
    linkage,
    apertureAt,
    qForAperture,
    padCentre_B,
  };
}

/**
 * The pads' opening and centre as functions of the linkage angle q (every linkage joint at q),
 * from the forward kinematics of the imported model. Opening: between the pad boxes' inner
 * faces along the base's x axis (each box's support distance along that axis).
 */
function padKinematics(model: RobotModel): Pick<MjcfGripper, "apertureAt" | "padCentre_B"> {
  const pads = (side: "left" | "right") => linkNamed(model, `${side}_pad`).collisions;
  if (pads("left").length === 0 || pads("right").length === 0) {
    throw new InputError(
      `${model.file}: expected pad geoms in bodies left_pad and right_pad (Robotiq 2F-85 v4 layout)`,
    );
  }
  const poses = (q: number) =>
    forwardKinematics(model, Object.fromEntries(model.joints.map((j) => [j.name, q])));
  const geomPose = (X: Map<string, Pose>, side: "left" | "right", g: Geometry) =>
    compose(X.get(`${side}_pad`)!, g.X_LG);
  if (!(poses(0).get("right_pad")!.p.x > 0)) {
    throw new InputError(`${model.file}: expected the right pad on the base's +x side`);
  }
  const xB = vec3(1, 0, 0);
  const innerFace = (X: Map<string, Pose>, side: "left" | "right"): number => {
    const g = pads(side)[0]!;
    const X_BP = geomPose(X, side, g);
    const s = (g.shape as { sizeM: [number, number, number] }).sizeM;
    const d = qrotate(qconj(X_BP.q), xB);
    const half = (Math.abs(d.x) * s[0] + Math.abs(d.y) * s[1] + Math.abs(d.z) * s[2]) / 2;
    return side === "left" ? X_BP.p.x + half : X_BP.p.x - half;
  };
  return {
    apertureAt: (q) => {
      const X = poses(q);
      return innerFace(X, "right") - innerFace(X, "left");
    },
    padCentre_B: (q) => {
      const X = poses(q);
      const centres = (["left", "right"] as const).flatMap((side) =>
        pads(side).map((g) => geomPose(X, side, g).p),
      );
      return scale(
        centres.reduce((a, b) => add(a, b)),
        1 / centres.length,
      );
    },
  };
}

/** q for an opening, by linear interpolation in a 160-step table over [0, qMax] (the opening falls monotonically with q). */
function invertAperture(apertureAt: (q: number) => number, qMax: number): (apertureM: number) => number {
  const table = Array.from({ length: 161 }, (_, i) => {
    const q = (qMax * i) / 160;
    return { q, a: apertureAt(q) };
  });
  return (a) => {
    if (a >= table[0]!.a) return 0;
    for (let i = 1; i < table.length; i++) {
      const lo = table[i]!;
      const hi = table[i - 1]!;
      if (a >= lo.a) return lo.q + ((a - lo.a) / (hi.a - lo.a)) * (hi.q - lo.q);
    }
    return qMax;
  };
}

/**
 * ctrl → linkage angle from the XML: a `<general>` position servo on a fixed tendon holds
 * gain·ctrl + bias0 + bias1·L = 0, L = Σ coef·q_j = q·Σ coef (all linkage joints at q).
 */
function actuatorGain(doc: XmlElement, file: string): MjcfGripper["actuator"] {
  const act = childrenNamed(doc, "actuator").flatMap((a) => a.children)[0];
  if (!act?.attrs["tendon"]) throw new InputError(`${file}: expected a tendon actuator (<general tendon=…>)`);
  const what = () => `${file}: actuator '${act.attrs["name"] ?? ""}'`;
  const gain = numbersAttr(act.attrs, "gainprm", [1, 2, 3], what)![0]!;
  const bias = parseNumbers(act.attrs["biasprm"] ?? "0 0 0", what);
  const ctrl = numbersAttr(act.attrs, "ctrlrange", 2, what) ?? [0, 255];
  const tendon = childrenNamed(doc, "tendon")
    .flatMap((t) => t.children)
    .find((t) => t.attrs["name"] === act.attrs["tendon"]);
  if (!tendon) throw new InputError(`${what()}: tendon '${act.attrs["tendon"]}' not found`);
  const coef = tendon.children.reduce((s, j) => s + Number(j.attrs["coef"] ?? 1), 0);
  if (!(bias[1]! < 0) || !(coef > 0))
    throw new InputError(`${what()}: not a position servo on a positive tendon`);
  return { name: act.attrs["name"] ?? "actuator0", qPerCtrl: gain / (-bias[1]! * coef), ctrlMax: ctrl[1]! };
}

/**
 * The Rapier linkage of the gripper model an embodiment names (`model.mjcf`: an asset name such as
 * ROBOTIQ_2F85_MJCF, or a path), derived from its MJCF. Callers go through `linkageOfMjcf`
 * (gripper_models.ts), which keeps one per process.
 */
export async function linkageOfModel(mjcf: string): Promise<GripperLinkage> {
  const file = path.isAbsolute(mjcf) ? mjcf : await resolveAsset({ name: mjcf });
  return (await loadRobotiq2f85({ file })).linkage;
}
