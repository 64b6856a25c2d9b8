import { InputError } from "../core/errors.js";
import { fromArray3, type Pose, qfromXyzw } from "../core/math.js";
import type { HandTrack, ObjectTrack } from "../core/schemas/hand_track.js";
import { DEFAULT_LIFT_M, type SceneItem, type SceneSpec, SceneSpecSchema } from "../core/schemas/scene.js";
import { halfHeightAlongZ } from "../core/shapes.js";
import { SLIDE_MIN_M } from "./verdict.js";

export interface TrackSceneOptions {
  /** Size of the support table's top (m). */
  tableSizeM?: [number, number];
  /** Half extents of the place region around the object's final recorded position (m). */
  placeToleranceM?: [number, number, number];
  friction?: number;
  /** The object counts as put down when it ends within this height of where it started (m). */
  restToleranceM?: number;
}

const pose = (j: { pos: number[]; quatXyzw: number[] }): Pose => ({
  p: fromArray3(j.pos),
  q: qfromXyzw(j.quatXyzw),
});

/** An object item of the track's shape at the given pose, for a scene. */
function objectItem(obj: ObjectTrack, at: ObjectTrack["poses"][number], friction: number): SceneItem {
  const base = {
    id: obj.name,
    role: "target" as const,
    pose: at,
    dynamic: true,
    massKg: obj.massKg ?? 0.15,
    friction,
    restitution: 0,
  };
  switch (obj.shape.kind) {
    case "box":
      return { kind: "box", ...base, sizeM: obj.shape.sizeM };
    case "cylinder":
      return { kind: "cylinder", ...base, radiusM: obj.shape.radiusM, heightM: obj.shape.heightM };
    case "sphere":
      return { kind: "sphere", ...base, radiusM: obj.shape.radiusM };
    case "ellipsoid":
      return { kind: "ellipsoid", ...base, radiiM: obj.shape.radiiM, capZ: obj.shape.capZ };
  }
}

/**
 * The scene a mocap recording implies (GRAB: hand + object over a table): the object, with its
 * real size, at its first recorded pose, resting on a table whose top is at the object's lowest
 * point. The task is to lift it; if the human put it down again (it ends within `restToleranceM`
 * of its starting height), also to put it where they did (its last recorded pose), else to still
 * hold it at the end. An object that never rose `liftM` but ended at least `SLIDE_MIN_M` away
 * was slid (or pushed): the task is to slide it there.
 */
export function sceneFromObjectTrack(track: HandTrack, name: string, o: TrackSceneOptions = {}): SceneSpec {
  const obj = track.objects[0];
  if (!obj) {
    throw new InputError("the hand track has no object track, so no scene can be placed around it", {
      hint: "give a scene file with --scene",
    });
  }
  const first = obj.poses[0]!;
  const last = obj.poses[obj.poses.length - 1]!;
  const X0 = pose(first);
  const topZ = X0.p.z - halfHeightAlongZ(obj.shape, X0);
  if (!(topZ > 0.05))
    throw new InputError(`object '${obj.name}' starts ${topZ.toFixed(3)} m above the floor: not on a table`);
  const [tx, ty] = o.tableSizeM ?? [1.0, 0.8];
  const putDown = Math.abs(last.pos[2] - first.pos[2]) <= (o.restToleranceM ?? 0.01);
  const slid =
    putDown &&
    Math.max(...obj.poses.map((p) => p.pos[2] - first.pos[2])) < DEFAULT_LIFT_M &&
    Math.hypot(last.pos[0] - first.pos[0], last.pos[1] - first.pos[1]) >= SLIDE_MIN_M;
  const friction = o.friction ?? 0.8;
  return SceneSpecSchema.parse({
    format: "egobridge.scene",
    version: 1,
    name,
    description: `Table-top scene anchored to the recorded object '${obj.name}' of ${track.source.uri ?? track.source.kind}.`,
    seed: 0,
    items: [
      { kind: "floor", id: "floor", friction: 0.8 },
      {
        kind: "box",
        id: "table",
        role: "support",
        dynamic: false,
        pose: { pos: [X0.p.x, X0.p.y, topZ / 2], quatXyzw: [0, 0, 0, 1] },
        sizeM: [tx, ty, topZ],
        friction: 0.6,
      },
      objectItem(obj, first, friction),
    ],
    task: {
      targetId: obj.name,
      liftM: DEFAULT_LIFT_M,
      ...(slid ? { motion: "slide", moveM: SLIDE_MIN_M } : {}),
      placeRegion: putDown
        ? { centerM: last.pos, halfExtentsM: o.placeToleranceM ?? [0.05, 0.05, 0.04] }
        : undefined,
    },
  });
}
