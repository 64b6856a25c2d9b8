import type { EpisodeStep } from "../core/schemas/episode.js";
import type { SceneSpec } from "../core/schemas/scene.js";
import { GRIPPER_IDS } from "./gripper.js";

export interface Verdict {
  success: boolean;
  reasons: string[];
  metrics: Record<string, number>;
}

/**
 * A gripper contact with fixed scenery (shelf, table, tote) above this force fails the rollout as
 * a hard collision. Contact forces here are one physics step's impulse over the step, so brief
 * grazes of the table by the fingertips read as several hundred newtons; a crash is well above.
 */
export const HARD_COLLISION_N = 1000;

/** Minimum normal force (N) for a finger–object contact to count as holding. */
export const HOLD_FORCE_N = 0.5;

const touching = (step: EpisodeStep, a: string, b: string): boolean =>
  step.contacts.some(
    (c) => ((c.a === a && c.b === b) || (c.a === b && c.b === a)) && c.forceN >= HOLD_FORCE_N,
  );

/** The target is grasped when both fingers press on it. */
export const isGrasped = (step: EpisodeStep, targetId: string): boolean =>
  touching(step, GRIPPER_IDS.left, targetId) && touching(step, GRIPPER_IDS.right, targetId);

/** Any part of the gripper is in contact with the body (any recorded force). */
export const touchesGripper = (step: EpisodeStep, id: string): boolean =>
  step.contacts.some((c) => (c.a === id || c.b === id) && (GRIPPER_SET.has(c.a) || GRIPPER_SET.has(c.b)));

const GRIPPER_SET: ReadonlySet<string> = new Set(Object.values(GRIPPER_IDS));

/**
 * Success predicates over a recorded rollout:
 * - grasped: both fingers on the target at some step;
 * - lifted: the target rose at least `task.liftM` above its start while grasped;
 * - then, with a place region: the target ends inside it and released; without one: still held at the end;
 * - no hard collision of the gripper with fixed scenery (HARD_COLLISION_N).
 * A physics fault (NaN, runaway speed) fails the episode whatever else happened.
 */
export function judge(steps: readonly EpisodeStep[], scene: SceneSpec, fault: string | null): Verdict {
  const id = scene.task.targetId;
  const z0 = steps[0]!.objects[id]!.pos[2];
  let maxLift = 0;
  let graspedSteps = 0;
  let maxForce = 0;
  let maxSceneryForce = 0;
  const fixed = new Set(scene.items.filter((i) => !("dynamic" in i) || !i.dynamic).map((i) => i.id));
  for (const s of steps) {
    const grasped = isGrasped(s, id);
    if (grasped) {
      graspedSteps++;
      maxLift = Math.max(maxLift, s.objects[id]!.pos[2] - z0);
    }
    for (const c of s.contacts) {
      maxForce = Math.max(maxForce, c.forceN);
      if (fixed.has(c.a) !== fixed.has(c.b) && (GRIPPER_SET.has(c.a) || GRIPPER_SET.has(c.b))) {
        maxSceneryForce = Math.max(maxSceneryForce, c.forceN);
      }
    }
  }
  const last = steps[steps.length - 1]!;
  const heldAtEnd = isGrasped(last, id);
  const end = last.objects[id]!.pos;
  const metrics: Record<string, number> = {
    maxLiftM: maxLift,
    graspedFraction: graspedSteps / steps.length,
    maxContactForceN: maxForce,
    maxGripperSceneryForceN: maxSceneryForce,
    finalTargetZ: end[2],
  };
  const reasons: string[] = [];
  if (fault) reasons.push(fault);
  if (graspedSteps === 0) reasons.push("never_grasped");
  else reasons.push("grasped");
  const lifted = maxLift >= scene.task.liftM;
  reasons.push(lifted ? "lifted" : graspedSteps > 0 ? "not_lifted" : "");
  let placed = false;
  const region = scene.task.placeRegion;
  if (region) {
    const outside = end.map((v, k) =>
      Math.max(0, Math.abs(v - region.centerM[k]!) - region.halfExtentsM[k]!),
    );
    metrics["distanceToPlaceRegionM"] = Math.hypot(...outside);
    placed = outside.every((d) => d === 0) && !heldAtEnd;
    if (lifted)
      reasons.push(placed ? "placed_in_region" : heldAtEnd ? "not_released" : "not_in_place_region");
  } else if (lifted) {
    reasons.push(heldAtEnd ? "held_at_end" : "dropped");
  }
  const hardCollision = maxSceneryForce > HARD_COLLISION_N;
  if (hardCollision) reasons.push("hard_collision");
  const success = fault === null && !hardCollision && lifted && (region ? placed : heldAtEnd);
  return { success, reasons: reasons.filter((r) => r !== ""), metrics };
}
