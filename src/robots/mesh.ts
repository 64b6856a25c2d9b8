/**
 * Triangle meshes read from robot description files: OBJ (obj.ts) and binary / ASCII STL (stl.ts).
 *
 * Layout: `positions` is a flat [x0, y0, z0, x1, …] array (file units; the model's `scale` is
 * applied by `scaleMesh`), `triangles` a flat list of vertex-index triples.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { InputError } from "../core/errors.js";
import { parseObj } from "./obj.js";
import { parseStl } from "./stl.js";

export interface Mesh {
  positions: Float64Array;
  triangles: Uint32Array;
}

export const MESH_FORMATS = [".obj", ".stl"] as const;

/**
 * Loads a mesh file by its extension. `usedBy` names what references it (a model file), so a
 * missing mesh says who wanted it.
 */
export async function loadMesh(file: string, usedBy?: string): Promise<Mesh> {
  const ext = path.extname(file).toLowerCase();
  const by = usedBy ? ` (referenced by ${usedBy})` : "";
  if (!(MESH_FORMATS as readonly string[]).includes(ext)) {
    throw new InputError(
      `unsupported mesh format '${ext}' for ${file}${by}: supported are ${MESH_FORMATS.join(", ")}`,
    );
  }
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      code === "ENOENT"
        ? `mesh file not found: ${file}${by}`
        : `cannot read mesh ${file}${by}: ${(err as Error).message}`,
    );
  }
  return ext === ".obj" ? parseObj(data.toString("utf8"), file) : parseStl(data, file);
}

export const vertexCount = (m: Mesh): number => m.positions.length / 3;

/** The mesh with every vertex multiplied component-wise by `scale`. */
export function scaleMesh(m: Mesh, scale: readonly [number, number, number]): Mesh {
  const p = new Float64Array(m.positions.length);
  for (let i = 0; i < p.length; i++) p[i] = m.positions[i]! * scale[i % 3]!;
  return { positions: p, triangles: m.triangles };
}

/** Axis-aligned bounds [min, max] of the vertices. */
export function meshBounds(m: Mesh): { min: [number, number, number]; max: [number, number, number] } {
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < m.positions.length; i++) {
    const k = i % 3;
    min[k] = Math.min(min[k]!, m.positions[i]!);
    max[k] = Math.max(max[k]!, m.positions[i]!);
  }
  return { min, max };
}

/**
 * Merges bit-identical vertices (STL stores three per triangle) and returns the compacted mesh;
 * `builder` receives vertices one at a time and returns their index.
 */
export class MeshBuilder {
  private readonly index = new Map<string, number>();
  private readonly positions: number[] = [];
  private readonly triangles: number[] = [];

  vertex(x: number, y: number, z: number): number {
    const key = `${x},${y},${z}`;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.positions.length / 3;
      this.positions.push(x, y, z);
      this.index.set(key, i);
    }
    return i;
  }

  triangle(a: number, b: number, c: number): void {
    if (a !== b && b !== c && a !== c) this.triangles.push(a, b, c);
  }

  build(): Mesh {
    return { positions: Float64Array.from(this.positions), triangles: Uint32Array.from(this.triangles) };
  }
}
