/**
 * Loading a robot model by file type, its meshes, and the collision shapes a physics engine
 * needs (primitives as they are, meshes as convex hulls of their scaled vertices).
 */
import path from "node:path";
import { InputError } from "../core/errors.js";
import type { Pose } from "../core/math.js";
import { type ConvexHull, convexHull } from "./convex_hull.js";
import { loadMesh, type Mesh, scaleMesh } from "./mesh.js";
import { loadMjcf } from "./mjcf.js";
import { type GeometryShape, meshFiles, type RobotModel } from "./robot_model.js";
import { loadUrdf, type UrdfOptions } from "./urdf.js";

/** Reads a URDF (`.urdf`) or MJCF (`.xml`, `.mjcf`) robot description. */
export async function loadRobotModel(file: string, options: UrdfOptions = {}): Promise<RobotModel> {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".urdf") return loadUrdf(file, options);
  if (ext === ".xml" || ext === ".mjcf") return loadMjcf(file);
  throw new InputError(
    `unknown robot description format '${ext}' for ${file}: expected .urdf, .xml or .mjcf`,
  );
}

/** Every mesh the model references, loaded, by absolute file name. A missing or unreadable mesh fails naming the model. */
export async function loadModelMeshes(model: RobotModel): Promise<Map<string, Mesh>> {
  const out = new Map<string, Mesh>();
  for (const f of meshFiles(model)) out.set(f, await loadMesh(f, model.file));
  return out;
}

export type CollisionShape =
  | Exclude<GeometryShape, { kind: "mesh" }>
  | { kind: "convex"; hull: ConvexHull; file: string };

export interface LinkCollider {
  link: string;
  /** Pose of the shape in the link frame. */
  X_LG: Pose;
  shape: CollisionShape;
}

/**
 * The collision geometry of every link, meshes replaced by the convex hull of their scaled
 * vertices (what engines such as Rapier and MuJoCo collide with). Hulls are computed once per
 * (file, scale).
 */
export async function collisionShapes(model: RobotModel): Promise<LinkCollider[]> {
  const meshes = new Map<string, Mesh>();
  const hulls = new Map<string, ConvexHull>();
  const out: LinkCollider[] = [];
  for (const link of model.links) {
    for (const g of link.collisions) {
      if (g.shape.kind !== "mesh") {
        out.push({ link: link.name, X_LG: g.X_LG, shape: g.shape });
        continue;
      }
      const { file, scale } = g.shape;
      const k = `${file}|${scale.join(",")}`;
      let hull = hulls.get(k);
      if (!hull) {
        let mesh = meshes.get(file);
        if (!mesh) {
          mesh = await loadMesh(file, model.file);
          meshes.set(file, mesh);
        }
        try {
          hull = convexHull(scaleMesh(mesh, scale).positions);
        } catch (err) {
          throw new InputError(
            `${model.file}: collision mesh ${file} of link '${link.name}': ${(err as Error).message}`,
          );
        }
        hulls.set(k, hull);
      }
      out.push({ link: link.name, X_LG: g.X_LG, shape: { kind: "convex", hull, file } });
    }
  }
  return out;
}
