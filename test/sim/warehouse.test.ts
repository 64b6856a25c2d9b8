import { describe, expect, it } from "vitest";
import { findSupport, type Target } from "../../src/core/support.js";
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
