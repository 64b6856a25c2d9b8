/**
 * An arm's link boxes from its model's collision geometry (Node: reads the model's meshes). The
 * pure geometry that uses them is in arm_geometry.ts.
 */
import { transformPoint, type Vec3, vec3 } from "../core/math.js";
import type { LinkBox } from "./arm_geometry.js";
import type { ArmChain } from "./ik.js";
import { collisionShapes } from "./load.js";

/**
 * The boxes (axis-aligned in each link's frame) around the collision geometry of the chain's arm
 * links: every link from the root up to the tip, the tip itself only `withTip` (a tip that is the
 * gripper's own housing is covered by the gripper's check).
 */
export async function armLinkBoxes(chain: ArmChain, o: { withTip?: boolean } = {}): Promise<LinkBox[]> {
  const arm = new Set(o.withTip ? chain.links : chain.links.slice(0, -1));
  const lo = new Map<string, [number, number, number]>();
  const hi = new Map<string, [number, number, number]>();
  const grow = (link: string, p: Vec3) => {
    const a = lo.get(link) ?? [Infinity, Infinity, Infinity];
    const b = hi.get(link) ?? [-Infinity, -Infinity, -Infinity];
    [p.x, p.y, p.z].forEach((v, k) => {
      a[k] = Math.min(a[k]!, v);
      b[k] = Math.max(b[k]!, v);
    });
    lo.set(link, a);
    hi.set(link, b);
  };
  for (const c of await collisionShapes(chain.model)) {
    if (!arm.has(c.link)) continue;
    if (c.shape.kind === "convex") {
      const v = c.shape.hull.vertices;
      for (let i = 0; i < v.length; i += 3)
        grow(c.link, transformPoint(c.X_LG, vec3(v[i]!, v[i + 1]!, v[i + 2]!)));
    } else if (
      c.shape.kind === "box" ||
      c.shape.kind === "sphere" ||
      c.shape.kind === "capsule" ||
      c.shape.kind === "cylinder"
    ) {
      const s = c.shape;
      const h =
        s.kind === "box"
          ? [s.sizeM[0] / 2, s.sizeM[1] / 2, s.sizeM[2] / 2]
          : s.kind === "sphere"
            ? [s.radiusM, s.radiusM, s.radiusM]
            : [s.radiusM, s.radiusM, s.lengthM / 2 + (s.kind === "capsule" ? s.radiusM : 0)];
      for (const sx of [-1, 1])
        for (const sy of [-1, 1])
          for (const sz of [-1, 1])
            grow(c.link, transformPoint(c.X_LG, vec3(sx * h[0]!, sy * h[1]!, sz * h[2]!)));
    } else {
      throw new RangeError(
        `${chain.model.file}: link '${c.link}' has a ${c.shape.kind} collision shape, which the arm check cannot box`,
      );
    }
  }
  return [...lo.keys()].map((link) => {
    const a = lo.get(link)!;
    const b = hi.get(link)!;
    return {
      link,
      center_L: vec3((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2),
      half: [(b[0] - a[0]) / 2, (b[1] - a[1]) / 2, (b[2] - a[2]) / 2],
    };
  });
}
