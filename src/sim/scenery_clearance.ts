/**
 * A geometric check of a recorded episode, independent of the physics engine: the gripper's
 * bodies (housing and both fingers, placed from each step's *measured* TCP pose and opening) are
 * tested against the scene's fixed geometry with the separating-axis theorem. It re-derives from
 * the episode data alone whether the robot ever passed into a shelf, a tote wall or the table,
 * whatever the engine reported. The verdict uses it, and tests run it over whole datasets.
 */
import {
  compose,
  cross,
  dot,
  fromArray3,
  norm,
  POSE_IDENTITY,
  type Pose,
  poseFromJson,
  qaxes,
  scale,
  sub,
  transformPoint,
  type Vec3,
  vec3,
} from "../core/math.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { EpisodeStep } from "../core/schemas/episode.js";
import type { SceneItem, SceneSpec } from "../core/schemas/scene.js";
import type { TrajectoryStep } from "../core/schemas/trajectory.js";
import { GRIPPER_IDS } from "./gripper.js";
import { type GripperLinkage, linkageBoxes, qForAperture } from "./linkage_gripper.js";
import { itemBoxes } from "./scene_world.js";

/** A box posed in W: centre, its three unit axes (in W) and half sizes along them (m). */
export interface OrientedBox {
  center: Vec3;
  axes: readonly [Vec3, Vec3, Vec3];
  half: readonly [number, number, number];
}

/** A named box: which body it belongs to (a gripper part id or a scene item id). */
export interface NamedBox {
  id: string;
  box: OrientedBox;
}

/** Penetration deeper than this (m) into fixed scenery fails an episode: contact solvers allow a little. */
export const MAX_SCENERY_PENETRATION_M = 0.005;

function orientedBox(X_WB: Pose, center_B: Vec3, half: readonly [number, number, number]): OrientedBox {
  return { center: transformPoint(X_WB, center_B), axes: qaxes(X_WB.q), half };
}

/** Projected half-length of a box onto the unit axis n. */
export const radiusAlong = (b: OrientedBox, n: Vec3): number =>
  b.half[0] * Math.abs(dot(b.axes[0], n)) +
  b.half[1] * Math.abs(dot(b.axes[1], n)) +
  b.half[2] * Math.abs(dot(b.axes[2], n));

/**
 * Penetration depth of two boxes (m): the smallest overlap of their projections over the 15
 * separating-axis candidates (3 + 3 face normals, 9 edge cross products), 0 when any axis
 * separates them. For boxes this is exact: the depth by which one must move to separate.
 */
export function boxPenetrationM(a: OrientedBox, b: OrientedBox): number {
  const d = sub(b.center, a.center);
  const candidates: Vec3[] = [...a.axes, ...b.axes];
  for (const u of a.axes) {
    for (const v of b.axes) {
      const c = cross(u, v);
      const n = norm(c);
      if (n > 1e-6) candidates.push(scale(c, 1 / n));
    }
  }
  let depth = Number.POSITIVE_INFINITY;
  for (const n of candidates) {
    const overlap = radiusAlong(a, n) + radiusAlong(b, n) - Math.abs(dot(d, n));
    if (overlap <= 0) return 0;
    depth = Math.min(depth, overlap);
  }
  return depth;
}

/**
 * The gripper's housing and fingers as boxes in W, at TCP pose X_WG with the pads' inner faces at
 * `padsYM` along G's y axis (or, when the episode has only the opening, symmetric about the TCP).
 */
export function gripperBoxes(
  e: Embodiment,
  X_WG: Pose,
  apertureM: number,
  padsYM?: readonly [number, number],
  linkage?: GripperLinkage,
): NamedBox[] {
  if (linkage) {
    // Each side's linkage angle from where its pad is (the model's opening is symmetric).
    const [l, r] = padsYM ?? [-apertureM / 2, apertureM / 2];
    const parts = linkageBoxes(linkage, qForAperture(linkage, -2 * l), qForAperture(linkage, 2 * r));
    return parts.map((p) => {
      const X_WB = compose(X_WG, p.X_GB);
      return { id: p.part, box: orientedBox(X_WB, p.box.center, p.box.half) };
    });
  }
  const [px, py, pz] = e.palm.sizeM;
  const f = e.finger;
  const q = Math.max(0, Math.min(apertureM, e.strokeM)) / 2;
  const [left, right] = padsYM ?? [-q, q];
  const fingerHalf = [f.widthM / 2, f.thicknessM / 2, f.lengthM / 2] as const;
  return [
    {
      id: GRIPPER_IDS.palm,
      box: orientedBox(X_WG, vec3(0, 0, -e.tcpOffsetM + pz / 2), [px / 2, py / 2, pz / 2]),
    },
    { id: GRIPPER_IDS.left, box: orientedBox(X_WG, vec3(0, left - f.thicknessM / 2, 0), fingerHalf) },
    { id: GRIPPER_IDS.right, box: orientedBox(X_WG, vec3(0, right + f.thicknessM / 2, 0), fingerHalf) },
  ];
}

const UP = vec3(0, 0, 1);

/**
 * The lowest point of the gripper's housing and fingers (as `gripperBoxes` places them: the
 * linkage's parts where the embodiment is simulated from one) in W (m).
 */
export const lowestGripperZ = (
  e: Embodiment,
  X_WG: Pose,
  apertureM: number,
  linkage?: GripperLinkage,
): number =>
  Math.min(
    ...gripperBoxes(e, X_WG, apertureM, undefined, linkage).map(
      ({ box }) => box.center.z - radiusAlong(box, UP),
    ),
  );

/**
 * A human hand can lie flat on a table; a gripper whose fingers and housing hang below its TCP
 * cannot. Raises each step's TCP (straight up, orientation kept) just enough that no part of the
 * gripper (housing and fingers at that step's opening, as `gripperBoxes` places them) is lower
 * than `clearanceM` above the surface at `surfaceZ` (judged on `linkage`'s parts where the
 * embodiment is simulated from one). Returns the steps and the largest raise (m). `holds: false` leaves the steps with the jaws closed as they are (a hold raised off the object
 * it was planned on would close on air).
 */
export function clearOfSurface(
  steps: readonly TrajectoryStep[],
  embodiment: Embodiment,
  surfaceZ: number,
  {
    clearanceM = 0.005,
    linkage,
    holds = true,
  }: { clearanceM?: number; linkage?: GripperLinkage; holds?: boolean } = {},
): { steps: TrajectoryStep[]; maxRaiseM: number; stepsRaised: number } {
  let maxRaiseM = 0;
  let stepsRaised = 0;
  const raised = steps.map((s) => {
    if (s.grasp && !holds) return s;
    const raise =
      surfaceZ +
      clearanceM -
      lowestGripperZ(embodiment, poseFromJson(s.tcp), s.grasp ? 0 : s.apertureM, linkage);
    if (raise <= 0) return s;
    maxRaiseM = Math.max(maxRaiseM, raise);
    stepsRaised++;
    return {
      ...s,
      tcp: { ...s.tcp, pos: [s.tcp.pos[0], s.tcp.pos[1], s.tcp.pos[2] + raise] as [number, number, number] },
    };
  });
  return { steps: raised, maxRaiseM, stepsRaised };
}

/**
 * The scene's fixed geometry as boxes in W. Fixed spheres, cylinders and ellipsoids are given by
 * their bounding boxes (a conservative check: it may report contact where there is none, never
 * miss one); no built-in scene has any.
 */
export function fixedBoxes(scene: SceneSpec): NamedBox[] {
  const out: NamedBox[] = [];
  for (const item of scene.items) {
    if ("dynamic" in item && item.dynamic) continue;
    const X = "pose" in item ? poseFromJson(item.pose) : POSE_IDENTITY;
    const boxes = itemBoxes(item) ?? [
      { center: [0, 0, 0] as [number, number, number], half: boundingHalf(item) },
    ];
    for (const b of boxes) out.push({ id: item.id, box: orientedBox(X, fromArray3(b.center), b.half) });
  }
  return out;
}

function boundingHalf(item: SceneItem): [number, number, number] {
  switch (item.kind) {
    case "sphere":
      return [item.radiusM, item.radiusM, item.radiusM];
    case "cylinder":
      return [item.radiusM, item.radiusM, item.heightM / 2];
    case "ellipsoid":
      return [item.radiiM[0], item.radiiM[1], item.radiiM[2]];
    default:
      throw new Error(`no bounding box for scene item kind '${item.kind}'`);
  }
}

/** The deepest incursion of a gripper part into fixed scenery over an episode. */
export interface SceneryIncursion {
  /** Deepest penetration (m) over all steps and parts; 0 when the gripper stayed clear. */
  maxDepthM: number;
  /** Step index, gripper part and scene item of the deepest one (absent when clear). */
  step?: number;
  part?: string;
  item?: string;
  /** How many steps have some part deeper than `thresholdM`. */
  stepsOver: number;
}

/**
 * Checks every recorded step: the gripper at its measured pose and opening against the fixed
 * scenery. A gripper built from its robot model (`linkage`) is checked as boxes around each of its
 * parts, posed by the model's kinematics; the box gripper as its boxes. `thresholdM` only sets
 * what `stepsOver` counts.
 */
export function sceneryIncursion(
  steps: readonly EpisodeStep[],
  scene: SceneSpec,
  embodiment: Embodiment,
  linkage?: GripperLinkage,
  thresholdM = MAX_SCENERY_PENETRATION_M,
): SceneryIncursion {
  const fixed = fixedBoxes(scene);
  const result: SceneryIncursion = { maxDepthM: 0, stepsOver: 0 };
  steps.forEach((s, i) => {
    let stepMax = 0;
    const X_WG = poseFromJson(s.state.tcp);
    for (const g of gripperBoxes(embodiment, X_WG, s.state.apertureM, s.state.padsYM, linkage)) {
      for (const f of fixed) {
        const depth = boxPenetrationM(g.box, f.box);
        stepMax = Math.max(stepMax, depth);
        if (depth > result.maxDepthM)
          Object.assign(result, { maxDepthM: depth, step: i, part: g.id, item: f.id });
      }
    }
    if (stepMax > thresholdM) result.stepsOver++;
  });
  return result;
}
