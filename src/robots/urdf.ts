/**
 * URDF importer (ROS robot description, wiki.ros.org/urdf/XML): links with inertials, visual and
 * collision geometry (box, cylinder, sphere, mesh with scale), joints with origin, axis, limits
 * and mimic. Transmissions and simulator extensions (`<gazebo>`) are listed as ignored.
 *
 * Mesh `filename`s are resolved relative to the URDF's folder; `package://<pkg>/<path>` through
 * `packageDirs`, else relative to the URDF's folder as `<path>`. Whether the mesh exists is checked
 * when it is loaded (meshes.ts), with a message naming the model.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { InputError } from "../core/errors.js";
import { fromArray3, normalize, type Pose, QUAT_IDENTITY, vec3, ZERO3 } from "../core/math.js";
import { quatFromRpy } from "./orientation.js";
import type {
  Geometry,
  GeometryShape,
  Inertial,
  JointType,
  RobotJoint,
  RobotLink,
  RobotModel,
} from "./robot_model.js";
import { sortLinks } from "./tree.js";
import {
  childrenNamed,
  firstChild,
  numberAttr,
  numbersAttr,
  parseXml,
  requiredAttr,
  where,
  type XmlElement,
} from "./xml.js";

export interface UrdfOptions {
  /** Folders of ROS packages, for `package://<name>/...` mesh URIs. */
  packageDirs?: Readonly<Record<string, string>>;
}

const JOINT_TYPES: readonly JointType[] = [
  "revolute",
  "continuous",
  "prismatic",
  "fixed",
  "floating",
  "planar",
];

/** Reads and parses a URDF file. */
export async function loadUrdf(file: string, options: UrdfOptions = {}): Promise<RobotModel> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await fs.readFile(abs, "utf8");
  } catch (err) {
    throw new InputError(`cannot read URDF ${abs}: ${(err as Error).message}`);
  }
  return parseUrdf(text, abs, options);
}

/** Parses URDF text; `file` names it in errors and anchors relative mesh paths. */
export function parseUrdf(text: string, file: string, options: UrdfOptions = {}): RobotModel {
  const root = parseXml(text, file);
  if (root.tag !== "robot")
    throw new InputError(`${file}: not a URDF: root element is <${root.tag}>, expected <robot>`);
  const ctx = { file, dir: path.dirname(file), packageDirs: options.packageDirs ?? {} };
  const links = new Map<string, RobotLink>();
  for (const el of childrenNamed(root, "link")) {
    const link = parseLink(el, ctx);
    if (links.has(link.name)) throw new InputError(`${file}: duplicate link '${link.name}'`);
    links.set(link.name, link);
  }
  if (links.size === 0) throw new InputError(`${file}: the robot has no <link>`);
  const joints: RobotJoint[] = [];
  for (const el of childrenNamed(root, "joint")) {
    const { joint, X_PL } = parseJoint(el, ctx);
    if (joints.some((j) => j.name === joint.name))
      throw new InputError(`${file}: duplicate joint '${joint.name}'`);
    for (const l of [joint.parent, joint.link]) {
      if (!links.has(l))
        throw new InputError(`${where(file, el)} refers to link '${l}', which does not exist`);
    }
    const child = links.get(joint.link)!;
    if (child.parent !== null) {
      throw new InputError(
        `${file}: link '${child.name}' is the child of two joints ('${child.joints[0]}' and '${joint.name}')`,
      );
    }
    child.parent = joint.parent;
    child.X_PL = X_PL;
    child.joints = [joint.name];
    joints.push(joint);
  }
  for (const j of joints) {
    if (j.mimic && !joints.some((k) => k.name === j.mimic!.joint)) {
      throw new InputError(`${file}: joint '${j.name}' mimics '${j.mimic.joint}', which does not exist`);
    }
  }
  const ignored = root.children
    .filter((c) => !["link", "joint", "material"].includes(c.tag))
    .map((c) => `<${c.tag}${c.attrs["name"] ? ` name="${c.attrs["name"]}"` : ""}>: not imported`);
  return {
    name: root.attrs["name"] ?? path.basename(file, ".urdf"),
    format: "urdf",
    file,
    links: sortLinks([...links.values()], file),
    joints,
    ignored,
  };
}

interface Ctx {
  file: string;
  dir: string;
  packageDirs: Readonly<Record<string, string>>;
}

/** `<origin xyz rpy>` as a pose (identity when absent). */
function origin(parent: XmlElement, ctx: Ctx): Pose {
  const el = firstChild(parent, "origin");
  if (!el) return { p: ZERO3, q: QUAT_IDENTITY };
  const what = () => `${where(ctx.file, parent)} <origin>`;
  const xyz = numbersAttr(el.attrs, "xyz", 3, what) ?? [0, 0, 0];
  const rpy = numbersAttr(el.attrs, "rpy", 3, what) ?? [0, 0, 0];
  return { p: fromArray3(xyz), q: quatFromRpy(rpy[0]!, rpy[1]!, rpy[2]!) };
}

function parseLink(el: XmlElement, ctx: Ctx): RobotLink {
  const name = requiredAttr(el, "name", ctx.file);
  const inertialEl = firstChild(el, "inertial");
  return {
    name,
    parent: null,
    X_PL: { p: ZERO3, q: QUAT_IDENTITY },
    joints: [],
    ...(inertialEl ? { inertial: parseInertial(inertialEl, ctx) } : {}),
    visuals: childrenNamed(el, "visual").map((v) => parseGeometry(v, ctx)),
    collisions: childrenNamed(el, "collision").map((v) => parseGeometry(v, ctx)),
  };
}

function parseInertial(el: XmlElement, ctx: Ctx): Inertial {
  const what = () => where(ctx.file, el);
  const massEl = firstChild(el, "mass");
  const massKg = massEl ? numberAttr(massEl.attrs, "value", what) : undefined;
  if (massKg === undefined || massKg < 0) throw new InputError(`${what()}: needs <mass value> >= 0`);
  const inertiaEl = firstChild(el, "inertia");
  const get = (k: string) => (inertiaEl ? (numberAttr(inertiaEl.attrs, k, what) ?? 0) : 0);
  return {
    massKg,
    X_LI: origin(el, ctx),
    inertia: {
      ixx: get("ixx"),
      iyy: get("iyy"),
      izz: get("izz"),
      ixy: get("ixy"),
      ixz: get("ixz"),
      iyz: get("iyz"),
    },
  };
}

function parseGeometry(el: XmlElement, ctx: Ctx): Geometry {
  const g = firstChild(el, "geometry");
  const shapeEl = g?.children[0];
  if (!shapeEl) throw new InputError(`${where(ctx.file, el)} has no <geometry> shape`);
  const what = () => `${where(ctx.file, el)} <${shapeEl.tag}>`;
  const num = (k: string): number => {
    const v = numberAttr(shapeEl.attrs, k, what);
    if (v === undefined || !(v > 0))
      throw new InputError(`${what()}: attribute '${k}' must be a positive number`);
    return v;
  };
  let shape: GeometryShape;
  switch (shapeEl.tag) {
    case "box": {
      const s = numbersAttr(shapeEl.attrs, "size", 3, what);
      if (!s) throw new InputError(`${what()}: missing 'size'`);
      shape = { kind: "box", sizeM: [s[0]!, s[1]!, s[2]!] };
      break;
    }
    case "sphere":
      shape = { kind: "sphere", radiusM: num("radius") };
      break;
    case "cylinder":
      shape = { kind: "cylinder", radiusM: num("radius"), lengthM: num("length") };
      break;
    case "capsule":
      shape = { kind: "capsule", radiusM: num("radius"), lengthM: num("length") };
      break;
    case "mesh": {
      const s = numbersAttr(shapeEl.attrs, "scale", [1, 3], what) ?? [1, 1, 1];
      const scale: [number, number, number] = s.length === 1 ? [s[0]!, s[0]!, s[0]!] : [s[0]!, s[1]!, s[2]!];
      shape = { kind: "mesh", file: meshPath(requiredAttr(shapeEl, "filename", ctx.file), ctx), scale };
      break;
    }
    default:
      throw new InputError(
        `${what()}: unknown geometry <${shapeEl.tag}> (box, cylinder, sphere, capsule, mesh)`,
      );
  }
  return { ...(el.attrs["name"] ? { name: el.attrs["name"] } : {}), X_LG: origin(el, ctx), shape };
}

function meshPath(uri: string, ctx: Ctx): string {
  const pkg = /^package:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (pkg) {
    const dir = ctx.packageDirs[pkg[1]!];
    return path.resolve(dir ?? ctx.dir, pkg[2]!);
  }
  return path.resolve(ctx.dir, uri.replace(/^file:\/\//, ""));
}

function parseJoint(el: XmlElement, ctx: Ctx): { joint: RobotJoint; X_PL: Pose } {
  const name = requiredAttr(el, "name", ctx.file);
  const type = requiredAttr(el, "type", ctx.file) as JointType;
  const what = () => where(ctx.file, el);
  if (!JOINT_TYPES.includes(type)) {
    throw new InputError(`${what()}: unknown joint type '${type}' (${JOINT_TYPES.join(", ")})`);
  }
  const parentEl = firstChild(el, "parent");
  const childEl = firstChild(el, "child");
  if (!parentEl || !childEl) throw new InputError(`${what()}: needs <parent link> and <child link>`);
  const moves = type === "revolute" || type === "continuous" || type === "prismatic" || type === "planar";
  const axisEl = firstChild(el, "axis");
  let axis_L = ZERO3;
  if (moves) {
    const a = (axisEl && numbersAttr(axisEl.attrs, "xyz", 3, () => `${what()} <axis>`)) ?? [1, 0, 0];
    try {
      axis_L = normalize(fromArray3(a));
    } catch {
      throw new InputError(`${what()}: <axis xyz> has zero length`);
    }
  }
  const limitEl = firstChild(el, "limit");
  let limits: RobotJoint["limits"];
  if (limitEl) {
    const lw = () => `${what()} <limit>`;
    const effort = numberAttr(limitEl.attrs, "effort", lw);
    const velocity = numberAttr(limitEl.attrs, "velocity", lw);
    if (type === "revolute" || type === "prismatic") {
      limits = {
        lower: numberAttr(limitEl.attrs, "lower", lw) ?? 0,
        upper: numberAttr(limitEl.attrs, "upper", lw) ?? 0,
        ...(effort !== undefined ? { effort } : {}),
        ...(velocity !== undefined ? { velocity } : {}),
      };
      if (limits.lower > limits.upper)
        throw new InputError(`${lw()}: lower ${limits.lower} > upper ${limits.upper}`);
    }
  } else if (type === "revolute" || type === "prismatic") {
    throw new InputError(`${what()}: a ${type} joint needs <limit> (URDF requires it)`);
  }
  const mimicEl = firstChild(el, "mimic");
  const mw = () => `${what()} <mimic>`;
  return {
    joint: {
      name,
      type,
      link: requiredAttr(childEl, "link", ctx.file),
      parent: requiredAttr(parentEl, "link", ctx.file),
      axis_L,
      anchor_L: vec3(0, 0, 0),
      ...(limits ? { limits } : {}),
      ...(mimicEl
        ? {
            mimic: {
              joint: requiredAttr(mimicEl, "joint", ctx.file),
              multiplier: numberAttr(mimicEl.attrs, "multiplier", mw) ?? 1,
              offset: numberAttr(mimicEl.attrs, "offset", mw) ?? 0,
            },
          }
        : {}),
    },
    X_PL: origin(el, ctx),
  };
}
