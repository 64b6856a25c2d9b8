import { InputError } from "../core/errors.js";
import { oneEuroFilter } from "../core/filters/one_euro.js";
import {
  clamp,
  dot,
  fromArray3,
  lerp3,
  type Pose,
  poseInterp,
  type Quat,
  qaxes,
  qfromXyzw,
  qnormalize,
  toArray3,
  type Vec3,
} from "../core/math.js";
import { KP, type PoseJson } from "../core/schemas/common.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { HandTrack } from "../core/schemas/hand_track.js";
import type { HumanSample, RobotTrajectory, TrajectoryStep } from "../core/schemas/trajectory.js";
import { pinchFrame } from "./grasp_frame.js";
import { detectGrasp } from "./grasp_state.js";
import { dominantSide, extractHand } from "./hand_samples.js";
import { type ParallelJawParamsInput, ParallelJawParamsSchema } from "./params.js";

export const RETARGET_METHOD = "parallel_jaw_pinch_v1";

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
 * Steps: pick the hand → fill gaps → pinch frame per sample (grasp_frame.ts) → One-Euro smoothing
 * of TCP position and orientation → grasp state with hysteresis (grasp_state.ts) → jaw command →
 * resampling from the source rate to `controlHz`.
 */
export function retargetParallelJaw(
  track: HandTrack,
  embodiment: Embodiment,
  paramsInput: ParallelJawParamsInput = {},
): RobotTrajectory {
  const p = ParallelJawParamsSchema.parse(paramsInput);
  const side = p.side === "auto" ? dominantSide(track, p.minScore) : p.side;
  const hand = extractHand(track, side, p.minScore);
  const n = hand.times.length;
  if (n < 2) throw new InputError("a hand track needs at least two frames to retarget");

  const poses: Pose[] = [];
  const aperture: number[] = [];
  let lastY: Vec3 | undefined;
  for (let i = 0; i < n; i++) {
    const f = pinchFrame(hand.keypoints_W[i]!, lastY);
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

  const smoothP = oneEuroFilter(
    hand.times,
    poses.map((X) => toArray3(X.p)),
    p.smoothing,
  );
  const qs = makeContinuous(poses.map((X) => X.q));
  const smoothQ = oneEuroFilter(
    hand.times,
    qs.map((q) => [q.x, q.y, q.z, q.w]),
    p.smoothing,
  );
  const smoothed: Pose[] = smoothP.map((pp, i) => ({
    p: fromArray3(pp),
    q: qnormalize(qfromXyzw(smoothQ[i]!)),
  }));

  const grasp = detectGrasp(
    {
      times: hand.times,
      thumbTip_W: hand.keypoints_W.map((k) => k[KP.thumbTip]!),
      indexTip_W: hand.keypoints_W.map((k) => k[KP.indexTip]!),
      objects: track.objects.map((o) => ({
        shape: o.shape,
        poses: o.poses.map((pj) => ({ p: fromArray3(pj.pos), q: qfromXyzw(pj.quatXyzw) })),
      })),
    },
    p,
  );
  const jaw = aperture.map((a, i) =>
    grasp[i] ? 0 : clamp(p.apertureScale * a + p.openMarginM, 0, embodiment.strokeM),
  );

  const objectTrack = track.objects[0]
    ? {
        name: track.objects[0].name,
        poses: track.objects[0].poses.map((pj) => ({ p: fromArray3(pj.pos), q: qfromXyzw(pj.quatXyzw) })),
      }
    : undefined;
  const sampled = resample(hand, smoothed, jaw, grasp, p.controlHz, objectTrack);
  const dwelled = p.dwellOnGraspChange
    ? insertJawDwells(sampled, embodiment.fingerSpeedMps, p.controlHz)
    : sampled;
  const steps = prependLeadIn(dwelled, p.leadInM, embodiment, p.controlHz);
  return {
    format: "egobridge.trajectory",
    version: 1,
    embodiment: embodiment.name,
    controlHz: p.controlHz,
    frame: "W",
    source: { kind: track.source.kind, uri: track.source.uri, side, synthetic: track.source.synthetic },
    method: RETARGET_METHOD,
    params: p as unknown as Record<string, unknown>,
    steps,
  };
}

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
 * A human closes or opens their fingers in a fraction of a second while still moving; a gripper
 * needs stroke / finger speed (about 0.5 s for a 2F-85). So at every grasp change the robot waits
 * at that pose until its jaws have travelled: the step is repeated (same pose, same human sample,
 * new jaw command) and the rest of the trajectory shifts later. The human side keeps its own
 * timestamps, so the alignment stays exact.
 */
export function insertJawDwells(
  steps: TrajectoryStep[],
  fingerSpeedMps: number,
  controlHz: number,
): TrajectoryStep[] {
  const out: TrajectoryStep[] = [];
  for (let k = 0; k < steps.length; k++) {
    const step = steps[k]!;
    const prev = steps[k - 1];
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
