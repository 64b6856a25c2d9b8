import { describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import { loadMesh, meshBounds, scaleMesh, vertexCount } from "../../src/robots/mesh.js";
import { parseObj } from "../../src/robots/obj.js";
import { parseStl } from "../../src/robots/stl.js";
import { robotAsset } from "./fixtures.js";

/** A binary STL of the given triangles (normals left zero, as many exporters do). */
function binaryStl(tris: number[][][], header = "binary"): Uint8Array {
  const buf = new ArrayBuffer(84 + 50 * tris.length);
  const bytes = new Uint8Array(buf);
  bytes.set(new TextEncoder().encode(header.padEnd(80, " ")).subarray(0, 80));
  const view = new DataView(buf);
  view.setUint32(80, tris.length, true);
  for (const [i, t] of tris.entries())
    for (const [k, v] of t.entries())
      for (const [j, c] of v.entries()) view.setFloat32(84 + 50 * i + 12 + 12 * k + 4 * j, c, true);
  return bytes;
}

const TETRA = [
  [
    [0, 0, 0],
    [1, 0, 0],
    [0, 1, 0],
  ],
  [
    [0, 0, 0],
    [0, 0, 1],
    [1, 0, 0],
  ],
  [
    [0, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
  [
    [1, 0, 0],
    [0, 0, 1],
    [0, 1, 0],
  ],
];

describe("OBJ reader", () => {
  it("reads vertices and fan-triangulates faces in every index form, negative indices included", () => {
    const m = parseObj(
      "# quad\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvn 0 0 1\nvt 0 0\nf 1/1/1 2/1/1 3//1 4\nf -4 -3 -2\n",
      "q.obj",
    );
    expect(vertexCount(m)).toBe(4);
    expect([...m.triangles]).toEqual([0, 1, 2, 0, 2, 3, 0, 1, 2]);
  });
  it.each([
    [
      "a face index past the vertices",
      "v 0 0 0\nf 1 2 3\n",
      /q\.obj:2: face refers to vertex '2', but 1 vertices/,
    ],
    ["a malformed vertex", "v 0 x 0\n", /q\.obj:1: malformed vertex/],
    ["no vertices", "# empty\n", /no vertices/],
  ])("%s is an InputError with the line", (_what, text, message) => {
    expect(() => parseObj(text, "q.obj")).toThrow(InputError);
    expect(() => parseObj(text, "q.obj")).toThrow(message);
  });
});

describe("STL reader", () => {
  it("reads binary STL (even with a header starting 'solid') and merges shared vertices", () => {
    for (const header of ["binary", "solid but binary"]) {
      const m = parseStl(binaryStl(TETRA, header), "t.stl");
      expect(vertexCount(m)).toBe(4);
      expect(m.triangles.length).toBe(12);
    }
  });
  it("reads ASCII STL", () => {
    const facets = TETRA.map(
      (t) =>
        `facet normal 0 0 0\n outer loop\n${t.map((v) => `  vertex ${v.join(" ")}`).join("\n")}\n endloop\nendfacet`,
    );
    const m = parseStl(new TextEncoder().encode(`solid t\n${facets.join("\n")}\nendsolid t\n`), "t.stl");
    expect(vertexCount(m)).toBe(4);
    expect(meshBounds(m)).toEqual({ min: [0, 0, 0], max: [1, 1, 1] });
  });
  it("rejects a truncated file", () => {
    expect(() => parseStl(binaryStl(TETRA).subarray(0, 150), "t.stl")).toThrow(/neither a binary STL/);
  });
});

describe("real meshes", () => {
  it.each(["base", "driver", "coupler", "spring_link"])(
    "2F-85 %s: the URDF's OBJ (scale 0.1) and STL (scale 0.001) describe the same part",
    async (part) => {
      const obj = meshBounds(
        scaleMesh(
          await loadMesh(await robotAsset(`robotiq_2f85_urdf/robotiq-2f-${part}.obj`)),
          [0.1, 0.1, 0.1],
        ),
      );
      const stl = meshBounds(
        scaleMesh(
          await loadMesh(await robotAsset(`robotiq_2f85_urdf/robotiq-2f-${part}.stl`)),
          [0.001, 0.001, 0.001],
        ),
      );
      for (let k = 0; k < 3; k++) {
        expect(Math.abs(obj.min[k]! - stl.min[k]!)).toBeLessThan(2e-4);
        expect(Math.abs(obj.max[k]! - stl.max[k]!)).toBeLessThan(2e-4);
      }
    },
  );
  it("an unsupported format names the file and the formats", async () => {
    await expect(loadMesh("/tmp/hand.glb", "x.urdf")).rejects.toThrow(
      "unsupported mesh format '.glb' for /tmp/hand.glb (referenced by x.urdf): supported are .obj, .stl",
    );
  });
});
