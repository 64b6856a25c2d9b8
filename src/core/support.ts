import { fromArray3, invert, type Pose, qfromXyzw, transformPoint } from "./math.js";
import type { PoseJson } from "./schemas/common.js";
import type { SceneItem, SceneSpec } from "./schemas/scene.js";
import { halfHeightAlongZ, itemShape } from "./shapes.js";

/** Scene items that can be picked: the movable shapes. */
export type Target = Extract<SceneItem, { kind: "box" | "cylinder" | "sphere" | "ellipsoid" }>;

const pose = (j: PoseJson): Pose => ({ p: fromArray3(j.pos), q: qfromXyzw(j.quatXyzw) });

/** What the target rests on: a shelf level, the top of a static box, or the floor. */
export type Support =
  | { kind: "shelf"; id: string; level: number }
  | { kind: "box"; id: string }
  | { kind: "tote"; id: string }
  | { kind: "floor" };

/** Finds the support under the target (its lowest point within 1.5 cm of a top face it lies over, or of a tote's floor). */
export function findSupport(scene: SceneSpec, target: Target): Support {
  const X = pose(target.pose);
  const bottom = X.p.z - halfHeightAlongZ(itemShape(target), X);
  for (const item of scene.items) {
    if (item.kind === "shelf") {
      const local = transformPoint(invert(pose(item.pose)), X.p);
      if (Math.abs(local.x) > item.widthM / 2 || Math.abs(local.y) > item.depthM / 2) continue;
      const level = item.levelsM.findIndex((top) => Math.abs(pose(item.pose).p.z + top - bottom) < 0.015);
      if (level >= 0) return { kind: "shelf", id: item.id, level };
    } else if (item.kind === "tote") {
      const local = transformPoint(invert(pose(item.pose)), X.p);
      const floor = pose(item.pose).p.z + item.wallM;
      if (
        Math.abs(local.x) <= item.sizeM[0] / 2 &&
        Math.abs(local.y) <= item.sizeM[1] / 2 &&
        Math.abs(floor - bottom) < 0.015
      ) {
        return { kind: "tote", id: item.id };
      }
    } else if (item.kind === "box" && !item.dynamic && item.id !== target.id) {
      const local = transformPoint(invert(pose(item.pose)), X.p);
      const [sx, sy, sz] = item.sizeM;
      const top = pose(item.pose).p.z + sz / 2;
      if (Math.abs(local.x) <= sx / 2 && Math.abs(local.y) <= sy / 2 && Math.abs(top - bottom) < 0.015) {
        return { kind: "box", id: item.id };
      }
    }
  }
  return { kind: "floor" };
}
