import { distance, invert, type Pose, transformPoint, type Vec3 } from "../core/math.js";
import type { ObjectShape } from "../core/schemas/hand_track.js";
import { signedDistance } from "../core/shapes.js";
import type { ParallelJawParams } from "./params.js";

export interface GraspCues {
  /** Sample times (s), strictly increasing. */
  times: readonly number[];
  /** Thumb tip and index tip per sample, in W. */
  thumbTip_W: readonly Vec3[];
  indexTip_W: readonly Vec3[];
  /** Objects observed with the hand (may be empty), poses per sample in W. */
  objects: readonly { shape: ObjectShape; poses: readonly Pose[] }[];
}

type Hold =
  | { kind: "open" }
  | { kind: "pinch" }
  /** Holding object `index`; `p_OT` is the pinch point in the object's frame at the grasp. */
  | { kind: "object"; index: number; apertureAtGraspM: number; p_OT: Vec3 };

/**
 * Grasp state per sample, with hysteresis. Two cues:
 * - pinch: thumb–index distance below `closeBelowM`, open again above `openAboveM` (precision
 *   pinches of small items; the only cue for video);
 * - object (tracks with objects, e.g. mocap): thumb tip and index tip both within
 *   `contactM` of the object's surface with the pinch point between them inside it — the fingers
 *   are on opposite sides of the object (power grasps of large items, where the thumb–index
 *   distance stays wide). While held, hand and object move rigidly together; the hold ends when
 *   the pinch point slides `releaseSlipM` relative to the object (the hand moves off while the
 *   object stays) or the fingers open `releaseOpenM` wider than at the grasp with a fingertip
 *   leaving the surface (a wider re-grip with the tips still on the object is not a release).
 *   An object the fingers opened off is grasped again only after a fingertip has left its contact band.
 * An object hold starts when the object starts to move with the hand (the human's grip is firm
 * then; their fingers settle for a while after first touching it), or at first contact if it
 * never moves. Runs shorter than `minGraspS` / gaps shorter than `minReleaseS` are removed.
 */
export function detectGrasp(cues: GraspCues, p: ParallelJawParams): boolean[] {
  const n = cues.times.length;
  const out = new Array<boolean>(n).fill(false);
  let hold: Hold = { kind: "open" };
  const onsets = new Map<Hold, { start: number; object: number }>();
  // After the fingers open off an object, it can be grasped again only once a fingertip has left
  // it: otherwise the release would be undone in the same sample.
  const armed = cues.objects.map(() => true);
  for (let i = 0; i < n; i++) {
    const thumb = cues.thumbTip_W[i]!;
    const index = cues.indexTip_W[i]!;
    const a = distance(thumb, index);
    const tcp = { x: (thumb.x + index.x) / 2, y: (thumb.y + index.y) / 2, z: (thumb.z + index.z) / 2 };
    const objectAt = (k: number) => ({ shape: cues.objects[k]!.shape, X_WO: cues.objects[k]!.poses[i]! });
    const inObject = (k: number): Vec3 => transformPoint(invert(objectAt(k).X_WO), tcp);
    // A fingertip more than half the contact band off the surface: the hand is letting go, not re-gripping.
    const tipsLeaving = (k: number): boolean => {
      const { shape, X_WO } = objectAt(k);
      return (
        Math.max(signedDistance(shape, X_WO, thumb), signedDistance(shape, X_WO, index)) > p.contactM / 2
      );
    };
    if (hold.kind === "pinch" && a > p.openAboveM) hold = { kind: "open" };
    if (hold.kind === "object") {
      if (a > hold.apertureAtGraspM + p.releaseOpenM && tipsLeaving(hold.index)) {
        armed[hold.index] = false;
        hold = { kind: "open" };
      } else if (distance(inObject(hold.index), hold.p_OT) > p.releaseSlipM) {
        // Slid along the object: if the tips are still on it, the grasp below re-anchors at once.
        hold = { kind: "open" };
      }
    }
    if (hold.kind === "open") {
      if (a < p.closeBelowM) hold = { kind: "pinch" };
      else {
        for (let k = 0; k < cues.objects.length; k++) {
          const { shape, X_WO } = objectAt(k);
          const onSurface = (q: Vec3) => signedDistance(shape, X_WO, q) <= p.contactM;
          if (!onSurface(thumb) || !onSurface(index)) armed[k] = true;
          else if (armed[k] && signedDistance(shape, X_WO, tcp) < 0) {
            hold = { kind: "object", index: k, apertureAtGraspM: a, p_OT: inObject(k) };
            break;
          }
        }
      }
    }
    out[i] = hold.kind !== "open";
    if (hold.kind === "object" && !onsets.has(hold)) onsets.set(hold, { start: i, object: hold.index });
  }
  for (const { start, object } of onsets.values())
    delayOnsetUntilObjectMoves(out, start, cues.objects[object]!.poses, p.liftOffM);
  const dt = n > 1 ? (cues.times[n - 1]! - cues.times[0]!) / (n - 1) : 1;
  const cleaned = removeShortRuns(out, true, Math.round(p.minGraspS / dt));
  return removeShortRuns(cleaned, false, Math.round(p.minReleaseS / dt));
}

/** Clears the grasp from `start` up to the sample before the object has moved `liftOffM` from where it was at `start`. */
function delayOnsetUntilObjectMoves(
  grasp: boolean[],
  start: number,
  poses: readonly Pose[],
  liftOffM: number,
): void {
  let end = start;
  while (end < grasp.length && grasp[end]) end++;
  for (let i = start; i < end; i++) {
    if (distance(poses[i]!.p, poses[start]!.p) > liftOffM) {
      for (let k = start; k < i - 1; k++) grasp[k] = false;
      return;
    }
  }
}

/** Flips interior runs of `value` shorter than `minLen` samples to the opposite value. */
export function removeShortRuns(states: readonly boolean[], value: boolean, minLen: number): boolean[] {
  const out = states.slice();
  let i = 0;
  while (i < out.length) {
    if (out[i] !== value) {
      i++;
      continue;
    }
    let j = i;
    while (j < out.length && out[j] === value) j++;
    // A release gap at either end of the track is real (the hand starts/ends open): only interior runs.
    const interior = value || (i > 0 && j < out.length);
    if (j - i < minLen && interior) for (let k = i; k < j; k++) out[k] = !value;
    i = j;
  }
  return out;
}
