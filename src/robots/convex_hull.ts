/**
 * 3-D convex hull by Quickhull (Barber, Dobkin & Huhdanpaa 1996): start from a tetrahedron of
 * extreme points, then repeatedly take the point farthest outside some face, remove every face it
 * sees (flood fill from that face) and close the hole with a fan of triangles from the horizon to
 * the point.
 *
 * Robustness: Quickhull with floating-point orientation tests breaks on real CAD meshes (large
 * flat faces, float32 noise): nearly coplanar points give inconsistent visibility, a horizon that
 * is not one loop, and folded hulls. Here the points are first snapped to an integer grid of
 * 2^16 steps across the largest extent (about 2 µm on a gripper part, well below any collision
 * margin); with coordinate differences ≤ 2^16 every orientation determinant is an integer below
 * 6·2^48 < 2^53, so it is computed EXACTLY in double precision. Exact orientation signs make the
 * visible region a topological disk and the result exactly convex on the grid.
 *
 * Output: hull vertices are input points moved onto the grid (by at most half a step per axis),
 * so the hull is exactly convex and every input point lies within √3/2 grid steps of its inside.
 * Triangular faces, counter-clockwise seen from outside. Input: flat [x0, y0, z0, …].
 */
import { InputError } from "../core/errors.js";

export interface ConvexHull {
  /** Hull vertices, flat [x0, y0, z0, …]: input points snapped to the grid. */
  vertices: Float64Array;
  /** Vertex-index triples, counter-clockwise seen from outside. */
  faces: Uint32Array;
}

/** Grid steps across the largest extent: keeps orientation determinants exact in float64. */
export const HULL_GRID_STEPS = 65536;

interface Face {
  v: [number, number, number];
  /** Integer normal (exact) and its length, for ranking distances. */
  n: [number, number, number];
  len: number;
  outside: number[];
  alive: boolean;
}

/**
 * @param points flat [x0, y0, z0, …]
 * @param gridSteps grid resolution across the largest extent (≤ HULL_GRID_STEPS); a coarser grid
 *   gives a hull with fewer vertices, accurate to extent / gridSteps
 */
export function convexHull(points: ArrayLike<number>, gridSteps: number = HULL_GRID_STEPS): ConvexHull {
  if (!(Number.isInteger(gridSteps) && gridSteps >= 2 && gridSteps <= HULL_GRID_STEPS)) {
    throw new RangeError(
      `convex hull: gridSteps must be an integer in [2, ${HULL_GRID_STEPS}], got ${gridSteps}`,
    );
  }
  const n = Math.floor(points.length / 3);
  if (n < 4 || points.length % 3 !== 0) {
    throw new InputError(
      `convex hull: need at least 4 points as x, y, z triples, got ${points.length} numbers`,
    );
  }
  const { S, lo, step } = snapToGrid(Float64Array.from(points), gridSteps);
  const faces: Face[] = [];
  const edges = new Map<number, number>();
  const key = (a: number, b: number) => a * n + b;
  /** n·(p − a): exact sign (> 0: p is outside the face), distance in grid units × |n|. */
  const side = (f: Face, p: number) => {
    const a = 3 * f.v[0];
    return (
      f.n[0] * (S[3 * p]! - S[a]!) +
      f.n[1] * (S[3 * p + 1]! - S[a + 1]!) +
      f.n[2] * (S[3 * p + 2]! - S[a + 2]!)
    );
  };

  const addFace = (a: number, b: number, c: number): number => {
    const nn = cross(S, a, b, c);
    const f: Face = { v: [a, b, c], n: nn, len: Math.hypot(...nn), outside: [], alive: true };
    const id = faces.length;
    faces.push(f);
    for (const [u, w] of [
      [a, b],
      [b, c],
      [c, a],
    ] as const) {
      if (edges.has(key(u, w))) throw new Error(`convex hull: edge ${u}→${w} used twice (internal error)`);
      edges.set(key(u, w), id);
    }
    return id;
  };
  const assign = (candidates: Iterable<number>, faceIds: number[]) => {
    for (const i of candidates) {
      let best = -1;
      let bestD = 0;
      for (const id of faceIds) {
        const f = faces[id]!;
        const s = side(f, i);
        if (s > 0 && s / f.len > bestD) {
          bestD = s / f.len;
          best = id;
        }
      }
      if (best >= 0) faces[best]!.outside.push(i);
    }
  };

  const simplex = initialSimplex(S, n);
  const ids: number[] = [];
  for (const [a, b, c, opposite] of [
    [simplex[0], simplex[1], simplex[2], simplex[3]],
    [simplex[0], simplex[3], simplex[1], simplex[2]],
    [simplex[1], simplex[3], simplex[2], simplex[0]],
    [simplex[2], simplex[3], simplex[0], simplex[1]],
  ] as const) {
    // Wind each face so the fourth point lies behind it.
    ids.push(orient(S, a, b, c, opposite) > 0 ? addFace(a, c, b) : addFace(a, b, c));
  }
  const inSimplex = new Set(simplex);
  assign(
    Array.from({ length: n }, (_, i) => i).filter((i) => !inSimplex.has(i)),
    ids,
  );

  const pending = [...ids];
  while (pending.length > 0) {
    const seed = pending.pop()!;
    const sf = faces[seed]!;
    if (!sf.alive || sf.outside.length === 0) continue;
    let eye = sf.outside[0]!;
    for (const i of sf.outside) if (side(sf, i) > side(sf, eye)) eye = i;
    const visible = new Set<number>([seed]);
    const stack = [seed];
    while (stack.length > 0) {
      const f = faces[stack.pop()!]!;
      for (const [u, w] of faceEdges(f)) {
        const g = edges.get(key(w, u))!;
        if (!visible.has(g) && side(faces[g]!, eye) > 0) {
          visible.add(g);
          stack.push(g);
        }
      }
    }
    const horizon: [number, number][] = [];
    const orphans: number[] = [];
    for (const id of visible) {
      const f = faces[id]!;
      for (const [u, w] of faceEdges(f)) if (!visible.has(edges.get(key(w, u))!)) horizon.push([u, w]);
      for (const i of f.outside) if (i !== eye) orphans.push(i);
    }
    for (const id of visible) {
      const f = faces[id]!;
      f.alive = false;
      f.outside = [];
      for (const [u, w] of faceEdges(f)) edges.delete(key(u, w));
    }
    const created = horizon.map(([u, w]) => addFace(u, w, eye));
    assign(orphans, created);
    pending.push(...created);
  }
  return compact(S, lo, step, faces);
}

const faceEdges = (f: Face): [number, number][] => [
  [f.v[0], f.v[1]],
  [f.v[1], f.v[2]],
  [f.v[2], f.v[0]],
];

/** Points on an integer grid: (p − min) / step rounded, step = largest extent / gridSteps. */
function snapToGrid(P: Float64Array, gridSteps: number): { S: Float64Array; lo: number[]; step: number } {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < P.length; i++) {
    if (!Number.isFinite(P[i]!)) throw new InputError("convex hull: a point has a non-finite coordinate");
    lo[i % 3] = Math.min(lo[i % 3]!, P[i]!);
    hi[i % 3] = Math.max(hi[i % 3]!, P[i]!);
  }
  const extent = Math.max(hi[0]! - lo[0]!, hi[1]! - lo[1]!, hi[2]! - lo[2]!);
  if (!(extent > 0)) throw new InputError("convex hull: all points coincide");
  const step = extent / gridSteps;
  const S = new Float64Array(P.length);
  for (let i = 0; i < P.length; i++) S[i] = Math.round((P[i]! - lo[i % 3]!) / step);
  return { S, lo, step };
}

/** (b − a) × (c − a) on grid points: exact integers. */
function cross(S: Float64Array, a: number, b: number, c: number): [number, number, number] {
  const ux = S[3 * b]! - S[3 * a]!;
  const uy = S[3 * b + 1]! - S[3 * a + 1]!;
  const uz = S[3 * b + 2]! - S[3 * a + 2]!;
  const vx = S[3 * c]! - S[3 * a]!;
  const vy = S[3 * c + 1]! - S[3 * a + 1]!;
  const vz = S[3 * c + 2]! - S[3 * a + 2]!;
  return [uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx];
}

/** Exact sign-carrying orientation of d against the plane of (a, b, c): > 0 on the side the CCW normal points to. */
function orient(S: Float64Array, a: number, b: number, c: number, d: number): number {
  const nn = cross(S, a, b, c);
  return (
    nn[0] * (S[3 * d]! - S[3 * a]!) +
    nn[1] * (S[3 * d + 1]! - S[3 * a + 1]!) +
    nn[2] * (S[3 * d + 2]! - S[3 * a + 2]!)
  );
}

/** Four grid points spanning a tetrahedron: the two farthest extremes, the farthest from their line, the farthest from that plane. */
function initialSimplex(S: Float64Array, n: number): [number, number, number, number] {
  const ext: number[] = [];
  for (let k = 0; k < 3; k++) {
    let lo = 0;
    let hi = 0;
    for (let i = 1; i < n; i++) {
      if (S[3 * i + k]! < S[3 * lo + k]!) lo = i;
      if (S[3 * i + k]! > S[3 * hi + k]!) hi = i;
    }
    ext.push(lo, hi);
  }
  const d2 = (a: number, b: number) =>
    (S[3 * a]! - S[3 * b]!) ** 2 +
    (S[3 * a + 1]! - S[3 * b + 1]!) ** 2 +
    (S[3 * a + 2]! - S[3 * b + 2]!) ** 2;
  let [a, b] = [ext[0]!, ext[1]!];
  for (let i = 0; i < ext.length; i++)
    for (let j = i + 1; j < ext.length; j++) if (d2(ext[i]!, ext[j]!) > d2(a, b)) [a, b] = [ext[i]!, ext[j]!];
  let c = -1;
  let best = 0;
  for (let i = 0; i < n; i++) {
    const area2 = Math.hypot(...cross(S, a, b, i));
    if (area2 > best) [best, c] = [area2, i];
  }
  if (c < 0) throw new InputError("convex hull: the points are collinear");
  let d = -1;
  best = 0;
  for (let i = 0; i < n; i++) {
    const h = Math.abs(orient(S, a, b, c, i));
    if (h > best) [best, d] = [h, i];
  }
  if (d < 0)
    throw new InputError("convex hull: the points are coplanar (a flat mesh has no volume to collide with)");
  return [a, b, c, d];
}

function compact(S: Float64Array, lo: number[], step: number, faces: Face[]): ConvexHull {
  const remap = new Map<number, number>();
  const verts: number[] = [];
  const tris: number[] = [];
  for (const f of faces) {
    if (!f.alive) continue;
    for (const i of f.v) {
      let j = remap.get(i);
      if (j === undefined) {
        j = verts.length / 3;
        remap.set(i, j);
        for (let k = 0; k < 3; k++) verts.push(lo[k]! + S[3 * i + k]! * step);
      }
      tris.push(j);
    }
  }
  return { vertices: Float64Array.from(verts), faces: Uint32Array.from(tris) };
}

/** Volume enclosed by a closed, outward-wound triangle mesh (divergence theorem), m³. */
export function hullVolume(h: ConvexHull): number {
  let v = 0;
  const V = h.vertices;
  for (let t = 0; t < h.faces.length; t += 3) {
    const [a, b, c] = [3 * h.faces[t]!, 3 * h.faces[t + 1]!, 3 * h.faces[t + 2]!];
    v +=
      V[a]! * (V[b + 1]! * V[c + 2]! - V[b + 2]! * V[c + 1]!) -
      V[a + 1]! * (V[b]! * V[c + 2]! - V[b + 2]! * V[c]!) +
      V[a + 2]! * (V[b]! * V[c + 1]! - V[b + 1]! * V[c]!);
  }
  return v / 6;
}
