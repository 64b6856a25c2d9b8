/**
 * The time series plotted under the player, computed from an episode's recorded steps. Pure.
 */
import type { Episode } from "../../core/schemas/episode.js";
import { isGrasped } from "../../sim/verdict.js";

export interface EpisodeSeries {
  /** Step times (s). */
  t: Float64Array;
  /** Measured pad opening (m). */
  apertureM: Float64Array;
  /** Commanded pad opening (m). */
  apertureCmdM: Float64Array;
  /** Commanded grasp (0/1). */
  graspCmd: Uint8Array;
  /** Both fingers pressing on the target (the verdict's notion of grasped, 0/1). */
  grasped: Uint8Array;
  /** Speed of the measured TCP (m/s), by finite differences between steps; 0 at the first step. */
  tcpSpeedMps: Float64Array;
}

export function episodeSeries(e: Pick<Episode, "steps" | "scene" | "controlHz">): EpisodeSeries {
  const n = e.steps.length;
  const s: EpisodeSeries = {
    t: new Float64Array(n),
    apertureM: new Float64Array(n),
    apertureCmdM: new Float64Array(n),
    graspCmd: new Uint8Array(n),
    grasped: new Uint8Array(n),
    tcpSpeedMps: new Float64Array(n),
  };
  const target = e.scene.task.targetId;
  e.steps.forEach((step, k) => {
    s.t[k] = step.t;
    s.apertureM[k] = step.state.apertureM;
    s.apertureCmdM[k] = step.action.apertureM;
    s.graspCmd[k] = step.action.grasp ? 1 : 0;
    s.grasped[k] = isGrasped(step, target) ? 1 : 0;
    if (k > 0) {
      const a = e.steps[k - 1]!.state.tcp.pos;
      const b = step.state.tcp.pos;
      const dt = step.t - e.steps[k - 1]!.t || 1 / e.controlHz;
      s.tcpSpeedMps[k] = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]) / dt;
    }
  });
  return s;
}

/** Index of the step shown at time `tS` (the last step at or before it), clamped to the episode. */
export function stepAt(t: ArrayLike<number>, tS: number): number {
  let lo = 0;
  let hi = t.length - 1;
  if (hi < 0) return 0;
  if (tS <= t[0]!) return 0;
  if (tS >= t[hi]!) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t[mid]! <= tS) lo = mid;
    else hi = mid;
  }
  return lo;
}
