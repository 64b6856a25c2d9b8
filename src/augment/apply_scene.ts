import { InputError } from "../core/errors.js";
import {
  clamp,
  compose,
  fromArray3,
  invert,
  POSE_IDENTITY,
  type Pose,
  poseFromJson,
  poseToJson,
  qfromAxisAngle,
  qmul,
  transformPoint,
  type Vec3,
  vec3,
} from "../core/math.js";
import type { PoseJson } from "../core/schemas/common.js";
import type { SceneItem, SceneSpec } from "../core/schemas/scene.js";
import { halfExtentAlong, halfHeightAlongZ, itemShape } from "../core/shapes.js";
import { findSupport, type Target } from "../core/support.js";
import type { VariationParams } from "./variation.js";

/** Clearance kept between the target and the side of its support, for the fingers (m). */
const FINGER_CLEARANCE_M = 0.05;
/** Minimum gap between a distractor and the target, so the jaws can still reach it (m). */
const DISTRACTOR_GAP_M = 0.1;

type Posed = Extract<SceneItem, { pose: PoseJson }>;

export interface AppliedVariation {
  scene: SceneSpec;
  /** World-frame transform that takes the source target pose to the new one: X_new ∘ X_src⁻¹. */
  T_obj: Pose;
  /** Transform for the place segment: identity when there is a fixed receiver, else T_obj (put-back tasks). */
  T_place: Pose;
}

const scaleShape = (t: Target, s: number): Target => {
  switch (t.kind) {
    case "box":
      return { ...t, sizeM: t.sizeM.map((v) => v * s) as [number, number, number] };
    case "cylinder":
      return { ...t, radiusM: t.radiusM * s, heightM: t.heightM * s };
    case "sphere":
      return { ...t, radiusM: t.radiusM * s };
    case "ellipsoid":
      return { ...t, radiiM: t.radiiM.map((v) => v * s) as [number, number, number] };
  }
};

/**
 * Applies a sampled variation to a scene: the target moved (and possibly to another shelf level),
 * turned, resized, re-weighed, with new friction; shelf boards jittered; distractor boxes added
 * beside it. Mirroring is applied to scene and trajectory together, elsewhere.
 */
export function applyVariation(source: SceneSpec, v: VariationParams): AppliedVariation {
  const scene: SceneSpec = structuredClone(source);
  const index = scene.items.findIndex((i) => i.id === scene.task.targetId);
  const original = scene.items[index] as Target;
  if (!["box", "cylinder", "sphere", "ellipsoid"].includes(original.kind)) {
    throw new InputError(`target '${original.id}' (${original.kind}) cannot be varied`);
  }
  const support = findSupport(source, original);
  let target = scaleShape(original, v.sizeScale);
  target = {
    ...target,
    massKg: original.massKg * v.massScale,
    friction: v.friction >= 0 ? v.friction : original.friction,
  };
  const X_src = poseFromJson(original.pose);
  const q = qmul(qfromAxisAngle(vec3(0, 0, 1), v.yawRad), X_src.q);
  const shape = itemShape(target);
  const halfZ = halfHeightAlongZ(shape, { p: X_src.p, q });
  const halfX = (X_S: Pose) => halfExtentAlong(shape, { p: X_src.p, q }, transformDir(X_S, vec3(1, 0, 0)));
  const halfY = (X_S: Pose) => halfExtentAlong(shape, { p: X_src.p, q }, transformDir(X_S, vec3(0, 1, 0)));

  let X_new: Pose;
  let place: Parameters<typeof addDistractors>[3] | null = null;
  if (support.kind === "shelf") {
    const si = scene.items.findIndex((i) => i.id === support.id);
    const shelf = scene.items[si] as Extract<SceneItem, { kind: "shelf" }>;
    const level = v.level >= 0 && v.level < shelf.levelsM.length ? v.level : support.level;
    const levels = shelf.levelsM.slice();
    const lo = level > 0 ? levels[level - 1]! + 0.05 : 0.05;
    const hi = level + 1 < levels.length ? levels[level + 1]! - 0.15 : shelf.heightM - 0.02;
    levels[level] = clamp(levels[level]! + v.levelJitterM, lo, Math.max(lo, hi));
    scene.items[si] = { ...shelf, levelsM: levels };
    // What else stands on that board moves with it (it would otherwise start inside the board).
    const dz = levels[level]! - shelf.levelsM[level]!;
    scene.items.forEach((it, k) => {
      if (k === index || !("dynamic" in it) || !it.dynamic) return;
      const on = findSupport(source, it as Target);
      if (on.kind !== "shelf" || on.id !== shelf.id || on.level !== level) return;
      const p = it.pose.pos;
      scene.items[k] = { ...it, pose: { ...it.pose, pos: [p[0], p[1], p[2] + dz] } } as SceneItem;
    });
    const X_WS = poseFromJson(shelf.pose);
    const local = transformPoint(invert(X_WS), X_src.p);
    const xLim = shelf.widthM / 2 - shelf.uprightThicknessM - halfX(X_WS) - FINGER_CLEARANCE_M;
    const yLo = -shelf.depthM / 2 + halfY(X_WS) + 0.01;
    const yHi = shelf.depthM / 2 - 2 * shelf.uprightThicknessM - halfY(X_WS) - 0.01;
    const wanted = vec3(
      clamp(local.x + v.shift[0], -Math.max(0, xLim), Math.max(0, xLim)),
      clamp(local.y + v.shift[1], yLo, Math.max(yLo, yHi)),
      0,
    );
    const onBoard = (it: Target) => {
      const s = findSupport(scene, it);
      return s.kind === "shelf" && s.id === shelf.id && s.level === level;
    };
    const { x, y } = clearOfNeighbours(
      scene,
      index,
      { X_WS, from: local, to: wanted, xLim, onSupport: onBoard },
      [halfX(X_WS), halfY(X_WS)],
    );
    X_new = { p: transformPoint(X_WS, vec3(x, y, levels[level]! + halfZ)), q };
    place = {
      X_WS,
      topLocalZ: levels[level]!,
      xLim: Math.max(0, xLim),
      yLo,
      yHi,
      localY: y,
      onSupport: onBoard,
    };
  } else if (support.kind === "box" || support.kind === "tote") {
    // A table top, or a tote's floor (inside its walls, with room for the fingers).
    const item = scene.items.find((i) => i.id === support.id) as Extract<SceneItem, { kind: "box" | "tote" }>;
    const X_WS = poseFromJson(item.pose);
    const local = transformPoint(invert(X_WS), X_src.p);
    const tote = item.kind === "tote";
    const margin = tote ? item.wallM + FINGER_CLEARANCE_M : 0.03;
    const xLim = item.sizeM[0] / 2 - halfX(X_WS) - margin;
    const yLim = item.sizeM[1] / 2 - halfY(X_WS) - margin;
    const topLocalZ = tote ? item.wallM : item.sizeM[2] / 2;
    const wanted = vec3(
      clamp(local.x + v.shift[0], -Math.max(0, xLim), Math.max(0, xLim)),
      clamp(local.y + v.shift[1], -Math.max(0, yLim), Math.max(0, yLim)),
      0,
    );
    const onIt = (it: Target) => {
      const s = findSupport(scene, it);
      return s.kind !== "floor" && s.id === item.id;
    };
    const { x, y } = clearOfNeighbours(
      scene,
      index,
      { X_WS, from: local, to: wanted, xLim, onSupport: onIt },
      [halfX(X_WS), halfY(X_WS)],
    );
    X_new = { p: transformPoint(X_WS, vec3(x, y, topLocalZ + halfZ)), q };
    place = tote
      ? null
      : { X_WS, topLocalZ, xLim: Math.max(0, xLim), yLo: -yLim, yHi: yLim, localY: y, onSupport: onIt };
  } else {
    X_new = { p: vec3(X_src.p.x + v.shift[0], X_src.p.y + v.shift[1], halfZ), q };
  }
  scene.items[index] = { ...target, pose: poseToJson(X_new) } as SceneItem;
  if (place) addDistractors(scene, v, X_new, place);

  if (v.robotBase && scene.robotBase) {
    // The arm's base moved and turned on the floor, within the ranges that drew it.
    const [dx, dy, dyaw] = v.robotBase;
    const X = poseFromJson(scene.robotBase.pose);
    scene.robotBase = {
      pose: poseToJson({
        p: vec3(X.p.x + dx, X.p.y + dy, X.p.z),
        q: qmul(qfromAxisAngle(vec3(0, 0, 1), dyaw), X.q),
      }),
      origin: "varied",
    };
  }
  const T_obj = compose(X_new, invert(X_src));
  const hasReceiver = scene.items.some((i) => "role" in i && i.role === "receiver");
  const T_place = hasReceiver ? POSE_IDENTITY : T_obj;
  const region = scene.task.placeRegion;
  if (region && !hasReceiver) {
    const c = transformPoint(T_obj, fromArray3(region.centerM));
    scene.task.placeRegion = { ...region, centerM: [c.x, c.y, c.z] };
  }
  return { scene, T_obj, T_place };
}

/** Clearance kept between the moved target and what else stands on its support (m). */
const NEIGHBOUR_GAP_M = 0.005;

/**
 * Where on its support (local x, y of the support frame X_WS) the target goes: the point nearest
 * to where the variation wants it (`to`), on the way back to where it stood (`from`), at which its
 * footprint keeps NEIGHBOUR_GAP_M from every other object on the same support (footprints as
 * boxes along the support's axes): a variant does not start with its target inside a carton
 * beside it. Where no point on the way is clear (another level's board, full where it stood), the
 * clear point along the support's x nearest to `to`, within ± `xLim`; where none is, `to`: the
 * rollout then refuses it as objects_overlap_at_start.
 */
function clearOfNeighbours(
  scene: SceneSpec,
  index: number,
  o: { X_WS: Pose; from: Vec3; to: Vec3; xLim: number; onSupport: (it: Target) => boolean },
  [halfX, halfY]: [number, number],
): { x: number; y: number } {
  const { from, to } = o;
  const xLim = Math.max(0, o.xLim);
  const boxes = footprintsOn(scene, o.X_WS, (it, k) => k !== index && o.onSupport(it));
  const clear = (x: number, y: number) =>
    boxes.every(
      (b) =>
        Math.abs(x - b.x) >= halfX + b.hx + NEIGHBOUR_GAP_M ||
        Math.abs(y - b.y) >= halfY + b.hy + NEIGHBOUR_GAP_M,
    );
  for (let k = CLEAR_STEPS; k >= 0; k--) {
    const t = k / CLEAR_STEPS;
    const p = { x: from.x + t * (to.x - from.x), y: from.y + t * (to.y - from.y) };
    if (clear(p.x, p.y)) return p;
  }
  for (let d = CLEAR_STEP_M; d <= 2 * xLim; d += CLEAR_STEP_M) {
    for (const x of [to.x - d, to.x + d]) if (Math.abs(x) <= xLim && clear(x, to.y)) return { x, y: to.y };
  }
  return { x: to.x, y: to.y };
}

/**
 * The footprints of the moving objects that `keep` picks (by item and index), as boxes along the
 * support frame X_WS's axes: centre (x, y) and half extents (hx, hy) in that frame.
 */
function footprintsOn(
  scene: SceneSpec,
  X_WS: Pose,
  keep: (it: Target, k: number) => boolean,
): { x: number; y: number; hx: number; hy: number }[] {
  const ax = transformDir(X_WS, vec3(1, 0, 0));
  const ay = transformDir(X_WS, vec3(0, 1, 0));
  const toLocal = invert(X_WS);
  return scene.items.flatMap((it, k) => {
    if (!("dynamic" in it) || !it.dynamic || !keep(it as Target, k)) return [];
    const X = poseFromJson(it.pose);
    const c = transformPoint(toLocal, X.p);
    const shape = itemShape(it as Target);
    return [{ x: c.x, y: c.y, hx: halfExtentAlong(shape, X, ax), hy: halfExtentAlong(shape, X, ay) }];
  });
}

/** Step of the search along the support's x (m). */
const CLEAR_STEP_M = 0.005;

/** Points tried on the way from the wanted place back to the start (clearOfNeighbours). */
const CLEAR_STEPS = 100;

const transformDir = (X: Pose, d: ReturnType<typeof vec3>) => {
  const a = transformPoint(X, d);
  return vec3(a.x - X.p.x, a.y - X.p.y, a.z - X.p.z);
};

/** Distractor boxes on the target's support, beside it along the support's x, not overlapping it or each other. */
function addDistractors(
  scene: SceneSpec,
  v: VariationParams,
  X_target: Pose,
  s: {
    X_WS: Pose;
    topLocalZ: number;
    xLim: number;
    yLo: number;
    yHi: number;
    localY: number;
    onSupport: (it: Target) => boolean;
  },
): void {
  const targetX = transformPoint(invert(s.X_WS), X_target.p).x;
  const taken: [number, number][] = [[targetX - DISTRACTOR_GAP_M, targetX + DISTRACTOR_GAP_M]];
  const y = clamp(s.localY, s.yLo, s.yHi);
  // What already stands on the support, in the distractors' row: they go beside it, not into it.
  const others = footprintsOn(scene, s.X_WS, (it) => it.role !== "target" && s.onSupport(it));
  v.distractors.forEach((d, k) => {
    const half = d.sizeM[0] / 2;
    const x = d.u * Math.max(0, s.xLim + FINGER_CLEARANCE_M - half);
    const inRow = (o: (typeof others)[number]) => Math.abs(o.y - y) < o.hy + d.sizeM[1] / 2 + 0.01;
    const blocked = [
      ...taken,
      ...others.filter(inRow).map((o): [number, number] => [o.x - o.hx - 0.01, o.x + o.hx + 0.01]),
    ];
    if (blocked.some(([a, b]) => x + half > a && x - half < b)) return;
    taken.push([x - half - 0.01, x + half + 0.01]);
    const p = transformPoint(s.X_WS, vec3(x, y, s.topLocalZ + d.sizeM[2] / 2 + 0.001));
    scene.items.push({
      kind: "box",
      id: `distractor_${k}`,
      role: "distractor",
      pose: poseToJson({ p, q: s.X_WS.q }),
      sizeM: d.sizeM,
      dynamic: true,
      massKg: 0.3,
      friction: 0.6,
      restitution: 0,
    });
  });
}

/** Mirrors a pose across the world plane x = 0 (a proper rotation: the gripper's x axis flips). */
export function mirrorPose(X: Pose): Pose {
  return { p: vec3(-X.p.x, X.p.y, X.p.z), q: { x: X.q.x, y: -X.q.y, z: -X.q.z, w: X.q.w } };
}

/**
 * Mirrors a whole scene across the plane x = 0. With the embodiment's arm, its base's posture
 * (stated, else the arm's ready one) is mirrored as well; the gripper's mount on the flange is a
 * turn about the flange's axis, which the mirrored posture's last joint makes up for (see below).
 */
export function mirrorScene(
  scene: SceneSpec,
  arm?: { mount: PoseJson; ready: readonly number[]; lower: readonly number[]; upper: readonly number[] },
): SceneSpec {
  const out: SceneSpec = structuredClone(scene);
  out.items = out.items.map((item) =>
    "pose" in item
      ? ({ ...item, pose: poseToJson(mirrorPose(poseFromJson((item as Posed).pose))) } as SceneItem)
      : item,
  );
  const region = out.task.placeRegion;
  if (region)
    out.task.placeRegion = { ...region, centerM: [-region.centerM[0], region.centerM[1], region.centerM[2]] };
  // An arm's base: its mirror image, still a right-handed frame facing the mirrored way (the
  // Panda's chain is symmetric about its base's x–z plane, so it reaches the mirrored path). Its
  // posture mirrored too: the joints turning about axes in that plane at the zero posture (the
  // Panda's first, third, fifth and seventh) turn the other way, the others (about the plane's
  // normal) as they were; and the last, which turns the tool about its approach axis, by twice
  // the mount's turn as well, so that the tool stands as the mirrored path's does (mirrorPose
  // keeps the gripper's frame right-handed by flipping its x axis; the mount's turn mirrors into
  // the opposite turn).
  if (out.robotBase) {
    const X = mirrorPose(poseFromJson(out.robotBase.pose));
    const posture = out.robotBase.postureRad ?? arm?.ready;
    const last = (posture?.length ?? 0) - 1;
    const turn = arm ? 2 * mountTurnRad(arm.mount) : 0;
    out.robotBase = {
      ...out.robotBase,
      pose: poseToJson({ p: X.p, q: qmul(X.q, qfromAxisAngle(vec3(0, 0, 1), Math.PI)) }),
      ...(posture ? { postureRad: posture.map((v, i) => mirroredJoint(v, i, last, turn, arm)) } : {}),
    };
  }
  return out;
}

/**
 * One joint of a mirrored posture (see mirrorScene): the last one a whole turn round where that
 * brings it inside its limits (the same tool pose), else clamped to them (a start the rollout's
 * inverse kinematics turns the rest of the way from).
 */
function mirroredJoint(
  v: number,
  i: number,
  last: number,
  turn: number,
  arm?: { lower: readonly number[]; upper: readonly number[] },
): number {
  let m = (i % 2 === 0 ? -v : v) + (i === last ? turn : 0);
  if (!arm) return m;
  const [lo, hi] = [arm.lower[i]!, arm.upper[i]!];
  if (i === last && m < lo && m + 2 * Math.PI <= hi) m += 2 * Math.PI;
  if (i === last && m > hi && m - 2 * Math.PI >= lo) m -= 2 * Math.PI;
  return Math.min(hi, Math.max(lo, m));
}

/**
 * The turn (rad) of a mount about the flange's axis (z); 0 for a mount that tilts the axis (its
 * mirrored posture then only starts near the mirrored path: the rollout's inverse kinematics
 * turns the wrist the rest of the way).
 */
function mountTurnRad(mount: PoseJson): number {
  const [x, y, z, w] = mount.quatXyzw;
  if (Math.abs(x!) > 1e-9 || Math.abs(y!) > 1e-9) return 0;
  return 2 * Math.atan2(z!, w!);
}
