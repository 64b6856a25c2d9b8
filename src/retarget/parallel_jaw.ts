import { InputError } from "../core/errors.js";
import { oneEuroZeroPhase } from "../core/filters/one_euro.js";
import {
  add,
  clamp,
  distance,
  dot,
  fromArray3,
  lerp3,
  norm,
  type Pose,
  poseInterp,
  type Quat,
  qaxes,
  qconj,
  qfromAxisAngle,
  qfromXyzw,
  qmul,
  qnormalize,
  qrotate,
  scale,
  sub,
  toArray3,
  type Vec3,
  vec3,
} from "../core/math.js";
import { KP, type PoseJson } from "../core/schemas/common.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { HandTrack, ObjectShape } from "../core/schemas/hand_track.js";
import type { HumanSample, RobotTrajectory, TrajectoryStep } from "../core/schemas/trajectory.js";
import { halfExtentAlong, halfHeightAlongZ } from "../core/shapes.js";
import type { GripperLinkage } from "../sim/linkage_gripper.js";
import { clearOfSurface, lowestGripperZ } from "../sim/scenery_clearance.js";
import { type ClosureCues, detectClosureGrasp } from "./grasp_closure.js";
import { gripFrame, pinchFrame } from "./grasp_frame.js";
import { detectGrasp } from "./grasp_state.js";
import {
  dominantSide,
  extractHand,
  type HandSamples,
  observedSegments,
  type Side,
  sliceHand,
} from "./hand_samples.js";
import { type ParallelJawParams, type ParallelJawParamsInput, ParallelJawParamsSchema } from "./params.js";

/**
 * Names the retargeting algorithm in every trajectory. v2: grasps by closure and the grip frame for
 * recorded hands without objects, zero-phase smoothing, long gaps split, a settle hold at the end.
 * v3: the manipulating hand is the one whose grasps carry farthest from where they closed. v4: with
 * an object track, the jaws are centred on the object at each grasp (centreOnObject). v5: with an
 * object track, each grasp is turned about the jaw axis as far as the gripper needs to clear the
 * surface the object stood on (clearHoldsOfSurface).
 */
export const RETARGET_METHOD = "parallel_jaw_v5";

const poseJson = (X: Pose): PoseJson => ({
  pos: toArray3(X.p),
  quatXyzw: [X.q.x, X.q.y, X.q.z, X.q.w],
});

/** Flips quaternion signs so consecutive samples lie in the same hemisphere (needed before filtering). */
function makeContinuous(qs: Quat[]): Quat[] {
  const out = qs.slice();
  for (let i = 1; i < out.length; i++) {
    const a = out[i - 1]!;
    const b = out[i]!;
    if (a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w < 0) out[i] = { x: -b.x, y: -b.y, z: -b.z, w: -b.w };
  }
  return out;
}

/**
 * Retargets one hand of a `HandTrack` onto a parallel-jaw gripper: a TCP pose and jaw command per
 * control step, with the human keypoints of the same instant (the alignment).
 *
 * Steps: pick the hand → fill short gaps (split at long ones) → gripper frame per sample (grasp_frame.ts) → zero-phase One-Euro smoothing
 * of TCP position and orientation → grasp state with hysteresis (grasp_state.ts) → jaw command →
 * resampling from the source rate to `controlHz`.
 * `linkage`: the gripper's linkage where the embodiment is simulated from one (`linkageOf`), so the
 * table clearance of recorded tracks with objects is judged on the parts the engine simulates.
 */
export function retargetParallelJaw(
  track: HandTrack,
  embodiment: Embodiment,
  paramsInput: ParallelJawParamsInput = {},
  linkage?: GripperLinkage,
): RobotTrajectory {
  const p = ParallelJawParamsSchema.parse(paramsInput);
  // Whole-hand grasps (closure cue) take the grip frame, pinches the pinch frame: one frame for
  // the whole trajectory, so the gripper's orientation never jumps between the two.
  const closure = closureCue(track, p);
  const side =
    p.side !== "auto" ? p.side : closure ? manipulatingSide(track, p) : dominantSide(track, p.minScore);
  const whole = extractHand(track, side, p.minScore);
  const segments = observedSegments(whole, p.maxGapS);
  const chosen =
    p.segment ??
    segments.reduce((best, [a, b], k) => (b - a > segments[best]![1] - segments[best]![0] ? k : best), 0);
  if (chosen >= segments.length) {
    throw new InputError(
      `segment ${chosen} asked for, but the ${side} hand's gaps split the track into ${segments.length}`,
      {
        hint: `choose a segment from 0 to ${segments.length - 1}, or raise maxGapS`,
      },
    );
  }
  const [first, last] = segments[chosen]!;
  const hand = sliceHand(whole, first, last);
  const objects = track.objects.map((o) => ({
    name: o.name,
    shape: o.shape,
    poses: o.poses
      .slice(first, last + 1)
      .map((pj): Pose => ({ p: fromArray3(pj.pos), q: qfromXyzw(pj.quatXyzw) })),
  }));
  const n = hand.times.length;
  if (n < 2) {
    throw new InputError(
      `the ${side} hand is seen in only one frame of segment ${chosen}: nothing to retarget`,
    );
  }
  const frameOf = (kp: Vec3[], fallbackY?: Vec3) =>
    closure ? gripFrame(kp, side, fallbackY) : pinchFrame(kp, fallbackY);
  const poses: Pose[] = [];
  const aperture: number[] = [];
  let lastY: Vec3 | undefined;
  for (let i = 0; i < n; i++) {
    const f = frameOf(hand.keypoints_W[i]!, lastY);
    if (!f) {
      if (poses.length === 0)
        throw new InputError(`degenerate hand keypoints at frame ${i} (coincident points)`);
      poses.push(poses[poses.length - 1]!);
      aperture.push(aperture[aperture.length - 1]!);
      continue;
    }
    lastY = qaxes(f.X_WG.q)[1];
    poses.push(f.X_WG);
    aperture.push(f.apertureM);
  }

  const smoothP = oneEuroZeroPhase(
    hand.times,
    poses.map((X) => toArray3(X.p)),
    p.smoothing,
  );
  const qs = makeContinuous(poses.map((X) => X.q));
  const smoothQ = oneEuroZeroPhase(
    hand.times,
    qs.map((q) => [q.x, q.y, q.z, q.w]),
    p.smoothing,
  );
  const smoothed: Pose[] = smoothP.map((pp, i) => ({
    p: fromArray3(pp),
    q: qnormalize(qfromXyzw(smoothQ[i]!)),
  }));

  const grasp = closure
    ? detectClosureGrasp(closureCues(hand), { ...p, smoothHalfWindowS: p.closureSmoothS })
    : detectGrasp(
        {
          times: hand.times,
          thumbTip_W: hand.keypoints_W.map((k) => k[KP.thumbTip]!),
          indexTip_W: hand.keypoints_W.map((k) => k[KP.indexTip]!),
          objects,
        },
        p,
      );
  // Recorded hands get a robot's grasp; a synthetic demonstration plans its own.
  const recorded = !track.source.synthetic;
  const centred =
    p.centreOnObject && objects.length > 0 && recorded
      ? centreOnObject(
          smoothed,
          hand.times,
          grasp,
          objects.map((o) => o.poses.map((X) => X.p)),
          p.maxCentreShiftM,
          p.approachS,
        )
      : smoothed;
  const surfaced = p.clearOfSurface && objects.length > 0 && recorded;
  const tilted = surfaced
    ? clearHoldsOfSurface(
        centred,
        hand.times,
        grasp,
        objects,
        embodiment,
        p.surfaceClearanceM,
        p.approachS,
        linkage,
      )
    : centred;
  const jaw = aperture.map((a, i) =>
    grasp[i] ? 0 : clamp(p.apertureScale * a + p.openMarginM, 0, embodiment.strokeM),
  );

  const sampled = resample(hand, tilted, jaw, grasp, p.controlHz, objects[0]);
  const approached =
    p.approachM > 0 && recorded
      ? straightApproaches(sampled, embodiment, p.approachM, Math.round(p.approachS * p.controlHz))
      : sampled;
  const dwelled = p.dwellOnGraspChange
    ? insertJawDwells(approached, embodiment.fingerSpeedMps, p.controlHz, p.releaseSettleS)
    : approached;
  const settled = appendSettle(
    prependLeadIn(dwelled, p.leadInM, embodiment, p.controlHz),
    p.settleS,
    p.controlHz,
  );
  // The table under a recorded object: where its lowest point ever was.
  const tableZ = () =>
    Math.min(...objects.flatMap((o) => o.poses.map((X) => X.p.z - halfHeightAlongZ(o.shape, X))));
  const steps = surfaced
    ? clearOfSurface(settled, embodiment, tableZ(), {
        clearanceM: p.surfaceClearanceM,
        linkage,
        holds: false,
      }).steps
    : settled;
  return {
    format: "egobridge.trajectory",
    version: 1,
    embodiment: embodiment.name,
    controlHz: p.controlHz,
    frame: "W",
    source: {
      kind: track.source.kind,
      uri: track.source.uri,
      side,
      synthetic: track.source.synthetic,
      ...(track.camera ? { camera: track.camera } : {}),
      ...(track.cameraTrajectory
        ? { headPose: "measured" as const }
        : track.X_WC
          ? { headPose: "static" as const }
          : {}),
      frames: [hand.frameIndex[0]!, hand.frameIndex[n - 1]!],
      ...(segments.length > 1 ? { segment: { index: chosen, of: segments.length } } : {}),
    },
    method: RETARGET_METHOD,
    params: p as unknown as Record<string, unknown>,
    steps,
  };
}

/**
 * Centres the jaws on the grasped object at each grasp (recorded tracks with objects): for each run of
 * grasp samples, the object whose centre is nearest the TCP at the close is taken, and its centre's
 * offset from the TCP across the approach axis (x and y of the gripper frame G at the close) is
 * added to every pose of the run, in each pose's own frame (so a carried object stays centred);
 * the shift fades in linearly over `blendS` before the close and out over `blendS` after the
 * release. Runs whose shift would exceed `maxShiftM` are left as the hand did them.
 */
export function centreOnObject(
  poses: readonly Pose[],
  times: readonly number[],
  grasp: readonly boolean[],
  objectCentres_W: readonly (readonly Vec3[])[],
  maxShiftM: number,
  blendS: number,
): Pose[] {
  const runs = graspRuns(grasp).flatMap(([a, b]) => {
    const X = poses[a]!;
    const nearest = objectCentres_W
      .map((c) => c[a]!)
      .reduce((best, c) => (distance(c, X.p) < distance(best, X.p) ? c : best));
    const d = qrotate(qconj(X.q), sub(nearest, X.p));
    const shift_G = vec3(d.x, d.y, 0);
    return norm(shift_G) <= maxShiftM ? [{ a, b, shift_G }] : [];
  });
  if (runs.length === 0) return poses.slice();
  return poses.map((X, i) => {
    const near = nearestRun(runs, times, i, blendS);
    return near ? { p: add(X.p, qrotate(X.q, scale(near.run.shift_G, near.w))), q: X.q } : X;
  });
}

/** The runs of grasp samples (the holds), as [first, last] index pairs. */
function graspRuns(grasp: readonly boolean[]): [number, number][] {
  const runs: [number, number][] = [];
  for (let a = 0; a < grasp.length; a++) {
    if (!grasp[a] || (a > 0 && grasp[a - 1])) continue;
    let b = a;
    while (b + 1 < grasp.length && grasp[b + 1]) b++;
    runs.push([a, b]);
  }
  return runs;
}

/**
 * The run sample i belongs to most, and how much: weight 1 within a run, fading linearly to 0
 * over `blendS` before its first sample and after its last; the first of equally weighted runs.
 */
function nearestRun<R extends { a: number; b: number }>(
  runs: readonly R[],
  times: readonly number[],
  i: number,
  blendS: number,
): { run: R; w: number } | undefined {
  let best: { run: R; w: number } | undefined;
  for (const run of runs) {
    const gapS = i < run.a ? times[run.a]! - times[i]! : i > run.b ? times[i]! - times[run.b]! : 0;
    const w = blendS > 0 ? clamp(1 - gapS / blendS, 0, 1) : gapS === 0 ? 1 : 0;
    if (w > 0 && (!best || w > best.w)) best = { run, w };
  }
  return best;
}

/** Turns tried by clearHoldsOfSurface, in order: 0, ±1°, ±2°, … ±90° (smallest first). */
const TILTS_RAD = [0, ...Array.from({ length: 90 }, (_, k) => [k + 1, -(k + 1)]).flat()].map(
  (d) => (d * Math.PI) / 180,
);
/** clearHoldsOfSurface raises the pads no higher than this below the held object's top (m). */
const PAD_BELOW_TOP_M = 0.005;

/**
 * Fits each hold of a recorded track with objects to a rigid gripper over a table
 * (`clearOfSurface` in params.ts):
 * - A robot carries the object rigidly where it closed on it, while a hand's pinch point drifts on
 *   the object (8 mm down GRAB's small cylinder between pick and put-down); copied, the drift
 *   would press the object into the table as it is set down. So no pose of the hold is lower,
 *   relative to the close, than the object itself was: the gripper rises by the difference.
 * - A hand can lay its fingers along the table to pinch something small standing on it; a
 *   gripper's housing and fingers are larger than fingertips, and copied they go into the table
 *   (GRAB's 4 cm cylinder, pinched from the side with the hand flat on the table, sank a 2F-85
 *   housing 5 cm into it). So the gripper is turned about its own jaw axis (y of G) through the
 *   TCP by the smallest angle (whole degrees, up to 90°) for which, raised straight up by at most
 *   as much as keeps the TCP `PAD_BELOW_TOP_M` under the object's top, every part of it (housing
 *   and fingers as `gripperBoxes` places them: closed on the object, and open at the close and
 *   the release) stays `clearanceM` above the surface the object stood on at the close, at every
 *   pose of the hold. The pads lie on the jaw axis, so the turn keeps them on the same points of
 *   the object and changes only the approach direction (the housing swings up, as a robot
 *   picking a low part off a table tilts its wrist); the raise moves them up the object's side.
 *   One turn serves the whole hold, so the object is set down the way up it was picked.
 * Turn and raise fade in over `blendS` before the close and out over `blendS` after the release.
 * A hold no turn clears keeps the hand's orientation (the verdict then sees the collision).
 */
export function clearHoldsOfSurface(
  poses: readonly Pose[],
  times: readonly number[],
  grasp: readonly boolean[],
  objects: readonly { shape: ObjectShape; poses: readonly Pose[] }[],
  embodiment: Embodiment,
  clearanceM: number,
  blendS: number,
  linkage?: GripperLinkage,
): Pose[] {
  const tiltedBy = (q: Quat, rad: number) => qmul(q, qfromAxisAngle(JAW_AXIS, rad));
  const runs = graspRuns(grasp).map(([i, b]) => {
    const X = poses[i]!;
    const held = objects.reduce((best, o) =>
      distance(o.poses[i]!.p, X.p) < distance(best.poses[i]!.p, X.p) ? o : best,
    );
    const O = held.poses[i]!;
    const floor = Array.from({ length: b - i + 1 }, (_, k) =>
      Math.max(0, held.poses[i + k]!.p.z - O.p.z - (poses[i + k]!.p.z - X.p.z)),
    );
    const halfH = halfHeightAlongZ(held.shape, O);
    const widthM = 2 * halfExtentAlong(held.shape, O, qaxes(X.q)[1]);
    const surfaceZ = O.p.z - halfH + clearanceM;
    const maxRaiseM = Math.max(0, O.p.z + halfH - PAD_BELOW_TOP_M - X.p.z);
    // How far the hold must rise (beyond its floor) to clear the surface at this tilt.
    const raiseFor = (rad: number) => {
      let need = 0;
      for (let j = i; j <= b; j++) {
        const Xj = { p: add(poses[j]!.p, scale(UP, floor[j - i]!)), q: tiltedBy(poses[j]!.q, rad) };
        // Closed on the object through the hold; open too where the jaws close and open.
        const closed = lowestGripperZ(embodiment, Xj, widthM, linkage);
        const low =
          j === i || j === b
            ? Math.min(closed, lowestGripperZ(embodiment, Xj, embodiment.strokeM, linkage))
            : closed;
        need = Math.max(need, surfaceZ - low);
      }
      return need;
    };
    for (const tiltRad of TILTS_RAD) {
      const raiseM = raiseFor(tiltRad);
      if (raiseM <= maxRaiseM) return { a: i, b, tiltRad, raiseM, floor };
    }
    return { a: i, b, tiltRad: 0, raiseM: 0, floor };
  });
  return poses.map((X, i) => {
    const near = nearestRun(runs, times, i, blendS);
    if (!near) return X;
    const { run, w } = near;
    const raiseM = run.raiseM + run.floor[clamp(i - run.a, 0, run.b - run.a)]!;
    return { p: add(X.p, scale(UP, w * raiseM)), q: tiltedBy(X.q, w * run.tiltRad) };
  });
}

const JAW_AXIS = vec3(0, 1, 0);
const UP = vec3(0, 0, 1);

const closureCues = (hand: HandSamples): ClosureCues => ({
  times: hand.times,
  wrist_W: hand.keypoints_W.map((k) => k[KP.wrist]!),
  thumbTip_W: hand.keypoints_W.map((k) => k[KP.thumbTip]!),
  indexTip_W: hand.keypoints_W.map((k) => k[KP.indexTip]!),
  middleTip_W: hand.keypoints_W.map((k) => k[KP.middleTip]!),
});

/** What one hand does over a track (closure cue). */
interface HandActivity {
  side: Side;
  /** Wrist path over the whole track (m); -1 when the hand is never seen. */
  moved: number;
  /** Farthest the wrist gets from where a grasp began, over all its grasps (m); -1 when never seen. */
  reach: number;
}

function handActivity(track: HandTrack, p: ParallelJawParams): [HandActivity, HandActivity] {
  const activity = (["left", "right"] as const).map((side): HandActivity => {
    let hand: HandSamples;
    try {
      hand = extractHand(track, side, p.minScore);
    } catch {
      return { side, moved: -1, reach: -1 };
    }
    const cues = closureCues(hand);
    const grasp = detectClosureGrasp(cues, { ...p, smoothHalfWindowS: p.closureSmoothS });
    let moved = 0;
    let reach = 0;
    let onset = -1;
    for (let i = 0; i < cues.wrist_W.length; i++) {
      if (grasp[i] && (i === 0 || !grasp[i - 1])) onset = i;
      if (grasp[i]) reach = Math.max(reach, distance(cues.wrist_W[i]!, cues.wrist_W[onset]!));
      if (i === 0 || hand.fill[i] !== "observed" || hand.fill[i - 1] !== "observed") continue;
      moved += distance(cues.wrist_W[i]!, cues.wrist_W[i - 1]!);
    }
    return { side, moved, reach };
  });
  return activity as [HandActivity, HandActivity];
}

/**
 * The hand that manipulates, chosen by what it does (closure cue): the one whose grasps carry
 * something farthest (how far the wrist gets from where a grasp closed: a path length would
 * also count depth jitter); with no grasp in either, the one that moves most; a hand never seen
 * does not compete. Ties go to the hand seen in most frames.
 */
export function manipulatingSide(
  track: HandTrack,
  p: ParallelJawParams,
  activity: [HandActivity, HandActivity] = handActivity(track, p),
): Side {
  const [l, r] = activity;
  if (l.reach !== r.reach && Math.max(l.reach, r.reach) > 0) return l.reach > r.reach ? "left" : "right";
  if (Math.abs(l.moved - r.moved) > 0.01) return l.moved > r.moved ? "left" : "right";
  return dominantSide(track, p.minScore);
}

/**
 * A second hand demonstrates too only when one of its grasps moves the wrist at least this many
 * times `minCarryM` from where it closed. Monocular depth is noisy: on the EgoDex stapler clip the
 * resting left hand (ARKit: 4 cm of motion in all) reads as a 5–8 cm "carry" in perception's 3D,
 * while the hand that moves the stapler reaches 11–30 cm.
 */
export const SECOND_HAND_REACH_FACTOR = 2;

/**
 * The hands a track demonstrates with, each to become its own single-arm episode (egobridge keeps
 * both hands as two single-arm demonstrations, not one bimanual one): with `side` given, that
 * hand; otherwise the hand `retargetParallelJaw` follows, then, for recorded hands without an
 * object track (closure cue), the other hand when its own grasps carry something far enough
 * (`SECOND_HAND_REACH_FACTOR`).
 */
export function demonstratingSides(track: HandTrack, paramsInput: ParallelJawParamsInput = {}): Side[] {
  const p = ParallelJawParamsSchema.parse(paramsInput);
  if (p.side !== "auto") return [p.side];
  if (!closureCue(track, p)) return [dominantSide(track, p.minScore)];
  const activity = handActivity(track, p);
  const main = manipulatingSide(track, p, activity);
  const other = activity.find((a) => a.side !== main)!;
  return other.reach >= SECOND_HAND_REACH_FACTOR * p.minCarryM ? [main, other.side] : [main];
}

/** Whether a track's grasps are found by hand closure (recorded hands, no object track) or by pinch/contact. */
const closureCue = (track: HandTrack, p: ParallelJawParams): boolean =>
  p.graspCue === "closure" ||
  (p.graspCue === "auto" && !track.source.synthetic && track.objects.length === 0);

/** Samples the source-rate signals at t0 + k / controlHz (linear / slerp; grasp from the nearest sample). */
function resample(
  hand: ReturnType<typeof extractHand>,
  poses: Pose[],
  jaw: number[],
  grasp: boolean[],
  controlHz: number,
  object?: { name: string; poses: Pose[] },
): TrajectoryStep[] {
  const t0 = hand.times[0]!;
  const tEnd = hand.times[hand.times.length - 1]!;
  const count = Math.floor((tEnd - t0) * controlHz + 1e-9) + 1;
  const steps: TrajectoryStep[] = [];
  let i = 0;
  for (let k = 0; k < count; k++) {
    const t = t0 + k / controlHz;
    while (i < hand.times.length - 2 && hand.times[i + 1]! <= t) i++;
    const ta = hand.times[i]!;
    const tb = hand.times[i + 1]!;
    const s = clamp((t - ta) / (tb - ta), 0, 1);
    const near = s < 0.5 ? i : i + 1;
    const kp = hand.keypoints_W[i]!.map((a, j) => lerp3(a, hand.keypoints_W[i + 1]![j]!, s));
    steps.push({
      t: k / controlHz,
      tcp: poseJson(poseInterp(poses[i]!, poses[i + 1]!, s)),
      apertureM: jaw[i]! + (jaw[i + 1]! - jaw[i]!) * s,
      grasp: grasp[near]!,
      confidence: hand.score[i]! + (hand.score[i + 1]! - hand.score[i]!) * s,
      human: {
        frameIndex: hand.frameIndex[near]!,
        t,
        keypointsWorld: kp.map(toArray3),
        ...humanProvenance(hand, i, s),
        ...(hand.X_WC[i] && hand.X_WC[i + 1]
          ? { X_WC: poseJson(poseInterp(hand.X_WC[i]!, hand.X_WC[i + 1]!, s)) }
          : {}),
      },
      ...(object
        ? {
            object: {
              name: object.name,
              pose: poseJson(poseInterp(object.poses[i]!, object.poses[i + 1]!, s)),
            },
          }
        : {}),
    });
  }
  return steps;
}

/**
 * Status, confidence and gap of a sample taken a fraction `s` of the way from source frame i to
 * i + 1: observed only when every frame it draws on was observed.
 */
function humanProvenance(hand: ReturnType<typeof extractHand>, i: number, s: number): Partial<HumanSample> {
  const used = s <= 1e-9 ? [i] : s >= 1 - 1e-9 ? [i + 1] : [i, i + 1];
  const confidence = hand.score[i]! + (hand.score[i + 1]! - hand.score[i]!) * s;
  const fills = used.map((j) => hand.fill[j]!);
  if (fills.every((f) => f === "observed")) return { status: "observed", confidence };
  if (fills.includes("interpolated")) {
    return { status: "interpolated", confidence, gapS: Math.max(...used.map((j) => hand.gapS[j]!)) };
  }
  return { status: "held", confidence };
}

/**
 * A hand closes on an object while still turning its wrist, its fingers sliding into place; a
 * gripper copying that sweeps a rigid finger across the object (or lands it on top) before the
 * jaws close. So before each grasp the robot takes the grasp's orientation and comes in straight
 * along its approach axis, jaws fully open: over `count` steps it blends from the human's path to
 * a pre-grasp pose `approachM` back along the axis, then over `count` more moves straight in.
 * After each release it backs out the same way, jaws fully open (a relaxing hand's fingers curl
 * in again, and jaws copying them would close on the object just set down), before rejoining the
 * human's path (or, when the next grasp follows too soon for that, going straight to its
 * pre-grasp pose). The human samples of those steps are unchanged: the robot's path differs
 * from the hand's there, by design.
 */
export function straightApproaches(
  steps: TrajectoryStep[],
  embodiment: Embodiment,
  approachM: number,
  count: number,
): TrajectoryStep[] {
  const out = steps.map((s) => ({ ...s }));
  const poseOf = (s: TrajectoryStep): Pose => ({ p: fromArray3(s.tcp.pos), q: qfromXyzw(s.tcp.quatXyzw) });
  const backOff = (X: Pose): Pose => {
    const z = qaxes(X.q)[2];
    return {
      p: { x: X.p.x - approachM * z.x, y: X.p.y - approachM * z.y, z: X.p.z - approachM * z.z },
      q: X.q,
    };
  };
  const smooth = (s: number) => s * s * (3 - 2 * s);
  const blend = (
    idx: number[],
    from: (j: number) => Pose,
    to: (j: number) => Pose,
    ease: (s: number) => number,
  ) => {
    idx.forEach((j, m) => {
      out[j] = { ...out[j]!, tcp: poseJson(poseInterp(from(j), to(j), ease((m + 1) / (idx.length + 1)))) };
    });
  };
  const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, m) => a + m);
  const open = (a: number, b: number) => {
    for (const j of range(a, b)) out[j] = { ...out[j]!, apertureM: embodiment.strokeM };
  };
  // The holds, as [onset, release) index pairs (release = steps.length when held to the end).
  const holds = graspRuns(steps.map((s) => s.grasp)).map(([k, last]): [number, number] => [k, last + 1]);
  holds.forEach(([k, r], h) => {
    const X_g = poseOf(steps[k]!);
    const X_pre = backOff(X_g);
    // Between a release and the next grasp there may be no room to rejoin the human's path: with
    // less than four phases' worth of steps, the robot backs out, moves straight to the next
    // pre-grasp pose and comes in, a third of the gap each (the earlier release plans it).
    const prevRelease = h > 0 ? holds[h - 1]![1] : undefined;
    if (k > 0 && (prevRelease === undefined || k - prevRelease >= 4 * count)) {
      const inStart = Math.max(prevRelease ?? 0, k - count);
      const blendStart = Math.max(prevRelease ?? 0, inStart - count);
      blend(
        range(blendStart, inStart),
        (j) => poseOf(steps[j]!),
        () => X_pre,
        smooth,
      );
      blend(
        range(inStart, k),
        () => X_pre,
        () => X_g,
        (s) => s,
      );
      open(blendStart, k);
    }
    if (r >= steps.length) return;
    const X_r = poseOf(steps[r - 1]!);
    const X_post = backOff(X_r);
    const next = holds[h + 1]?.[0];
    if (next !== undefined && next - r < 4 * count) {
      const c = Math.max(1, Math.floor((next - r) / 3));
      const X_next = poseOf(steps[next]!);
      const X_nextPre = backOff(X_next);
      blend(
        range(r, r + c),
        () => X_r,
        () => X_post,
        (s) => s,
      );
      blend(
        range(r + c, next - c),
        () => X_post,
        () => X_nextPre,
        smooth,
      );
      blend(
        range(next - c, next),
        () => X_nextPre,
        () => X_next,
        (s) => s,
      );
      open(r, next);
      return;
    }
    const outEnd = Math.min(steps.length, r + count);
    const rejoinEnd = Math.min(steps.length, outEnd + count);
    blend(
      range(r, outEnd),
      () => X_r,
      () => X_post,
      (s) => s,
    );
    blend(
      range(outEnd, rejoinEnd),
      () => X_post,
      (j) => poseOf(steps[j]!),
      smooth,
    );
    open(r, rejoinEnd);
  });
  return out;
}

/**
 * The robot starts `leadInM` back along the approach axis from the first pose and moves in, so
 * it never starts inside the scene (a recording may begin with the hand already at the object).
 * A recording that starts mid-grasp gets its lead-in with the jaws open (arriving closed would
 * knock the object away), then closes at the first pose, waiting as long as the jaws take, before
 * the recorded motion goes on. The lead-in and closing steps carry the first human sample, held:
 * the human is still during them.
 */
export function prependLeadIn(
  steps: TrajectoryStep[],
  leadInM: number,
  embodiment: Embodiment,
  controlHz: number,
): TrajectoryStep[] {
  if (leadInM <= 0) return steps;
  const first = steps[0]!;
  const X1: Pose = { p: fromArray3(first.tcp.pos), q: qfromXyzw(first.tcp.quatXyzw) };
  const z = qaxes(X1.q)[2];
  const X0: Pose = {
    p: { x: X1.p.x - leadInM * z.x, y: X1.p.y - leadInM * z.y, z: X1.p.z - leadInM * z.z },
    q: X1.q,
  };
  const count = Math.ceil((leadInM / (0.25 * embodiment.limits.maxLinearSpeedMps)) * controlHz);
  const held = { ...first.human, status: "held" as const };
  const lead = Array.from({ length: count }, (_, j): TrajectoryStep => {
    const s = j / count;
    return {
      ...first,
      grasp: false,
      apertureM: first.grasp ? embodiment.strokeM : first.apertureM,
      tcp: poseJson(poseInterp(X0, X1, s * s * (3 - 2 * s))),
      human: held,
    };
  });
  const closeSteps = first.grasp
    ? Math.ceil((embodiment.strokeM / embodiment.fingerSpeedMps) * controlHz)
    : 0;
  const close = Array.from({ length: closeSteps }, (): TrajectoryStep => ({ ...first, human: held }));
  return [...lead, ...close, ...steps].map((st, k) => ({ ...st, t: k / controlHz }));
}

/**
 * A recording often stops moments after the hand lets go (the hand leaves the view, the mocap
 * take ends), while what it set down is still settling; a robot ends a task by holding still.
 * So the last commanded pose is held for `settleS`, its human sample held too, and the verdict
 * judges where things came to rest rather than where they were when the data ran out.
 */
export function appendSettle(steps: TrajectoryStep[], settleS: number, controlHz: number): TrajectoryStep[] {
  const count = Math.round(settleS * controlHz);
  if (count <= 0) return steps;
  const last = steps[steps.length - 1]!;
  const held = { ...last, human: { ...last.human, status: "held" as const } };
  return [...steps, ...Array.from({ length: count }, () => held)].map((st, k) => ({
    ...st,
    t: k / controlHz,
  }));
}

/**
 * A human closes or opens their fingers in a fraction of a second while still moving; a gripper
 * needs stroke / finger speed (about 0.5 s for a 2F-85). So at every grasp change the robot waits
 * at that pose until its jaws have travelled: the step is repeated (same pose, same human sample,
 * new jaw command) and the rest of the trajectory shifts later. The human side keeps its own
 * timestamps, so the alignment stays exact. Before a release the robot first holds the last
 * grasped step, jaws closed, for `releaseSettleS`: the hand's set-down motion stops abruptly, and
 * what it carries must come to rest before it is let go (a robot stops, then opens).
 */
export function insertJawDwells(
  steps: TrajectoryStep[],
  fingerSpeedMps: number,
  controlHz: number,
  releaseSettleS = 0,
): TrajectoryStep[] {
  const out: TrajectoryStep[] = [];
  const settle = Math.round(releaseSettleS * controlHz);
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k]!;
    const prev = steps[k - 1];
    if (prev?.grasp && !step.grasp) {
      for (let j = 0; j < settle; j++) out.push({ ...prev, human: { ...prev.human, status: "held" } });
    }
    if (prev && prev.grasp !== step.grasp) {
      const travelM = Math.max(prev.apertureM, step.apertureM);
      const extra = Math.ceil((travelM / fingerSpeedMps) * controlHz);
      const jaw = step.grasp ? 0 : travelM;
      for (let j = 0; j < extra; j++)
        out.push({ ...step, apertureM: jaw, human: { ...step.human, status: "held" } });
    }
    out.push(step);
  }
  return out.map((s, k) => ({ ...s, t: k / controlHz }));
}

/** True if the TCP's approach axes of consecutive steps never flip by more than `maxAngleRad` (sanity check). */
export function approachIsContinuous(traj: RobotTrajectory, maxAngleRad: number): boolean {
  for (let k = 1; k < traj.steps.length; k++) {
    const za = qaxes(qfromXyzw(traj.steps[k - 1]!.tcp.quatXyzw))[2];
    const zb = qaxes(qfromXyzw(traj.steps[k]!.tcp.quatXyzw))[2];
    if (Math.acos(clamp(dot(za, zb), -1, 1)) > maxAngleRad) return false;
  }
  return true;
}
