/**
 * An arm's links as boxes: each link's collision geometry enclosed by one box in the link's own
 * frame, posed in W by the arm's forward kinematics. Conservative (a box encloses its link), so
 * a box clear of something proves the link clear of it; used as a quick first test before exact
 * geometry, and by the kinematic arm check.
 */
import { type Pose, qaxes, transformPoint, type Vec3 } from "../core/math.js";
import type { NamedBox, OrientedBox } from "../sim/scenery_clearance.js";
import { type ArmChain, linkPoses } from "./ik.js";

/** A link's collision geometry as one box in the link's frame. */
export interface LinkBox {
  link: string;
  center_L: Vec3;
  half: [number, number, number];
}

/** The arm's link boxes in W at joint positions q (id: the link's name). */
export function armBoxesAt(
  chain: ArmChain,
  boxes: readonly LinkBox[],
  q: readonly number[],
  X_WB: Pose,
): NamedBox[] {
  const poses = linkPoses(chain, q, X_WB);
  return boxes.map((b): NamedBox => {
    const X = poses.get(b.link)!;
    const box: OrientedBox = { center: transformPoint(X, b.center_L), axes: qaxes(X.q), half: b.half };
    return { id: b.link, box };
  });
}
