/**
 * The contacts a step records, whatever engine measured them: the total normal force per
 * touching body pair (unordered; a body touching itself is not a contact), pairs below
 * CONTACT_RECORD_N left out, in a stable order. The Rapier recorder (simulate.ts) and the MuJoCo
 * replay (crosscheck) both fill one, so their contact lists compare like for like.
 */
import type { EpisodeStep } from "../core/schemas/episode.js";

/** Contacts below this normal force (N) are not recorded. */
export const CONTACT_RECORD_N = 0.05;

export class PairForces {
  private readonly forces = new Map<string, number>();

  /** Adds `forceN` to the pair of bodies `a`, `b`. */
  add(a: string, b: string, forceN: number): void {
    if (a === b) return;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    this.forces.set(key, (this.forces.get(key) ?? 0) + forceN);
  }

  /** The recorded contacts: pairs at or above CONTACT_RECORD_N, sorted by body names. */
  contacts(): EpisodeStep["contacts"] {
    return [...this.forces.entries()]
      .filter(([, f]) => f >= CONTACT_RECORD_N)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([k, forceN]) => {
        const [a, b] = k.split("\u0000") as [string, string];
        return { a, b, forceN };
      });
  }
}
