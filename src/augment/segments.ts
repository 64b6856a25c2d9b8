import { z } from "zod";
import { InputError } from "../core/errors.js";
import { distance, fromArray3 } from "../core/math.js";
import type { Episode } from "../core/schemas/episode.js";

/**
 * The object-centric segments of a pick-and-place demonstration (MimicGen's subtasks), as step
 * indices into the episode:
 * - [0, approachStart): free transit from the robot's start — re-planned by interpolation;
 * - [approachStart, pickEnd): pick — closing in on the target, grasping, lifting it and pulling
 *   it clear, until the TCP leaves `approachRadiusM` around the target's start — replayed
 *   relative to the target;
 * - [pickEnd, placeStart): carry — re-planned by interpolation when pick and place move apart;
 * - [placeStart, end): place — from the TCP entering `approachRadiusM` around where the jaws
 *   opened, through the release, to the end — replayed relative to where the object goes (the
 *   receiver, or the target's start for put-back tasks).
 */
export const SegmentsSchema = z.strictObject({
  approachStart: z.number().int().nonnegative(),
  pickEnd: z.number().int().nonnegative(),
  placeStart: z.number().int().nonnegative(),
});
export type Segments = z.infer<typeof SegmentsSchema>;

export interface SegmentOptions {
  /** Radius around the target (pick) and the release point (place) that bounds the object-centric segments (m). */
  approachRadiusM?: number;
  /** The target has lifted off once it rose this much above its start (m). */
  liftOffM?: number;
}

const tcpAt = (e: Episode, k: number) => fromArray3(e.steps[k]!.action.tcp.pos);

/**
 * Finds the segments from the commanded grasp state and the simulated target's motion. Throws an
 * InputError for an episode that never grasped and lifted its target: it has nothing to multiply.
 */
export function segmentEpisode(episode: Episode, o: SegmentOptions = {}): Segments {
  const radius = o.approachRadiusM ?? 0.25;
  const liftOff = o.liftOffM ?? 0.01;
  const id = episode.scene.task.targetId;
  const steps = episode.steps;
  const n = steps.length;
  const z0 = steps[0]!.objects[id]!.pos[2];
  const graspStart = steps.findIndex((s) => s.action.grasp);
  if (graspStart < 0) throw new InputError(`episode '${episode.id}' never grasps: nothing to segment`);
  let liftStart = -1;
  for (let k = graspStart; k < n && steps[k]!.action.grasp; k++) {
    if (steps[k]!.objects[id]!.pos[2] - z0 > liftOff) {
      liftStart = k;
      break;
    }
  }
  if (liftStart < 0)
    throw new InputError(`episode '${episode.id}' never lifts its target during its first grasp`);
  const p0 = fromArray3(steps[graspStart]!.objects[id]!.pos);
  let approachStart = graspStart;
  while (approachStart > 0 && distance(tcpAt(episode, approachStart - 1), p0) < radius) approachStart--;
  let pickEnd = liftStart;
  while (pickEnd < n && distance(tcpAt(episode, pickEnd), p0) < radius) pickEnd++;
  let releaseStart = liftStart;
  while (releaseStart < n && steps[releaseStart]!.action.grasp) releaseStart++;
  if (releaseStart >= n) return { approachStart, pickEnd, placeStart: n };
  const pRelease = tcpAt(episode, releaseStart);
  let placeStart = releaseStart;
  while (placeStart > pickEnd && distance(tcpAt(episode, placeStart - 1), pRelease) < radius) placeStart--;
  return { approachStart, pickEnd: Math.min(pickEnd, placeStart), placeStart };
}

/** Checks a hand-made segmentation (annotation file) against the episode. */
export function checkSegments(s: Segments, episode: Episode): Segments {
  const n = episode.steps.length;
  if (!(s.approachStart < s.pickEnd && s.pickEnd <= s.placeStart && s.placeStart <= n)) {
    throw new InputError(
      `segments of '${episode.id}' must satisfy approachStart < pickEnd <= placeStart <= ${n}, got ${JSON.stringify(s)}`,
    );
  }
  return s;
}
