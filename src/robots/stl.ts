import { InputError } from "../core/errors.js";
import { type Mesh, MeshBuilder } from "./mesh.js";

const HEADER_BYTES = 80;
const TRIANGLE_BYTES = 50;

/**
 * STL, binary or ASCII. Binary is recognised by its size (84 + 50·n bytes for the n triangles its
 * header announces) rather than by a leading "solid", which many binary exporters also write.
 * Vertices shared by triangles are merged.
 */
export function parseStl(data: Uint8Array, file: string): Mesh {
  if (data.byteLength >= HEADER_BYTES + 4) {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const n = view.getUint32(HEADER_BYTES, true);
    if (data.byteLength === HEADER_BYTES + 4 + n * TRIANGLE_BYTES) return parseBinary(view, n, file);
  }
  const text = new TextDecoder().decode(data);
  if (!/^\s*solid/.test(text)) {
    throw new InputError(
      `${file}: neither a binary STL (size does not match its triangle count) nor an ASCII STL (no 'solid')`,
    );
  }
  return parseAscii(text, file);
}

function parseBinary(view: DataView, n: number, file: string): Mesh {
  if (n === 0) throw new InputError(`${file}: binary STL with no triangles`);
  const b = new MeshBuilder();
  for (let t = 0; t < n; t++) {
    const off = HEADER_BYTES + 4 + t * TRIANGLE_BYTES + 12; // skip the facet normal
    const v: number[] = [];
    for (let k = 0; k < 3; k++) {
      const o = off + 12 * k;
      const x = view.getFloat32(o, true);
      const y = view.getFloat32(o + 4, true);
      const z = view.getFloat32(o + 8, true);
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
        throw new InputError(`${file}: triangle ${t} has a non-finite vertex`);
      }
      v.push(b.vertex(x, y, z));
    }
    b.triangle(v[0]!, v[1]!, v[2]!);
  }
  return b.build();
}

function parseAscii(text: string, file: string): Mesh {
  const b = new MeshBuilder();
  const re = /vertex\s+(\S+)\s+(\S+)\s+(\S+)/g;
  const v: number[] = [];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const [x, y, z] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
      throw new InputError(`${file}: malformed vertex '${m[0]}'`);
    }
    v.push(b.vertex(x, y, z));
    if (v.length === 3) {
      b.triangle(v[0]!, v[1]!, v[2]!);
      v.length = 0;
    }
  }
  const mesh = b.build();
  if (mesh.positions.length === 0) throw new InputError(`${file}: ASCII STL with no vertices`);
  if (v.length !== 0) throw new InputError(`${file}: ASCII STL ends inside a facet (truncated?)`);
  return mesh;
}
