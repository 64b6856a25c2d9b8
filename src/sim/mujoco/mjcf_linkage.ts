/**
 * The GripperLinkage (sim/linkage_gripper.ts) of an MJCF gripper: its bodies (links with their
 * welded children), the convex hulls of their collision meshes, its pads, its hinge joints, the
 * `<connect>` constraints that close its loops, and which joints its actuator's tendon drives.
 * Everything is read from the model and its forward kinematics; nothing is tuned to the 2F-85
 * beyond the names of the pad bodies (`left_pad`, `right_pad`).
 */
import { InputError } from "../../core/errors.js";
import {
  compose,
  invert,
  type Pose,
  qrotate,
  scale,
  transformPoint,
  type Vec3,
  vec3,
} from "../../core/math.js";
import { convexHull } from "../../robots/convex_hull.js";
import { forwardKinematics } from "../../robots/kinematics.js";
import { loadMesh } from "../../robots/mesh.js";
import type { Geometry, RobotLink, RobotModel } from "../../robots/robot_model.js";
import { childrenNamed, numbersAttr, type XmlElement } from "../../robots/xml.js";
import type { GripperLinkage, LinkageBody, LinkageJoint } from "../linkage_gripper.js";
import { HULL_GRID_STEPS_MUJOCO } from "./gripper_mjcf.js";

/** Samples of the aperture and pose tables over [0, qMax]. */
const TABLE_SAMPLES = 161;

export interface LinkageInputs {
  model: RobotModel;
  /** The model's document (include-expanded), for its `<connect>` constraints and tendon. */
  doc: XmlElement;
  baseBody: string;
  X_BG: Pose;
  qMax: number;
  apertureAt(q: number): number;
  /** Link name → the GRIPPER_IDS part its contacts report as (default: the palm). */
  partOf(link: string): string;
}

const hulls = new Map<string, Promise<number[]>>();

/** Hull vertices of a mesh file, on the cross-check's grid (the hulls MuJoCo is given), cached per process. */
export function meshHullVertices(file: string, usedBy: string): Promise<number[]> {
  let h = hulls.get(file);
  if (!h) {
    h = loadMesh(file, usedBy).then((m) =>
      Array.from(convexHull(m.positions, HULL_GRID_STEPS_MUJOCO).vertices),
    );
    hulls.set(file, h);
  }
  return h;
}

export async function deriveLinkage(o: LinkageInputs): Promise<GripperLinkage> {
  const { model } = o;
  const linkByName = new Map(model.links.map((l) => [l.name, l]));
  const base = linkByName.get(o.baseBody);
  if (!base) throw new InputError(`${model.file}: no base body '${o.baseBody}'`);
  // Each link belongs to the body of its nearest ancestor with a joint (or to the base).
  const owner = new Map<string, string>();
  for (const l of model.links) {
    if (l.name === o.baseBody) owner.set(l.name, "palm");
    else if (l.parent === null || !owner.has(l.parent)) continue;
    else owner.set(l.name, l.joints.length > 0 ? l.name : owner.get(l.parent)!);
  }
  const allAt = (q: number) => Object.fromEntries(model.joints.map((j) => [j.name, q]));
  const X_WGfor = (X: Map<string, Pose>) => compose(X.get(o.baseBody)!, o.X_BG);
  const posesInG = (q: number): Map<string, Pose> => {
    const X = forwardKinematics(model, allAt(q));
    const X_GW = invert(X_WGfor(X));
    return new Map([...X].map(([name, p]) => [name, compose(X_GW, p)]));
  };
  const G0 = posesInG(0);
  // Body frames: at the link's origin, parallel to G at q = 0. Rapier measures a revolute joint's
  // angle between reference directions it derives from the axis in each body's frame; with the
  // axis the same vector in both frames, the angle is 0 at q = 0 and grows as the MJCF's q.
  const frameOf = (body: string): Pose => ({
    p: body === "palm" ? vec3(0, 0, 0) : G0.get(body)!.p,
    q: { x: 0, y: 0, z: 0, w: 1 },
  });

  const bodies = new Map<string, LinkageBody>();
  const palm = { massKg: 0, com_G: vec3(0, 0, 0), hulls: [] as number[][] };
  const comSum = new Map<string, { m: number; c: Vec3 }>();
  for (const l of model.links) {
    const body = owner.get(l.name);
    if (body === undefined) continue;
    if (body !== "palm" && !bodies.has(body)) {
      bodies.set(body, {
        name: body,
        side: sideOf(body, model.file),
        part: o.partOf(body),
        massKg: 0,
        com: vec3(0, 0, 0),
        X_G0: frameOf(body),
        hulls: [],
        boxes: [],
      });
    }
    // Pose of this link in its body's frame (constant: welded).
    const X_KL = compose(invert(frameOf(body)), G0.get(l.name)!);
    const hullsOut = body === "palm" ? palm.hulls : bodies.get(body)!.hulls;
    for (const g of l.collisions)
      await addGeometry(g, X_KL, l, model.file, hullsOut, body === "palm" ? undefined : bodies.get(body)!);
    if (l.inertial) {
      const c = transformPoint(X_KL, l.inertial.X_LI.p);
      const acc = comSum.get(body) ?? { m: 0, c: vec3(0, 0, 0) };
      acc.m += l.inertial.massKg;
      acc.c = {
        x: acc.c.x + c.x * l.inertial.massKg,
        y: acc.c.y + c.y * l.inertial.massKg,
        z: acc.c.z + c.z * l.inertial.massKg,
      };
      comSum.set(body, acc);
    }
  }
  for (const [body, acc] of comSum) {
    const com = acc.m > 0 ? scale(acc.c, 1 / acc.m) : vec3(0, 0, 0);
    if (body === "palm") Object.assign(palm, { massKg: acc.m, com_G: com });
    else Object.assign(bodies.get(body)!, { massKg: acc.m, com });
  }

  const actuated = actuatedJoints(o.doc);
  const joints: LinkageJoint[] = [];
  for (const j of model.joints) {
    const child = owner.get(j.link);
    const parent = owner.get(j.parent);
    if (child === undefined || parent === undefined) continue;
    if (j.type !== "revolute" && j.type !== "continuous")
      throw new InputError(
        `${model.file}: joint '${j.name}' is ${j.type}; the linkage gripper takes hinges only`,
      );
    const X = G0.get(j.link)!;
    joints.push({
      kind: "revolute",
      body1: parent,
      body2: child,
      anchor_G: transformPoint(X, j.anchor_L),
      axis_G: qrotate(X.q, j.axis_L),
      ...(actuated.has(j.name) ? { actuated: true } : {}),
      ...(j.limits ? { limits: [j.limits.lower, j.limits.upper] as [number, number] } : {}),
    });
  }
  for (const eq of childrenNamed(o.doc, "equality")) {
    for (const c of eq.children) {
      if (c.tag !== "connect") continue;
      const [b1, b2] = [c.attrs["body1"] ?? "", c.attrs["body2"] ?? ""];
      if (!owner.has(b1) || !owner.has(b2))
        throw new InputError(`${model.file}: <connect> names unknown bodies '${b1}', '${b2}'`);
      const anchor = numbersAttr(c.attrs, "anchor", 3, () => `${model.file}: <connect ${b1}–${b2}>`);
      if (!anchor) throw new InputError(`${model.file}: <connect ${b1}–${b2}> has no anchor`);
      joints.push({
        kind: "spherical",
        body1: owner.get(b1)!,
        body2: owner.get(b2)!,
        anchor_G: transformPoint(G0.get(b1)!, vec3(anchor[0]!, anchor[1]!, anchor[2]!)),
      });
    }
  }
  if (!joints.some((j) => j.actuated))
    throw new InputError(`${model.file}: no joint is driven by the actuator's tendon`);

  const pad = (side: "left" | "right") => {
    const link = linkByName.get(`${side}_pad`);
    const boxes = link?.collisions.filter((g) => g.shape.kind === "box") ?? [];
    if (!link || boxes.length === 0)
      throw new InputError(`${model.file}: expected pad boxes in body ${side}_pad`);
    const body = owner.get(link.name)!;
    // Inner face centre: each box's centre moved half its extent along G's y towards the other pad.
    const inward = side === "left" ? 1 : -1;
    const faces = boxes.map((g) => {
      const X = compose(G0.get(link.name)!, g.X_LG);
      const s = (g.shape as { sizeM: [number, number, number] }).sizeM;
      const d = qrotate({ x: -X.q.x, y: -X.q.y, z: -X.q.z, w: X.q.w }, vec3(0, 1, 0));
      const half = (Math.abs(d.x) * s[0] + Math.abs(d.y) * s[1] + Math.abs(d.z) * s[2]) / 2;
      return { ...X.p, y: X.p.y + inward * half };
    });
    const mean = scale(
      faces.reduce((a, b) => ({ x: a.x + b.x, y: a.y + b.y, z: a.z + b.z })),
      1 / faces.length,
    );
    return { body, face: transformPoint(invert(frameOf(body)), mean) };
  };

  const qs = Array.from({ length: TABLE_SAMPLES }, (_, i) => (o.qMax * i) / (TABLE_SAMPLES - 1));
  const posesTable: Record<string, Pose[]> = Object.fromEntries(
    [...bodies.keys()].map((b) => [b, [] as Pose[]]),
  );
  for (const q of qs) {
    const X = posesInG(q);
    for (const b of bodies.keys())
      posesTable[b]!.push(compose(X.get(b)!, compose(invert(G0.get(b)!), frameOf(b))));
  }
  return {
    source: model.file,
    palm,
    bodies: [...bodies.values()],
    joints,
    pads: { left: pad("left"), right: pad("right") },
    qMax: o.qMax,
    apertureTable: qs.map((q) => o.apertureAt(q)),
    posesTable,
  };
}

async function addGeometry(
  g: Geometry,
  X_KL: Pose,
  link: RobotLink,
  file: string,
  hullsOut: number[][],
  body: LinkageBody | undefined,
): Promise<void> {
  const X_KG = compose(X_KL, g.X_LG);
  switch (g.shape.kind) {
    case "mesh": {
      const [sx, sy, sz] = g.shape.scale;
      const v = await meshHullVertices(g.shape.file, file);
      const out: number[] = [];
      for (let i = 0; i < v.length; i += 3) {
        const p = transformPoint(X_KG, vec3(v[i]! * sx, v[i + 1]! * sy, v[i + 2]! * sz));
        out.push(p.x, p.y, p.z);
      }
      hullsOut.push(out);
      return;
    }
    case "box": {
      if (!body)
        throw new InputError(`${file}: box geom on the base body is not supported (link ${link.name})`);
      const [x, y, z] = g.shape.sizeM;
      body.boxes.push({ X: X_KG, halfM: vec3(x / 2, y / 2, z / 2) });
      return;
    }
    default:
      throw new InputError(
        `${file}: ${g.shape.kind} collision geom in link ${link.name}: the linkage gripper takes meshes and boxes`,
      );
  }
}

/** Which pad a link's chain serves, by the model's naming (`left_…` / `right_…`). */
function sideOf(link: string, file: string): "left" | "right" {
  if (link.startsWith("left")) return "left";
  if (link.startsWith("right")) return "right";
  throw new InputError(`${file}: link '${link}' is named for neither side (left_… / right_…)`);
}

/** Joints the actuator moves: those of the tendon its first actuator names (or the joint it names). */
function actuatedJoints(doc: XmlElement): Set<string> {
  const act = childrenNamed(doc, "actuator").flatMap((a) => a.children)[0];
  if (!act) return new Set();
  if (act.attrs["joint"]) return new Set([act.attrs["joint"]]);
  const tendon = childrenNamed(doc, "tendon")
    .flatMap((t) => t.children)
    .find((t) => t.attrs["name"] === act.attrs["tendon"]);
  return new Set((tendon?.children ?? []).map((j) => j.attrs["joint"] ?? "").filter((n) => n));
}
