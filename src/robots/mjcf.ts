/**
 * MJCF importer (MuJoCo's XML, mujoco.readthedocs.io/en/stable/XMLreference.html): the body tree
 * with inertials, joints (hinge, slide, ball, free) with axis, anchor and range, and geoms
 * (primitives, `fromto`, meshes with their asset's scale), honouring `<include>`, `<default>`
 * classes with `class` / `childclass` inheritance, `<frame>`, and the compiler's `angle`,
 * `eulerseq`, `meshdir` / `assetdir` and `autolimits`. MuJoCo quaternions are scalar-first and
 * converted on read.
 *
 * The world body becomes the root link "world". Geoms with contype = conaffinity = 0 are visuals,
 * the rest collisions; unnamed geoms are named `<body>_geom<k>`. Linear `<equality><joint>` couplings become mimic joints. Tendons, other
 * equality constraints (connect, weld: e.g. the closing links of a four-bar), actuators, sensors,
 * contact pairs/excludes and keyframes are NOT imported; each is listed in `model.ignored`.
 */
import path from "node:path";
import { InputError } from "../core/errors.js";
import {
  compose,
  distance,
  fromArray3,
  midpoint,
  normalize,
  type Pose,
  QUAT_IDENTITY,
  type Quat,
  qrotate,
  transformPoint,
  vec3,
  ZERO3,
} from "../core/math.js";
import {
  type CompilerSettings,
  compilerSettings,
  type DefaultClass,
  defaultClasses,
  type MeshAsset,
  meshAssets,
  readMjcfDocument,
  resolveAttrs,
} from "./mjcf_document.js";
import { quatFromEuler, quatFromMjcfWxyz, quatFromXyAxes, quatFromZAxis } from "./orientation.js";
import type { Geometry, GeometryShape, Inertial, RobotJoint, RobotLink, RobotModel } from "./robot_model.js";
import { childrenNamed, numberAttr, numbersAttr, where, type XmlElement } from "./xml.js";

interface Ctx {
  file: string;
  compiler: CompilerSettings;
  classes: Map<string, DefaultClass>;
  meshes: Map<string, MeshAsset>;
  links: RobotLink[];
  joints: RobotJoint[];
  ignored: string[];
}

/** Body children that describe no physics (or none we model): skipped without comment. */
const SKIPPED = new Set(["site", "camera", "light"]);

/** Reads an MJCF file (and what it includes) into a kinematic-tree model. */
export async function loadMjcf(file: string): Promise<RobotModel> {
  const abs = path.resolve(file);
  const root = await readMjcfDocument(abs);
  const compiler = compilerSettings(root, abs);
  const classes = defaultClasses(root, abs);
  const ctx: Ctx = {
    file: abs,
    compiler,
    classes,
    meshes: meshAssets(root, classes, compiler, abs),
    links: [],
    joints: [],
    ignored: [],
  };
  const world: RobotLink = {
    name: "world",
    parent: null,
    X_PL: identity(),
    joints: [],
    visuals: [],
    collisions: [],
  };
  ctx.links.push(world);
  for (const wb of childrenNamed(root, "worldbody")) bodyContents(wb, world, "main", identity(), ctx);
  applyEqualities(root, ctx);
  for (const tag of ["tendon", "actuator", "sensor", "contact", "keyframe"]) {
    for (const el of childrenNamed(root, tag)) {
      const kinds = el.children.map((c) => `${c.tag}${c.attrs["name"] ? ` '${c.attrs["name"]}'` : ""}`);
      if (kinds.length > 0) ctx.ignored.push(`<${tag}>: ${kinds.join(", ")} not imported`);
    }
  }
  return {
    name: root.attrs["model"] ?? path.basename(abs, ".xml"),
    format: "mjcf",
    file: abs,
    links: ctx.links,
    joints: ctx.joints,
    ignored: ctx.ignored,
  };
}

const identity = (): Pose => ({ p: ZERO3, q: QUAT_IDENTITY });

/** The rotation an element's attributes give (quat, axisangle, euler, xyaxes or zaxis), identity if none. */
export function mjcfOrientation(
  attrs: Record<string, string>,
  compiler: CompilerSettings,
  what: () => string,
): Quat {
  const toRad = compiler.angle === "degree" ? Math.PI / 180 : 1;
  const quat = numbersAttr(attrs, "quat", 4, what);
  if (quat) return quatFromMjcfWxyz(quat, what);
  const aa = numbersAttr(attrs, "axisangle", 4, what);
  if (aa) {
    try {
      return quatFromAxisAngleArr(aa, toRad);
    } catch {
      throw new InputError(`${what()}: axisangle '${attrs["axisangle"]}' has a zero axis`);
    }
  }
  const euler = numbersAttr(attrs, "euler", 3, what);
  if (euler)
    return quatFromEuler(
      euler.map((a) => a * toRad),
      compiler.eulerseq,
      what,
    );
  const xy = numbersAttr(attrs, "xyaxes", 6, what);
  if (xy) return quatFromXyAxes(xy, what);
  const z = numbersAttr(attrs, "zaxis", 3, what);
  if (z) return quatFromZAxis(z, what);
  return QUAT_IDENTITY;
}

function quatFromAxisAngleArr(aa: number[], toRad: number): Quat {
  const axis = normalize(vec3(aa[0]!, aa[1]!, aa[2]!));
  const half = (aa[3]! * toRad) / 2;
  const s = Math.sin(half);
  return { x: axis.x * s, y: axis.y * s, z: axis.z * s, w: Math.cos(half) };
}

function framePose(attrs: Record<string, string>, ctx: Ctx, what: () => string): Pose {
  const pos = numbersAttr(attrs, "pos", 3, what) ?? [0, 0, 0];
  return { p: fromArray3(pos), q: mjcfOrientation(attrs, ctx.compiler, what) };
}

/**
 * Adds the contents of a body-like element (worldbody, body, frame) to `link`: geoms and joints of
 * the link, child bodies as new links. `X_LF` places a `<frame>`'s contents in the link frame.
 */
function bodyContents(el: XmlElement, link: RobotLink, activeClass: string, X_LF: Pose, ctx: Ctx): void {
  for (const c of el.children) {
    const what = () => where(ctx.file, c);
    switch (c.tag) {
      case "body":
        body(c, link, c.attrs["childclass"] ?? activeClass, X_LF, ctx);
        break;
      case "frame": {
        const X_LF2 = compose(
          X_LF,
          framePose(resolveAttrs(c, activeClass, ctx.classes, ctx.file), ctx, what),
        );
        bodyContents(c, link, c.attrs["childclass"] ?? activeClass, X_LF2, ctx);
        break;
      }
      case "geom": {
        const g = geom(
          c,
          activeClass,
          X_LF,
          ctx,
          unnamedGeomName(link.name, link.visuals.length + link.collisions.length),
        );
        if (g.collides) link.collisions.push(g.geometry);
        else link.visuals.push(g.geometry);
        break;
      }
      case "joint":
      case "freejoint":
        if (link.parent === null) throw new InputError(`${what()}: the world body cannot have joints`);
        joint(c, link, activeClass, X_LF, ctx);
        break;
      case "inertial":
        if (link.parent !== null) link.inertial = inertial(c, ctx);
        break;
      default:
        if (!SKIPPED.has(c.tag)) ctx.ignored.push(`${what()} in body '${link.name}': not imported`);
    }
  }
}

function body(el: XmlElement, parent: RobotLink, activeClass: string, X_PF: Pose, ctx: Ctx): void {
  const name = el.attrs["name"] ?? `body${ctx.links.length}`;
  if (ctx.links.some((l) => l.name === name))
    throw new InputError(`${ctx.file}: duplicate body name '${name}'`);
  const what = () => where(ctx.file, el);
  const link: RobotLink = {
    name,
    parent: parent.name,
    X_PL: compose(X_PF, framePose(el.attrs, ctx, what)),
    joints: [],
    visuals: [],
    collisions: [],
  };
  ctx.links.push(link);
  bodyContents(el, link, activeClass, identity(), ctx);
}

function inertial(el: XmlElement, ctx: Ctx): Inertial {
  const what = () => where(ctx.file, el);
  const massKg = numberAttr(el.attrs, "mass", what);
  if (massKg === undefined || massKg < 0) throw new InputError(`${what()}: needs mass >= 0`);
  const diag = numbersAttr(el.attrs, "diaginertia", 3, what);
  const full = numbersAttr(el.attrs, "fullinertia", 6, what);
  if (!diag && !full) throw new InputError(`${what()}: needs diaginertia or fullinertia`);
  const [ixx, iyy, izz, ixy, ixz, iyz] = full ?? [...diag!, 0, 0, 0];
  return {
    massKg,
    X_LI: framePose(el.attrs, ctx, what),
    inertia: { ixx: ixx!, iyy: iyy!, izz: izz!, ixy: ixy!, ixz: ixz!, iyz: iyz! },
  };
}

function joint(el: XmlElement, link: RobotLink, activeClass: string, X_LF: Pose, ctx: Ctx): void {
  const what = () => where(ctx.file, el);
  const attrs = el.tag === "freejoint" ? el.attrs : resolveAttrs(el, activeClass, ctx.classes, ctx.file);
  const mjType = el.tag === "freejoint" ? "free" : (attrs["type"] ?? "hinge");
  const name = attrs["name"] ?? `${link.name}_joint${link.joints.length}`;
  if (ctx.joints.some((j) => j.name === name))
    throw new InputError(`${ctx.file}: duplicate joint name '${name}'`);
  const pos = fromArray3(numbersAttr(attrs, "pos", 3, what) ?? [0, 0, 0]);
  const axisRaw = fromArray3(numbersAttr(attrs, "axis", 3, what) ?? [0, 0, 1]);
  const base = { name, link: link.name, parent: link.parent!, anchor_L: transformPoint(X_LF, pos) };
  let j: RobotJoint;
  switch (mjType) {
    case "free":
      j = { ...base, type: "floating", axis_L: ZERO3 };
      break;
    case "ball":
      j = { ...base, type: "ball", axis_L: ZERO3 };
      break;
    case "hinge":
    case "slide": {
      let axis: ReturnType<typeof normalize>;
      try {
        axis = normalize(axisRaw);
      } catch {
        throw new InputError(`${what()}: axis has zero length`);
      }
      const axis_L = qrotate(X_LF.q, axis);
      const range = numbersAttr(attrs, "range", 2, what);
      const limitedAttr = attrs["limited"] ?? "auto";
      const limited =
        limitedAttr === "true" || (limitedAttr === "auto" && ctx.compiler.autolimits && range !== undefined);
      if (limited && !range) throw new InputError(`${what()}: limited="true" without a range`);
      const toUnit = mjType === "hinge" && ctx.compiler.angle === "degree" ? Math.PI / 180 : 1;
      const limits = limited ? { lower: range![0]! * toUnit, upper: range![1]! * toUnit } : undefined;
      if (limits && limits.lower > limits.upper) throw new InputError(`${what()}: range lower > upper`);
      const type = mjType === "slide" ? "prismatic" : limits ? "revolute" : "continuous";
      j = { ...base, type, axis_L, ...(limits ? { limits } : {}) };
      break;
    }
    default:
      throw new InputError(`${what()}: unknown joint type '${mjType}' (hinge, slide, ball, free)`);
  }
  link.joints.push(name);
  ctx.joints.push(j);
}

/** Full extents from MJCF half sizes: MuJoCo's `size` is half-lengths for box, cylinder, capsule. */
/**
 * The name an unnamed geom gets: `<body>_geom<k>`, k its index among the body's geoms in document
 * order (frames included), so other tools (crosscheck's contact pairs) can refer to it.
 */
export const unnamedGeomName = (body: string, k: number): string => `${body}_geom${k}`;

function geom(
  el: XmlElement,
  activeClass: string,
  X_LF: Pose,
  ctx: Ctx,
  defaultName: string,
): { geometry: Geometry; collides: boolean } {
  const what = () => where(ctx.file, el);
  const a = resolveAttrs(el, activeClass, ctx.classes, ctx.file);
  const type = a["type"] ?? (a["mesh"] !== undefined ? "mesh" : "sphere");
  const size = numbersAttr(a, "size", [1, 2, 3], what) ?? [];
  const fromto = numbersAttr(a, "fromto", 6, what);
  let X_LG = framePose(a, ctx, what);
  let halfLength = size[1];
  if (fromto && ["capsule", "cylinder", "box", "ellipsoid"].includes(type)) {
    const from = fromArray3(fromto.slice(0, 3));
    const to = fromArray3(fromto.slice(3));
    if (distance(from, to) < 1e-12) throw new InputError(`${what()}: fromto has zero length`);
    X_LG = { p: midpoint(from, to), q: quatFromZAxis([to.x - from.x, to.y - from.y, to.z - from.z], what) };
    halfLength = distance(from, to) / 2;
  }
  const need = (i: number, label: string): number => {
    const v = i === 1 && halfLength !== undefined ? halfLength : size[i];
    if (v === undefined || !(v > 0))
      throw new InputError(`${what()}: a ${type} needs a positive ${label} (size[${i}])`);
    return v;
  };
  let shape: GeometryShape;
  switch (type) {
    case "sphere":
      shape = { kind: "sphere", radiusM: need(0, "radius") };
      break;
    case "capsule":
    case "cylinder":
      shape = { kind: type, radiusM: need(0, "radius"), lengthM: 2 * need(1, "half-length") };
      break;
    case "ellipsoid":
      shape = {
        kind: "ellipsoid",
        radiiM: [need(0, "x radius"), need(1, "y radius"), fromto ? halfLength! : need(2, "z radius")],
      };
      break;
    case "box":
      shape = {
        kind: "box",
        sizeM: [
          2 * need(0, "x half-size"),
          2 * need(1, "y half-size"),
          2 * (fromto ? halfLength! : need(2, "z half-size")),
        ],
      };
      break;
    case "plane":
      shape = { kind: "plane" };
      break;
    case "mesh": {
      const meshName = a["mesh"];
      const asset = meshName === undefined ? undefined : ctx.meshes.get(meshName);
      if (!asset) throw new InputError(`${what()}: mesh '${meshName ?? ""}' is not defined in <asset>`);
      shape = { kind: "mesh", file: asset.file, scale: asset.scale, name: asset.name };
      break;
    }
    default:
      throw new InputError(
        `${what()}: geom type '${type}' is not supported (sphere, capsule, cylinder, ellipsoid, box, plane, mesh)`,
      );
  }
  const friction = numbersAttr(a, "friction", [1, 2, 3], what)?.[0];
  const massKg = numberAttr(a, "mass", what);
  const contype = numberAttr(a, "contype", what) ?? 1;
  const conaffinity = numberAttr(a, "conaffinity", what) ?? 1;
  return {
    geometry: {
      name: a["name"] ?? defaultName,
      X_LG: compose(X_LF, X_LG),
      shape,
      ...(friction !== undefined ? { friction } : {}),
      ...(massKg !== undefined ? { massKg } : {}),
    },
    collides: contype !== 0 || conaffinity !== 0,
  };
}

/** Linear joint couplings (`<equality><joint polycoef="c0 c1 0 0 0">`) become mimic joints; the rest is listed as ignored. */
function applyEqualities(root: XmlElement, ctx: Ctx): void {
  for (const eq of childrenNamed(root, "equality")) {
    for (const c of eq.children) {
      const what = () => where(ctx.file, c);
      if (c.tag === "joint") {
        const j1 = ctx.joints.find((j) => j.name === c.attrs["joint1"]);
        const j2 = c.attrs["joint2"];
        const poly = numbersAttr(c.attrs, "polycoef", 5, what) ?? [0, 1, 0, 0, 0];
        if (!j1) throw new InputError(`${what()}: joint1 '${c.attrs["joint1"] ?? ""}' does not exist`);
        if (j2 !== undefined && !ctx.joints.some((j) => j.name === j2))
          throw new InputError(`${what()}: joint2 '${j2}' does not exist`);
        if (j2 !== undefined && poly.slice(2).every((v) => v === 0)) {
          j1.mimic = { joint: j2, multiplier: poly[1]!, offset: poly[0]! };
          continue;
        }
      }
      ctx.ignored.push(`${what()} (equality constraint): not imported`);
    }
  }
}
