import { z } from "zod";
import { InputError } from "../core/errors.js";
import { createRng } from "../core/rng.js";
import { header, positive } from "../core/schemas/common.js";
import type { SceneItem, SceneSpec, SceneSpecInput } from "../core/schemas/scene.js";
import { robotBaseSchema, SceneSpecSchema } from "../core/schemas/scene.js";

/** Parameters of the procedural warehouse: aisles of shelving bays, filled with cartons. */
export const WarehouseParamsSchema = z.strictObject({
  aisles: z.number().int().min(1).max(8).default(1),
  baysPerAisle: z.number().int().min(1).max(12).default(3),
  /** Heights of the board tops (m). */
  levelsM: z.array(positive).min(1).default([0.35, 0.8, 1.25, 1.7]),
  bayWidthM: positive.default(0.9),
  bayDepthM: positive.default(0.4),
  heightM: positive.default(1.8),
  aisleWidthM: positive.default(1.6),
  /** Lip along the front edge of every board (m). */
  lipHeightM: z.number().min(0).max(0.05).default(0.015),
  /** Probability that a bay level holds cartons. */
  fill: z.number().min(0).max(1).default(0.5),
  /** Level of the target carton (index into levelsM). */
  targetLevel: z.number().int().nonnegative().default(1),
});
export type WarehouseParams = z.infer<typeof WarehouseParamsSchema>;

/** A scene file that is expanded by a generator at load time. */
export const SceneTemplateSchema = z.strictObject({
  ...header("egobridge.scene-template", 1),
  name: z.string().min(1),
  description: z.string().default(""),
  generator: z.literal("warehouse"),
  seed: z.number().int().nonnegative().default(0),
  params: WarehouseParamsSchema.default(WarehouseParamsSchema.parse({})),
  /** Where an arm's base stands in the generated scene (its `robotBase`), when the template says. */
  robotBase: robotBaseSchema.optional(),
});
export type SceneTemplate = z.infer<typeof SceneTemplateSchema>;

const yaw = (rad: number): [number, number, number, number] => [0, 0, Math.sin(rad / 2), Math.cos(rad / 2)];
/** Carton gap to the target, so the jaws fit beside it (m). */
const TARGET_GAP_M = 0.12;

/**
 * A warehouse: `aisles` aisles along x, each with a row of shelving bays on both sides facing
 * into it (boards with a front lip); cartons of random sizes on the levels (probability `fill`);
 * a pallet with a carton stack at the end of the first aisle; the target carton on
 * `targetLevel` of the middle bay on the first aisle's far side, and a tote on a cart in the aisle
 * beside it as the receiver. Deterministic for a seed.
 */
export function generateWarehouse(
  name: string,
  seed: number,
  paramsInput: Partial<WarehouseParams> = {},
): SceneSpec {
  const p = WarehouseParamsSchema.parse(paramsInput);
  if (p.targetLevel >= p.levelsM.length) {
    throw new InputError(
      `targetLevel ${p.targetLevel} is out of range: there are ${p.levelsM.length} levels`,
    );
  }
  const rng = createRng(seed);
  const items: SceneItem[] = [{ kind: "floor", id: "floor", heightM: 0, friction: 0.8, restitution: 0 }];
  const pitch = p.aisleWidthM + 2 * p.bayDepthM;
  const targetBay = Math.floor(p.baysPerAisle / 2);
  let target: SceneItem | undefined;
  for (let a = 0; a < p.aisles; a++) {
    const yAisle = a * pitch;
    for (const side of [1, -1] as const) {
      for (let b = 0; b < p.baysPerAisle; b++) {
        const x = (b - (p.baysPerAisle - 1) / 2) * p.bayWidthM;
        const y = yAisle + side * (p.aisleWidthM / 2 + p.bayDepthM / 2);
        const id = `shelf_a${a}_${side > 0 ? "n" : "s"}${b}`;
        // Shelves open towards the aisle: local −y faces it, so the south row turns half a turn.
        const q = yaw(side > 0 ? 0 : Math.PI);
        items.push({
          kind: "shelf",
          id,
          role: "support",
          pose: { pos: [x, y, 0], quatXyzw: q },
          widthM: p.bayWidthM,
          depthM: p.bayDepthM,
          heightM: p.heightM,
          levelsM: p.levelsM,
          boardThicknessM: 0.02,
          uprightThicknessM: 0.03,
          lipHeightM: p.lipHeightM,
          friction: 0.6,
          restitution: 0,
        });
        const isTargetBay = a === 0 && side === 1 && b === targetBay;
        p.levelsM.forEach((top, level) => {
          const above = level + 1 < p.levelsM.length ? p.levelsM[level + 1]! - 0.02 : p.heightM;
          const room = above - top - 0.05;
          // Items stand behind the lip (1 cm thick at the front edge).
          const front = y - side * (p.bayDepthM / 2 - 0.02 - (p.lipHeightM > 0 ? 0.01 : 0));
          if (isTargetBay && level === p.targetLevel) {
            const size: [number, number, number] = [0.04, 0.06, Math.min(0.1, room)];
            target = carton(
              `target_carton`,
              x,
              front + side * (size[1] / 2 + 0.06),
              top + size[2] / 2,
              q,
              size,
              "target",
            );
            items.push(target);
            fillBoard(items, rng, p, x, front, side, top, room, q, `${id}_l${level}`, x);
            return;
          }
          if (rng.next() < p.fill)
            fillBoard(items, rng, p, x, front, side, top, room, q, `${id}_l${level}`, undefined);
        });
      }
    }
  }
  if (!target || !("pose" in target)) throw new Error("warehouse generator placed no target");
  // A EUR pallet at the far end of the first aisle, with a carton stack on it.
  const palletX = -(p.baysPerAisle * p.bayWidthM) / 2 - 0.7;
  items.push({
    kind: "pallet",
    id: "pallet",
    role: "support",
    pose: { pos: [palletX, 0, 0], quatXyzw: yaw(Math.PI / 2) },
    sizeM: [1.2, 0.8, 0.144],
    friction: 0.6,
    restitution: 0,
  });
  for (let k = 0; k < 2; k++) {
    items.push(
      carton(`pallet_c${k}`, palletX, -0.2 + 0.4 * k, 0.144 + 0.15, yaw(0), [0.3, 0.3, 0.3], "distractor"),
    );
  }
  const tx = target.pose.pos[0];
  const cartX = tx + 0.6;
  items.push(
    {
      kind: "box",
      id: "cart",
      role: "support",
      pose: { pos: [cartX, 0, 0.3], quatXyzw: [0, 0, 0, 1] },
      sizeM: [0.5, 0.4, 0.6],
      dynamic: false,
      massKg: 20,
      friction: 0.6,
      restitution: 0,
    },
    {
      kind: "tote",
      id: "tote",
      role: "receiver",
      pose: { pos: [cartX, 0, 0.6], quatXyzw: [0, 0, 0, 1] },
      sizeM: [0.4, 0.3, 0.15],
      wallM: 0.01,
      friction: 0.6,
      restitution: 0,
    },
  );
  const input: SceneSpecInput = {
    format: "egobridge.scene",
    version: 1,
    name,
    description: `Procedural warehouse: ${p.aisles} aisle(s) × ${p.baysPerAisle} bays a side, ${p.levelsM.length} levels, fill ${p.fill}, seed ${seed}.`,
    seed,
    items,
    task: {
      targetId: "target_carton",
      liftM: 0.05,
      placeRegion: { centerM: [cartX, 0, 0.675], halfExtentsM: [0.19, 0.14, 0.075] },
      // Dropped into a tote: lying or standing, it is in.
      upright: false,
    },
  };
  return SceneSpecSchema.parse(input);
}

function carton(
  id: string,
  x: number,
  y: number,
  z: number,
  q: [number, number, number, number],
  sizeM: [number, number, number],
  role: "target" | "distractor",
): SceneItem {
  return {
    kind: "box",
    id,
    role,
    pose: { pos: [x, y, z], quatXyzw: q },
    sizeM,
    dynamic: true,
    massKg: 0.15 + 4 * sizeM[0] * sizeM[1] * sizeM[2] * 100,
    friction: 0.7,
    restitution: 0,
  };
}

/** Cartons along one board, left to right, with gaps; none within TARGET_GAP_M of `keepClearX`. */
function fillBoard(
  items: SceneItem[],
  rng: ReturnType<typeof createRng>,
  p: WarehouseParams,
  xBay: number,
  front: number,
  side: 1 | -1,
  top: number,
  room: number,
  q: [number, number, number, number],
  prefix: string,
  keepClearX: number | undefined,
): void {
  const inner = p.bayWidthM / 2 - 0.03 - 0.02;
  let x = xBay - inner;
  let k = 0;
  while (true) {
    const size: [number, number, number] = [
      rng.uniform(0.06, 0.14),
      rng.uniform(0.08, p.bayDepthM - 0.08),
      Math.min(room, rng.uniform(0.06, 0.2)),
    ];
    if (size[2] < 0.04) return;
    const cx = x + size[0] / 2;
    if (cx + size[0] / 2 > xBay + inner) return;
    const clear = keepClearX === undefined || Math.abs(cx - keepClearX) > TARGET_GAP_M + size[0] / 2;
    if (clear && rng.next() < 0.7) {
      items.push(
        carton(
          `${prefix}_c${k++}`,
          cx,
          front + side * (size[1] / 2 + 0.02),
          top + size[2] / 2,
          q,
          size,
          "distractor",
        ),
      );
    }
    x += size[0] + rng.uniform(0.02, 0.08);
  }
}

/** Expands a scene template into a scene. */
export const expandTemplate = (t: SceneTemplate): SceneSpec => {
  const scene = generateWarehouse(t.name, t.seed, t.params);
  return t.robotBase ? { ...scene, robotBase: t.robotBase } : scene;
};
