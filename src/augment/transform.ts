import {
  clamp,
  compose,
  distance,
  fromArray3,
  invert,
  POSE_IDENTITY,
  type Pose,
  poseFromJson,
  poseInterp,
  poseToJson,
  qangle,
  transformPoint,
  vec3,
} from "../core/math.js";
import { createRng } from "../core/rng.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { Episode } from "../core/schemas/episode.js";
import type { HumanSample, TrajectoryStep } from "../core/schemas/trajectory.js";
import { minJerk } from "../hands/procedural.js";
import { mirrorPose } from "./apply_scene.js";
import type { Segments } from "./segments.js";
import type { VariationParams } from "./variation.js";

interface Command {
  X: Pose;
  apertureM: number;
  grasp: boolean;
  human: HumanSample;
  /** Where the target should be at this step (the source's object path, moved like the commands). */
  obj: Pose;
}

/**
 * The human sample moved with the robot: keypoints carried by the same rigid transform T (in W)
 * that moves the robot's commands, marked transformed.
 */
export function transformHuman(h: HumanSample, T: Pose): HumanSample {
  return {
    ...h,
    keypointsWorld: h.keypointsWorld.map((k) => {
      const p = transformPoint(T, fromArray3(k));
      return [p.x, p.y, p.z] as [number, number, number];
    }),
    ...(h.X_WC ? { X_WC: poseToJson(compose(T, poseFromJson(h.X_WC))) } : {}),
    status: "transformed",
  };
}

/** Human sample a fraction s of the way from a to b (keypoints, time, confidence linear; frame nearest). */
function lerpHuman(a: HumanSample, b: HumanSample, s: number): HumanSample {
  const mix = (x: number, y: number) => x + (y - x) * s;
  const { X_WC: _nearestHead, ...nearest } = s < 0.5 ? a : b;
  return {
    ...nearest,
    t: mix(a.t, b.t),
    keypointsWorld: a.keypointsWorld.map(
      (k, j) => k.map((v, c) => mix(v, b.keypointsWorld[j]![c]!)) as [number, number, number],
    ),
    ...(a.confidence !== undefined && b.confidence !== undefined
      ? { confidence: mix(a.confidence, b.confidence) }
      : {}),
    ...(a.X_WC && b.X_WC
      ? { X_WC: poseToJson(poseInterp(poseFromJson(a.X_WC), poseFromJson(b.X_WC), s)) }
      : {}),
    status: "transformed",
  };
}

const samePose = (a: Pose, b: Pose): boolean => distance(a.p, b.p) < 1e-9 && qangle(a.q, b.q) < 1e-9;

/**
 * Steps for a free transit from `from` to `to` standing in for source steps [k0, k1): a
 * minimum-jerk path, at least as long as the source's and long enough at half the gripper's speed
 * limits; jaw and human side follow the source steps it replaces, in proportion, the human moved
 * by the transform blended from `T_from` (the segment before) to `T_to` (the segment after). A
 * held object rides with the gripper as at the transit's start; a free one stays put.
 */
function transit(
  src: Command[],
  k0: number,
  k1: number,
  from: Command,
  to: Command,
  T: { from: Pose; to: Pose },
  e: Embodiment,
  hz: number,
) {
  const need = Math.max(
    distance(from.X.p, to.X.p) / (0.5 * e.limits.maxLinearSpeedMps),
    qangle(from.X.q, to.X.q) / (0.5 * e.limits.maxAngularSpeedRadps),
  );
  const count = Math.max(k1 - k0, Math.ceil(need * hz));
  const X_GO = compose(invert(from.X), from.obj);
  const out: Command[] = [];
  for (let j = 0; j < count; j++) {
    const k = Math.min(k1 - 1, k0 + Math.floor((j * (k1 - k0)) / count));
    const c = src[Math.max(k0, k)]!;
    const u = minJerk((j + 1) / (count + 1));
    const X = poseInterp(from.X, to.X, u);
    const human = transformHuman(c.human, poseInterp(T.from, T.to, u));
    out.push({ ...c, X, human, obj: c.grasp ? compose(X, X_GO) : from.obj });
  }
  return out;
}

/**
 * Resamples commands at `speed` × the source rate (time warping): poses and the human sample
 * interpolated, jaw and grasp from the nearest.
 */
function timeWarp(cmds: Command[], speed: number): Command[] {
  if (Math.abs(speed - 1) < 1e-12) return cmds;
  const count = Math.max(2, Math.floor((cmds.length - 1) / speed) + 1);
  return Array.from({ length: count }, (_, k) => {
    const u = Math.min(cmds.length - 1, k * speed);
    const i = Math.min(cmds.length - 2, Math.floor(u));
    const s = clamp(u - i, 0, 1);
    const near = cmds[s < 0.5 ? i : i + 1]!;
    return {
      ...near,
      X: poseInterp(cmds[i]!.X, cmds[i + 1]!.X, s),
      obj: poseInterp(cmds[i]!.obj, cmds[i + 1]!.obj, s),
      human: lerpHuman(cmds[i]!.human, cmds[i + 1]!.human, s),
    };
  });
}

/** How many commands at the end hold the last one's pose and jaw (the settle at a recording's end). */
function finalHold(cmds: readonly Command[]): number {
  const last = cmds[cmds.length - 1]!;
  let k = cmds.length - 1;
  while (
    k > 0 &&
    distance(cmds[k - 1]!.X.p, last.X.p) < 1e-6 &&
    qangle(cmds[k - 1]!.X.q, last.X.q) < 1e-6 &&
    cmds[k - 1]!.grasp === last.grasp &&
    cmds[k - 1]!.apertureM === last.apertureM
  )
    k--;
  return cmds.length - k;
}

/**
 * Time warping shortens the source's final hold too, where the verdict judges what was set down
 * or is still held at rest (REST_WINDOW_S): the warped commands are held at their last pose until
 * the hold is as long as the source's (those steps' human samples marked held).
 */
function keepFinalHold(warped: Command[], source: readonly Command[]): Command[] {
  const missing = finalHold(source) - finalHold(warped);
  if (missing <= 0) return warped;
  const last = warped[warped.length - 1]!;
  const held = { ...last, human: { ...last.human, status: "held" as const } };
  return [...warped, ...Array.from({ length: missing }, () => held)];
}

/**
 * The variant's command sequence, MimicGen style: the pick segment carried rigidly with the target
 * (X_cmd' = T_obj ∘ X_cmd, with T_obj = X_W_objnew ∘ X_W_objsrc⁻¹), the place segment with
 * `T_place`, and the free transits between them re-planned; then time warping, action noise and
 * mirroring. Every step's human sample is the source's, moved by the same transform as the robot
 * and time-warped with it (marked transformed), with the pose the
 * target should have there (the source's object path moved the same way), so the simulator can
 * replay object-relative (sim/object_anchor.ts): where MimicGen observes the object at each
 * segment start, this corrects for where the simulated object really is at every step.
 */
export function variantSteps(
  source: Episode,
  seg: Segments,
  T_obj: Pose,
  T_place: Pose,
  v: VariationParams,
  embodiment: Embodiment,
): TrajectoryStep[] {
  const hz = source.controlHz;
  const target = source.scene.task.targetId;
  const src: Command[] = source.steps.map((s) => ({
    X: poseFromJson(s.action.tcp),
    apertureM: s.action.apertureM,
    grasp: s.action.grasp,
    human: s.human,
    obj: poseFromJson(s.objects[target]!),
  }));
  const n = src.length;
  const moved = (k: number, T: Pose): Command => ({
    ...src[k]!,
    X: compose(T, src[k]!.X),
    obj: compose(T, src[k]!.obj),
    human: transformHuman(src[k]!.human, T),
  });
  const range = (a: number, b: number, T: Pose) => Array.from({ length: b - a }, (_, j) => moved(a + j, T));
  const pick = range(seg.approachStart, seg.pickEnd, T_obj);
  const place = range(seg.placeStart, n, T_place);
  const lastPick = pick[pick.length - 1]!;
  const carry = samePose(T_obj, T_place)
    ? range(seg.pickEnd, seg.placeStart, T_obj)
    : transit(
        src,
        seg.pickEnd,
        seg.placeStart,
        lastPick,
        place[0] ?? lastPick,
        { from: T_obj, to: T_place },
        embodiment,
        hz,
      );
  const start: Command = { ...src[0]!, obj: pick[0]!.obj };
  const lead = transit(
    src,
    0,
    seg.approachStart,
    start,
    pick[0]!,
    { from: POSE_IDENTITY, to: T_obj },
    embodiment,
    hz,
  );
  const cmds = keepFinalHold(timeWarp([...lead, ...pick, ...carry, ...place], v.speed), src);
  const rng = createRng(v.noiseSeed);
  const noise = () => v.actionNoiseM * rng.normal();
  return cmds.map((c, k) => {
    const noisy: Pose = { p: vec3(c.X.p.x + noise(), c.X.p.y + noise(), c.X.p.z + noise()), q: c.X.q };
    const X = v.mirror ? mirrorPose(noisy) : noisy;
    const obj = v.mirror ? mirrorPose(c.obj) : c.obj;
    // A mirrored head camera would see a mirror image, which no camera pose gives: it is dropped.
    const { X_WC: _head, ...unplaced } = c.human;
    const human = v.mirror
      ? {
          ...unplaced,
          keypointsWorld: c.human.keypointsWorld.map(([x, y, z]) => [-x, y, z] as [number, number, number]),
        }
      : c.human;
    return {
      t: k / hz,
      tcp: poseToJson(X),
      apertureM: Math.min(c.apertureM, embodiment.strokeM),
      grasp: c.grasp,
      // The observation behind the step is the source's; files from before it was recorded have none.
      confidence: c.human.confidence ?? 1,
      human,
      object: { name: target, pose: poseToJson(obj) },
    };
  });
}
