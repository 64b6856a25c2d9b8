/**
 * An egobridge SceneSpec as a MuJoCo scene around the real 2F-85 MJCF.
 *
 * Layout of the generated model:
 * - the gripper's MJCF is attached (`<attach>`, MuJoCo ≥ 3.2) under a body `gripper_mount` with a
 *   free joint; a mocap body `gripper_target` is welded to the gripper's base, and moving the mocap
 *   body drives the gripper, the usual way to give MuJoCo a kinematic target that contacts can
 *   still push against (the weld sits on the base, which has mass: welded to the massless mount it
 *   sags by centimetres);
 * - static items (floor, shelves, totes, fixed boxes) are geoms of fixed bodies, dynamic items
 *   bodies with a free joint, with the SceneSpec's size, mass (inertia from the shape) and pose;
 * - contact friction: every contact of a dynamic item is an explicit `<pair>` whose coefficient is
 *   what Rapier uses for the same two materials (`rapierFriction`), with the pads as egobridge's
 *   pad material (`padFriction`) and the rest of the gripper as the palm's (0.5,
 *   src/sim/gripper.ts). MuJoCo's own rule (maximum, or the MJCF's pad `priority`) would make the
 *   engines disagree on inputs rather than on physics. Contacts among the gripper and static
 *   items keep MuJoCo's defaults; pairs are stiff (the pads' solref / solimp), like Rapier's
 *   300 Hz contacts in src/sim.
 * Not carried over: restitution (scenes use 0). Rapier's angular damping of dynamic bodies is
 * applied by the replay (replay_mujoco.ts), as MuJoCo has no per-body damping.
 */

import { fromArray3, type Pose, type Quat, qfromXyzw, type Vec3 } from "../../core/math.js";
import type { Embodiment } from "../../core/schemas/embodiment.js";
import type { SceneItem, SceneSpec } from "../../core/schemas/scene.js";
import { ARM_FRICTION } from "../arm.js";
import { ellipsoidPoints, palletBoxes, shelfBoxes, toteBoxes } from "../scene_world.js";
import type { OrientedBox } from "../scenery_clearance.js";
import { FIXED_CONAFFINITY, type MjcfArm } from "./arm_mjcf.js";
import type { MjcfGripper } from "./robotiq_2f85.js";

/** The palm's friction in src/sim/gripper.ts, used for the 2F-85's non-pad links. */
const PALM_FRICTION = 0.5;

/**
 * The friction Rapier gives a contact of a dynamic scene item with a body of friction `other`:
 * src/sim/scene_world.ts sets dynamic items' combine rule to Min, and Rapier applies the stronger
 * of two colliders' rules (Min over the default Average), so min(item, other). Mirrored here by
 * hand: keep it in step with scene_world.ts.
 */
export const rapierFriction = (item: number, other: number): number => Math.min(item, other);

/** Prefix of the gripper's element names in the generated model. */
export const GRIPPER_PREFIX = "g_";
export const MOUNT_BODY = "gripper_mount";
export const TARGET_BODY = "gripper_target";
/**
 * Time constant of the weld that drives the gripper (s): as stiff as MuJoCo allows at a 2 ms step
 * (it clamps to 2·timestep). A weld lags a moving target by about 2·timeconst·speed, so the
 * replay leads the target by that much (replay_mujoco.ts).
 */
export const WELD_TIMECONST_S = 0.004;
/** The gripper's MJCF, relative to the scene file. */
export const GRIPPER_DIR = "gripper";

export interface SceneXmlOptions {
  timestepS: number;
  /** Initial base pose X_WB (the mocap body and the mount start here). */
  X_WB0: Pose;
  /** The pad material's friction (egobridge's embodiment). */
  padFriction: number;
  /** Weld stiffness: MuJoCo solref time constant (s). */
  weldTimeconstS?: number;
  /** Torsional friction of pad contacts (m), condim 4. */
  padTorsionM?: number;
  /**
   * An arm that carries the gripper (arm_mjcf.ts): attached at its base pose on a pedestal, with
   * the gripper's base welded to its tip link at `X_TipB` instead of to a mocap body.
   */
  arm?: { mjcf: MjcfArm; X_WBase: Pose; tip: string; X_TipB: Pose; pedestal?: OrientedBox };
}

/** Prefix of the arm's element names in the generated model. */
export const ARM_PREFIX = "a_";
/** The arm's MJCF, relative to the scene file. */
export const ARM_DIR = "arm";
/** The pedestal under the arm's base: body and geom name. */
export const PEDESTAL = "arm_pedestal";

/** A geom the scene defines: its name, which item it belongs to, its friction, and whether that item moves. */
export interface SceneGeom {
  name: string;
  item: string;
  friction: number;
  dynamic: boolean;
}

const f = (v: number) => Number(v.toPrecision(12)).toString();
const vec = (v: Vec3) => `${f(v.x)} ${f(v.y)} ${f(v.z)}`;
/** MuJoCo quaternions are scalar-first. */
const quatWxyz = (q: Quat) => `${f(q.w)} ${f(q.x)} ${f(q.y)} ${f(q.z)}`;
const poseAttrs = (X: Pose) => `pos="${vec(X.p)}" quat="${quatWxyz(X.q)}"`;
const itemPose = (p: { pos: number[]; quatXyzw: number[] }): Pose => ({
  p: fromArray3(p.pos),
  q: qfromXyzw(p.quatXyzw),
});

/**
 * How far a moving item starts above its scene pose in MuJoCo (m). An object resting exactly on a
 * box face (distance 0: a variant puts it there) can make MuJoCo 3.3's native convex collision
 * report a deep penetration along the face (a can turned a few degrees on a tote floor: 13 cm), and
 * the solver shoots it out; a tenth of a millimetre above, it settles like the rest.
 */
export const MUJOCO_START_LIFT_M = 1e-4;

const startPose = (X: Pose, dynamic: boolean): Pose =>
  dynamic ? { p: { x: X.p.x, y: X.p.y, z: X.p.z + MUJOCO_START_LIFT_M }, q: X.q } : X;

/** Geom elements (without name) for an item's shape, in the item's body frame. */
function shapeGeoms(item: SceneItem): { attrs: string }[] {
  const boxes = (list: { center: number[]; half: number[] }[]) =>
    list.map((b) => ({
      attrs: `type="box" size="${b.half.map(f).join(" ")}" pos="${b.center.map(f).join(" ")}"`,
    }));
  switch (item.kind) {
    case "floor":
      return [{ attrs: `type="plane" size="0 0 1" pos="0 0 ${f(item.heightM)}"` }];
    case "box":
      return [{ attrs: `type="box" size="${item.sizeM.map((s) => f(s / 2)).join(" ")}"` }];
    case "cylinder":
      return [{ attrs: `type="cylinder" size="${f(item.radiusM)} ${f(item.heightM / 2)}"` }];
    case "sphere":
      return [{ attrs: `type="sphere" size="${f(item.radiusM)}"` }];
    case "ellipsoid":
      // Rapier collides ellipsoids as the hull of a latitude–longitude grid (scene_world.ts), not
      // as a smooth surface: a smooth one rolls off its recorded resting pose, the faceted one
      // rests on a facet. Same facets here (a mesh asset named after the item).
      return [{ attrs: `type="mesh" mesh="${item.id}/hull"` }];
    case "shelf":
      return boxes(shelfBoxes(item));
    case "tote":
      return boxes(toteBoxes(item));
    case "pallet":
      return boxes(palletBoxes(item));
  }
}

/**
 * The scene XML (to be written next to `gripper/<model>.xml`) and the geoms it defines.
 * Dynamic items have contype = conaffinity = 0: all their contacts come from the explicit pairs.
 */
export function sceneXml(
  scene: SceneSpec,
  embodiment: Embodiment,
  gripper: MjcfGripper,
  o: SceneXmlOptions,
): { xml: string; geoms: SceneGeom[] } {
  const geoms: SceneGeom[] = [];
  const bodies: string[] = [];
  const arm = o.arm;
  // With an arm, fixed geoms also meet its links (contype 2).
  const fixedFilter = arm ? ` conaffinity="${FIXED_CONAFFINITY}"` : "";
  for (const item of scene.items) {
    const dynamic = "dynamic" in item && item.dynamic;
    const parts = shapeGeoms(item);
    const names = parts.map((_, k) => (parts.length === 1 ? item.id : `${item.id}/${k}`));
    const lines = parts.map((g, k) => {
      const mass = dynamic && "massKg" in item && k === 0 ? ` mass="${f(item.massKg)}"` : "";
      const filter = dynamic ? ` contype="0" conaffinity="0"` : fixedFilter;
      geoms.push({ name: names[k]!, item: item.id, friction: item.friction, dynamic });
      return `      <geom name="${names[k]}" ${g.attrs} friction="${f(item.friction)}"${mass}${filter}/>`;
    });
    const pose = "pose" in item ? poseAttrs(startPose(itemPose(item.pose), dynamic)) : "";
    const joint = dynamic ? `      <freejoint name="${item.id}/free"/>\n` : "";
    bodies.push(`    <body name="${item.id}" ${pose}>\n${joint}${lines.join("\n")}\n    </body>`);
  }
  const meshes = scene.items
    .filter((it) => it.kind === "ellipsoid")
    .map(
      (it) =>
        `    <mesh name="${it.id}/hull" vertex="${Array.from(ellipsoidPoints(it.radiiM, it.capZ), (v) => f(v)).join(" ")}"/>`,
    );
  if (arm?.pedestal) {
    const p = arm.pedestal;
    geoms.push({ name: PEDESTAL, item: PEDESTAL, friction: ARM_FRICTION, dynamic: false });
    bodies.push(
      `    <body name="${PEDESTAL}" ${poseAttrs({ p: p.center, q: arm.X_WBase.q })}>\n      <geom name="${PEDESTAL}" type="box" size="${p.half.map(f).join(" ")}" friction="${f(ARM_FRICTION)}"${fixedFilter}/>\n    </body>`,
    );
  }
  const g = scene.gravity;
  const pairs = contactPairs(
    geoms,
    gripper,
    embodiment.finger.padFriction,
    o.padTorsionM ?? 0.005,
    (arm?.mjcf.collisionGeoms ?? []).map((a) => `${ARM_PREFIX}${a.name}`),
  );
  // The gripper's base follows a mocap body, or the arm's tip.
  const driver = arm
    ? `    <body name="arm_base" ${poseAttrs(arm.X_WBase)}>
      <attach model="arm" body="${arm.mjcf.rootBody}" prefix="${ARM_PREFIX}"/>
    </body>`
    : `    <body name="${TARGET_BODY}" mocap="true" ${poseAttrs(o.X_WB0)}/>`;
  const weld = arm
    ? `    <weld body1="${ARM_PREFIX}${arm.tip}" body2="${GRIPPER_PREFIX}${gripper.baseBody}" relpose="${vec(arm.X_TipB.p)} ${quatWxyz(arm.X_TipB.q)}" solref="${f(o.weldTimeconstS ?? WELD_TIMECONST_S)} 1"/>`
    : `    <weld body1="${TARGET_BODY}" body2="${GRIPPER_PREFIX}${gripper.baseBody}" relpose="0 0 0 1 0 0 0" solref="${f(o.weldTimeconstS ?? WELD_TIMECONST_S)} 1"/>`;
  const armAsset = arm ? `\n    <model name="arm" file="${ARM_DIR}/${armFileName(arm.mjcf)}"/>` : "";
  const xml = `<mujoco model="egobridge_crosscheck_${scene.name}">
  <compiler angle="radian" autolimits="true"/>
  <option timestep="${f(o.timestepS)}" gravity="${g.map(f).join(" ")}" cone="elliptic" impratio="10" integrator="implicitfast">
    <flag multiccd="enable"/>
  </option>
  <size memory="64M"/>
  <asset>
    <model name="gripper" file="${GRIPPER_DIR}/${gripperFileName(gripper)}"/>${armAsset}
${meshes.join("\n")}
  </asset>
  <worldbody>
    <body name="${MOUNT_BODY}" ${poseAttrs(o.X_WB0)}>
      <freejoint name="${MOUNT_BODY}/free"/>
      <attach model="gripper" body="${gripper.baseBody}" prefix="${GRIPPER_PREFIX}"/>
    </body>
${driver}
${bodies.join("\n")}
  </worldbody>
  <equality>
${weld}
  </equality>
  <contact>
${pairs.join("\n")}
  </contact>
</mujoco>
`;
  return { xml, geoms };
}

export const gripperFileName = (g: MjcfGripper): string => g.file.split(/[\\/]/).pop()!;
export const armFileName = (a: MjcfArm): string => a.file.split(/[\\/]/).pop()!;

/** Explicit contact pairs of every dynamic geom with every other collidable geom, with Rapier's friction. */
function contactPairs(
  geoms: SceneGeom[],
  gripper: MjcfGripper,
  padFriction: number,
  padTorsionM: number,
  armGeoms: readonly string[],
): string[] {
  const out: string[] = [];
  // Stiff contacts like Rapier's (src/sim runs them at a 300 Hz natural frequency): the pads' own
  // solref / solimp for every contact of a dynamic item, not MuJoCo's softer default (0.02 s).
  const stiff = ` solref="0.004 1" solimp="0.95 0.99 0.001"`;
  const pair = (a: string, b: string, mu: number) =>
    `    <pair geom1="${a}" geom2="${b}" friction="${f(mu)} ${f(mu)} 0.005 0.0001 0.0001"${stiff}/>`;
  geoms.forEach((d, i) => {
    if (!d.dynamic) return;
    for (const [j, o] of geoms.entries()) {
      if (o.item === d.item || (o.dynamic && j < i)) continue;
      out.push(pair(d.name, o.name, rapierFriction(d.friction, o.friction)));
    }
    for (const gg of gripper.collisionGeoms) {
      const name = `${GRIPPER_PREFIX}${gg.name}`;
      if (gg.isPad) {
        // The MJCF's own pad contact softness (solref 0.004, solimp 0.95 0.99 0.001), torsional friction for a pinch.
        const mu = rapierFriction(d.friction, padFriction);
        out.push(
          `    <pair geom1="${d.name}" geom2="${name}" condim="4" friction="${f(mu)} ${f(mu)} ${f(padTorsionM)} 0.0001 0.0001"${stiff}/>`,
        );
      } else out.push(pair(d.name, name, rapierFriction(d.friction, PALM_FRICTION)));
    }
  });
  // An arm's links, as stiff as the rest, with their own friction.
  for (const d of geoms.filter((x) => x.dynamic))
    for (const a of armGeoms) out.push(pair(d.name, a, rapierFriction(d.friction, ARM_FRICTION)));
  return out;
}
