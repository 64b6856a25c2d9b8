/**
 * Handedness. MediaPipe's landmark model labels a hand assuming the image is mirrored (a selfie
 * camera): its "Right" is the person's left hand in an ordinary, non-mirrored image. Egocentric
 * (head-worn) cameras are not mirrored, so by default the label is inverted.
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
 * hand (e.g. averaged over its track). Two hands never get the same side: the more right-looking
 * one is the right hand.
 */
export function assignSides(probRightHand: readonly number[]): Side[] {
  if (probRightHand.length === 2 && probRightHand[0]! >= 0.5 === probRightHand[1]! >= 0.5) {
    return probRightHand[0]! >= probRightHand[1]! ? ["right", "left"] : ["left", "right"];
  }
  return probRightHand.map((p) => (p >= 0.5 ? "right" : "left"));
}
