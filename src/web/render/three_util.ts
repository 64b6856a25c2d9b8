/** Conversions between egobridge's plain poses and three.js objects (both use {x,y,z,w} quaternions, z up here). */
import * as THREE from "three";
import type { PoseJson } from "../../core/schemas/common.js";
import type { HullMesh } from "../../render/protocol.js";

export function setPose(obj: THREE.Object3D, pose: PoseJson): void {
  obj.position.set(pose.pos[0], pose.pos[1], pose.pos[2]);
  obj.quaternion.set(pose.quatXyzw[0], pose.quatXyzw[1], pose.quatXyzw[2], pose.quatXyzw[3]);
}

/** Frees the geometries (and, unless shared, materials and their textures) below `root`. */
export function disposeTree(root: THREE.Object3D, shared: ReadonlySet<THREE.Material> = new Set()): void {
  root.traverse((o) => {
    const m = o as THREE.Mesh;
    if (m.geometry) m.geometry.dispose();
    const mats = Array.isArray(m.material) ? m.material : m.material ? [m.material] : [];
    for (const mat of mats) {
      if (shared.has(mat)) continue;
      (mat as THREE.MeshStandardMaterial).map?.dispose();
      mat.dispose();
    }
  });
}

/** A polyline through points (flat xyz), as a three.js Line. */
export function polyline(
  points: ArrayLike<number>,
  color: THREE.ColorRepresentation,
  opacity = 1,
): THREE.Line {
  const g = new THREE.BufferGeometry();
  g.setAttribute("position", new THREE.Float32BufferAttribute(Array.from(points), 3));
  const mat = new THREE.LineBasicMaterial({ color, transparent: opacity < 1, opacity });
  return new THREE.Line(g, mat);
}

/** One mesh per convex hull, with flat faces (one normal per triangle, as the hull's facets are). */
export function hullGroup(hulls: readonly HullMesh[], mat: THREE.Material): THREE.Group {
  const part = new THREE.Group();
  for (const h of hulls) {
    const indexed = new THREE.BufferGeometry();
    indexed.setAttribute("position", new THREE.Float32BufferAttribute(h.vertices, 3));
    indexed.setIndex(h.faces);
    const geometry = indexed.toNonIndexed();
    indexed.dispose();
    geometry.computeVertexNormals();
    part.add(new THREE.Mesh(geometry, mat));
  }
  return part;
}
