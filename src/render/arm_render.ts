/**
 * An arm as the rendered cameras and the preview draw it: each link's convex hulls (the geometry
 * the physics collides with), the pedestal under its base, and per recorded step each link's pose
 * in W, from the forward kinematics of the recorded joints at the episode's recorded base.
 */
import { type Pose, poseFromJson, poseToJson, transformPoint, vec3 } from "../core/math.js";
import type { Episode } from "../core/schemas/episode.js";
import { convexHull } from "../robots/convex_hull.js";
import { linkPoses } from "../robots/ik.js";
import { type ArmModel, type ArmShape, armModelOf, pedestalBox } from "../sim/arm.js";
import type { ArmDrawing, HullArm, HullMesh } from "./protocol.js";

/** Points around a round shape's axis (its hull is the shape to within a few millimetres). */
const RING_SEGMENTS = 16;

export const hullMesh = (points: ArrayLike<number>): HullMesh => {
  const h = convexHull(Array.from(points));
  return { vertices: Array.from(h.vertices), faces: Array.from(h.faces) };
};

/** The shape's points in its own frame, whose hull it is (Rapier's capsules and cylinders lie along y). */
function shapePoints(s: ArmShape["shape"]): number[] {
  const out: number[] = [];
  const ring = (y: number, r: number) => {
    for (let k = 0; k < RING_SEGMENTS; k++) {
      const a = (2 * Math.PI * k) / RING_SEGMENTS;
      out.push(r * Math.cos(a), y, r * Math.sin(a));
    }
  };
  switch (s.kind) {
    case "hull":
      return Array.from(s.points);
    case "box":
      for (const x of [-1, 1])
        for (const y of [-1, 1])
          for (const z of [-1, 1]) out.push(x * s.half[0], y * s.half[1], z * s.half[2]);
      return out;
    case "cylinder":
      ring(-s.halfHeightM, s.radiusM);
      ring(s.halfHeightM, s.radiusM);
      return out;
    case "capsule":
    case "ball": {
      // Rings over the caps (a ball: a capsule of no length).
      const half = s.kind === "capsule" ? s.halfHeightM : 0;
      for (let i = 0; i <= 4; i++) {
        const a = (Math.PI / 2) * (i / 4);
        ring(half + s.radiusM * Math.sin(a), s.radiusM * Math.cos(a));
        ring(-half - s.radiusM * Math.sin(a), s.radiusM * Math.cos(a));
      }
      return out;
    }
  }
}

/** The hulls in each link's frame, built once per arm model. */
const hullArms = new WeakMap<ArmModel, HullArm>();
export function hullArm(arm: ArmModel, embodiment: string): HullArm {
  let h = hullArms.get(arm);
  if (!h) {
    const byLink = new Map<string, HullMesh[]>();
    for (const s of arm.shapes) {
      const X: Pose = s.X_LG;
      const pts = shapePoints(s.shape);
      const inLink: number[] = [];
      for (let i = 0; i < pts.length; i += 3) {
        const p = transformPoint(X, vec3(pts[i]!, pts[i + 1]!, pts[i + 2]!));
        inLink.push(p.x, p.y, p.z);
      }
      const list = byLink.get(s.link) ?? [];
      list.push(hullMesh(inLink));
      byLink.set(s.link, list);
    }
    h = {
      key: `${embodiment}:${arm.chain.model.file}`,
      links: [...byLink].map(([name, hulls]) => ({ name, hulls })),
    };
    hullArms.set(arm, h);
  }
  return h;
}

/** What a view needs to draw an episode's arm; undefined for an embodiment without one. */
export async function armDrawing(e: Episode): Promise<ArmDrawing | undefined> {
  const arm = await armModelOf(e.embodiment);
  const base = e.scene.robotBase;
  if (!arm || !base) return undefined;
  const X_WB = poseFromJson(base.pose);
  const drawn = hullArm(arm, e.embodiment.name);
  const names = new Set(drawn.links.map((l) => l.name));
  const links = e.steps.map((s) => {
    if (!s.state.joints) return null;
    const poses = linkPoses(arm.chain, s.state.joints.q, X_WB);
    return Object.fromEntries([...poses].filter(([l]) => names.has(l)).map(([l, X]) => [l, poseToJson(X)]));
  });
  const p = pedestalBox(X_WB);
  return {
    arm: drawn,
    ...(p
      ? {
          pedestal: {
            pose: poseToJson({ p: p.center, q: X_WB.q }),
            sizeM: p.half.map((v) => 2 * v) as [number, number, number],
          },
        }
      : {}),
    links,
  };
}
