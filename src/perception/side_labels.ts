/**
 * Side labels for a whole video, decided once every frame is processed (extraction is offline).
 *
 * A tracked hand keeps its identity (hand_tracker.ts `trackId`), so its label is decided once,
 * from the evidence of all its frames: the sum of their log-odds (handedness.ts), as a sequential
 * probability-ratio test would add them. Two hands seen in one frame are one person's two hands,
 * so they should get different labels: each frame in which two tracks are seen together costs
 * EXCLUSION_LOG_ODDS if they share a side. The labels maximise
 *
 *   Σ_tracks s_t · L_t − Σ_{pairs seen together} n_ab · EXCLUSION_LOG_ODDS · [s_a = s_b]
 *
 * with s = +1 for right, −1 for left, L_t the track's summed log-odds and n_ab the frames the pair
 * shares. A short track with little evidence of its own (a hand entering at the image edge) thus
 * takes the side its partner leaves; a track whose own evidence is strong in the shared frames
 * (a second skeleton on the same hand, which the tracker failed to drop) keeps its own.
 *
 * Tracks are intervals of frames (a lost hand comes back with a new id), so with at most two hands
 * per frame no three tracks are pairwise seen together and the graph of pairs is a forest: solved
 * exactly by dynamic programming on each tree. With more hands per frame (several people), where
 * cycles can occur, labels are improved one track at a time from each track's own evidence
 * (iterated conditional modes) until no single change helps.
 */
import { MAX_CUE_LOG_ODDS, type Side } from "./handedness.js";

/** One hand in one frame: its track and the frame's log-odds of "right" (handedness.ts). */
export interface SideEvidence {
  trackId: number;
  logOddsRight: number;
}

/**
 * Cost of two hands of one frame sharing a side, per frame (log-odds): as much as one cue says in
 * one frame at most, so a track keeps a side shared with its partner only when its own evidence in
 * the shared frames averages more than half that bound.
 */
export const EXCLUSION_LOG_ODDS = MAX_CUE_LOG_ODDS;

type Graph = Map<number, Map<number, number>>;

/** Each track's side, from per-frame evidence (frames in any order; hands of one frame together). */
export function labelTracks(
  frames: readonly (readonly SideEvidence[])[],
  exclusionLogOdds: number = EXCLUSION_LOG_ODDS,
): Map<number, Side> {
  const evidence = new SideEvidenceSum(exclusionLogOdds);
  for (const hands of frames) evidence.add(hands);
  return evidence.labels();
}

/**
 * The evidence of labelTracks summed frame by frame, as frames come: per track its log-odds, per
 * pair seen together the exclusion. Its size grows with the tracks, not with the frames.
 */
export class SideEvidenceSum {
  private readonly evidence = new Map<number, number>();
  private readonly graph: Graph = new Map();

  constructor(private readonly exclusionLogOdds: number = EXCLUSION_LOG_ODDS) {}

  /** Adds the hands of one frame. */
  add(hands: readonly SideEvidence[]): void {
    const { evidence, graph } = this;
    const link = (a: number, b: number) => {
      const m = graph.get(a) ?? new Map<number, number>();
      m.set(b, (m.get(b) ?? 0) + this.exclusionLogOdds);
      graph.set(a, m);
    };
    for (const h of hands) {
      evidence.set(h.trackId, (evidence.get(h.trackId) ?? 0) + h.logOddsRight);
      if (!graph.has(h.trackId)) graph.set(h.trackId, new Map());
    }
    for (let i = 0; i < hands.length; i++)
      for (let j = i + 1; j < hands.length; j++) {
        const a = hands[i]!.trackId;
        const b = hands[j]!.trackId;
        if (a === b) continue;
        link(a, b);
        link(b, a);
      }
  }

  /** Each track's side, given the evidence of every frame added. */
  labels(): Map<number, Side> {
    return solveSides(this.graph, this.evidence);
  }
}

function solveSides(graph: Graph, evidence: Map<number, number>): Map<number, Side> {
  const sign = new Map<number, number>();
  const seen = new Set<number>();
  for (const root of graph.keys()) {
    if (seen.has(root)) continue;
    const { order, parent, edges } = component(graph, root, seen);
    const solved =
      edges === order.length - 1
        ? solveTree(graph, evidence, order, parent)
        : solveGreedy(graph, evidence, order);
    for (const [t, s] of solved) sign.set(t, s);
  }
  // No evidence either way (a sum of exactly 0) goes to the right hand, as retarget's dominantSide does.
  return new Map([...sign].map(([t, s]): [number, Side] => [t, s >= 0 ? "right" : "left"]));
}

/** The tracks connected to `root`, parents before children, with each one's parent and the edge count. */
function component(graph: Graph, root: number, seen: Set<number>) {
  const order: number[] = [];
  const parent = new Map<number, number>();
  const stack = [root];
  seen.add(root);
  let degreeSum = 0;
  while (stack.length > 0) {
    const u = stack.pop()!;
    order.push(u);
    for (const v of graph.get(u)!.keys()) {
      degreeSum++;
      if (seen.has(v)) continue;
      seen.add(v);
      parent.set(v, u);
      stack.push(v);
    }
  }
  return { order, parent, edges: degreeSum / 2 };
}

const SIGNS = [1, -1] as const;

/** Exact maximisation on a tree: children's best scores given the parent's side, then top-down. */
function solveTree(
  graph: Graph,
  evidence: Map<number, number>,
  order: readonly number[],
  parent: Map<number, number>,
): Map<number, number> {
  // best[t][k]: the best score of t's subtree with t's sign SIGNS[k]; pick[c][k]: c's sign index then.
  const best = new Map<number, [number, number]>();
  const pick = new Map<number, [number, number]>();
  for (let i = order.length - 1; i >= 0; i--) {
    const t = order[i]!;
    const score = SIGNS.map((s) => s * evidence.get(t)!) as [number, number];
    for (const [c, w] of graph.get(t)!) {
      if (parent.get(c) !== t) continue;
      const bc = best.get(c)!;
      const choice: [number, number] = [0, 0];
      for (const k of [0, 1] as const) {
        const keep = bc[k] - w; // same side as t
        const other = bc[1 - k]!;
        choice[k] = other >= keep ? 1 - k : k;
        score[k] += Math.max(keep, other);
      }
      pick.set(c, choice);
    }
    best.set(t, score);
  }
  const out = new Map<number, number>();
  const rootScore = best.get(order[0]!)!;
  const k0 = rootScore[0] >= rootScore[1] ? 0 : 1;
  const index = new Map<number, number>([[order[0]!, k0]]);
  for (const t of order) {
    const k = t === order[0] ? k0 : pick.get(t)![index.get(parent.get(t)!)!]!;
    index.set(t, k);
    out.set(t, SIGNS[k]);
  }
  return out;
}

/** Iterated conditional modes from each track's own evidence: flip any track whose flip helps. */
function solveGreedy(
  graph: Graph,
  evidence: Map<number, number>,
  order: readonly number[],
): Map<number, number> {
  const s = new Map(order.map((t): [number, number] => [t, evidence.get(t)! >= 0 ? 1 : -1]));
  // Each flip raises the (bounded) objective, so this ends; the cap only guards against rounding.
  for (let pass = 0, changed = true; changed && pass < 100 * order.length; pass++) {
    changed = false;
    for (const t of order) {
      const gain = (side: number) =>
        side * evidence.get(t)! -
        [...graph.get(t)!].reduce((c, [u, w]) => c + (s.get(u) === side ? w : 0), 0);
      if (gain(-s.get(t)!) > gain(s.get(t)!)) {
        s.set(t, -s.get(t)!);
        changed = true;
      }
    }
  }
  return s;
}
