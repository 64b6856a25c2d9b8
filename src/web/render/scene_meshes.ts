/**
 * A SceneSpec drawn with three.js: the same cuboid decomposition of shelves and totes that the
 * physics uses (sim/scene_world.ts), primitive shapes for objects, the place region as a wire box.
 * Dynamic objects are moved per step from the recorded poses. Cartons (dynamic boxes) are drawn
 * as cardboard: corrugation, a band of packing tape over each face and a printed label with a
 * bar code, the same on every carton and every run (the pattern is computed, not drawn at random).
 */
import * as THREE from "three";
import type { PoseJson } from "../../core/schemas/common.js";
import type { SceneItem, SceneSpec } from "../../core/schemas/scene.js";
import { palletBoxes, shelfBoxes, toteBoxes } from "../../sim/scene_world.js";
import { disposeTree, setPose } from "./three_util.js";

const COLORS = {
  shelf: 0x7d8ea3,
  tote: 0x2f6fb3,
  support: 0x8a8f96,
  target: 0xe09a3e,
  distractor: 0xa77c52,
  other: 0x9aa4ad,
  region: 0x3cc47c,
} as const;

function itemColor(item: SceneItem): number {
  if (item.kind === "shelf") return COLORS.shelf;
  if (item.kind === "tote") return COLORS.tote;
  if ("role" in item && item.role === "target") return COLORS.target;
  if ("role" in item && item.role === "distractor") return COLORS.distractor;
  if ("dynamic" in item && !item.dynamic) return COLORS.support;
  return COLORS.other;
}

type Box = { center: [number, number, number]; half: [number, number, number] };

/** A small integer hash in [0, 1): the texture's grain, the same everywhere. */
function grain(x: number, y: number): number {
  let h = Math.imul(x, 374761393) ^ Math.imul(y, 668265263);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

const CARTON_TEXTURE_PX = 128;

/**
 * The cardboard detail of a carton face, as grey levels the carton's colour is multiplied by:
 * corrugation and grain, a band of tape across the middle, a white label with a bar code. Pattern
 * 0 is the default; another pattern (a variant's domain randomisation) moves the label, changes
 * the tape's width, the grain and the bar code.
 */
function cartonTexture(pattern: number): THREE.DataTexture {
  const n = CARTON_TEXTURE_PX;
  const data = new Uint8Array(n * n * 4);
  const pick = (k: number, lo: number, hi: number, dflt: number) =>
    pattern === 0 ? dflt : lo + (hi - lo) * grain(pattern, k);
  const tapeHalf = pick(1, 0.07, 0.16, 0.12) * n;
  const labelX = Math.round(n * pick(2, 0.05, 0.65, 0.62));
  const labelY = Math.round(n * pick(3, 0.05, 0.2, 0.1));
  const offset = pattern * 7919;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let v = 178 + 10 * Math.sin((x * Math.PI) / 2) + (grain(x + offset, y) - 0.5) * 30;
      if (Math.abs(y - n / 2) < tapeHalf) v = 248 + (grain((x >> 2) + offset, y) - 0.5) * 8; // tape
      if (Math.min(x, y, n - 1 - x, n - 1 - y) < 3) v *= 0.72; // worn, darker edges
      const lx = x - labelX;
      const ly = y - labelY;
      if (lx >= 0 && lx < n * 0.3 && ly >= 0 && ly < n * 0.22) {
        v = 255; // label
        const bar = grain((lx >> 1) + offset, 7) < 0.45;
        if (ly > n * 0.04 && ly < n * 0.15 && lx > 3 && lx < n * 0.3 - 4 && bar) v = 25;
      }
      const g = Math.max(0, Math.min(255, Math.round(v)));
      data.set([g, g, g, 255], (y * n + x) * 4);
    }
  }
  const t = new THREE.DataTexture(data, n, n, THREE.RGBAFormat);
  t.magFilter = THREE.LinearFilter;
  t.minFilter = THREE.LinearMipmapLinearFilter;
  t.generateMipmaps = true;
  t.needsUpdate = true;
  return t;
}

function boxesGroup(boxes: Box[], material: THREE.Material): THREE.Group {
  const g = new THREE.Group();
  for (const b of boxes) {
    const m = new THREE.Mesh(new THREE.BoxGeometry(2 * b.half[0], 2 * b.half[1], 2 * b.half[2]), material);
    m.position.set(...b.center);
    g.add(m);
  }
  return g;
}

/** The three.js object of one item, in the item's local frame. */
function itemObject(item: SceneItem, material: THREE.Material): THREE.Object3D | undefined {
  switch (item.kind) {
    case "floor":
      return undefined;
    case "shelf":
      return boxesGroup(shelfBoxes(item), material);
    case "tote":
      return boxesGroup(toteBoxes(item), material);
    case "pallet":
      return boxesGroup(palletBoxes(item), material);
    case "box":
      return new THREE.Mesh(new THREE.BoxGeometry(...item.sizeM), material);
    case "sphere":
      return new THREE.Mesh(new THREE.SphereGeometry(item.radiusM, 24, 16), material);
    case "cylinder": {
      // three's cylinder axis is local y; scene cylinders stand along local z.
      const m = new THREE.Mesh(
        new THREE.CylinderGeometry(item.radiusM, item.radiusM, item.heightM, 32),
        material,
      );
      m.rotation.x = Math.PI / 2;
      return new THREE.Group().add(m);
    }
    case "ellipsoid": {
      const m = new THREE.Mesh(new THREE.SphereGeometry(1, 24, 16), material);
      m.scale.set(...item.radiiM);
      return new THREE.Group().add(m);
    }
  }
}

export class SceneModel {
  readonly group = new THREE.Group();
  /** Objects of the dynamic items, by id: moved by `setPoses`. */
  readonly dynamic = new Map<string, THREE.Object3D>();
  readonly byId = new Map<string, THREE.Object3D>();
  private readonly materials = new Map<string, THREE.MeshStandardMaterial>();
  private cartonMap: THREE.DataTexture | undefined;

  constructor(
    readonly spec: SceneSpec,
    options: { opacity?: number; color?: number; cartonPattern?: number } = {},
  ) {
    const opacity = options.opacity ?? 1;
    for (const item of spec.items) {
      const color = options.color ?? itemColor(item);
      const carton = item.kind === "box" && item.dynamic;
      const key = `${color}:${carton}`;
      let mat = this.materials.get(key);
      if (!mat) {
        mat = new THREE.MeshStandardMaterial({
          color,
          roughness: carton ? 0.9 : 0.8,
          metalness: item.kind === "shelf" ? 0.3 : 0.05,
          transparent: opacity < 1,
          opacity,
        });
        if (carton) {
          this.cartonMap ??= cartonTexture(options.cartonPattern ?? 0);
          mat.map = this.cartonMap;
        }
        this.materials.set(key, mat);
      }
      const obj = itemObject(item, mat);
      if (!obj) continue;
      obj.name = item.id;
      if ("pose" in item) setPose(obj, item.pose);
      this.group.add(obj);
      this.byId.set(item.id, obj);
      if ("dynamic" in item && item.dynamic) this.dynamic.set(item.id, obj);
    }
    const region = spec.task.placeRegion;
    if (region) {
      const [hx, hy, hz] = region.halfExtentsM;
      const box = new THREE.LineSegments(
        new THREE.EdgesGeometry(new THREE.BoxGeometry(2 * hx, 2 * hy, 2 * hz)),
        new THREE.LineBasicMaterial({ color: COLORS.region }),
      );
      box.position.set(...region.centerM);
      box.name = "place_region";
      this.group.add(box);
    }
  }

  /** Moves the dynamic objects to the poses recorded at one step. */
  setPoses(objects: Readonly<Record<string, PoseJson>>): void {
    for (const [id, obj] of this.dynamic) {
      const pose = objects[id];
      if (pose) setPose(obj, pose);
    }
  }

  /** Bounding box of everything but the floor. */
  bounds(): THREE.Box3 {
    return new THREE.Box3().setFromObject(this.group);
  }

  dispose(): void {
    disposeTree(this.group, new Set(this.materials.values()));
    for (const m of this.materials.values()) m.dispose();
    this.cartonMap?.dispose();
  }
}

/** A large floor with a 0.5 m grid, in the z = 0 plane. */
export function floorObject(): THREE.Object3D {
  const g = new THREE.Group();
  const plane = new THREE.Mesh(
    new THREE.PlaneGeometry(20, 20),
    new THREE.MeshStandardMaterial({ color: 0x2a2f36, roughness: 1 }),
  );
  plane.position.z = -0.001;
  const grid = new THREE.GridHelper(20, 40, 0x4a5260, 0x394049);
  grid.rotation.x = Math.PI / 2;
  g.add(plane, grid);
  return g;
}
