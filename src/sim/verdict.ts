/**
 * Success predicates over a recorded rollout. Every reason is re-derived from the episode's own
 * steps (commands, measured gripper state, object poses, contacts) and the scene, so a reviewer
 * can check it from the file: nothing here reads the physics engine.
 */
import {
  fromArray3,
  invert,
  norm,
  poseFromJson,
  qangle,
  qfromXyzw,
  qrotate,
  sub,
  transformPoint,
  vec3,
} from "../core/math.js";
import type { PoseJson } from "../core/schemas/common.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { Episode, EpisodeStep } from "../core/schemas/episode.js";
import type { SceneSpec } from "../core/schemas/scene.js";
import type { ArmFindings } from "./arm.js";
import { GRIPPER_IDS } from "./gripper.js";
import type { GripperLinkage } from "./linkage_gripper.js";
import { MAX_SCENERY_PENETRATION_M, sceneryIncursion } from "./scenery_clearance.js";

export interface Verdict {
  success: boolean;
  reasons: string[];
  metrics: Record<string, number>;
}

/**
 * A second check of a simulated success (e.g. the same commands in another engine): a reason to
 * reject it, or null to keep it, with the figures behind the decision.
 */
export interface Validation {
  reject: string | null;
  metrics: Record<string, number>;
}
export type EpisodeValidator = (e: Episode) => Promise<Validation>;

/** Which engines must agree for a generated variant to count (`--validate`, `augment.validate`). */
export const VALIDATE_ENGINES = ["rapier", "both"] as const;
export type ValidateEngines = (typeof VALIDATE_ENGINES)[number];

/** Reasons that describe what went right; any other reason is a failure. */
export const POSITIVE_REASONS: ReadonlySet<string> = new Set([
  "grasped",
  "lifted",
  "slid",
  "placed_in_region",
  "held_at_end",
]);

/**
 * Failures of the motion itself: a collision (which stops the arm: see PROTECTIVE_STOP_HOLD_S) or
 * a gripper inside fixed scenery. What a verdict says after one (not released, not placed…) is
 * its consequence, not its cause.
 */
const MOTION_FAILURES = [
  "unreachable",
  "arm_collision",
  "joint_speed_limit",
  "joint_torque_limit",
  "hard_collision",
  "scenery_penetration",
];

/**
 * The reason a failed episode is counted under: a physics fault, else a failure of the motion
 * itself, else the first reason that does not describe what went right.
 */
export function failureCause(reasons: readonly string[]): string {
  return (
    reasons.find((r) => r.startsWith("physics_fault")) ??
    MOTION_FAILURES.find((r) => reasons.includes(r)) ??
    reasons.find((r) => !POSITIVE_REASONS.has(r)) ??
    "unknown"
  );
}

/** Minimum normal force (N) for a finger–object contact to count as holding. */
export const HOLD_FORCE_N = 0.5;
/**
 * Carried: while held, the gripper travels at least CARRY_TRAVEL_M (m) and the object comes
 * along: its position in the gripper frame drifts by less than CARRY_FOLLOW of that travel (a
 * grip that slides a little on a long carry still carries; a clamp that stays behind does not).
 */
export const CARRY_TRAVEL_M = 0.02;
export const CARRY_FOLLOW = 0.5;
/** "At rest in the grip": the object's speed relative to the TCP below this (m/s). */
export const GRIP_REST_SPEED_MPS = 0.05;
/** At rest: linear and angular speed below these (m/s, rad/s) ... */
export const REST_SPEED_MPS = 0.02;
export const REST_ANGULAR_SPEED_RADPS = 0.3;
/** ... for at least this long (s), at the end of the episode, after the release. */
export const REST_WINDOW_S = 0.5;
/** Released faster than this (m/s), the object was thrown, not placed. */
export const THROW_SPEED_MPS = 0.5;
/** Tilted further than this from its start attitude (rad), a placed object has toppled. */
export const TOPPLE_RAD = (30 * Math.PI) / 180;
/** A slide task's default: the target moves at least this far along the surface (m). */
export const SLIDE_MIN_M = 0.05;
/** Another object moved further than this (m), or toppled: the robot disturbed the scene. */
export const DISTURB_M = 0.03;

const GRIPPER_SET: ReadonlySet<string> = new Set(Object.values(GRIPPER_IDS));

const touching = (step: EpisodeStep, a: string, b: string): boolean =>
  step.contacts.some(
    (c) => ((c.a === a && c.b === b) || (c.a === b && c.b === a)) && c.forceN >= HOLD_FORCE_N,
  );

/** Both fingers press on the target (contact only: what a controller could sense, not a verdict). */
export const isGrasped = (step: EpisodeStep, targetId: string): boolean =>
  touching(step, GRIPPER_IDS.left, targetId) && touching(step, GRIPPER_IDS.right, targetId);

/** Any part of the gripper is in contact with the body (any recorded force). */
export const touchesGripper = (step: EpisodeStep, id: string): boolean =>
  step.contacts.some((c) => (c.a === id || c.b === id) && (GRIPPER_SET.has(c.a) || GRIPPER_SET.has(c.b)));

/** Held: the close is commanded and both fingers press on the target. */
const isHeld = (step: EpisodeStep, targetId: string): boolean =>
  step.action.grasp && isGrasped(step, targetId);

const UP = vec3(0, 0, 1);
/** Angle (rad) between the body's local z axis now and at the start. */
const tilt = (a: PoseJson, b: PoseJson): number => {
  const ua = qrotate(qfromXyzw(a.quatXyzw), UP);
  const ub = qrotate(qfromXyzw(b.quatXyzw), UP);
  return Math.acos(Math.max(-1, Math.min(1, ua.x * ub.x + ua.y * ub.y + ua.z * ub.z)));
};

/** Linear and angular speed of body `id` between steps k − 1 and k (m/s, rad/s). */
function speeds(steps: readonly EpisodeStep[], id: string, k: number): { v: number; w: number } {
  const a = steps[k - 1]!;
  const b = steps[k]!;
  const dt = Math.max(b.t - a.t, 1e-6);
  const pa = a.objects[id]!;
  const pb = b.objects[id]!;
  const v = norm(sub(fromArray3(pb.pos), fromArray3(pa.pos))) / dt;
  return { v, w: qangle(qfromXyzw(pa.quatXyzw), qfromXyzw(pb.quatXyzw)) / dt };
}

/** The target's position in the gripper frame G at step k. */
const inGripper = (s: EpisodeStep, id: string) =>
  transformPoint(invert(poseFromJson(s.state.tcp)), fromArray3(s.objects[id]!.pos));

interface GraspAnalysis {
  heldSteps: number;
  /** Steps where both fingers pressed on the target without a commanded close. */
  uncommandedSteps: number;
  /** Held stretches during which the object moved with the gripper. */
  carried: { from: number; to: number }[];
  /** Highest rise of the target above its start while carried and at rest in the grip (m). */
  maxLiftM: number;
}

function analyseGrasp(steps: readonly EpisodeStep[], id: string): GraspAnalysis {
  const z0 = steps[0]!.objects[id]!.pos[2];
  const out: GraspAnalysis = { heldSteps: 0, uncommandedSteps: 0, carried: [], maxLiftM: 0 };
  let k = 0;
  while (k < steps.length) {
    if (!isHeld(steps[k]!, id)) {
      if (isGrasped(steps[k]!, id)) out.uncommandedSteps++;
      k++;
      continue;
    }
    const from = k;
    while (k < steps.length && isHeld(steps[k]!, id)) k++;
    const to = k - 1;
    out.heldSteps += to - from + 1;
    const o0 = inGripper(steps[from]!, id);
    const tcp0 = fromArray3(steps[from]!.state.tcp.pos);
    let drift = 0;
    let travel = 0;
    for (let j = from; j <= to; j++) {
      drift = Math.max(drift, norm(sub(inGripper(steps[j]!, id), o0)));
      travel = Math.max(travel, norm(sub(fromArray3(steps[j]!.state.tcp.pos), tcp0)));
    }
    if (travel < CARRY_TRAVEL_M || drift > CARRY_FOLLOW * travel) continue;
    out.carried.push({ from, to });
    for (let j = Math.max(from, 1); j <= to; j++) {
      const dt = Math.max(steps[j]!.t - steps[j - 1]!.t, 1e-6);
      const relSpeed = norm(sub(inGripper(steps[j]!, id), inGripper(steps[j - 1]!, id))) / dt;
      if (relSpeed < GRIP_REST_SPEED_MPS)
        out.maxLiftM = Math.max(out.maxLiftM, steps[j]!.objects[id]!.pos[2] - z0);
    }
  }
  return out;
}

/** Ids of the scene's fixed items (everything not dynamic). */
export const fixedItemIds = (scene: SceneSpec): Set<string> =>
  new Set(scene.items.filter((i) => !("dynamic" in i) || !i.dynamic).map((i) => i.id));

/**
 * The grip phase of a rollout, step by step: from the first commanded close until, the close no
 * longer commanded, no gripper part touches the target any more (the jaws have let go of it; while
 * they open, the fingers still press on it). A gripper contact with the target in this phase is the
 * grip; every other gripper contact, before the close (open fingers wedging the target against the
 * table), with fixed scenery, or with another object, is a collision, as a real arm's collision
 * detection would see it.
 */
export class GripPhase {
  private on = false;
  constructor(private readonly targetId: string) {}
  /** Whether the rollout's next step is in the grip phase. */
  next(step: EpisodeStep): boolean {
    if (step.action.grasp) this.on = true;
    else if (this.on && !touchesGripper(step, this.targetId)) this.on = false;
    return this.on;
  }
}

/** A contact's gripper part and the body it touches, or undefined when it is no collision (see GripPhase). */
/** A part of the robot: the gripper's, or an arm link's (`arm.<link>`, see arm.ts). */
const isRobotPart = (id: string): boolean => GRIPPER_SET.has(id) || id.startsWith("arm.");

function collisionPair(c: EpisodeStep["contacts"][number], targetId: string, gripping: boolean) {
  const [g, other] = isRobotPart(c.a) ? [c.a, c.b] : [c.b, c.a];
  if (!isRobotPart(g) || isRobotPart(other)) return undefined;
  if (gripping && other === targetId) return undefined;
  return { part: g, item: other };
}

/** A collision contact: the robot part (gripper or arm link), the body it touches, and the force (N). */
export interface CollisionContact {
  part: string;
  item: string;
  forceN: number;
}

/**
 * Follows a rollout's steps in order and gives each step's collisions: any gripper or arm-link
 * contact but the grip (GripPhase), with fixed scenery or any object, one per pair. The protective stop of
 * both engines and the verdict's `hard_collision` use it alike.
 */
export class CollisionWatch {
  private readonly targetId: string;
  private readonly grip: GripPhase;
  constructor(scene: SceneSpec) {
    this.targetId = scene.task.targetId;
    this.grip = new GripPhase(this.targetId);
  }
  /** The step's collisions; call once per step, in order. */
  contacts(step: EpisodeStep): CollisionContact[] {
    const gripping = this.grip.next(step);
    const out: CollisionContact[] = [];
    for (const c of step.contacts) {
      const pair = collisionPair(c, this.targetId, gripping);
      if (pair) out.push({ ...pair, forceN: c.forceN });
    }
    return out;
  }
  /** The step's strongest collision (N), 0 without one. */
  force(step: EpisodeStep): number {
    return this.contacts(step).reduce((m, c) => Math.max(m, c.forceN), 0);
  }
}

/**
 * Seconds a rollout goes on after a protective stop (a gripper collision, see CollisionWatch,
 * above the embodiment's `collisionForceN`): the arm holds where it stopped, the jaws keep their
 * set-point, and what it knocked comes to rest. A real arm's collision detection stops it there;
 * pressing on, as a simulator without one would, throws objects about in ways no two engines
 * (and no real robot) reproduce.
 */
export const PROTECTIVE_STOP_HOLD_S = 0.5;

/**
 * The strongest collision of each gripper part with each body over the rollout (N), the step of
 * the strongest of all, and the strongest with fixed scenery and with objects apart.
 */
function collisions(steps: readonly EpisodeStep[], scene: SceneSpec) {
  const fixed = fixedItemIds(scene);
  const watch = new CollisionWatch(scene);
  const byPair = new Map<string, number>();
  let max = 0;
  let maxStep = -1;
  let scenery = 0;
  let objects = 0;
  let maxAny = 0;
  steps.forEach((s, k) => {
    for (const c of s.contacts) maxAny = Math.max(maxAny, c.forceN);
    for (const c of watch.contacts(s)) {
      const key = `${c.part}|${c.item}`;
      byPair.set(key, Math.max(byPair.get(key) ?? 0, c.forceN));
      if (fixed.has(c.item)) scenery = Math.max(scenery, c.forceN);
      else objects = Math.max(objects, c.forceN);
      if (c.forceN > max) {
        max = c.forceN;
        maxStep = k;
      }
    }
  });
  return { byPair, max, maxStep, scenery, objects, maxAny };
}

/**
 * How long the rollout ends still (s): back from the last step, while `still(k)` holds for the
 * motion from step k − 1 to step k, down to step `first` + 1.
 */
function stillAtEndS(steps: readonly EpisodeStep[], first: number, still: (k: number) => boolean): number {
  const last = steps[steps.length - 1]!;
  let restS = 0;
  for (let k = steps.length - 1; k > first && still(k); k--) restS = last.t - steps[k - 1]!.t;
  return restS;
}

/**
 * Placement after the release: released slowly (not thrown), then at rest for REST_WINDOW_S at
 * the end of the episode, inside the region, not toppled (where the task asks for `upright`).
 * Returns the first failed condition.
 */
function placement(
  steps: readonly EpisodeStep[],
  id: string,
  region: NonNullable<SceneSpec["task"]["placeRegion"]>,
  lastHeld: number,
  metrics: Record<string, number>,
  upright = true,
): string {
  const last = steps[steps.length - 1]!;
  const end = last.objects[id]!.pos;
  const outside = end.map((v, k) => Math.max(0, Math.abs(v - region.centerM[k]!) - region.halfExtentsM[k]!));
  metrics["distanceToPlaceRegionM"] = Math.hypot(...outside);
  if (lastHeld === steps.length - 1) return "not_released";
  const release = lastHeld >= 1 ? speeds(steps, id, lastHeld).v : 0;
  metrics["releaseSpeedMps"] = release;
  if (release > THROW_SPEED_MPS) return "thrown";
  if (outside.some((d) => d > 0)) return "not_in_place_region";
  const restS = stillAtEndS(steps, lastHeld + 1, (k) => {
    const { v, w } = speeds(steps, id, k);
    return v < REST_SPEED_MPS && w < REST_ANGULAR_SPEED_RADPS;
  });
  metrics["restAtEndS"] = restS;
  if (restS < REST_WINDOW_S) return "not_at_rest";
  const tiltRad = tilt(steps[0]!.objects[id]!, last.objects[id]!);
  metrics["targetTiltRad"] = tiltRad;
  if (upright && tiltRad > TOPPLE_RAD) return "toppled";
  return "placed_in_region";
}

/**
 * The target's position relative to the pads at step k: in the gripper frame, less the pads'
 * midpoint along the opening axis where the step records the pads (a pair of fingers squeezing at
 * their force limit can move together along that axis, the object with them, without a slip).
 */
const inPads = (s: EpisodeStep, id: string) => {
  const p = inGripper(s, id);
  const pads = s.state.padsYM;
  return pads ? { ...p, y: p.y - (pads[0] + pads[1]) / 2 } : p;
};

/**
 * A hold at the end, without a place region: the target held and at rest between the pads (its
 * speed relative to them below REST_SPEED_MPS) for the last REST_WINDOW_S, else it is slipping
 * out. Metric `restInGripAtEndS`.
 */
function holding(steps: readonly EpisodeStep[], id: string, metrics: Record<string, number>): string {
  const restS = stillAtEndS(steps, 0, (k) => {
    if (!isHeld(steps[k - 1]!, id)) return false;
    const dt = Math.max(steps[k]!.t - steps[k - 1]!.t, 1e-6);
    return norm(sub(inPads(steps[k]!, id), inPads(steps[k - 1]!, id))) / dt < REST_SPEED_MPS;
  });
  metrics["restInGripAtEndS"] = restS;
  return restS >= REST_WINDOW_S - 1e-9 ? "held_at_end" : "slipping_in_grip";
}

/** How far the other dynamic objects were moved (m); tilting past TOPPLE_RAD counts as DISTURB_M more. */
function disturbance(steps: readonly EpisodeStep[], scene: SceneSpec): number {
  const first = steps[0]!;
  const last = steps[steps.length - 1]!;
  let worst = 0;
  for (const [id, p0] of Object.entries(first.objects)) {
    if (id === scene.task.targetId) continue;
    const p1 = last.objects[id];
    if (!p1) continue;
    const moved = norm(sub(fromArray3(p1.pos), fromArray3(p0.pos)));
    worst = Math.max(worst, moved + (tilt(p0, p1) > TOPPLE_RAD ? DISTURB_M : 0));
  }
  return worst;
}

/** The task sentence of a scene whose task is its own predicate (no task text from the source). */
export function taskSentence(scene: SceneSpec): string {
  const target = scene.task.targetId;
  if (scene.task.motion === "slide") return `Slide the ${target} along the table to its place.`;
  return scene.task.placeRegion
    ? `Lift the ${target} and put it in place.`
    : `Lift the ${target} and hold it.`;
}

/**
 * A slide task's outcome: "slid" and the placement's outcome, or why it did not slide. Metrics:
 * `slideM` (horizontal displacement of the target, start to end) and `maxRiseM`.
 */
function slide(steps: readonly EpisodeStep[], scene: SceneSpec, metrics: Record<string, number>): string[] {
  const id = scene.task.targetId;
  const p0 = steps[0]!.objects[id]!.pos;
  const p1 = steps[steps.length - 1]!.objects[id]!.pos;
  const slideM = Math.hypot(p1[0] - p0[0], p1[1] - p0[1]);
  const maxRiseM = Math.max(...steps.map((s) => s.objects[id]!.pos[2] - p0[2]));
  metrics["slideM"] = slideM;
  metrics["maxRiseM"] = maxRiseM;
  let lastTouch = -1;
  steps.forEach((s, k) => {
    if (s.contacts.some((c) => (c.a === id && GRIPPER_SET.has(c.b)) || (c.b === id && GRIPPER_SET.has(c.a))))
      lastTouch = k;
  });
  if (lastTouch < 0) return ["never_touched"];
  if (maxRiseM >= scene.task.liftM) return ["lifted_not_slid"];
  if (slideM < (scene.task.moveM ?? SLIDE_MIN_M)) return ["not_slid"];
  const region = scene.task.placeRegion;
  if (!region) return ["slid"];
  const last = steps[steps.length - 1]!;
  const released = isHeld(last, id) ? steps.length - 1 : lastTouch;
  return ["slid", placement(steps, id, region, released, metrics)];
}

/**
 * Success predicates over a recorded rollout:
 * - grasped: the close is commanded, both fingers press on the target, and the target moves with
 *   the gripper (see CARRY_FOLLOW); contact alone, or a wedge in open jaws, is not a grasp;
 * - lifted: the target rose at least `task.liftM` above its start while carried and at rest in
 *   the grip;
 * - with a place region: released slowly, inside the region, at rest for REST_WINDOW_S at the
 *   end, not toppled; without one: still held at the end, at rest in the grip for REST_WINDOW_S;
 * - a slide task (`task.motion` "slide") asks no lift: slid means a gripper part touched the
 *   target and the target ends at least `task.moveM` (horizontally) from where it stood, never
 *   having risen `task.liftM`; then the placement above, from the last touch (a push) or the
 *   release (a grasp);
 * - no hard collision: no gripper contact but the grip itself (CollisionWatch), with fixed
 *   scenery or any object, above the embodiment's `limits.collisionForceN`; no gripper part
 *   inside fixed scenery deeper than MAX_SCENERY_PENETRATION_M (checked geometrically from the
 *   measured poses);
 * - the other objects are left where they were (within DISTURB_M, not toppled).
 * A physics fault (NaN, runaway speed) fails the episode whatever else happened.
 */
export function judge(
  steps: readonly EpisodeStep[],
  scene: SceneSpec,
  embodiment: Embodiment,
  fault: string | null,
  linkage?: GripperLinkage,
  arm?: ArmFindings,
): Verdict {
  const id = scene.task.targetId;
  const grasp = analyseGrasp(steps, id);
  const contacts = collisions(steps, scene);
  const incursion = sceneryIncursion(steps, scene, embodiment, linkage);
  const last = steps[steps.length - 1]!;
  const metrics: Record<string, number> = {
    maxLiftM: grasp.maxLiftM,
    graspedFraction: grasp.heldSteps / steps.length,
    maxContactForceN: contacts.maxAny,
    maxGripperSceneryForceN: contacts.scenery,
    maxGripperObjectForceN: contacts.objects,
    maxSceneryPenetrationM: incursion.maxDepthM,
    finalTargetZ: last.objects[id]!.pos[2],
  };
  const reasons: string[] = [];
  if (fault) reasons.push(fault);
  const grasped = grasp.carried.length > 0;
  const slideTask = scene.task.motion === "slide";
  // A slide may be a push: no grasp is asked for, but the jaws clamping the target uncommanded
  // still fails it.
  const uncommanded = !grasped && grasp.uncommandedSteps > 0 && (slideTask || grasp.heldSteps === 0);
  if (grasped) reasons.push("grasped");
  else if (uncommanded) reasons.push("grasp_not_commanded");
  else if (!slideTask) reasons.push(grasp.heldSteps > 0 ? "not_carried" : "never_grasped");
  let goal = false;
  const region = scene.task.placeRegion;
  // A slide without a place region succeeds once slid; with one, once placed there.
  if (slideTask) {
    const outcome = slide(steps, scene, metrics);
    reasons.push(...outcome);
    const reached = region ? outcome.at(-1) === "placed_in_region" : outcome.at(-1) === "slid";
    goal = reached && !uncommanded;
  }
  const lifted = !slideTask && grasped && grasp.maxLiftM >= scene.task.liftM;
  if (grasped && !slideTask) reasons.push(lifted ? "lifted" : "not_lifted");
  if (lifted) {
    const lastHeld = grasp.carried[grasp.carried.length - 1]!.to;
    const heldAtEnd = isHeld(last, id);
    const outcome = region
      ? placement(
          steps,
          id,
          region,
          heldAtEnd ? steps.length - 1 : lastHeld,
          metrics,
          scene.task.upright ?? true,
        )
      : heldAtEnd
        ? holding(steps, id, metrics)
        : "dropped";
    reasons.push(outcome);
    goal = outcome === "placed_in_region" || outcome === "held_at_end";
  }
  const hardCollision = contacts.max > embodiment.limits.collisionForceN;
  if (hardCollision) {
    reasons.push("hard_collision");
    metrics["hardCollisionStep"] = contacts.maxStep;
    for (const [pair, f] of contacts.byPair) {
      if (f > embodiment.limits.collisionForceN) metrics[`collisionForceN:${pair}`] = f;
    }
  }
  const penetrates = incursion.maxDepthM > MAX_SCENERY_PENETRATION_M;
  if (penetrates) {
    reasons.push("scenery_penetration");
    metrics["sceneryPenetrationStep"] = incursion.step!;
  }
  const armFailed = arm ? armReasons(arm, reasons, metrics) : false;
  const disturbedM = disturbance(steps, scene);
  metrics["maxDisturbanceM"] = disturbedM;
  const disturbed = disturbedM > DISTURB_M;
  if (disturbed) reasons.push("disturbed_scene");
  const success = fault === null && goal && !hardCollision && !penetrates && !disturbed && !armFailed;
  return { success, reasons, metrics };
}

/**
 * The arm's reasons (see arm.ts), from what it found over the rollout: `unreachable` (the first
 * step its inverse kinematics could not reach), `arm_collision` (a link deeper than
 * MAX_SCENERY_PENETRATION_M in fixed scenery, from the recorded joints and the links' hulls),
 * `joint_speed_limit` (the gripper's next pose reachable only with a joint faster than its
 * limit), `joint_torque_limit` (with the arm's torque limits: a recorded step whose posture needs
 * a joint torque over its limit to hold against gravity with what the gripper carries,
 * sim/arm_torque.ts). The joints are recorded per step, so the
 * scenery and torque findings are re-derivable from the episode; the reach and speed ones from
 * its end. True when any fails it.
 */
/** Over this share of a joint's speed limit is over the limit (the bound is exact up to rounding). */
export const SPEED_LIMIT_RATIO = 1 + 1e-9;

function armReasons(arm: ArmFindings, reasons: string[], metrics: Record<string, number>): boolean {
  metrics["armMaxSceneryPenetrationM"] = arm.scenery.maxDepthM;
  metrics["armMaxJointSpeedRatio"] = arm.speed.maxRatio;
  let failed = false;
  if (arm.unreachable) {
    reasons.push("unreachable");
    metrics["armUnreachableStep"] = arm.unreachable.step;
    metrics["armUnreachablePositionErrorM"] = arm.unreachable.positionErrorM;
    metrics["armUnreachableRotationErrorRad"] = arm.unreachable.rotationErrorRad;
    failed = true;
  }
  if (arm.scenery.maxDepthM > MAX_SCENERY_PENETRATION_M) {
    reasons.push("arm_collision");
    metrics["armCollisionStep"] = arm.scenery.step!;
    metrics[`armSceneryPenetrationM:arm.${arm.scenery.link}|${arm.scenery.item}`] = arm.scenery.maxDepthM;
    failed = true;
  }
  if (arm.speed.maxRatio > SPEED_LIMIT_RATIO) {
    reasons.push("joint_speed_limit");
    metrics["armJointSpeedStep"] = arm.speed.step!;
    metrics[`armJointSpeedRatio:${arm.speed.joint}`] = arm.speed.maxRatio;
    failed = true;
  }
  if (arm.accel) {
    // Reported, not judged: the joint path follows the simulated gripper's own small contact
    // wobble, which an arm holding it stiffly would not have (see README, Arms).
    metrics["armMaxJointAccelRatio"] = arm.accel.maxRatio;
    if (arm.accel.step !== undefined) metrics["armMaxJointAccelStep"] = arm.accel.step;
  }
  if (arm.movingTorque) {
    // Reported, not judged, for the same reason as the accelerations it includes.
    metrics["armMaxMovingTorqueRatio"] = arm.movingTorque.maxRatio;
  }
  if (arm.torque) {
    metrics["armMaxHoldingTorqueRatio"] = arm.torque.maxRatio;
    if (arm.torque.maxRatio > 1) {
      reasons.push("joint_torque_limit");
      metrics["armJointTorqueStep"] = arm.torque.step!;
      metrics[`armJointTorqueNm:${arm.torque.joint}`] = arm.torque.torqueNm!;
      failed = true;
    }
  }
  return failed;
}
