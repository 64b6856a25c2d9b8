/**
 * Whether an arm could have carried the gripper along a recorded episode: inverse kinematics
 * (ik.ts) on each step's MEASURED tool pose, warm-started from the step before, from a base placed
 * in W; the first step it cannot reach; and every arm link, as the box around its collision
 * geometry in its own frame (conservative: the box encloses the link's convex hulls), tested
 * against the scene's fixed geometry at each step with the separating-axis test the gripper's own
 * clearance check uses. A kinematic check from the episode data alone: the arm's dynamics (torque
 * and velocity limits) are not part of it.
 */
import { type Pose, poseFromJson, qfromAxisAngle, qrotate, vec3 } from "../core/math.js";
import type { SceneSpec } from "../core/schemas/scene.js";
import { boxPenetrationM, fixedBoxes, MAX_SCENERY_PENETRATION_M } from "../sim/scenery_clearance.js";
import { armBoxesAt, type LinkBox } from "./arm_geometry.js";
import { type ArmChain, type IkResult, solveIk } from "./ik.js";

export { armBoxesAt, type LinkBox } from "./arm_geometry.js";

/** Franka's "ready" posture: the usual warm start of a Panda. */
export const PANDA_READY = [0, -Math.PI / 4, 0, (-3 * Math.PI) / 4, 0, Math.PI / 2, Math.PI / 4];

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
 * The null-space pull towards the comfortable posture when following a path, per solver
 * iteration: it acts at every control step, so it sets how fast the posture drifts home (a
 * joint 1 rad from comfort moves about 0.01 rad a step, 0.3 rad/s at 30 Hz), which must stay
 * well within the joints' speed limits.
 */
export const FOLLOW_POSTURE_GAIN = 0.01;

/**
 * IK for one step, trying harder before calling a pose unreachable: from the warm start, then
 * with more iterations, then (without a speed bound `maxDeltaRad`) from the start posture `q0` (a
 * warm start can lead into a corner of the joint limits from which the pose is not found although
 * it is reachable).
 */
export function reachPose(
  chain: ArmChain,
  target: Pose,
  q: readonly number[],
  X_WB: Pose,
  q0: readonly number[],
  maxDeltaRad?: readonly number[],
): IkResult {
  const postureGain = FOLLOW_POSTURE_GAIN;
  let r = solveIk(chain, target, q, X_WB, { maxDeltaRad, postureGain });
  if (!r.reached) r = solveIk(chain, target, q, X_WB, { maxIterations: 300, maxDeltaRad, postureGain });
  // A fresh start jumps; within a speed bound it cannot be taken. From the start posture, then
  // with the tool rolled a quarter or half turn (the last joint), and the base joint a quarter turn
  // either way: a pose the warm start cannot reach for a joint limit is often reached so (a mirrored
  // path, a gripper mounted at 45° on the flange).
  for (const seed of maxDeltaRad ? [] : freshStarts(q0)) {
    if (r.reached) break;
    const fresh = solveIk(chain, target, seed, X_WB, { maxIterations: 300, postureGain });
    if (fresh.reached || fresh.positionErrorM < r.positionErrorM) r = fresh;
  }
  return r;
}

/** Where a fresh solve starts: q0, then q0 with its last joint, or its first, turned. */
function freshStarts(q0: readonly number[]): number[][] {
  const n = q0.length;
  const turned = (k: number, by: number) => q0.map((v, i) => (i === k ? v + by : v));
  return [
    q0.slice(),
    turned(n - 1, Math.PI / 2),
    turned(n - 1, -Math.PI / 2),
    turned(n - 1, Math.PI),
    turned(n - 1, -Math.PI),
    turned(0, Math.PI / 2),
    turned(0, -Math.PI / 2),
  ];
}

/** How deep the arm at joint positions q, based at X_WB, is inside fixed scenery, and where. */
export type ArmDepth = (q: readonly number[], X_WB: Pose) => { depthM: number; link?: string; item?: string };

/** The arm's link boxes against the scene's fixed boxes (conservative: a box encloses its link). */
export function boxDepth(chain: ArmChain, boxes: readonly LinkBox[], scene: SceneSpec): ArmDepth {
  const fixed = fixedBoxes(scene);
  return (q, X_WB) => {
    const out: ReturnType<ArmDepth> = { depthM: 0 };
    for (const a of armBoxesAt(chain, boxes, q, X_WB)) {
      for (const f of fixed) {
        const depth = boxPenetrationM(a.box, f.box);
        if (depth > out.depthM) Object.assign(out, { depthM: depth, link: a.id, item: f.id });
      }
    }
    return out;
  };
}

/**
 * Follows the tool poses `path` (in W) with the arm based at X_WB, from `q0`, and checks its links
 * against the fixed scenery of `scene` (as boxes, unless `depth` is given). Stops at the first
 * unreachable step.
 */
export function followToolPath(
  chain: ArmChain,
  boxes: readonly LinkBox[],
  X_WB: Pose,
  path: readonly Pose[],
  scene: SceneSpec,
  q0: readonly number[] = PANDA_READY,
  depth: ArmDepth = boxDepth(chain, boxes, scene),
): ArmFollow {
  const out: ArmFollow = { joints: [], incursion: { maxDepthM: 0, stepsOver: 0 } };
  let q = q0.slice();
  for (const [step, target] of path.entries()) {
    const r = reachPose(chain, target, q, X_WB, q0);
    if (!r.reached) {
      out.unreachable = { step, positionErrorM: r.positionErrorM, rotationErrorRad: r.rotationErrorRad };
      return out;
    }
    q = r.q;
    out.joints.push(q);
    const d = depth(q, X_WB);
    if (d.depthM > out.incursion.maxDepthM)
      Object.assign(out.incursion, { maxDepthM: d.depthM, step, link: d.link, item: d.item });
    if (d.depthM > MAX_SCENERY_PENETRATION_M) out.incursion.stepsOver++;
  }
  return out;
}

/** The measured tool poses of an episode's steps. */
export const measuredToolPath = (
  steps: readonly { state: { tcp: { pos: number[]; quatXyzw: number[] } } }[],
): Pose[] => steps.map((s) => poseFromJson(s.state.tcp));

/**
 * A base for the arm under a tool path: searched on rings around the path's centre (every 30°,
 * from behind the first pose's approach), facing the centre, at pedestal heights from the floor up
 * to 0.75 m, for the
 * placement from which the longest run of every `every`-th pose, from the first, is reached in
 * order — with `clear` (or `depth`), a run ends where an arm link enters the fixed scenery (first
 * found wins a tie); with `refine`, the best few are ranked again on every pose. Undefined when no
 * placement reaches any pose (with `fallback`, the first placement whose base stands clear).
 */
/** The pedestal heights (m) a base search tries: the floor, then columns of 15 cm steps. */
const PEDESTAL_HEIGHTS_M = [0, 0.15, 0.3, 0.45, 0.6, 0.75];

export function placeBase(
  chain: ArmChain,
  path: readonly Pose[],
  o: {
    clear?: { scene: SceneSpec; boxes: readonly LinkBox[] };
    /** Replaces the box test of `clear`: how deep the arm is in the scenery. */
    depth?: ArmDepth;
    /** Whether the base itself (e.g. its pedestal) stands clear at X_WB. */
    baseClear?: (X_WB: Pose) => boolean;
    every?: number;
    /**
     * How many of the best placements are checked again on every pose, in order, until one
     * follows the whole path (0: none).
     */
    refine?: number;
    /** When no placement reaches a pose: the first whose base stands clear, rather than none. */
    fallback?: boolean;
    /** The largest change of each joint from one pose to the next (rad). */
    maxStepRad?: readonly number[];
    q0?: readonly number[];
  } = {},
): Pose | undefined {
  const every = o.every ?? 10;
  const q0 = o.q0 ?? PANDA_READY;
  const depth = o.depth ?? (o.clear ? boxDepth(chain, o.clear.boxes, o.clear.scene) : undefined);
  const approach = qrotate(path[0]!.q, vec3(0, 0, 1));
  // Facing the first approach where it is not vertical; else along x.
  const yaw0 = Math.hypot(approach.x, approach.y) > 0.1 ? Math.atan2(approach.y, approach.x) : 0;
  const n = path.length;
  const c = path.reduce((s, t) => vec3(s.x + t.p.x / n, s.y + t.p.y / n, s.z + t.p.z / n), vec3(0, 0, 0));
  // On a ring of radius r around the path's centre, at azimuth a from behind the approach, facing the centre.
  const baseAt = (r: number, a: number, pedestal: number): Pose => {
    const yaw = yaw0 + a;
    return {
      p: vec3(c.x - r * Math.cos(yaw), c.y - r * Math.sin(yaw), pedestal),
      q: qfromAxisAngle(vec3(0, 0, 1), yaw),
    };
  };
  const intrudes = (q: readonly number[], X_WB: Pose) =>
    depth !== undefined && depth(q, X_WB).depthM > MAX_SCENERY_PENETRATION_M;
  const share = (X_WB: Pose, every: number) => {
    let q = q0.slice();
    let reached = 0;
    for (let k = 0; k < n; k += every) {
      // Cheap here (the grid is large): one solve per sample, a long one for the first.
      // Sampled every `every` poses, a joint may move `every` times as far between samples.
      const bound = k > 0 ? o.maxStepRad?.map((d) => d * every) : undefined;
      const r = solveIk(
        chain,
        path[k]!,
        q,
        X_WB,
        k === 0
          ? { maxIterations: 300, postureGain: FOLLOW_POSTURE_GAIN }
          : { postureGain: FOLLOW_POSTURE_GAIN, maxDeltaRad: bound },
      );
      q = r.q;
      // The path is followed in order: what counts is how far it gets.
      if (!r.reached) break;
      if (intrudes(q, X_WB)) break;
      reached++;
    }
    return reached / Math.ceil(n / every);
  };
  const ranked: { X: Pose; share: number }[] = [];
  for (const r of [0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
    for (let k = 0; k < 12; k++)
      for (const pedestal of PEDESTAL_HEIGHTS_M) {
        // Behind the approach first: ties go to the placement facing the work.
        const a = ((k % 2 === 0 ? 1 : -1) * Math.ceil(k / 2) * Math.PI) / 6;
        const X = baseAt(r, a, pedestal);
        if (o.baseClear && !o.baseClear(X)) continue;
        const s = share(X, every);
        if (s > 0 || (o.fallback && ranked.length === 0)) ranked.push({ X, share: s });
      }
  // Stable: among equals, the first found stays first.
  ranked.sort((a, b) => b.share - a.share);
  // The best few again on every pose: a sampled path can miss a short incursion between samples,
  // and the arm's posture along it depends on the steps it is warm-started from.
  if (!o.refine) return ranked[0]?.X;
  let best: { X: Pose; share: number } | undefined;
  for (const r of ranked.slice(0, o.refine)) {
    const full = { X: r.X, share: share(r.X, 1) };
    if (!best || full.share > best.share) best = full;
    if (full.share === 1) break;
  }
  return best?.X;
}
