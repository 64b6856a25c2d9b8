/**
 * The kinematic-tree robot model that the URDF and MJCF importers produce.
 *
 * Frames: every link L has a frame; `X_PL` is its pose in its parent link's frame P with all
 * joints at zero. A joint moves its link relative to the parent: X_PL(q) = X_PL ∘ M(q), where M is
 * a rotation by q about `axis_L` through `anchor_L` (revolute/continuous) or a translation q·axis_L
 * (prismatic); both vectors are in L's frame at q = 0 (URDF: the joint frame is the child frame, so
 * the anchor is 0; MJCF: joint `pos`/`axis` are given in the body frame). An MJCF body may carry
 * several joints (applied in document order) or none (welded to its parent).
 *
 * Units SI; quaternions {x, y, z, w}; geometry sizes are FULL extents for boxes and cylinder /
 * capsule lengths (URDF's convention; MJCF half-sizes are doubled on import), semi-axes for
 * ellipsoids.
 */
import type { Pose, Vec3 } from "../core/math.js";

export type RobotFormat = "urdf" | "mjcf";

export type JointType = "revolute" | "continuous" | "prismatic" | "fixed" | "floating" | "planar" | "ball";

export interface JointLimits {
  /** Position limits (rad or m). */
  lower: number;
  upper: number;
  /** Effort (N·m or N) and velocity (rad/s or m/s) limits, when the file gives them. */
  effort?: number;
  velocity?: number;
}

export interface RobotJoint {
  name: string;
  type: JointType;
  /** The link this joint moves, and the link it is attached to. */
  link: string;
  parent: string;
  /** Unit axis in the link frame (zero vector for fixed, floating and ball joints). */
  axis_L: Vec3;
  /** A point on the axis, in the link frame. */
  anchor_L: Vec3;
  limits?: JointLimits;
  /** q = multiplier · q_source + offset (URDF `<mimic>`, MJCF linear `<equality><joint>`). */
  mimic?: { joint: string; multiplier: number; offset: number };
}

export type GeometryShape =
  | { kind: "box"; sizeM: [number, number, number] }
  | { kind: "sphere"; radiusM: number }
  | { kind: "cylinder"; radiusM: number; lengthM: number }
  | { kind: "capsule"; radiusM: number; lengthM: number }
  | { kind: "ellipsoid"; radiiM: [number, number, number] }
  | { kind: "plane" }
  /** A mesh file (absolute path) and the scale applied to its vertices. */
  | { kind: "mesh"; file: string; scale: [number, number, number]; name?: string };

export interface Geometry {
  name?: string;
  /** Pose of the geometry in its link's frame. */
  X_LG: Pose;
  shape: GeometryShape;
  /** Coulomb (sliding) friction, when the file gives one (MJCF). */
  friction?: number;
  /** Mass assigned to the geometry, when the file gives one (MJCF). */
  massKg?: number;
}

export interface Inertial {
  massKg: number;
  /** Pose of the inertia frame I (origin at the centre of mass) in the link frame. */
  X_LI: Pose;
  /** Inertia tensor about the centre of mass, in frame I (kg·m²). */
  inertia: { ixx: number; iyy: number; izz: number; ixy: number; ixz: number; iyz: number };
}

export interface RobotLink {
  name: string;
  /** Parent link name; null for the root. */
  parent: string | null;
  /** Pose of this link in its parent's frame at q = 0 (identity for the root). */
  X_PL: Pose;
  /** Joints between the parent and this link, applied in order (empty: welded or root). */
  joints: string[];
  inertial?: Inertial;
  visuals: Geometry[];
  collisions: Geometry[];
}

export interface RobotModel {
  name: string;
  format: RobotFormat;
  /** The file the model was read from (absolute). */
  file: string;
  /** Links in topological order: every parent before its children; `links[0]` is the root. */
  links: RobotLink[];
  joints: RobotJoint[];
  /**
   * What the importer read but did not turn into the model, one line each (MJCF tendons,
   * equality constraints other than linear joint couplings, actuators; URDF transmissions…).
   */
  ignored: string[];
}

export function linkNamed(model: RobotModel, name: string): RobotLink {
  const link = model.links.find((l) => l.name === name);
  if (!link) throw new RangeError(`${model.file}: no link named '${name}'`);
  return link;
}

export function jointNamed(model: RobotModel, name: string): RobotJoint {
  const joint = model.joints.find((j) => j.name === name);
  if (!joint) throw new RangeError(`${model.file}: no joint named '${name}'`);
  return joint;
}

/** Every mesh file the model references (visual and collision), deduplicated, in order of appearance. */
export function meshFiles(model: RobotModel): string[] {
  const files = new Set<string>();
  for (const l of model.links)
    for (const g of [...l.visuals, ...l.collisions]) if (g.shape.kind === "mesh") files.add(g.shape.file);
  return [...files];
}
