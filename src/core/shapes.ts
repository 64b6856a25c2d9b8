import { InputError } from "./errors.js";
import { invert, type Pose, qconj, qrotate, transformPoint, type Vec3 } from "./math.js";
import type { ObjectShape } from "./schemas/hand_track.js";
import type { SceneItem } from "./schemas/scene.js";

/**
 * Signed distance (m) from point p_W to the surface of a shape posed at X_WO: negative inside.
 * Exact for spheres and boxes outside; for ellipsoids and cylinders a close approximation that
 * has the right sign everywhere, which is what grasp detection needs.
 */
export function signedDistance(shape: ObjectShape, X_WO: Pose, p_W: Vec3): number {
  const p = transformPoint(invert(X_WO), p_W);
  switch (shape.kind) {
    case "sphere":
      return Math.hypot(p.x, p.y, p.z) - shape.radiusM;
    case "ellipsoid": {
      const [a, b, c] = shape.radiiM;
      const k = Math.hypot(p.x / a, p.y / b, p.z / c);
      return Math.max((k - 1) * Math.min(a, b, c), Math.abs(p.z) - shape.capZ * c);
    }
    case "cylinder": {
      const radial = Math.hypot(p.x, p.y) - shape.radiusM;
      const axial = Math.abs(p.z) - shape.heightM / 2;
      return axial > 0 && radial > 0 ? Math.hypot(radial, axial) : Math.max(radial, axial);
    }
    case "box": {
      const q = [
        Math.abs(p.x) - shape.sizeM[0] / 2,
        Math.abs(p.y) - shape.sizeM[1] / 2,
        Math.abs(p.z) - shape.sizeM[2] / 2,
      ];
      const outside = Math.hypot(...q.map((v) => Math.max(v, 0)));
      return outside > 0 ? outside : Math.max(...q);
    }
  }
}

/** Half-extent (m) of a shape posed at X_WO along the unit direction d_W: its support distance from the centre. */
export function halfExtentAlong(shape: ObjectShape, X_WO: Pose, d_W: Vec3): number {
  const d = qrotate(qconj(X_WO.q), d_W);
  switch (shape.kind) {
    case "sphere":
      return shape.radiusM;
    case "ellipsoid": {
      const [a, b, c] = shape.radiiM;
      const h = Math.hypot(a * d.x, b * d.y, c * d.z);
      // The support point of the full ellipsoid is (a²dx, b²dy, c²dz) / h; if it lies beyond a cap,
      // the capped shape's support point is on that cap's rim instead.
      const k = shape.capZ * c;
      if (Math.abs((c * c * d.z) / h) <= k) return h;
      const rim = Math.sqrt(Math.max(0, 1 - shape.capZ * shape.capZ));
      return k * Math.abs(d.z) + rim * Math.hypot(a * d.x, b * d.y);
    }
    case "cylinder":
      return shape.radiusM * Math.hypot(d.x, d.y) + (shape.heightM / 2) * Math.abs(d.z);
    case "box":
      return (
        (Math.abs(d.x) * shape.sizeM[0] + Math.abs(d.y) * shape.sizeM[1] + Math.abs(d.z) * shape.sizeM[2]) / 2
      );
  }
}

/** How far a posed shape's lowest point lies below its centre (m). */
export const halfHeightAlongZ = (shape: ObjectShape, X_WO: Pose): number =>
  halfExtentAlong(shape, X_WO, { x: 0, y: 0, z: 1 });

/** The target item's shape as an ObjectShape (scene items and tracked objects share the shape kinds). */
export function itemShape(item: SceneItem): ObjectShape {
  switch (item.kind) {
    case "box":
      return { kind: "box", sizeM: item.sizeM };
    case "cylinder":
      return { kind: "cylinder", radiusM: item.radiusM, heightM: item.heightM };
    case "sphere":
      return { kind: "sphere", radiusM: item.radiusM };
    case "ellipsoid":
      return { kind: "ellipsoid", radiiM: item.radiiM, capZ: item.capZ };
    default:
      throw new InputError(`scene item '${item.id}' (${item.kind}) cannot be a pick target`);
  }
}
