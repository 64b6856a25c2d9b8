/**
 * Whether an arm could have carried the gripper along a recorded episode: inverse kinematics
 * (ik.ts) on each step's MEASURED tool pose, warm-started from the step before, from a base placed
 * in W; the first step it cannot reach; and every arm link, as the box around its collision
 * geometry in its own frame (conservative: the box encloses the link's convex hulls), tested
 * against the scene's fixed geometry at each step with the separating-axis test the gripper's own
 * clearance check uses. A kinematic check from the episode data alone: the arm's dynamics (torque
 * and velocity limits) are not part of it.
 */
import {
  type Pose,
  poseFromJson,
  qaxes,
  qfromAxisAngle,
  qrotate,
  transformPoint,
  type Vec3,
  vec3,
} from "../core/math.js";
import type { SceneSpec } from "../core/schemas/scene.js";
import {
  boxPenetrationM,
  fixedBoxes,
  MAX_SCENERY_PENETRATION_M,
  type NamedBox,
  type OrientedBox,
} from "../sim/scenery_clearance.js";
import { type ArmChain, linkPoses, solveIk } from "./ik.js";
import { collisionShapes } from "./load.js";

/** A link's collision geometry as one box in the link's frame. */
export interface LinkBox {
  link: string;
  center_L: Vec3;
  half: [number, number, number];
}

/** Franka's "ready" posture: the usual warm start of a Panda. */
export const PANDA_READY = [0, -Math.PI / 4, 0, (-3 * Math.PI) / 4, 0, Math.PI / 2, Math.PI / 4];

/**
 * The boxes (axis-aligned in each link's frame) around the collision geometry of the chain's arm
 * links: every link from the root up to, not including, the tip (the tip carries the gripper,
 * which the gripper's own check covers).
 */
export async function armLinkBoxes(chain: ArmChain): Promise<LinkBox[]> {
  const arm = new Set(chain.links.slice(0, -1));
  const lo = new Map<string, [number, number, number]>();
  const hi = new Map<string, [number, number, number]>();
  const grow = (link: string, p: Vec3) => {
    const a = lo.get(link) ?? [Infinity, Infinity, Infinity];
    const b = hi.get(link) ?? [-Infinity, -Infinity, -Infinity];
    [p.x, p.y, p.z].forEach((v, k) => {
      a[k] = Math.min(a[k]!, v);
      b[k] = Math.max(b[k]!, v);
    });
    lo.set(link, a);
    hi.set(link, b);
  };
  for (const c of await collisionShapes(chain.model)) {
    if (!arm.has(c.link)) continue;
    if (c.shape.kind === "convex") {
      const v = c.shape.hull.vertices;
      for (let i = 0; i < v.length; i += 3)
        grow(c.link, transformPoint(c.X_LG, vec3(v[i]!, v[i + 1]!, v[i + 2]!)));
    } else if (
      c.shape.kind === "box" ||
      c.shape.kind === "sphere" ||
      c.shape.kind === "capsule" ||
      c.shape.kind === "cylinder"
    ) {
      const s = c.shape;
      const h =
        s.kind === "box"
          ? [s.sizeM[0] / 2, s.sizeM[1] / 2, s.sizeM[2] / 2]
          : s.kind === "sphere"
            ? [s.radiusM, s.radiusM, s.radiusM]
            : [s.radiusM, s.radiusM, s.lengthM / 2 + (s.kind === "capsule" ? s.radiusM : 0)];
      for (const sx of [-1, 1])
        for (const sy of [-1, 1])
          for (const sz of [-1, 1])
            grow(c.link, transformPoint(c.X_LG, vec3(sx * h[0]!, sy * h[1]!, sz * h[2]!)));
    } else {
      throw new RangeError(
        `${chain.model.file}: link '${c.link}' has a ${c.shape.kind} collision shape, which the arm check cannot box`,
      );
    }
  }
  return [...lo.keys()].map((link) => {
    const a = lo.get(link)!;
    const b = hi.get(link)!;
    return {
      link,
      center_L: vec3((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2),
      half: [(b[0] - a[0]) / 2, (b[1] - a[1]) / 2, (b[2] - a[2]) / 2],
    };
  });
}

/** What following a tool path with the arm found. */
export interface ArmFollow {
  /** Joint positions per step, up to (not including) the first unreachable step. */
  joints: number[][];
  /** The first step the arm cannot reach (within ik.ts IK_TOLERANCE), and by how much. */
  unreachable?: { step: number; positionErrorM: number; rotationErrorRad: number };
  /** The deepest incursion of an arm link into fixed scenery over the reached steps. */
  incursion: { maxDepthM: number; step?: number; link?: string; item?: string; stepsOver: number };
}

/**
 * IK for one step, trying harder before calling a pose unreachable: from the warm start, then
 * with more iterations, then from the start posture `q0` (a warm start can lead into a corner of
 * the joint limits from which the pose is not found although it is reachable).
 */
function reach(chain: ArmChain, target: Pose, q: readonly number[], X_WB: Pose, q0: readonly number[]) {
  let r = solveIk(chain, target, q, X_WB);
  if (!r.reached) r = solveIk(chain, target, q, X_WB, { maxIterations: 300 });
  if (!r.reached) {
    const fresh = solveIk(chain, target, q0, X_WB, { maxIterations: 300 });
    if (fresh.reached || fresh.positionErrorM < r.positionErrorM) r = fresh;
  }
  return r;
}

/** The arm's link boxes in W at joint positions q. */
export function armBoxesAt(
  chain: ArmChain,
  boxes: readonly LinkBox[],
  q: readonly number[],
  X_WB: Pose,
): NamedBox[] {
  const poses = linkPoses(chain, q, X_WB);
  return boxes.map((b): NamedBox => {
    const X = poses.get(b.link)!;
    const box: OrientedBox = { center: transformPoint(X, b.center_L), axes: qaxes(X.q), half: b.half };
    return { id: b.link, box };
  });
}

/**
 * Follows the tool poses `path` (in W) with the arm based at X_WB, from `q0`, and checks its links
 * against the fixed scenery of `scene`. Stops at the first unreachable step.
 */
export function followToolPath(
  chain: ArmChain,
  boxes: readonly LinkBox[],
  X_WB: Pose,
  path: readonly Pose[],
  scene: SceneSpec,
  q0: readonly number[] = PANDA_READY,
): ArmFollow {
  const fixed = fixedBoxes(scene);
  const out: ArmFollow = { joints: [], incursion: { maxDepthM: 0, stepsOver: 0 } };
  let q = q0.slice();
  for (const [step, target] of path.entries()) {
    const r = reach(chain, target, q, X_WB, q0);
    if (!r.reached) {
      out.unreachable = { step, positionErrorM: r.positionErrorM, rotationErrorRad: r.rotationErrorRad };
      return out;
    }
    q = r.q;
    out.joints.push(q);
    let stepMax = 0;
    for (const a of armBoxesAt(chain, boxes, q, X_WB)) {
      for (const f of fixed) {
        const depth = boxPenetrationM(a.box, f.box);
        stepMax = Math.max(stepMax, depth);
        if (depth > out.incursion.maxDepthM)
          Object.assign(out.incursion, { maxDepthM: depth, step, link: a.id, item: f.id });
      }
    }
    if (stepMax > MAX_SCENERY_PENETRATION_M) out.incursion.stepsOver++;
  }
  return out;
}

/** The measured tool poses of an episode's steps. */
export const measuredToolPath = (
  steps: readonly { state: { tcp: { pos: number[]; quatXyzw: number[] } } }[],
): Pose[] => steps.map((s) => poseFromJson(s.state.tcp));

/**
 * A base for the arm under a tool path: facing the first pose's approach (its z axis), searched on
 * a coarse grid behind, beside and below the path's centre (never below the floor) for the
 * placement from which the longest run of every `every`-th pose, from the first, is reached in
 * order — with `clear`, a placement where
 * an arm link enters the fixed scenery at one of those poses does not count (first found wins a
 * tie). Undefined when no placement reaches any pose.
 */
export function placeBase(
  chain: ArmChain,
  path: readonly Pose[],
  o: { clear?: { scene: SceneSpec; boxes: readonly LinkBox[] }; every?: number; q0?: readonly number[] } = {},
): Pose | undefined {
  const every = o.every ?? 10;
  const q0 = o.q0 ?? PANDA_READY;
  const fixed = o.clear ? fixedBoxes(o.clear.scene) : [];
  const approach = qrotate(path[0]!.q, vec3(0, 0, 1));
  const yaw = Math.atan2(approach.y, approach.x);
  const n = path.length;
  const c = path.reduce((s, t) => vec3(s.x + t.p.x / n, s.y + t.p.y / n, s.z + t.p.z / n), vec3(0, 0, 0));
  const baseAt = (back: number, side: number, height: number): Pose => ({
    p: vec3(
      c.x - back * Math.cos(yaw) - side * Math.sin(yaw),
      c.y - back * Math.sin(yaw) + side * Math.cos(yaw),
      Math.max(0, c.z - height),
    ),
    q: qfromAxisAngle(vec3(0, 0, 1), yaw),
  });
  const intrudes = (q: readonly number[], X_WB: Pose) =>
    o.clear !== undefined &&
    armBoxesAt(chain, o.clear.boxes, q, X_WB).some((a) =>
      fixed.some((f) => boxPenetrationM(a.box, f.box) > MAX_SCENERY_PENETRATION_M),
    );
  const share = (X_WB: Pose) => {
    let q = q0.slice();
    let reached = 0;
    for (let k = 0; k < n; k += every) {
      // Cheap here (the grid is large): one solve per sample, a long one for the first.
      const r = solveIk(chain, path[k]!, q, X_WB, k === 0 ? { maxIterations: 300 } : {});
      q = r.q;
      // The path is followed in order: what counts is how far it gets.
      if (!r.reached) break;
      if (intrudes(q, X_WB)) return 0;
      reached++;
    }
    return reached / Math.ceil(n / every);
  };
  let best: Pose | undefined;
  let bestShare = 0;
  for (const back of [0.2, 0.35, 0.5, 0.65, 0.8])
    for (const side of [-0.45, -0.3, -0.15, 0, 0.15, 0.3, 0.45])
      for (const height of [0.2, 0.4, 0.6, 0.9]) {
        const X = baseAt(back, side, height);
        const s = share(X);
        if (s > bestShare) {
          bestShare = s;
          best = X;
        }
      }
  return best;
}
