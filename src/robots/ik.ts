/**
 * Inverse kinematics of a serial arm (a RobotModel chain of revolute joints from its base to a
 * tool frame): damped least squares on the geometric Jacobian, joint limits enforced at every
 * iteration, warm-started from the previous control step's solution, and a null-space pull
 * towards a comfortable posture (it changes the joints without moving the tool). A target the arm
 * cannot reach within tolerance is reported as such (`reached: false`, with the remaining error),
 * never silently replaced.
 *
 * Frames: W is the frame the arm's base is placed in (`X_WB`); the tool frame T is fixed to the
 * chain's last link (`X_LT`, e.g. the flange → TCP mount).
 */
import {
  compose,
  cross,
  norm,
  POSE_IDENTITY,
  type Pose,
  qconj,
  qmul,
  qrotate,
  qtoAxisAngle,
  sub,
  transformPoint,
  type Vec3,
} from "../core/math.js";
import { jointMotion } from "./kinematics.js";
import type { RobotJoint, RobotLink, RobotModel } from "./robot_model.js";

/** A serial chain of a model: the revolute joints from the root to `tip`, in order. */
export interface ArmChain {
  model: RobotModel;
  joints: RobotJoint[];
  /** Link names from the root to the tip (each link once). */
  links: string[];
  tip: string;
  /** The tool frame in the tip link's frame. */
  X_LT: Pose;
  lower: number[];
  upper: number[];
  /** The posture the null space is pulled towards (default: the middle of each joint's range). */
  comfort: number[];
}

/** Damping of the null-space projection (m): small, so that the posture pull barely moves the tool. */
const NULL_SPACE_DAMPING = 1e-3;

/** Error under which a target counts as reached: 2 mm and 1°. */
export const IK_TOLERANCE = { positionM: 0.002, rotationRad: Math.PI / 180 } as const;

export interface IkOptions {
  /** Damping λ (m): the step is Jᵀ(JJᵀ + λ²I)⁻¹e. */
  damping?: number;
  maxIterations?: number;
  /** Gain of the null-space pull towards `comfort` (per iteration). */
  postureGain?: number;
  /** Largest joint change per iteration (rad). */
  maxStepRad?: number;
  /** Weight of rotation error against position error (m per rad). */
  rotationWeightM?: number;
  /**
   * The largest change of each joint from the warm start (rad): a speed limit over one control
   * period. The solve keeps within it as within the joint limits.
   */
  maxDeltaRad?: readonly number[];
}

export interface IkResult {
  q: number[];
  reached: boolean;
  positionErrorM: number;
  rotationErrorRad: number;
  iterations: number;
}

/**
 * The chain of `model` from its root to link `tip`: every link on the way may carry at most one
 * joint, which must be revolute (fixed links are welded in).
 */
export function armChain(
  model: RobotModel,
  tip: string,
  X_LT: Pose = POSE_IDENTITY,
  comfort?: number[],
): ArmChain {
  const byName = new Map(model.links.map((l) => [l.name, l]));
  const jointsByName = new Map(model.joints.map((j) => [j.name, j]));
  const links: string[] = [];
  for (let l = byName.get(tip); l; l = l.parent === null ? undefined : byName.get(l.parent))
    links.unshift(l.name);
  if (links.length === 0 || links[links.length - 1] !== tip)
    throw new RangeError(`${model.file}: no link named '${tip}'`);
  const joints: RobotJoint[] = [];
  for (const name of links) {
    const link = byName.get(name)!;
    if (link.joints.length > 1)
      throw new RangeError(
        `${model.file}: link '${name}' has ${link.joints.length} joints; an arm chain takes one per link`,
      );
    for (const jn of link.joints) {
      const j = jointsByName.get(jn)!;
      if (j.type !== "revolute")
        throw new RangeError(`${model.file}: joint '${jn}' is ${j.type}; an arm chain takes revolute joints`);
      if (!j.limits) throw new RangeError(`${model.file}: joint '${jn}' has no limits`);
      joints.push(j);
    }
  }
  const lower = joints.map((j) => j.limits!.lower);
  const upper = joints.map((j) => j.limits!.upper);
  const mid = joints.map((_, i) => (lower[i]! + upper[i]!) / 2);
  if (comfort && comfort.length !== joints.length)
    throw new RangeError(`comfort posture has ${comfort.length} values for ${joints.length} joints`);
  return { model, joints, links, tip, X_LT, lower, upper, comfort: comfort ?? mid };
}

/** The joints' positions as the model's named map. */
export const namedJoints = (chain: ArmChain, q: readonly number[]): Record<string, number> =>
  Object.fromEntries(chain.joints.map((j, i) => [j.name, q[i]!]));

/** The model's links by name, made once per model (the IK's inner loop walks the chain by name). */
const linksByName = new WeakMap<RobotModel, Map<string, RobotLink>>();
export function linkNamed(model: RobotModel): Map<string, RobotLink> {
  let m = linksByName.get(model);
  if (!m) {
    m = new Map(model.links.map((l) => [l.name, l]));
    linksByName.set(model, m);
  }
  return m;
}

/**
 * Tool pose and, per joint, its axis and a point on it, in W; with `links`, every chain link's
 * pose in W is put there.
 */
export function chainState(chain: ArmChain, q: readonly number[], X_WB: Pose, links?: Map<string, Pose>) {
  const byName = linkNamed(chain.model);
  let X = X_WB;
  let k = 0;
  const axes: { a: Vec3; o: Vec3 }[] = [];
  for (const [i, name] of chain.links.entries()) {
    const link = byName.get(name)!;
    if (i > 0) X = compose(X, link.X_PL);
    for (const _ of link.joints) {
      const j = chain.joints[k]!;
      // The axis through the anchor, both in the link frame at q = 0 (before this joint's motion).
      axes.push({ a: qrotate(X.q, j.axis_L), o: transformPoint(X, j.anchor_L) });
      X = compose(X, jointMotion(j, q[k]!));
      k++;
    }
    links?.set(name, X);
  }
  return { X_WT: compose(X, chain.X_LT), axes };
}

/** Forward kinematics of the tool frame. */
export const toolPose = (chain: ArmChain, q: readonly number[], X_WB: Pose = POSE_IDENTITY): Pose =>
  chainState(chain, q, X_WB).X_WT;

/** Every link's pose of the chain in W (for collision geometry and drawing). */
export function linkPoses(
  chain: ArmChain,
  q: readonly number[],
  X_WB: Pose = POSE_IDENTITY,
): Map<string, Pose> {
  const out = new Map<string, Pose>();
  chainState(chain, q, X_WB, out);
  return out;
}

/** Solves A x = b in place for a small symmetric positive definite A (Cholesky); returns x. */
function solveSpd(A: number[][], b: number[]): number[] {
  const n = b.length;
  const L = A.map((r) => r.slice());
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = L[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j]![j]!;
    }
  }
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i]![k]! * y[k]!;
    y[i] = s / L[i]![i]!;
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k]![i]! * x[k]!;
    x[i] = s / L[i]![i]!;
  }
  return x;
}

/** Pose error of the tool from its target: position (m) and rotation vector (rad), both in W. */
function poseError(X: Pose, target: Pose): { dp: Vec3; dr: Vec3 } {
  return { dp: sub(target.p, X.p), dr: qtoAxisAngle(qmul(target.q, qconj(X.q))) };
}

/**
 * One damped least-squares step: dq = Jᵀ(JJᵀ + λ²I)⁻¹ e for the task, plus the posture pull z
 * projected onto the null space, z − Jᵀ(JJᵀ + μ²I)⁻¹ J z, with a damping μ far below λ so that the
 * projection is (almost) exact and the pull does not fight the task.
 */
function dlsStep(J: number[][], e: number[], z: number[], lambda: number): number[] {
  const n = z.length;
  const gram = (damping: number) =>
    Array.from({ length: 6 }, (_, r) =>
      Array.from({ length: 6 }, (_, c) => {
        let s = r === c ? damping * damping : 0;
        for (let k = 0; k < n; k++) s += J[r]![k]! * J[c]![k]!;
        return s;
      }),
    );
  const JT = (y: number[]) =>
    Array.from({ length: n }, (_, k) => {
      let s = 0;
      for (let r = 0; r < 6; r++) s += J[r]![k]! * y[r]!;
      return s;
    });
  const task = JT(solveSpd(gram(lambda), e));
  const Jz = J.map((row) => row.reduce((s, v, k) => s + v * z[k]!, 0));
  const leak = JT(solveSpd(gram(NULL_SPACE_DAMPING), Jz));
  return task.map((d, k) => d + z[k]! - leak[k]!);
}

/**
 * Joint positions that put the tool at `target` (in W, base at X_WB), starting from `q0` (the
 * previous step's solution), within the joint limits (and `maxDeltaRad` of q0, when given).
 */
export function solveIk(
  chain: ArmChain,
  target: Pose,
  q0: readonly number[],
  X_WB: Pose = POSE_IDENTITY,
  o: IkOptions = {},
): IkResult {
  const n = chain.joints.length;
  const lambda = o.damping ?? 0.02;
  const maxIt = o.maxIterations ?? 60;
  const postureGain = o.postureGain ?? 0.05;
  const maxStep = o.maxStepRad ?? 0.3;
  const w = o.rotationWeightM ?? 0.2;
  const d = o.maxDeltaRad;
  const lower = d ? chain.lower.map((l, i) => Math.max(l, q0[i]! - d[i]!)) : chain.lower;
  const upper = d ? chain.upper.map((u, i) => Math.min(u, q0[i]! + d[i]!)) : chain.upper;
  const q = q0.map((v, i) => Math.min(upper[i]!, Math.max(lower[i]!, v)));
  let it = 0;
  let state = chainState(chain, q, X_WB);
  let err = poseError(state.X_WT, target);
  for (; it < maxIt; it++) {
    // At least one iteration: the posture pull acts at every call (every control step) even where
    // the warm start already reaches the target.
    const converged =
      norm(err.dp) < IK_TOLERANCE.positionM * 0.25 && norm(err.dr) < IK_TOLERANCE.rotationRad * 0.25;
    if (converged && it > 0) break;
    // Geometric Jacobian rows: linear velocity of the tool point, then angular velocity (scaled by w).
    const J: number[][] = Array.from({ length: 6 }, () => new Array<number>(n).fill(0));
    for (let k = 0; k < n; k++) {
      const { a, o: origin } = state.axes[k]!;
      const v = cross(a, sub(state.X_WT.p, origin));
      J[0]![k] = v.x;
      J[1]![k] = v.y;
      J[2]![k] = v.z;
      J[3]![k] = w * a.x;
      J[4]![k] = w * a.y;
      J[5]![k] = w * a.z;
    }
    const e = [err.dp.x, err.dp.y, err.dp.z, w * err.dr.x, w * err.dr.y, w * err.dr.z];
    const z = q.map((v, k) => postureGain * (chain.comfort[k]! - v));
    // A joint at a limit that the step pushes further is taken out of the problem (its column
    // zeroed) and the step solved again: the other joints make up for it instead of the clamp
    // stalling the solve.
    const locked = new Array<boolean>(n).fill(false);
    let dq = dlsStep(J, e, z, lambda);
    for (;;) {
      const stuck = dq.findIndex(
        (d, k) => !locked[k] && ((q[k]! <= lower[k]! && d < 0) || (q[k]! >= upper[k]! && d > 0)),
      );
      if (stuck < 0) break;
      locked[stuck] = true;
      for (const row of J) row[stuck] = 0;
      z[stuck] = 0;
      dq = dlsStep(J, e, z, lambda);
    }
    const largest = Math.max(...dq.map(Math.abs));
    const f = largest > maxStep ? maxStep / largest : 1;
    for (let k = 0; k < n; k++) q[k] = Math.min(upper[k]!, Math.max(lower[k]!, q[k]! + f * dq[k]!));
    state = chainState(chain, q, X_WB);
    err = poseError(state.X_WT, target);
  }
  const positionErrorM = norm(err.dp);
  const rotationErrorRad = norm(err.dr);
  return {
    q,
    reached: positionErrorM <= IK_TOLERANCE.positionM && rotationErrorRad <= IK_TOLERANCE.rotationRad,
    positionErrorM,
    rotationErrorRad,
    iterations: it,
  };
}
