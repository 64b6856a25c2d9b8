/**
 * Handedness: how sure one frame makes us that a hand is the person's right hand.
 *
 * Two cues, each turned into log-odds of "right" and added (log-odds pooling, which is Bayes' rule
 * for evidence that is independent given the side):
 * - the landmark model's handedness score. MediaPipe's landmark model labels a hand assuming the
 *   image is mirrored (a selfie camera): its "Right" is the person's left hand in an ordinary,
 *   non-mirrored image. Egocentric (head-worn) cameras are not mirrored, so by default the label is
 *   inverted (`probabilityRight`). Weighted per model (`handednessWeight` in the registry): the
 *   keijiro model's score is right on third-person views and wrong on most egocentric ones, so it
 *   is not used (models/perception/README.md);
 * - the 3D hand's chirality, the signed finger flexion of hand_chirality.ts, which does not use
 *   the classifier at all. Mirroring the image mirrors the hand, so it flips with `mirrored` too.
 *
 * Each cue's term is bounded by MAX_CUE_LOG_ODDS: both fail in runs of frames rather than at
 * random (the default model scores a lone left hand 0.8–0.9 "right" for 47 frames of one EgoDex
 * episode; its 3D flexion flips sign with the score for a few frames mid-grasp), so no single
 * frame may decide; a track's side is the sum over all its frames (side_labels.ts).
 *
 * Measured on EgoDex's ARKit joints (default pair, detections matched to the hand they lie on; two
 * episodes, add_remove_lid_0 | basic_pick_and_place_0): per hand-frame the score is right in 95 % |
 * 48 %, the flexion's sign in 99 % | 95 %; where both are confident and disagree (score beyond
 * 27 / 73 %, flexion beyond 1 cm) the flexion was right in 0 of 1 | 74 of 74 frames. An egocentric
 * prior was measured and left out: "wrist on the image's right half → right hand" is right in
 * 62 % | 100 % (the lid episode's left hand works right of centre), "fingers pointing left → right
 * hand" in 71 % | 89 %, and neither holds for third-person video.
 */
export type Side = "left" | "right";

/**
 * Probability that a hand is the person's right hand, from the probability of MediaPipe's "Right"
 * label. @param mirrored whether the frames are mirrored (selfie view); false for egocentric video.
 */
export const probabilityRight = (probMirroredRight: number, mirrored: boolean): number =>
  mirrored ? probMirroredRight : 1 - probMirroredRight;

/** The side of one hand on its own (no other hand to compare with). */
export const sideFromHandedness = (probMirroredRight: number, mirrored: boolean): Side =>
  probabilityRight(probMirroredRight, mirrored) >= 0.5 ? "right" : "left";

/**
 * Sides for the hands seen in one frame, from each hand's probability of being the person's right
 * hand (e.g. averaged over its track so far): the online labelling of hand_tracker.ts, which sees
 * only the past. Two hands never get the same side: the more right-looking one is the right hand.
 */
export function assignSides(probRightHand: readonly number[]): Side[] {
  if (probRightHand.length === 2 && probRightHand[0]! >= 0.5 === probRightHand[1]! >= 0.5) {
    return probRightHand[0]! >= probRightHand[1]! ? ["right", "left"] : ["left", "right"];
  }
  return probRightHand.map((p) => (p >= 0.5 ? "right" : "left"));
}

/** The most one cue says in one frame: the log-odds of 95 % (≈ 2.94). */
export const MAX_CUE_LOG_ODDS = Math.log(0.95 / 0.05);

/**
 * The per-frame noise of the finger flexion on the landmark models' 3D (m): within tracks, the
 * standard deviation of its frame-to-frame change over √2 is 0.36 and 0.51 cm for the default pair
 * on the two EgoDex episodes (0.78 and 0.99 cm for the keijiro pair, 0.13 cm on the webcam clip).
 * The flexion in units of this noise is its log-odds: a flat hand (under 0.5 cm) counts for little,
 * and a flexion of 1.5 cm reaches the bound (real hands measured 0.4–5 cm, median 3.9). Any value
 * from 0.35 to 1 cm labels every track of both episodes and of the webcam clip, for both pairs, the
 * same way (0.25 cm flips one 7-frame track), so the value is not tuned to them.
 */
export const FLEXION_NOISE_M = 0.005;

export interface HandednessCues {
  /** The landmark model's probability that this is the person's right hand (`probabilityRight`). */
  probRight: number;
  /** Weight of the model's score (registry `handednessWeight`; 0 ignores it). */
  classifierWeight: number;
  /** hand_chirality.ts `fingerFlexionM` of the hand's 3D keypoints (m): > 0 looks like a right hand. */
  flexionM: number;
}

const bound = (x: number) => Math.max(-MAX_CUE_LOG_ODDS, Math.min(MAX_CUE_LOG_ODDS, x));

/**
 * Log-odds that a hand is the person's right hand, from one frame's cues; 0 = no evidence.
 * @param mirrored whether the frames are mirrored (selfie view): the 3D hand is then mirrored too.
 */
export function handednessLogOdds(c: HandednessCues, mirrored: boolean): number {
  const p = Number.isFinite(c.probRight) ? Math.min(1 - 1e-9, Math.max(1e-9, c.probRight)) : 0.5;
  const classifier = c.classifierWeight * bound(Math.log(p / (1 - p)));
  const flexion = Number.isFinite(c.flexionM) ? c.flexionM : 0;
  const shape = bound(flexion / FLEXION_NOISE_M) * (mirrored ? -1 : 1);
  return classifier + shape;
}
