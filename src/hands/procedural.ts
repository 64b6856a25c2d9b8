import { InputError } from "../core/errors.js";
import {
  add,
  compose,
  cross,
  invert,
  lerp3,
  normalize,
  type Pose,
  poseFromJson,
  poseToJson,
  type Quat,
  qconj,
  qfromAxes,
  qfromAxisAngle,
  qmul,
  qrotate,
  qslerp,
  scale,
  transformPoint,
  type Vec3,
  vec3,
} from "../core/math.js";
import { createRng } from "../core/rng.js";
import type { PoseJson } from "../core/schemas/common.js";
import { HAND_TRACK_VERSION, type HandFrame, type HandTrack } from "../core/schemas/hand_track.js";
import type { SceneSpec } from "../core/schemas/scene.js";
import { halfExtentAlong, halfHeightAlongZ, itemShape } from "../core/shapes.js";
import { findSupport, type Target } from "../core/support.js";
import { pinchHandKeypoints_H } from "./hand_model.js";

/** The task the procedural pick-to-tote demonstration performs, as datasets state it. */
export const PICK_TO_TOTE_TASK = "Pick the carton from the shelf and drop it into the tote.";

export interface ProceduralOptions {
  /** Sample rate of the synthetic track (Hz), like a head camera. */
  fps?: number;
  /** Standard deviation of Gaussian noise added to every keypoint coordinate (m), as a tracker would. */
  noiseM?: number;
  seed?: number;
}

/** Shelf picks pinch this fraction of the object's half height above its centre. */
const SHELF_PINCH_ABOVE_CENTRE = 0.4;
/**
 * Picks from above pinch a tall object this far below its top (m), a short one at its centre: a
 * hand reaching down into a tote takes a can near its rim, its palm clear of the top, where a
 * pinch at mid-height would put the palm (and a gripper's housing, about 2 cm above its pads'
 * centre) onto the can.
 */
const TOP_PINCH_BELOW_TOP_M = 0.015;

/** Out of a shelf pick, the object (lying, the hand above it) is let go this far over the tote's floor (m). */
const SHELF_DROP_ABOVE_FLOOR_M = 0.03;

/** Minimum-jerk time scaling (Flash & Hogan 1985): s(τ) = 10τ³ − 15τ⁴ + 6τ⁵, zero velocity and acceleration at both ends. */
export const minJerk = (tau: number): number => {
  const t = Math.min(1, Math.max(0, tau));
  return t * t * t * (10 - 15 * t + 6 * t * t);
};

interface Segment {
  /** Pinch point at the end of the segment (W). */
  to: Vec3;
  /** The hand's attitude at the end of the segment (W; default: unchanged). */
  q?: Quat;
  apertureM: number;
  durationS: number;
  phase:
    | "rest"
    | "reach"
    | "approach"
    | "close"
    | "lift"
    | "retract"
    | "carry"
    | "lower"
    | "release"
    | "withdraw";
}

/**
 * A synthetic demonstration — no human was recorded: a right hand reaches for the scene's target
 * (into a shelf through its open front, or from above on a table or in a tote), pinches it, lifts
 * it, carries it to the receiver (a tote) and lets it drop in, with minimum-jerk timing. The track carries the target's pose per frame (its
 * ground truth), like a mocap recording would.
 */
export function proceduralPickToTote(scene: SceneSpec, options: ProceduralOptions = {}): HandTrack {
  const fps = options.fps ?? 30;
  const rng = createRng(options.seed ?? 0);
  const noise = options.noiseM ?? 0.0015;
  const target = scene.items.find((i) => i.id === scene.task.targetId)!;
  const receiver = scene.items.find((i) => "role" in i && i.role === "receiver");
  if (receiver?.kind !== "tote") {
    throw new InputError(
      `scene '${scene.name}' has no tote with role "receiver" for the demonstration to drop into`,
    );
  }
  const shape = itemShape(target);
  const X_WO0 = poseFromJson((target as { pose: PoseJson }).pose);
  const support = findSupport(scene, target as Target);
  const shelf = support.kind === "shelf" ? scene.items.find((i) => i.id === support.id) : undefined;

  // On a shelf the hand reaches in through its open front (shelf local +y) and pinches across;
  // anywhere else (a table, inside a tote) it comes from above and pinches across the object's
  // narrower side.
  let zH: Vec3;
  let yH: Vec3;
  if (shelf) {
    const approach = qrotate(poseFromJson((shelf as { pose: PoseJson }).pose).q, vec3(0, 1, 0));
    zH = normalize(vec3(approach.x, approach.y, 0));
    yH = normalize(cross(zH, vec3(0, 0, 1)));
  } else {
    zH = vec3(0, 0, -1);
    const [ox, oy] = [qrotate(X_WO0.q, vec3(1, 0, 0)), qrotate(X_WO0.q, vec3(0, 1, 0))];
    const narrowX = halfExtentAlong(shape, X_WO0, ox) <= halfExtentAlong(shape, X_WO0, oy);
    const side = narrowX ? ox : oy;
    yH = normalize(vec3(side.x, side.y, 0));
  }
  const q_WH = qfromAxes(cross(yH, zH), yH, zH);
  const widthM = 2 * halfExtentAlong(shape, X_WO0, yH);
  const halfH = halfHeightAlongZ(shape, X_WO0);

  // Reaching into a shelf, the pinch is a little above the object's centre, as a person reaching
  // over a board's front lip does: the hand (and a gripper's housing behind it) clears the lip.
  const p0 = shelf
    ? add(X_WO0.p, vec3(0, 0, SHELF_PINCH_ABOVE_CENTRE * halfH))
    : add(X_WO0.p, vec3(0, 0, Math.max(0, halfH - TOP_PINCH_BELOW_TOP_M)));
  const tote = poseFromJson(receiver.pose);
  const floorZ = tote.p.z + receiver.wallM;
  const rimZ = tote.p.z + receiver.sizeM[2];
  // Drop from 5 cm above the tote floor; from above, the TCP stays high enough for the palm. The
  // pinch of a pick from above holds the object `pinchAbove` over its centre, and still does at
  // the drop (a shelf pick's pinch, 0.4 of the half height up, is dropped as if at the centre).
  // `dropEnd`: where the object's centre comes to rest, on the tote floor.
  const pinchAbove = shelf ? 0 : p0.z - X_WO0.p.z;
  // Out of a shelf pick the hand pitches down while carrying (about the pinch axis) and lowers the
  // object, now lying, into the tote's centre from above, letting go just over its floor: as a
  // person tips a carton into a tote, and as an arm must (a horizontal tool held low over a tote
  // puts the wrist and forearm behind it into the near wall).
  const q_drop = shelf ? qmul(qfromAxisAngle(yH, signedAngle(zH, vec3(0, 0, -1), yH)), q_WH) : q_WH;
  const X_WO_drop: Pose = { p: X_WO0.p, q: qmul(qmul(q_drop, qconj(q_WH)), X_WO0.q) };
  const dropHalfH = shelf ? halfHeightAlongZ(shape, X_WO_drop) : halfH;
  const drop = vec3(
    tote.p.x,
    tote.p.y,
    shelf ? floorZ + dropHalfH + SHELF_DROP_ABOVE_FLOOR_M : floorZ + halfH + 0.05 + pinchAbove,
  );
  const dropEnd = vec3(drop.x, drop.y, floorZ + dropHalfH);
  const open = Math.min(widthM + 0.04, 0.1);
  const closed = widthM + 0.002;
  const up = (p: Vec3, dz: number): Vec3 => add(p, vec3(0, 0, dz));
  const back = (p: Vec3, d: number): Vec3 => add(p, scale(zH, -d));
  // Height to carry at: clear of the source's walls or board and of the tote's rim.
  const clearZ = Math.max(p0.z + (shelf ? 0.07 : 0.2), rimZ + halfH + 0.1);
  const start = shelf ? add(up(back(p0, 0.4), 0.15), scale(yH, -0.1)) : add(up(p0, 0.35), scale(yH, -0.15));
  const lifted = shelf ? up(p0, 0.07) : vec3(p0.x, p0.y, clearZ);
  const segments: Segment[] = [
    { to: start, apertureM: 0.07, durationS: 0.5, phase: "rest" },
    { to: back(p0, 0.15), apertureM: open, durationS: 1.4, phase: "reach" },
    { to: p0, apertureM: open, durationS: 0.9, phase: "approach" },
    { to: p0, apertureM: closed, durationS: 0.4, phase: "close" },
    { to: lifted, apertureM: closed, durationS: 0.7, phase: "lift" },
    {
      to: shelf ? back(lifted, 0.25) : lifted,
      apertureM: closed,
      durationS: shelf ? 0.9 : 0.2,
      phase: "retract",
    },
    // Pitching down on the way (shelf picks) takes a little longer.
    {
      to: vec3(drop.x, drop.y, clearZ),
      q: q_drop,
      apertureM: closed,
      durationS: shelf ? 3 : 1.5,
      phase: "carry",
    },
    { to: drop, apertureM: closed, durationS: 0.8, phase: "lower" },
    { to: drop, apertureM: open, durationS: 0.4, phase: "release" },
    { to: up(drop, shelf ? 0.1 : 0.2), apertureM: open, durationS: 0.8, phase: "withdraw" },
    {
      to: shelf ? up(drop, 0.15) : back(up(drop, 0.25), 0.1),
      apertureM: 0.07,
      durationS: 0.8,
      phase: "withdraw",
    },
  ];

  const totalS = segments.reduce((s, g) => s + g.durationS, 0);
  const count = Math.floor(totalS * fps) + 1;
  const frames: HandFrame[] = [];
  const objectPoses: PoseJson[] = [];
  let X_HO: Pose | null = null;
  let releasedAt: { t: number; X: Pose } | null = null;
  for (let i = 0; i < count; i++) {
    const t = i / fps;
    const { p, q, apertureM, phase, segStart } = sample(segments, start, q_WH, t);
    const X_WH: Pose = { p, q };
    const kp = pinchHandKeypoints_H(apertureM).map((k) => {
      const w = transformPoint(X_WH, k);
      return [w.x + noise * rng.normal(), w.y + noise * rng.normal(), w.z + noise * rng.normal()] as [
        number,
        number,
        number,
      ];
    });
    frames.push({ t, index: i, hands: [{ side: "right", score: 1, keypointsWorld: kp }] });

    // The object: at rest until the fingers have closed, then carried rigidly, then dropped.
    const holding =
      ["lift", "retract", "carry", "lower"].includes(phase) || (phase === "release" && t === segStart);
    let X_WO: Pose = X_WO0;
    if (holding) {
      X_HO ??= compose(invert(X_WH), X_WO0);
      X_WO = compose(X_WH, X_HO);
    } else if (X_HO && (phase === "release" || phase === "withdraw")) {
      releasedAt ??= { t, X: compose(X_WH, X_HO) };
      const s = Math.min(1, (t - releasedAt.t) / 0.15);
      X_WO = { p: lerp3(releasedAt.X.p, dropEnd, s * s), q: releasedAt.X.q };
    }
    objectPoses.push(poseToJson(X_WO));
  }

  return {
    format: "egobridge.handtrack",
    version: HAND_TRACK_VERSION,
    source: {
      kind: "procedural",
      uri: `procedural:pick_to_tote:${scene.name}`,
      synthetic: true,
      description:
        "SYNTHETIC demonstration (no human recorded): procedural right hand, minimum-jerk reach, pinch, lift, carry and drop into a tote.",
    },
    fps,
    frames,
    objects: [
      {
        name: target.id,
        shape,
        shapeSource: `scene '${scene.name}' item '${target.id}'`,
        massKg: "massKg" in target ? target.massKg : undefined,
        poses: objectPoses,
      },
    ],
  };
}

function sample(segments: Segment[], start: Vec3, q0: Quat, t: number) {
  let t0 = 0;
  let from = start;
  let fromQ = q0;
  let fromAperture = segments[0]!.apertureM;
  for (const g of segments) {
    if (t <= t0 + g.durationS || g === segments[segments.length - 1]) {
      const s = minJerk((t - t0) / g.durationS);
      return {
        p: lerp3(from, g.to, s),
        q: g.q ? qslerp(fromQ, g.q, s) : fromQ,
        apertureM: fromAperture + (g.apertureM - fromAperture) * s,
        phase: g.phase,
        segStart: t0,
      };
    }
    t0 += g.durationS;
    from = g.to;
    fromQ = g.q ?? fromQ;
    fromAperture = g.apertureM;
  }
  throw new Error("unreachable");
}

/** The angle (rad) turning unit vector a onto b about the unit axis n (both perpendicular to n). */
const signedAngle = (a: Vec3, b: Vec3, n: Vec3): number => {
  const c = cross(a, b);
  return Math.atan2(c.x * n.x + c.y * n.y + c.z * n.z, a.x * b.x + a.y * b.y + a.z * b.z);
};
