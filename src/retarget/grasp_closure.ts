/**
 * Grasps of recorded hands without an object track (video, EgoDex, Aria): found from what the
 * hand does, not from a pinch threshold. A thumb–index pinch below 3 cm misses whole-hand and
 * wide grasps (a stapler, a mug, a box: the tips stay 4–7 cm apart while holding) and fires on
 * a relaxed hand whose fingers happen to touch.
 *
 * What every pick-and-place looks like from the hand alone:
 *   reach → stop, the fingers close on the object → carry it → stop where it goes (put-down) → leave.
 * So:
 * - grasp onset: in a still phase (wrist speed below `stillBelowMps`), the grip span (thumb tip to
 *   the mean of the index and middle tips: the thumb against the opposing fingers) is at least
 *   `closeDropM` smaller than its largest value over the `closeWindowS` before the stop — the
 *   fingers closed onto something as the hand stopped. The jaws close at the end of that still
 *   phase, as the hand moves off with the object: by then the fingers have settled, and nothing
 *   moved while the hand was still. (The fingers' own closing is a poor clock: half hidden behind
 *   the object, they often read closed to a video model before they touch it.)
 * - release: the first still phase after the hand has carried the object `minCarryM` or more
 *   from where it took it: the hand stopped where the object goes. (A pause in mid-carry reads as
 *   a put-down; the replay then drops the object and the episode fails, it does not pass falsely.)
 * - a hand that never stops again after a carry holds to the end.
 * Signals are smoothed with a centred moving average (zero phase: offline tracks, no lag).
 */
import { distance, type Vec3 } from "../core/math.js";

export interface ClosureCues {
  /** Sample times (s), strictly increasing. */
  times: readonly number[];
  wrist_W: readonly Vec3[];
  thumbTip_W: readonly Vec3[];
  indexTip_W: readonly Vec3[];
  middleTip_W: readonly Vec3[];
}

export interface ClosureParams {
  stillBelowMps: number;
  closeDropM: number;
  closeWindowS: number;
  minCarryM: number;
  smoothHalfWindowS: number;
}

/**
 * Centred moving average over ±`halfWindowS`: zero phase. Near either end the window shrinks to
 * what is available on both sides, so it stays centred and a straight-line trend passes unchanged
 * (a one-sided window there would lag, and a moving hand would look as if it were stopping).
 */
export function centredAverage(
  times: readonly number[],
  values: readonly number[],
  halfWindowS: number,
): number[] {
  const n = values.length;
  const eps = 1e-9;
  return values.map((_, i) => {
    const h = Math.min(halfWindowS, times[i]! - times[0]!, times[n - 1]! - times[i]!) + eps;
    let sum = 0;
    let count = 0;
    for (let j = i; j >= 0 && times[j]! >= times[i]! - h; j--) {
      sum += values[j]!;
      count++;
    }
    for (let j = i + 1; j < n && times[j]! <= times[i]! + h; j++) {
      sum += values[j]!;
      count++;
    }
    return sum / count;
  });
}

/** Speed (m/s) of a point track by central differences. */
function speeds(times: readonly number[], p: readonly Vec3[]): number[] {
  const n = p.length;
  return p.map((_, i) => {
    const a = Math.max(0, i - 1);
    const b = Math.min(n - 1, i + 1);
    return b > a ? distance(p[a]!, p[b]!) / (times[b]! - times[a]!) : 0;
  });
}

/** Maximal runs [start, end] (inclusive) of consecutive true samples. */
function runs(flags: readonly boolean[]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) continue;
    let j = i;
    while (j + 1 < flags.length && flags[j + 1]) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** Grasp state per sample (true = holding), from closure and stillness; see the module comment. */
export function detectClosureGrasp(cues: ClosureCues, p: ClosureParams): boolean[] {
  const { times } = cues;
  const n = times.length;
  const out = new Array<boolean>(n).fill(false);
  if (n < 3) return out;
  const smooth3 = (ps: readonly Vec3[]): Vec3[] => {
    const [x, y, z] = (["x", "y", "z"] as const).map((k) =>
      centredAverage(
        times,
        ps.map((q) => q[k]),
        p.smoothHalfWindowS,
      ),
    );
    return ps.map((_, i) => ({ x: x![i]!, y: y![i]!, z: z![i]! }));
  };
  const wrist = smooth3(cues.wrist_W);
  const spanRaw = cues.thumbTip_W.map((t, i) => {
    const a = cues.indexTip_W[i]!;
    const b = cues.middleTip_W[i]!;
    return distance(t, { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, z: (a.z + b.z) / 2 });
  });
  const span = centredAverage(times, spanRaw, p.smoothHalfWindowS);
  const still = runs(speeds(times, wrist).map((v) => v < p.stillBelowMps));

  let k = 0;
  while (k < still.length) {
    const [a, b] = still[k]!;
    // The closing: the largest span over the window before the stop against the smallest early in it.
    let before = span[a]!;
    for (let j = a; j >= 0 && times[j]! >= times[a]! - p.closeWindowS; j--)
      before = Math.max(before, span[j]!);
    let closed = span[a]!;
    for (let j = a; j <= b && times[j]! <= times[a]! + p.closeWindowS; j++)
      closed = Math.min(closed, span[j]!);
    if (before - closed < p.closeDropM) {
      k++;
      continue;
    }
    const onset = b;
    // Carried: the first later still phase reached after moving minCarryM from the onset.
    let carried = false;
    let release = n;
    let next = k + 1;
    for (let i = onset + 1; i < n; i++) {
      if (!carried && distance(wrist[i]!, wrist[onset]!) >= p.minCarryM) carried = true;
      while (next < still.length && still[next]![1] < i) next++;
      if (carried && next < still.length && still[next]![0] <= i) {
        release = still[next]![0];
        break;
      }
    }
    if (!carried) {
      k++;
      continue;
    }
    for (let i = onset; i < release; i++) out[i] = true;
    if (release === n) break;
    // The next grasp starts in a later still phase: the put-down phase itself cannot start one.
    k = next + 1;
  }
  return out;
}
