import { InputError } from "../core/errors.js";
import { clamp, distance, fromArray3, qaxes, qfromXyzw } from "../core/math.js";
import type { SceneItem, SceneSpec, SceneSpecInput } from "../core/schemas/scene.js";
import { SceneSpecSchema } from "../core/schemas/scene.js";
import type { RobotTrajectory } from "../core/schemas/trajectory.js";

export interface AnchorOptions {
  /** Height of the carton placed at the grasp (m); its width follows the jaw opening before the grasp. */
  objectHeightM?: number;
  massKg?: number;
  /** A release closer than this (horizontally) to the grasp is a put-down on the same table (m). */
  sameTableM?: number;
}

const yaw = (rad: number): [number, number, number, number] => [0, 0, Math.sin(rad / 2), Math.cos(rad / 2)];

/**
 * Trajectory-anchored scene instantiation, for demonstrations recorded without a scene model
 * (e.g. video): a carton where the gripper first closes, on a table just below it, turned so the
 * jaws close across it; and where the jaws open again, either a place region on the same table
 * (a put-down) or a tote on a stand whose floor lies just below the release (a drop-off).
 */
export function anchoredScene(trajectory: RobotTrajectory, name: string, o: AnchorOptions = {}): SceneSpec {
  const steps = trajectory.steps;
  const g = steps.findIndex((s) => s.grasp);
  if (g < 0) {
    throw new InputError("the trajectory never closes the gripper: there is no grasp to anchor a scene to", {
      hint: "give a scene with --scene, or check the hand track (are the thumb and index tips pinching?)",
    });
  }
  let r = g;
  while (r < steps.length && steps[r]!.grasp) r++;
  const release = steps[Math.min(r, steps.length - 1)]!;
  const p_g = fromArray3(steps[g]!.tcp.pos);
  const p_r = fromArray3(release.tcp.pos);
  const jaw = qaxes(qfromXyzw(steps[g]!.tcp.quatXyzw))[1];
  const openBefore = Math.max(...steps.slice(Math.max(0, g - 10), g).map((s) => s.apertureM), 0.04);
  const width = clamp(openBefore - 0.03, 0.02, 0.07);
  const h = o.objectHeightM ?? 0.1;
  const top = p_g.z - h / 2;
  if (!(top > 0.05))
    throw new InputError(`the grasp is ${p_g.z.toFixed(3)} m above the floor: too low to anchor a table`);
  const items: SceneItem[] = [
    { kind: "floor", id: "floor", heightM: 0, friction: 0.8, restitution: 0 },
    {
      kind: "box",
      id: "table",
      role: "support",
      pose: { pos: [p_g.x, p_g.y, top / 2], quatXyzw: [0, 0, 0, 1] },
      sizeM: [0.8, 0.8, top],
      dynamic: false,
      massKg: 20,
      friction: 0.6,
      restitution: 0,
    },
    {
      kind: "box",
      id: "object",
      role: "target",
      pose: { pos: [p_g.x, p_g.y, top + h / 2], quatXyzw: yaw(Math.atan2(jaw.y, jaw.x)) },
      sizeM: [width, 0.06, h],
      dynamic: true,
      massKg: o.massKg ?? 0.15,
      friction: 0.7,
      restitution: 0,
    },
  ];
  const sameTable = Math.hypot(p_r.x - p_g.x, p_r.y - p_g.y) < (o.sameTableM ?? 0.3);
  let placeRegion: SceneSpecInput["task"]["placeRegion"];
  if (sameTable || r >= steps.length) {
    placeRegion = { centerM: [p_r.x, p_r.y, top + h / 2], halfExtentsM: [0.06, 0.06, 0.04] };
  } else {
    const floorZ = Math.max(0.1, p_r.z - h / 2 - 0.03);
    const tote: [number, number, number] = [0.4, 0.3, 0.12];
    items.push(
      {
        kind: "box",
        id: "stand",
        role: "support",
        pose: { pos: [p_r.x, p_r.y, (floorZ - 0.01) / 2], quatXyzw: [0, 0, 0, 1] },
        sizeM: [tote[0], tote[1], floorZ - 0.01],
        dynamic: false,
        massKg: 20,
        friction: 0.6,
        restitution: 0,
      },
      {
        kind: "tote",
        id: "tote",
        role: "receiver",
        pose: { pos: [p_r.x, p_r.y, floorZ - 0.01], quatXyzw: [0, 0, 0, 1] },
        sizeM: tote,
        wallM: 0.01,
        friction: 0.6,
        restitution: 0,
      },
    );
    placeRegion = {
      centerM: [p_r.x, p_r.y, floorZ + tote[2] / 2],
      halfExtentsM: [tote[0] / 2 - 0.01, tote[1] / 2 - 0.01, tote[2] / 2],
    };
  }
  if (distance(p_g, p_r) < 1e-6) placeRegion = undefined;
  return SceneSpecSchema.parse({
    format: "egobridge.scene",
    version: 1,
    name,
    description: `Anchored to the trajectory of ${trajectory.source.uri ?? trajectory.source.kind}: carton at the first grasp, ${sameTable ? "put down on the same table" : "tote at the release"}.`,
    seed: 0,
    items,
    task: { targetId: "object", liftM: 0.05, ...(placeRegion ? { placeRegion } : {}) },
  });
}
