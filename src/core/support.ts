import { invert, poseFromJson, transformPoint } from "./math.js";
import type { SceneItem, SceneSpec } from "./schemas/scene.js";
import { halfHeightAlongZ, itemShape } from "./shapes.js";

/** Scene items that can be picked: the movable shapes. */
export type Target = Extract<SceneItem, { kind: "box" | "cylinder" | "sphere" | "ellipsoid" }>;

/** What the target rests on: a shelf level, the top of a static box, or the floor. */
export type Support =
  | { kind: "shelf"; id: string; level: number }
  | { kind: "box"; id: string }
  | { kind: "tote"; id: string }
  | { kind: "floor" };

/** How far (m) the target's lowest point may be from a top face that supports it. */
const SUPPORT_TOLERANCE_M = 0.015;

/**
 * Finds the support under the target: of the top faces it lies over (a shelf level, a static box's
 * top, a tote's floor), the one nearest its lowest point, within 1.5 cm; else the floor. Nearest,
 * not first: a can on a tote's floor is also within 1.5 cm of the top of the table the tote stands on.
 */
export function findSupport(scene: SceneSpec, target: Target): Support {
  const X = poseFromJson(target.pose);
  const bottom = X.p.z - halfHeightAlongZ(itemShape(target), X);
  let best: { support: Support; gap: number } = { support: { kind: "floor" }, gap: SUPPORT_TOLERANCE_M };
  const consider = (support: Support, top: number) => {
    const gap = Math.abs(top - bottom);
    if (gap < best.gap) best = { support, gap };
  };
  for (const item of scene.items) {
    if (item.kind === "shelf") {
      const local = transformPoint(invert(poseFromJson(item.pose)), X.p);
      if (Math.abs(local.x) > item.widthM / 2 || Math.abs(local.y) > item.depthM / 2) continue;
      for (const [level, top] of item.levelsM.entries()) {
        consider({ kind: "shelf", id: item.id, level }, poseFromJson(item.pose).p.z + top);
      }
    } else if (item.kind === "tote") {
      const local = transformPoint(invert(poseFromJson(item.pose)), X.p);
      if (Math.abs(local.x) <= item.sizeM[0] / 2 && Math.abs(local.y) <= item.sizeM[1] / 2) {
        consider({ kind: "tote", id: item.id }, poseFromJson(item.pose).p.z + item.wallM);
      }
    } else if (item.kind === "box" && !item.dynamic && item.id !== target.id) {
      const local = transformPoint(invert(poseFromJson(item.pose)), X.p);
      const [sx, sy, sz] = item.sizeM;
      if (Math.abs(local.x) <= sx / 2 && Math.abs(local.y) <= sy / 2) {
        consider({ kind: "box", id: item.id }, poseFromJson(item.pose).p.z + sz / 2);
      }
    }
  }
  return best.support;
}
