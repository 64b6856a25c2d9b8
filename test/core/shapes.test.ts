/**
 * Signed distance and support distance of posed shapes (src/core/shapes.ts), at named points and
 * against brute force over densely sampled surfaces. Poses are mapped with a rotation matrix
 * written out here, not with src/core/math.
 */
import { describe, expect, it } from "vitest";
import type { Pose, Vec3 } from "../../src/core/math.js";
import { createRng } from "../../src/core/rng.js";
import type { ObjectShape } from "../../src/core/schemas/hand_track.js";
import { halfExtentAlong, halfHeightAlongZ, signedDistance } from "../../src/core/shapes.js";
import { randomPose } from "./random_pose.js";

type Arr3 = [number, number, number];

/** Spacing (m, arc length) of the surface samples along each surface parameter. */
const SAMPLE_SPACING_M = 0.001;

/** Named tolerances. */
const TOL = {
  /** Closed-form distances at named points: only round-off in the pose transform. */
  exactM: 1e-12,
  /**
   * Brute-force distance to a surface sampled on a grid of spacing h: every surface point lies
   * within h/√2 of a sample, so the sampled distance exceeds the true one by at most that.
   */
  sampledM: SAMPLE_SPACING_M / Math.SQRT2,
};

// ---------------------------------------------------------------------------------------------
// Reference pose mapping (rotation matrix of {x, y, z, w}, textbook formula).

function rotationMatrix({ x, y, z, w }: Pose["q"]): Arr3[] {
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
  ];
}

/** p_W = R p_O + p for a point given in the object frame O. */
function toWorld(X_WO: Pose, p_O: Arr3): Vec3 {
  const R = rotationMatrix(X_WO.q);
  const r = R.map((row) => row[0]! * p_O[0] + row[1]! * p_O[1] + row[2]! * p_O[2]);
  return { x: r[0]! + X_WO.p.x, y: r[1]! + X_WO.p.y, z: r[2]! + X_WO.p.z };
}

/** Direction d_O rotated into W. */
const dirToWorld = (X_WO: Pose, d_O: Arr3): Vec3 => toWorld({ p: { x: 0, y: 0, z: 0 }, q: X_WO.q }, d_O);

const unit = (v: Arr3): Arr3 => {
  const n = Math.hypot(...v);
  return [v[0] / n, v[1] / n, v[2] / n];
};

// ---------------------------------------------------------------------------------------------
// Factories

const SHAPES = {
  sphere: { kind: "sphere", radiusM: 0.05 },
  box: { kind: "box", sizeM: [0.04, 0.06, 0.1] },
  cylinder: { kind: "cylinder", radiusM: 0.03, heightM: 0.12 },
  ellipsoid: { kind: "ellipsoid", radiiM: [0.02, 0.04, 0.06], capZ: 1 },
} satisfies Record<string, ObjectShape>;

/** A pose with a generic rotation (no axis aligned with W) and an offset centre. */
const ROTATED: Pose = (() => {
  const axis = unit([1, 2, 3]);
  const h = 0.7 / 2;
  return {
    p: { x: 0.3, y: -0.2, z: 0.9 },
    q: { x: axis[0] * Math.sin(h), y: axis[1] * Math.sin(h), z: axis[2] * Math.sin(h), w: Math.cos(h) },
  };
})();

/** Points on the surface in the object frame, at most SAMPLE_SPACING_M apart along each parameter. */
function surfaceSamples(shape: ObjectShape): Arr3[] {
  const h = SAMPLE_SPACING_M;
  const steps = (length: number): number => Math.max(1, Math.ceil(length / h));
  const out: Arr3[] = [];
  switch (shape.kind) {
    case "box": {
      const half = shape.sizeM.map((s) => s / 2) as Arr3;
      // Each pair of faces ±axis: a grid over the other two axes, edges and corners included.
      for (let axis = 0; axis < 3; axis++) {
        const [u, v] = [0, 1, 2].filter((k) => k !== axis) as [number, number];
        const nu = steps(2 * half[u]);
        const nv = steps(2 * half[v]);
        for (const side of [-1, 1])
          for (let i = 0; i <= nu; i++)
            for (let j = 0; j <= nv; j++) {
              const p: Arr3 = [0, 0, 0];
              p[axis] = side * half[axis];
              p[u] = -half[u] + (2 * half[u] * i) / nu;
              p[v] = -half[v] + (2 * half[v] * j) / nv;
              out.push(p);
            }
      }
      return out;
    }
    case "cylinder": {
      const { radiusM: r, heightM: hh } = shape;
      const nPhi = steps(2 * Math.PI * r);
      const nZ = steps(hh);
      for (let i = 0; i < nPhi; i++) {
        const phi = (2 * Math.PI * i) / nPhi;
        for (let j = 0; j <= nZ; j++)
          out.push([r * Math.cos(phi), r * Math.sin(phi), -hh / 2 + (hh * j) / nZ]);
      }
      const nR = steps(r);
      for (const z of [-hh / 2, hh / 2]) {
        out.push([0, 0, z]);
        for (let k = 1; k <= nR; k++) {
          const rk = (r * k) / nR;
          const n = steps(2 * Math.PI * rk);
          for (let i = 0; i < n; i++)
            out.push([rk * Math.cos((2 * Math.PI * i) / n), rk * Math.sin((2 * Math.PI * i) / n), z]);
        }
      }
      return out;
    }
    case "sphere":
    case "ellipsoid": {
      const [a, b, c] =
        shape.kind === "sphere" ? [shape.radiusM, shape.radiusM, shape.radiusM] : shape.radiiM;
      const maxR = Math.max(a, b, c);
      const nTheta = steps(Math.PI * maxR);
      const nPhi = steps(2 * Math.PI * maxR);
      for (let i = 0; i <= nTheta; i++) {
        const theta = (Math.PI * i) / nTheta;
        for (let j = 0; j < nPhi; j++) {
          const phi = (2 * Math.PI * j) / nPhi;
          out.push([
            a * Math.sin(theta) * Math.cos(phi),
            b * Math.sin(theta) * Math.sin(phi),
            c * Math.cos(theta),
          ]);
        }
      }
      return out;
    }
  }
}

/** Inside test in the object frame, independent of signedDistance. */
function isInside(shape: ObjectShape, [x, y, z]: Arr3): boolean {
  switch (shape.kind) {
    case "sphere":
      return x * x + y * y + z * z < shape.radiusM ** 2;
    case "box":
      return (
        Math.abs(x) < shape.sizeM[0] / 2 &&
        Math.abs(y) < shape.sizeM[1] / 2 &&
        Math.abs(z) < shape.sizeM[2] / 2
      );
    case "cylinder":
      return x * x + y * y < shape.radiusM ** 2 && Math.abs(z) < shape.heightM / 2;
    case "ellipsoid": {
      const [a, b, c] = shape.radiiM;
      return (x / a) ** 2 + (y / b) ** 2 + (z / c) ** 2 < 1;
    }
  }
}

/** Distance from p to the nearest surface sample (an upper bound on the true distance, by ≤ TOL.sampledM). */
const sampledDistance = (samples: readonly Arr3[], p: Arr3): number => {
  let best = Number.POSITIVE_INFINITY;
  for (const s of samples) {
    const d2 = (s[0] - p[0]) ** 2 + (s[1] - p[1]) ** 2 + (s[2] - p[2]) ** 2;
    if (d2 < best) best = d2;
  }
  return Math.sqrt(best);
};

/** Local bounding half-size of a shape, for drawing query points around it. */
function boundsHalf(shape: ObjectShape): Arr3 {
  switch (shape.kind) {
    case "sphere":
      return [shape.radiusM, shape.radiusM, shape.radiusM];
    case "box":
      return shape.sizeM.map((s) => s / 2) as Arr3;
    case "cylinder":
      return [shape.radiusM, shape.radiusM, shape.heightM / 2];
    case "ellipsoid":
      return shape.radiiM;
  }
}

const sd = (shape: ObjectShape, p_O: Arr3, X_WO: Pose = ROTATED): number =>
  signedDistance(shape, X_WO, toWorld(X_WO, p_O));

describe("shapes", () => {
  describe("signedDistance at named points (rotated pose)", () => {
    it("sphere: −r at the centre, 0 on the surface, d outside", () => {
      const s = SHAPES.sphere;
      const u = unit([1, -2, 0.5]);
      expect(Math.abs(sd(s, [0, 0, 0]) + 0.05)).toBeLessThan(TOL.exactM);
      expect(Math.abs(sd(s, [0.05 * u[0], 0.05 * u[1], 0.05 * u[2]]))).toBeLessThan(TOL.exactM);
      expect(Math.abs(sd(s, [0.07 * u[0], 0.07 * u[1], 0.07 * u[2]]) - 0.02)).toBeLessThan(TOL.exactM);
      expect(Math.abs(sd(s, [0.03 * u[0], 0.03 * u[1], 0.03 * u[2]]) + 0.02)).toBeLessThan(TOL.exactM);
    });

    it.each([
      { name: "centre (−smallest half-size)", p: [0, 0, 0], d: -0.02 },
      { name: "+x face centre", p: [0.02, 0, 0], d: 0 },
      { name: "−y face centre", p: [0, -0.03, 0], d: 0 },
      { name: "edge", p: [0.02, 0.03, 0.01], d: 0 },
      { name: "corner", p: [-0.02, 0.03, -0.05], d: 0 },
      { name: "outside along +x", p: [0.035, 0, 0], d: 0.015 },
      { name: "outside along −y", p: [0, -0.05, 0.01], d: 0.02 },
      { name: "outside along +z", p: [0.01, 0.01, 0.08], d: 0.03 },
      { name: "outside beyond a corner", p: [0.02 + 0.01, 0.03 + 0.02, 0.05 + 0.02], d: 0.03 },
      { name: "inside near the +z face", p: [0.001, -0.002, 0.045], d: -0.005 },
    ])("box at $name", ({ p, d }) => {
      expect(Math.abs(sd(SHAPES.box, p as Arr3) - d)).toBeLessThan(TOL.exactM);
    });

    it.each([
      { name: "centre (−radius, the nearer surface)", p: [0, 0, 0], d: -0.03 },
      { name: "side surface", p: [0.03 * Math.cos(1), 0.03 * Math.sin(1), 0.02], d: 0 },
      { name: "cap", p: [0.01, 0.01, 0.06], d: 0 },
      { name: "rim", p: [0, -0.03, -0.06], d: 0 },
      { name: "outside radially", p: [0, 0.05, 0.03], d: 0.02 },
      { name: "outside along the axis", p: [0.005, 0, -0.075], d: 0.015 },
      { name: "outside beyond the rim", p: [0.03 + 0.03, 0, 0.06 + 0.04], d: 0.05 },
      { name: "inside near a cap", p: [0, 0, 0.055], d: -0.005 },
    ])("cylinder at $name", ({ p, d }) => {
      expect(Math.abs(sd(SHAPES.cylinder, p as Arr3) - d)).toBeLessThan(TOL.exactM);
    });

    it("ellipsoid: −(smallest radius) at the centre, 0 on the surface, exact outside along the smallest axis", () => {
      const s = SHAPES.ellipsoid;
      expect(Math.abs(sd(s, [0, 0, 0]) + 0.02)).toBeLessThan(TOL.exactM);
      for (const p of [
        [0.02, 0, 0],
        [0, -0.04, 0],
        [0, 0, 0.06],
        [0.02 * Math.sin(0.6) * Math.cos(2), 0.04 * Math.sin(0.6) * Math.sin(2), 0.06 * Math.cos(0.6)],
      ] as Arr3[])
        expect(Math.abs(sd(s, p))).toBeLessThan(TOL.exactM);
      expect(Math.abs(sd(s, [-0.03, 0, 0]) - 0.01)).toBeLessThan(TOL.exactM);
    });

    it("ellipsoid: outside along a longer axis, positive and no more than the true distance", () => {
      // The documented approximation (k − 1)·min(radii) never overstates the distance.
      for (const [p, trueD] of [
        [[0, 0.05, 0], 0.01],
        [[0, 0, -0.09], 0.03],
      ] as [Arr3, number][]) {
        const d = sd(SHAPES.ellipsoid, p);
        expect(d).toBeGreaterThan(0);
        expect(d).toBeLessThanOrEqual(trueD + TOL.exactM);
      }
    });
  });

  describe("signedDistance against brute force over sampled surfaces", () => {
    const QUERIES = 60;

    it.each(Object.entries(SHAPES))(
      "%s: exact shapes match, the ellipsoid has the right sign",
      (_, shape) => {
        const rng = createRng(101);
        const samples = surfaceSamples(shape);
        const half = boundsHalf(shape);
        for (let i = 0; i < QUERIES; i++) {
          const X_WO = randomPose(rng);
          const p: Arr3 = [
            rng.uniform(-1.5, 1.5) * half[0],
            rng.uniform(-1.5, 1.5) * half[1],
            rng.uniform(-1.5, 1.5) * half[2],
          ];
          const brute = (isInside(shape, p) ? -1 : 1) * sampledDistance(samples, p);
          const actual = sd(shape, p, X_WO);
          if (shape.kind === "ellipsoid") {
            if (Math.abs(brute) > TOL.sampledM) expect(Math.sign(actual)).toBe(Math.sign(brute));
            expect(Math.abs(actual)).toBeLessThanOrEqual(Math.abs(brute) + TOL.exactM);
          } else {
            // The sampled distance overstates the true one by at most TOL.sampledM.
            expect(Math.abs(actual)).toBeLessThanOrEqual(Math.abs(brute) + TOL.exactM);
            expect(Math.abs(actual - brute)).toBeLessThanOrEqual(TOL.sampledM);
          }
        }
      },
    );
  });

  describe("halfExtentAlong", () => {
    it.each([
      { name: "box along its x axis", shape: SHAPES.box, d: [1, 0, 0], e: 0.02 },
      { name: "box along its z axis", shape: SHAPES.box, d: [0, 0, -1], e: 0.05 },
      { name: "box along its diagonal", shape: SHAPES.box, d: unit([1, 1, 1]), e: 0.2 / (2 * Math.sqrt(3)) },
      { name: "cylinder along its axis", shape: SHAPES.cylinder, d: [0, 0, 1], e: 0.06 },
      { name: "cylinder across its axis", shape: SHAPES.cylinder, d: unit([1, -1, 0]), e: 0.03 },
      { name: "ellipsoid along y", shape: SHAPES.ellipsoid, d: [0, 1, 0], e: 0.04 },
      { name: "sphere along anything", shape: SHAPES.sphere, d: unit([3, -1, 2]), e: 0.05 },
    ] as { name: string; shape: ObjectShape; d: Arr3; e: number }[])("$name", ({ shape, d, e }) => {
      expect(Math.abs(halfExtentAlong(shape, ROTATED, dirToWorld(ROTATED, d)) - e)).toBeLessThan(TOL.exactM);
    });

    it.each(Object.entries(SHAPES))(
      "%s: equals the largest projection of the sampled surface",
      (_, shape) => {
        const rng = createRng(202);
        const samples = surfaceSamples(shape);
        for (let i = 0; i < 40; i++) {
          const X_WO = randomPose(rng);
          const d_W = dirToWorld({ p: X_WO.p, q: randomPose(rng).q }, [0, 0, 1]);
          let brute = Number.NEGATIVE_INFINITY;
          for (const s of samples) {
            const p = toWorld(X_WO, s);
            brute = Math.max(
              brute,
              (p.x - X_WO.p.x) * d_W.x + (p.y - X_WO.p.y) * d_W.y + (p.z - X_WO.p.z) * d_W.z,
            );
          }
          const actual = halfExtentAlong(shape, X_WO, d_W);
          // No surface point projects beyond the support distance, and the nearest sample to the
          // support point lies within TOL.sampledM of it.
          expect(actual).toBeGreaterThanOrEqual(brute - TOL.exactM);
          expect(actual - brute).toBeLessThanOrEqual(TOL.sampledM);
        }
      },
    );

    it("halfHeightAlongZ is the support distance along world +z", () => {
      const X_WO = ROTATED;
      const samples = surfaceSamples(SHAPES.box);
      const lowest = Math.min(...samples.map((s) => toWorld(X_WO, s).z));
      expect(Math.abs(halfHeightAlongZ(SHAPES.box, X_WO) - (X_WO.p.z - lowest))).toBeLessThan(TOL.exactM);
    });
  });
});
