import { InputError } from "../core/errors.js";
import type { Mesh } from "./mesh.js";

/**
 * Wavefront OBJ geometry: `v x y z [w]` vertices and `f` faces (`i`, `i/t`, `i//n`, `i/t/n`,
 * negative indices counting back from the last vertex), polygons fan-triangulated. Normals,
 * texture coordinates, groups and materials are not needed for collision or kinematics and are
 * skipped.
 */
export function parseObj(text: string, file: string): Mesh {
  const positions: number[] = [];
  const triangles: number[] = [];
  const lines = text.split("\n");
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.trim();
    if (line.startsWith("v ") || line.startsWith("v\t")) {
      const parts = line.split(/\s+/);
      const x = Number(parts[1]);
      const y = Number(parts[2]);
      const z = Number(parts[3]);
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
        throw new InputError(`${file}:${ln + 1}: malformed vertex '${line}'`);
      }
      positions.push(x, y, z);
    } else if (line.startsWith("f ") || line.startsWith("f\t")) {
      const n = positions.length / 3;
      const idx = line
        .split(/\s+/)
        .slice(1)
        .map((tok) => {
          const i = Number.parseInt(tok.split("/")[0]!, 10);
          const k = i < 0 ? n + i : i - 1;
          if (!Number.isInteger(i) || i === 0 || k < 0 || k >= n) {
            throw new InputError(
              `${file}:${ln + 1}: face refers to vertex '${tok}', but ${n} vertices are defined so far`,
            );
          }
          return k;
        });
      if (idx.length < 3) throw new InputError(`${file}:${ln + 1}: a face needs at least 3 vertices`);
      for (let k = 1; k + 1 < idx.length; k++) triangles.push(idx[0]!, idx[k]!, idx[k + 1]!);
    }
  }
  if (positions.length === 0) throw new InputError(`${file}: no vertices ('v' lines) in this OBJ file`);
  return { positions: Float64Array.from(positions), triangles: Uint32Array.from(triangles) };
}
