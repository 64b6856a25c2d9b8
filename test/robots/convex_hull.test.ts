import { describe, expect, it } from "vitest";
import { createRng } from "../../src/core/rng.js";
import { type ConvexHull, convexHull, HULL_GRID_STEPS, hullVolume } from "../../src/robots/convex_hull.js";
import { loadMesh, scaleMesh } from "../../src/robots/mesh.js";
import { robotAsset } from "./fixtures.js";

/** Largest signed distance of any point outside any hull face (m); ≤ tolerance means all inside. */
function maxOutside(h: ConvexHull, points: ArrayLike<number>): number {
  let worst = -Infinity;
  const V = h.vertices;
  for (let t = 0; t < h.faces.length; t += 3) {
    const [a, b, c] = [3 * h.faces[t]!, 3 * h.faces[t + 1]!, 3 * h.faces[t + 2]!];
    const u = [V[b]! - V[a]!, V[b + 1]! - V[a + 1]!, V[b + 2]! - V[a + 2]!];
    const v = [V[c]! - V[a]!, V[c + 1]! - V[a + 1]!, V[c + 2]! - V[a + 2]!];
    const n = [u[1]! * v[2]! - u[2]! * v[1]!, u[2]! * v[0]! - u[0]! * v[2]!, u[0]! * v[1]! - u[1]! * v[0]!];
    const len = Math.hypot(n[0]!, n[1]!, n[2]!);
    let faceWorst = -Infinity;
    for (let i = 0; i < points.length; i += 3) {
      const d =
        (n[0]! * (points[i]! - V[a]!) +
          n[1]! * (points[i + 1]! - V[a + 1]!) +
          n[2]! * (points[i + 2]! - V[a + 2]!)) /
        len;
      faceWorst = Math.max(faceWorst, d);
    }
    worst = Math.max(worst, faceWorst);
  }
  return worst;
}

/** Closed 2-manifold: every directed edge appears once and its reverse once (V − E + F = 2 follows). */
function isClosedManifold(h: ConvexHull): boolean {
  const edges = new Set<string>();
  for (let t = 0; t < h.faces.length; t += 3) {
    for (let k = 0; k < 3; k++) {
      const e = `${h.faces[t + k]},${h.faces[t + ((k + 1) % 3)]}`;
      if (edges.has(e)) return false;
      edges.add(e);
    }
  }
  return [...edges].every((e) => edges.has(e.split(",").reverse().join(",")));
}

describe("convexHull", () => {
  it("a cube's corners with interior points: 8 vertices, 12 triangles, volume 1", () => {
    const rng = createRng(1);
    const pts: number[] = [];
    for (let i = 0; i < 500; i++) pts.push(rng.next(), rng.next(), rng.next());
    for (const x of [0, 1]) for (const y of [0, 1]) for (const z of [0, 1]) pts.push(x, y, z);
    const h = convexHull(pts);
    expect(h.vertices.length / 3).toBe(8);
    expect(h.faces.length / 3).toBe(12);
    expect(hullVolume(h)).toBeCloseTo(1, 12);
    expect(isClosedManifold(h)).toBe(true);
  });

  it("seeded random points on and in a sphere: closed, outward-wound, contains every point", () => {
    for (const seed of [2, 3, 4]) {
      const rng = createRng(seed);
      const pts: number[] = [];
      for (let i = 0; i < 2000; i++) {
        const v = [rng.normal(), rng.normal(), rng.normal()];
        const r = (i % 2 === 0 ? 1 : rng.next()) / Math.hypot(v[0]!, v[1]!, v[2]!);
        pts.push(v[0]! * r, v[1]! * r, v[2]! * r);
      }
      const h = convexHull(pts);
      expect(isClosedManifold(h)).toBe(true);
      // Within the snapping tolerance: √3/2 grid steps across the extent of 2.
      expect(maxOutside(h, pts)).toBeLessThan((Math.sqrt(3) / 2) * (2 / HULL_GRID_STEPS));
      // The unit ball's volume, approached from below by 1000 surface points.
      expect(hullVolume(h)).toBeGreaterThan(0.97 * (4 / 3) * Math.PI);
      expect(hullVolume(h)).toBeLessThan((4 / 3) * Math.PI);
    }
  });

  it.each([
    ["coplanar points", [0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0.5, 0.5, 0], /coplanar/],
    ["collinear points", [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], /collinear/],
    ["too few points", [0, 0, 0, 1, 0, 0, 0, 1, 0], /at least 4 points/],
  ])("%s are an error, not a broken hull", (_what, pts, message) => {
    expect(() => convexHull(pts as number[])).toThrow(message);
  });

  it("the 2F-85 base mesh (46k triangles): a closed hull containing every vertex", async () => {
    const mesh = scaleMesh(await loadMesh(await robotAsset("robotiq_2f85_mjcf/assets/base.stl")), [1, 1, 1]);
    const h = convexHull(mesh.positions);
    expect(isClosedManifold(h)).toBe(true);
    expect(h.vertices.length).toBeLessThan(mesh.positions.length / 10);
    // The part is ~0.093 m tall: the grid step is 1.4 µm.
    expect(maxOutside(h, mesh.positions)).toBeLessThan((Math.sqrt(3) / 2) * (0.094 / HULL_GRID_STEPS));
  });
});
