import { describe, expect, it } from "vitest";
import { findSupport, type Target } from "../../src/core/support.js";
import { palletBoxes, shelfBoxes } from "../../src/sim/scene_world.js";
import { generateWarehouse } from "../../src/sim/warehouse.js";

describe("generateWarehouse", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    const a = generateWarehouse("w", 3, { baysPerAisle: 2, fill: 0.8 });
    expect(generateWarehouse("w", 3, { baysPerAisle: 2, fill: 0.8 })).toEqual(a);
    expect(generateWarehouse("w", 4, { baysPerAisle: 2, fill: 0.8 })).not.toEqual(a);
  });

  it("builds aisles × bays × 2 sides of shelving, the target on its level, a tote receiver", () => {
    const s = generateWarehouse("w", 1, { aisles: 2, baysPerAisle: 3, targetLevel: 2 });
    expect(s.items.filter((i) => i.kind === "shelf")).toHaveLength(2 * 3 * 2);
    const target = s.items.find((i) => i.id === s.task.targetId) as Target;
    const support = findSupport(s, target);
    expect(support).toMatchObject({ kind: "shelf", level: 2 });
    expect(s.items.some((i) => "role" in i && i.role === "receiver" && i.kind === "tote")).toBe(true);
  });

  it("keeps every carton clear of the target by the jaw gap", () => {
    const s = generateWarehouse("w", 9, { fill: 1 });
    const target = s.items.find((i) => i.id === s.task.targetId) as Target;
    for (const item of s.items) {
      if (item.kind !== "box" || item.id === target.id || !item.dynamic) continue;
      const [x, y, z] = item.pose.pos;
      const [tx, ty, tz] = target.pose.pos;
      const sameBoard = Math.abs(z - tz) < 0.15 && Math.abs(y - ty) < 0.3;
      if (sameBoard) expect(Math.abs(x - tx) - item.sizeM[0] / 2).toBeGreaterThan(0.1);
    }
  });

  it("names a bad parameter", () => {
    expect(() => generateWarehouse("w", 0, { targetLevel: 9 })).toThrow(/targetLevel 9/);
  });
});

describe("shelf lips and pallets", () => {
  it("boards get a front lip of the given height; the pallet is a deck on 3 × 3 blocks", () => {
    const s = generateWarehouse("w", 2, { baysPerAisle: 1, lipHeightM: 0.02 });
    const shelf = s.items.find((i) => i.kind === "shelf")!;
    if (shelf.kind !== "shelf") throw new Error("no shelf");
    const boxes = shelfBoxes(shelf);
    // 2 uprights + back + one board and one lip per level.
    expect(boxes).toHaveLength(3 + 2 * shelf.levelsM.length);
    // Lips are 1 cm thick (half 5 mm along the shelf depth) and as high as asked.
    const lips = boxes.filter(
      (b) => Math.abs(b.half[1] - 0.005) < 1e-12 && Math.abs(b.half[2] - 0.01) < 1e-12,
    );
    expect(lips).toHaveLength(shelf.levelsM.length);
    const pallet = s.items.find((i) => i.kind === "pallet")!;
    if (pallet.kind !== "pallet") throw new Error("no pallet");
    const parts = palletBoxes(pallet);
    expect(parts).toHaveLength(5 + 9);
    expect(Math.max(...parts.map((b) => b.center[2] + b.half[2]))).toBeCloseTo(pallet.sizeM[2], 12);
  });
});
