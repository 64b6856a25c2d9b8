import { InputError } from "../core/errors.js";
import { clamp, distance, fromArray3, qaxes, qfromXyzw } from "../core/math.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { SceneItem, SceneSpec, SceneSpecInput } from "../core/schemas/scene.js";
import { DEFAULT_LIFT_M, SceneSpecSchema } from "../core/schemas/scene.js";
import type { RobotTrajectory } from "../core/schemas/trajectory.js";
import type { GripperLinkage } from "./linkage_gripper.js";
import { clearOfSurface } from "./scenery_clearance.js";
import { SLIDE_MIN_M } from "./verdict.js";

/** A fingertip's pad surface lies about this far below its keypoint (the joint centre) (m). */
const PAD_BELOW_KEYPOINT_M = 0.008;
/** A grasp (or release) this close above the work surface holds an object standing on it (m). */
const MAX_GRIP_HEIGHT_M = 0.15;
/**
 * A release that leaves the object's base at most this far above the work surface is a put-down
 * (onto the table, or a tray or lid floor that high); higher, the object was dropped into
 * something, and a tote stands there (m).
 */
const MAX_PUT_DOWN_RISE_M = 0.03;

/**
 * The height of the surface the human worked on: just under the lowest point any keypoint of the
 * recorded hand reached (a hand resting on a table, fingertips at an object's base). An upper
 * bound: the hand never went into it. Null when the trajectory carries no human keypoints.
 */
export function workSurfaceZ(trajectory: RobotTrajectory): number | null {
  let low = Number.POSITIVE_INFINITY;
  for (const s of trajectory.steps) {
    if (s.human.status && s.human.status !== "observed") continue;
    for (const k of s.human.keypointsWorld) low = Math.min(low, k[2]);
  }
  return Number.isFinite(low) ? low - PAD_BELOW_KEYPOINT_M : null;
}

export interface AnchorOptions {
  /** Height of the carton placed at the grasp (m); its width follows the jaw opening before the grasp. */
  objectHeightM?: number;
  massKg?: number;
  /** A release closer than this (horizontally) to the grasp is a put-down on the same table (m). */
  sameTableM?: number;
  /** The surface the human worked on (m); default: `workSurfaceZ` of the trajectory's human keypoints. */
  surfaceZ?: number | null;
}

const yaw = (rad: number): [number, number, number, number] => [0, 0, Math.sin(rad / 2), Math.cos(rad / 2)];

const fixedBox = (
  id: string,
  center: [number, number, number],
  sizeM: [number, number, number],
  quatXyzw: [number, number, number, number] = [0, 0, 0, 1],
): SceneItem => ({
  kind: "box",
  id,
  role: "support",
  pose: { pos: center, quatXyzw },
  sizeM,
  dynamic: false,
  massKg: 20,
  friction: 0.6,
  restitution: 0,
});

/**
 * Trajectory-anchored scene instantiation, for demonstrations recorded without a scene model
 * (video, EgoDex): a carton where the gripper first closes, turned so the jaws close across it,
 * and what the human did with it where the jaws open again.
 *
 * With the human's keypoints (the usual case) the scene follows the hand:
 * - the work surface (a table) lies just under the lowest point the hand reached (`workSurfaceZ`),
 *   under everything the gripper passes over;
 * - the object stands on it, gripped as high above its base as the lower of grasp and release is
 *   above the table (the hand took or set it down on the table there), 3 cm taller than the grip;
 *   the other end stands on a block of the height the hand shows (a lid taken off a cup, a box
 *   lid's floor);
 * - released with the object's base at most `MAX_PUT_DOWN_RISE_M` above the table: a put-down;
 *   success means the object rests within 5 cm (horizontally) of where the hand set it. A
 *   put-down at least `SLIDE_MIN_M` away whose carry never rose `DEFAULT_LIFT_M`: a slide (the task asks
 *   the object slid there, not lifted). Released higher: dropped, into a tote on a stand.
 * Without keypoints: a 10 cm carton gripped at mid-height on a table just under the grasp.
 */
export function anchoredScene(trajectory: RobotTrajectory, name: string, o: AnchorOptions = {}): SceneSpec {
  const steps = trajectory.steps;
  const g = steps.findIndex((s) => s.grasp);
  if (g < 0) {
    throw new InputError("the trajectory never closes the gripper: there is no grasp to anchor a scene to", {
      hint: "give a scene with --scene, or check the hand track (does the hand stop, close on something and carry it?)",
    });
  }
  let r = g;
  while (r < steps.length && steps[r]!.grasp) r++;
  const released = r < steps.length;
  const release = steps[Math.min(r, steps.length - 1)]!;
  const p_g = fromArray3(steps[g]!.tcp.pos);
  const p_r = fromArray3(release.tcp.pos);
  const jaw = qaxes(qfromXyzw(steps[g]!.tcp.quatXyzw))[1];
  const openBefore = Math.max(...steps.slice(Math.max(0, g - 10), g).map((s) => s.apertureM), 0.04);
  const width = clamp(openBefore - 0.03, 0.02, 0.07);
  const objectYaw = yaw(Math.atan2(jaw.y, jaw.x));

  const surface = o.surfaceZ === undefined ? workSurfaceZ(trajectory) : o.surfaceZ;
  const lowEvent = released ? Math.min(p_g.z, p_r.z) : p_g.z;
  const onSurface = surface !== null && lowEvent - surface > 0.01 && lowEvent - surface <= MAX_GRIP_HEIGHT_M;
  // How far above its base the gripper holds the object, and its height.
  const gripM = onSurface ? lowEvent - surface : (o.objectHeightM ?? 0.1) / 2;
  const h = o.objectHeightM ?? (onSurface ? Math.max(0.04, gripM + 0.03) : 0.1);
  const tableTop = onSurface ? surface : p_g.z - gripM;
  if (!(tableTop > 0.05))
    throw new InputError(`the grasp is ${p_g.z.toFixed(3)} m above the floor: too low to anchor a table`);
  const baseAtGrasp = p_g.z - gripM;
  const baseAtRelease = p_r.z - gripM;
  const putDown = onSurface && released && baseAtRelease - tableTop <= MAX_PUT_DOWN_RISE_M;

  // For a put-down the table spans everything the gripper passes over (the hand resting beside
  // the object too); otherwise it stands under the grasp only (a tote stands at the release).
  const xs = steps.map((s) => s.tcp.pos[0]);
  const ys = steps.map((s) => s.tcp.pos[1]);
  const [x0, x1, y0, y1] = [
    Math.min(...xs) - 0.15,
    Math.max(...xs) + 0.15,
    Math.min(...ys) - 0.15,
    Math.max(...ys) + 0.15,
  ];
  const items: SceneItem[] = [
    { kind: "floor", id: "floor", heightM: 0, friction: 0.8, restitution: 0 },
    putDown
      ? fixedBox("table", [(x0 + x1) / 2, (y0 + y1) / 2, tableTop / 2], [x1 - x0, y1 - y0, tableTop])
      : fixedBox("table", [p_g.x, p_g.y, tableTop / 2], [0.8, 0.8, tableTop]),
  ];
  if (baseAtGrasp - tableTop > 0.005) {
    const b = baseAtGrasp - tableTop;
    items.push(fixedBox("pick_block", [p_g.x, p_g.y, tableTop + b / 2], [width, 0.06, b], objectYaw));
  }
  items.push({
    kind: "box",
    id: "object",
    role: "target",
    pose: { pos: [p_g.x, p_g.y, baseAtGrasp + h / 2], quatXyzw: objectYaw },
    sizeM: [width, 0.06, h],
    dynamic: true,
    massKg: o.massKg ?? 0.15,
    friction: 0.7,
    restitution: 0,
  });

  // The human slid it: taken and set down on the surface without ever lifting it `liftM`.
  const carryRise = Math.max(...steps.slice(g, r).map((s) => s.tcp.pos[2] - p_g.z));
  const slid =
    putDown && carryRise < DEFAULT_LIFT_M && Math.hypot(p_r.x - p_g.x, p_r.y - p_g.y) >= SLIDE_MIN_M;
  let placeRegion: SceneSpecInput["task"]["placeRegion"];
  let outcome: string;
  if (putDown) {
    const b = Math.max(0, baseAtRelease - tableTop);
    // A block of the object's footprint as it is carried there (its yaw follows the jaws): the
    // fingers, on either side of the object, stay clear of it as they set the object down.
    const jawAtRelease = qaxes(qfromXyzw(steps[r - 1]!.tcp.quatXyzw))[1];
    const releaseYaw = yaw(Math.atan2(jawAtRelease.y, jawAtRelease.x));
    if (b > 0.005)
      items.push(fixedBox("place_block", [p_r.x, p_r.y, tableTop + b / 2], [width, 0.06, b], releaseYaw));
    placeRegion = { centerM: [p_r.x, p_r.y, tableTop + b + h / 2], halfExtentsM: [0.05, 0.05, h / 2 + 0.02] };
    outcome = slid
      ? `slid ${(100 * Math.hypot(p_r.x - p_g.x, p_r.y - p_g.y)).toFixed(0)} cm along the table, never lifted ${100 * DEFAULT_LIFT_M} cm (the hand rose ${(100 * Math.max(0, carryRise)).toFixed(1)} cm), to where the hand let go (within 5 cm)`
      : `put down ${b > 0.005 ? `on a ${(100 * b).toFixed(1)} cm block` : "on the table"} where the hand let go (within 5 cm)`;
  } else if (onSurface) {
    placeRegion = undefined;
    outcome = released ? "" : "lifted and held to the end";
  } else {
    const sameTable = Math.hypot(p_r.x - p_g.x, p_r.y - p_g.y) < (o.sameTableM ?? 0.3);
    outcome = sameTable ? "put down on the same table" : "tote at the release";
    if (sameTable || !released) {
      placeRegion = { centerM: [p_r.x, p_r.y, tableTop + h / 2], halfExtentsM: [0.06, 0.06, 0.04] };
    }
  }
  if (outcome === "") {
    // Released high above the surface: dropped into a container.
    const floorZ = Math.max(0.1, p_r.z - gripM - 0.03);
    const tote: [number, number, number] = [0.4, 0.3, 0.12];
    items.push(fixedBox("stand", [p_r.x, p_r.y, (floorZ - 0.01) / 2], [tote[0], tote[1], floorZ - 0.01]), {
      kind: "tote",
      id: "tote",
      role: "receiver",
      pose: { pos: [p_r.x, p_r.y, floorZ - 0.01], quatXyzw: [0, 0, 0, 1] },
      sizeM: tote,
      wallM: 0.01,
      friction: 0.6,
      restitution: 0,
    });
    placeRegion = {
      centerM: [p_r.x, p_r.y, floorZ + tote[2] / 2],
      halfExtentsM: [tote[0] / 2 - 0.01, tote[1] / 2 - 0.01, tote[2] / 2],
    };
    outcome = "tote at the release";
  }
  if (distance(p_g, p_r) < 1e-6) placeRegion = undefined;
  const assumed = onSurface
    ? `ASSUMED from the hand: table top at ${tableTop.toFixed(3)} m (just under the lowest hand keypoint), a ${(100 * width).toFixed(1)} × 6 × ${(100 * h).toFixed(1)} cm carton gripped ${(100 * gripM).toFixed(1)} cm above its base`
    : `ASSUMED: a ${(100 * width).toFixed(1)} × 6 × ${(100 * h).toFixed(1)} cm carton gripped at mid-height on a table just under the grasp`;
  return SceneSpecSchema.parse({
    format: "egobridge.scene",
    version: 1,
    name,
    description: `Anchored to the trajectory of ${trajectory.source.uri ?? trajectory.source.kind}: carton at the first grasp, ${outcome}. ${assumed}.`,
    seed: 0,
    items,
    task: {
      targetId: "object",
      liftM: DEFAULT_LIFT_M,
      ...(slid ? { motion: "slide", moveM: SLIDE_MIN_M } : {}),
      ...(placeRegion ? { placeRegion } : {}),
    },
  });
}

/**
 * `simulate --anchor`: the trajectory kept clear of the work surface the hand shows
 * (`clearOfSurface`), and the scene anchored to it. The note says what was changed.
 */
export function anchorTrajectory(
  trajectory: RobotTrajectory,
  embodiment: Embodiment,
  name: string,
  linkage?: GripperLinkage,
): { scene: SceneSpec; trajectory: RobotTrajectory; note: string } {
  const surface = workSurfaceZ(trajectory);
  if (surface === null) return { scene: anchoredScene(trajectory, name), trajectory, note: "" };
  const cleared = clearOfSurface(trajectory.steps, embodiment, surface, { linkage });
  const note =
    cleared.stepsRaised > 0
      ? `gripper raised by up to ${(100 * cleared.maxRaiseM).toFixed(1)} cm in ${cleared.stepsRaised} of ${trajectory.steps.length} steps, where its housing or fingers would have gone below the table the hand rested on`
      : "";
  const scene = anchoredScene({ ...trajectory, steps: cleared.steps }, name, { surfaceZ: surface });
  return {
    scene: note
      ? { ...scene, description: `${scene.description} ${note[0]!.toUpperCase()}${note.slice(1)}.` }
      : scene,
    trajectory: { ...trajectory, steps: cleared.steps },
    note,
  };
}
