import { poseFromJson, qfromAxisAngle, vec3 } from "../core/math.js";
import type { SceneItem, SceneSpec } from "../core/schemas/scene.js";
import type { Collider, Rapier, RigidBody, World } from "./rapier.js";

export interface SceneBody {
  id: string;
  item: SceneItem;
  body: RigidBody;
  colliders: Collider[];
}

export type Box = { center: [number, number, number]; half: [number, number, number] };

/** Cuboids (in the item's local frame) making up a shelving unit: uprights, back panel, boards. */
export function shelfBoxes(item: Extract<SceneItem, { kind: "shelf" }>): Box[] {
  const w = item.widthM / 2;
  const d = item.depthM / 2;
  const h = item.heightM / 2;
  const u = item.uprightThicknessM / 2;
  const b = item.boardThicknessM / 2;
  const boxes: Box[] = [
    { center: [-w + u, 0, h], half: [u, d, h] },
    { center: [w - u, 0, h], half: [u, d, h] },
    { center: [0, d - u, h], half: [w - 2 * u, u, h] },
  ];
  for (const top of item.levelsM) {
    boxes.push({ center: [0, -u, top - b], half: [w - 2 * u, d - u, b] });
    if (item.lipHeightM > 0) {
      boxes.push({
        center: [0, -d + 0.005, top + item.lipHeightM / 2],
        half: [w - 2 * u, 0.005, item.lipHeightM / 2],
      });
    }
  }
  return boxes;
}

/** Cuboids (local frame, origin at the underside) of a pallet: 5 top deck boards on 3 × 3 blocks. */
export function palletBoxes(item: Extract<SceneItem, { kind: "pallet" }>): Box[] {
  const [sx, sy, sz] = item.sizeM;
  const deck = 0.022;
  const boardW = 0.1;
  const boxes: Box[] = [];
  for (let i = 0; i < 5; i++) {
    const y = -sy / 2 + boardW / 2 + (i * (sy - boardW)) / 4;
    boxes.push({ center: [0, y, sz - deck / 2], half: [sx / 2, boardW / 2, deck / 2] });
  }
  const blockH = sz - deck;
  for (const x of [-sx / 2 + 0.07, 0, sx / 2 - 0.07]) {
    for (const y of [-sy / 2 + 0.05, 0, sy / 2 - 0.05]) {
      boxes.push({ center: [x, y, blockH / 2], half: [0.07, 0.05, blockH / 2] });
    }
  }
  return boxes;
}

/** Cuboids (local frame, origin at the underside of the base) making up an open-top tote. */
export function toteBoxes(item: Extract<SceneItem, { kind: "tote" }>): Box[] {
  const [sx, sy, sz] = item.sizeM;
  const t = item.wallM / 2;
  return [
    { center: [0, 0, t], half: [sx / 2, sy / 2, t] },
    { center: [-sx / 2 + t, 0, sz / 2], half: [t, sy / 2, sz / 2] },
    { center: [sx / 2 - t, 0, sz / 2], half: [t, sy / 2, sz / 2] },
    { center: [0, -sy / 2 + t, sz / 2], half: [sx / 2 - 2 * t, t, sz / 2] },
    { center: [0, sy / 2 - t, sz / 2], half: [sx / 2 - 2 * t, t, sz / 2] },
  ];
}

/**
 * Points on an ellipsoid's surface (latitude rings), for its convex-hull collider. With caps
 * (capZ < 1) the rings beyond a cap are replaced by the cap's rim, so the hull has a flat face there.
 */
export function ellipsoidPoints(r: readonly number[], capZ: number, rings = 12, segments = 16): Float32Array {
  const [a, b, c] = r as [number, number, number];
  const pts: number[] = [];
  const ring = (z: number, s: number) => {
    for (let j = 0; j < segments; j++) {
      const ph = (2 * Math.PI * j) / segments;
      pts.push(a * s * Math.cos(ph), b * s * Math.sin(ph), z);
    }
  };
  const zMax = capZ * c;
  for (let i = 1; i < rings; i++) {
    const th = (Math.PI * i) / rings;
    if (Math.abs(c * Math.cos(th)) < zMax - 1e-9) ring(c * Math.cos(th), Math.sin(th));
  }
  if (capZ < 1) {
    const rim = Math.sqrt(1 - capZ * capZ);
    ring(zMax, rim);
    ring(-zMax, rim);
  } else {
    pts.push(0, 0, c, 0, 0, -c);
  }
  return new Float32Array(pts);
}

/**
 * Angular damping (1/s) of objects that can roll (cylinders, spheres, ellipsoids), standing in
 * for the rolling resistance Rapier lacks. Measured: without it, GRAB apples set down on a table
 * keep rolling (`not_at_rest`, 3 of 3 grippers on apple_pass_1) where a real apple stops; boxes
 * get none, and on the box-only templates (demo pick, 20 variants each of shelf_to_tote, aisle,
 * tote_to_tote) 0 and 5 s⁻¹ gave the same outcomes.
 */
export const ROLLING_DAMPING = 5;

/** The angular damping a scene item gets: rolling resistance for round shapes, none for boxes. */
export const angularDampingOf = (item: SceneItem): number =>
  item.kind === "cylinder" || item.kind === "sphere" || item.kind === "ellipsoid" ? ROLLING_DAMPING : 0;

// Rapier's cylinder axis is local y; scene cylinders stand along local z.
const Y_TO_Z = qfromAxisAngle(vec3(1, 0, 0), Math.PI / 2);

/**
 * The cuboids (in the item's local frame) of an item made of boxes: the floor (a 100 m slab under
 * its height), a box, a shelf, a tote, a pallet; null for round shapes. The colliders are built
 * from them, and the geometric clearance check (scenery_clearance.ts) tests against them.
 */
export function itemBoxes(item: SceneItem): Box[] | null {
  switch (item.kind) {
    case "floor":
      return [{ center: [0, 0, item.heightM - 0.05], half: [50, 50, 0.05] }];
    case "box":
      return [{ center: [0, 0, 0], half: [item.sizeM[0] / 2, item.sizeM[1] / 2, item.sizeM[2] / 2] }];
    case "shelf":
      return shelfBoxes(item);
    case "tote":
      return toteBoxes(item);
    case "pallet":
      return palletBoxes(item);
    default:
      return null;
  }
}

function colliderDescs(R: Rapier, item: SceneItem) {
  const boxes = itemBoxes(item);
  if (boxes) return boxes.map((bx) => R.ColliderDesc.cuboid(...bx.half).setTranslation(...bx.center));
  switch (item.kind) {
    case "sphere":
      return [R.ColliderDesc.ball(item.radiusM)];
    case "cylinder":
      return [R.ColliderDesc.cylinder(item.heightM / 2, item.radiusM).setRotation(Y_TO_Z)];
    case "ellipsoid": {
      const desc = R.ColliderDesc.convexHull(ellipsoidPoints(item.radiiM, item.capZ));
      if (!desc) throw new Error(`cannot build the convex hull of ellipsoid '${item.id}'`);
      return [desc];
    }
    default:
      throw new Error(`no collider for scene item kind '${item.kind}'`);
  }
}

/** Adds every item of a scene to a Rapier world. Dynamic items get their mass; static ones are fixed bodies. */
export function buildScene(R: Rapier, world: World, scene: SceneSpec): Map<string, SceneBody> {
  const bodies = new Map<string, SceneBody>();
  for (const item of scene.items) {
    const dynamic = "dynamic" in item && item.dynamic;
    const desc = dynamic ? R.RigidBodyDesc.dynamic() : R.RigidBodyDesc.fixed();
    if ("pose" in item) {
      const X = poseFromJson(item.pose);
      desc.setTranslation(X.p.x, X.p.y, X.p.z).setRotation(X.q);
    }
    // Rapier has no rolling resistance: without some angular damping a nudged cylinder or
    // ellipsoid lying on its side rolls off the table.
    // Sleeping: resting objects other than the task's target may sleep (Rapier stops integrating
    // a body ~2 s at rest, and wakes it when something touches it): a warehouse aisle of resting
    // cartons steps about 5× faster. The target never sleeps: a sleeping island keeps reporting its
    // last contact forces, which would read as a grasp that never lets go.
    if (dynamic) {
      desc
        .setCcdEnabled(true)
        .setAngularDamping(angularDampingOf(item))
        .setCanSleep(item.id !== scene.task.targetId);
    }
    const body = world.createRigidBody(desc);
    const descs = colliderDescs(R, item);
    const colliders = descs.map((cd, i) => {
      cd.setFriction(item.friction).setRestitution(item.restitution);
      // A slippery object is slippery whatever touches it (Rapier averages by default, which
      // would give a frictionless object half the pads' friction).
      if (dynamic) cd.setFrictionCombineRule(R.CoefficientCombineRule.Min);
      if (dynamic && "massKg" in item) cd.setMass(i === 0 ? item.massKg : 0);
      return world.createCollider(cd, body);
    });
    bodies.set(item.id, { id: item.id, item, body, colliders });
  }
  return bodies;
}
