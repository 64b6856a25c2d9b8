/**
 * Forward kinematics of a RobotModel: the pose of every link for given joint positions.
 */
import {
  add,
  compose,
  POSE_IDENTITY,
  type Pose,
  QUAT_IDENTITY,
  qfromAxisAngle,
  qrotate,
  scale,
  sub,
  ZERO3,
} from "../core/math.js";
import type { RobotJoint, RobotModel } from "./robot_model.js";

/** Joint positions by joint name (rad or m). */
export type JointPositions = Readonly<Record<string, number>>;

/**
 * The displacement M(q) a one-degree-of-freedom joint applies in its link frame: a rotation by q
 * about `axis_L` through `anchor_L`, or a translation q·axis_L. Multi-DoF joints (floating, ball,
 * planar) are not parametrised by one number and stay at their zero pose.
 */
export function jointMotion(j: RobotJoint, q: number): Pose {
  switch (j.type) {
    case "revolute":
    case "continuous": {
      if (q === 0) return POSE_IDENTITY;
      const r = qfromAxisAngle(j.axis_L, q);
      return { p: sub(j.anchor_L, qrotate(r, j.anchor_L)), q: r };
    }
    case "prismatic":
      return { p: scale(j.axis_L, q), q: QUAT_IDENTITY };
    default:
      return POSE_IDENTITY;
  }
}

/**
 * The position of a joint: given, else from the joint it mimics (q = multiplier·q_src + offset,
 * recursively), else 0.
 */
export function jointPosition(model: RobotModel, q: JointPositions, name: string, depth = 0): number {
  const given = q[name];
  if (given !== undefined) return given;
  const j = model.joints.find((k) => k.name === name);
  if (!j?.mimic) return 0;
  if (depth > model.joints.length)
    throw new RangeError(`${model.file}: mimic joints form a cycle at '${name}'`);
  return j.mimic.multiplier * jointPosition(model, q, j.mimic.joint, depth + 1) + j.mimic.offset;
}

/**
 * Pose X_WL of every link, by name, with the root link at X_WR.
 * @param q joint positions by name; missing ones follow their mimic source or are 0
 */
export function forwardKinematics(
  model: RobotModel,
  q: JointPositions = {},
  X_WR: Pose = POSE_IDENTITY,
): Map<string, Pose> {
  const poses = new Map<string, Pose>();
  const joints = new Map(model.joints.map((j) => [j.name, j]));
  for (const link of model.links) {
    if (link.parent === null) {
      poses.set(link.name, X_WR);
      continue;
    }
    let X = compose(poses.get(link.parent)!, link.X_PL);
    for (const name of link.joints)
      X = compose(X, jointMotion(joints.get(name)!, jointPosition(model, q, name)));
    poses.set(link.name, X);
  }
  return poses;
}

/** A point given in link L's frame, in W: p_W = X_WL · p_L. */
export const pointInWorld = (X_WL: Pose, p_L = ZERO3) => add(X_WL.p, qrotate(X_WL.q, p_L));
