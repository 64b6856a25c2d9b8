/**
 * Small valid Episodes for dataset tests: a parallel-jaw gripper (Robotiq 2F-85 numbers) reaches
 * down to a soda can on the floor, closes and lifts it, while a tracked right hand does the same.
 * Every factory takes overrides and returns input that passes EpisodeSchema.
 */
import {
  add,
  type Quat,
  qfromAxisAngle,
  qmul,
  qtoXyzw,
  toArray3,
  type Vec3,
  vec3,
} from "../../src/core/math.js";
import type { Embodiment } from "../../src/core/schemas/embodiment.js";
import type { Episode, EpisodeStep } from "../../src/core/schemas/episode.js";
import type { SceneSpecInput } from "../../src/core/schemas/scene.js";

export const makeEmbodiment = (overrides: Partial<Embodiment> = {}): Embodiment => ({
  format: "egobridge.embodiment",
  version: 1,
  name: "robotiq_2f85",
  kind: "parallel_jaw",
  description: "Robotiq 2F-85 adaptive parallel gripper",
  source: "Robotiq 2F-85 datasheet",
  strokeM: 0.085,
  massKg: 0.925,
  tcpOffsetM: 0.15,
  minGripForceN: 20,
  maxGripForceN: 235,
  gripForceN: 60,
  fingerSpeedMps: 0.15,
  palm: { sizeM: [0.09, 0.06, 0.1] },
  finger: { lengthM: 0.055, widthM: 0.022, thicknessM: 0.012, massKg: 0.04, padFriction: 1.0 },
  limits: {
    maxLinearSpeedMps: 1.0,
    maxLinearAccelMps2: 4.0,
    maxAngularSpeedRadps: 3.0,
    maxForceN: 60,
    maxTorqueNm: 10,
    collisionForceN: 30,
  },
  ...overrides,
});

export const CAN_ID = "can";

export const makeScene = (overrides: Partial<SceneSpecInput> = {}): SceneSpecInput => ({
  format: "egobridge.scene",
  version: 1,
  name: "floor_can",
  items: [
    { kind: "floor", id: "floor" },
    {
      kind: "cylinder",
      id: CAN_ID,
      role: "target",
      pose: { pos: [0.5, 0, 0.06], quatXyzw: [0, 0, 0, 1] },
      radiusM: 0.033,
      heightM: 0.12,
      massKg: 0.35,
    },
  ],
  task: { targetId: CAN_ID, liftM: 0.05 },
  ...overrides,
});

export interface EpisodeOptions {
  id?: string;
  task?: string;
  length?: number;
  controlHz?: number;
  /** Shifts the whole motion, so episodes differ. */
  offsetM?: Vec3;
  /** Yaw of the grasp about the world z axis (rad). */
  yawRad?: number;
  success?: boolean;
  reasons?: string[];
  seed?: number;
  /** Source frame of the first step (the demo starts mid-video). */
  sourceFrame0?: number;
}

/** Gripper pointing down (+z of G along −z of W), then turned by `yawRad` about W's z. */
const graspQuat = (yawRad: number): Quat =>
  qmul(qfromAxisAngle(vec3(0, 0, 1), yawRad), qfromAxisAngle(vec3(1, 0, 0), Math.PI));

/** 21 MediaPipe keypoints around the wrist, fingers spread along +x, in W (m). */
function handKeypoints(wrist: Vec3, spreadM: number): [number, number, number][] {
  return Array.from({ length: 21 }, (_, k) => {
    const finger = k === 0 ? 0 : Math.floor((k - 1) / 4);
    const joint = k === 0 ? 0 : ((k - 1) % 4) + 1;
    return toArray3(add(wrist, vec3(0.02 * joint, (finger - 2) * spreadM, -0.005 * joint)));
  });
}

function makeStep(i: number, n: number, o: Required<EpisodeOptions>): EpisodeStep {
  const s = i / (n - 1);
  const graspAt = Math.floor(n / 2);
  const closed = i >= graspAt;
  const lift = closed ? 0.1 * ((i - graspAt) / Math.max(1, n - 1 - graspAt)) : 0;
  const tcp = add(o.offsetM, vec3(0.5, 0, closed ? 0.06 + lift : 0.3 - 0.24 * (s * 2)));
  const q = qtoXyzw(graspQuat(o.yawRad));
  const canPos = add(o.offsetM, vec3(0.5, 0, 0.06 + lift));
  const t = i / o.controlHz;
  return {
    t,
    state: {
      tcp: { pos: toArray3(add(tcp, vec3(0.001, -0.0005, 0.0002))), quatXyzw: q },
      apertureM: closed ? 0.066 : 0.085,
    },
    action: { tcp: { pos: toArray3(tcp), quatXyzw: q }, apertureM: closed ? 0 : 0.085, grasp: closed },
    objects: { [CAN_ID]: { pos: toArray3(canPos), quatXyzw: [0, 0, 0, 1] } },
    contacts: closed ? [{ a: "finger_left", b: CAN_ID, forceN: 30 }] : [],
    human: {
      frameIndex: o.sourceFrame0 + i,
      t: (o.sourceFrame0 + i) / 30,
      keypointsWorld: handKeypoints(add(tcp, vec3(-0.03, 0, 0.08)), closed ? 0.01 : 0.02),
      // Provenance varied along the episode: observed, interpolated across a gap, held.
      status: (["observed", "interpolated", "held"] as const)[i % 3],
      confidence: 0.9 - 0.01 * i,
      ...(i % 3 === 1 ? { gapS: 0.2 } : {}),
    },
  };
}

export function makeEpisode(options: EpisodeOptions = {}): Episode {
  const o: Required<EpisodeOptions> = {
    id: "grab_can_000",
    task: "pick up the can",
    length: 12,
    controlHz: 30,
    offsetM: vec3(0, 0, 0),
    yawRad: 0.3,
    success: true,
    reasons: ["lifted"],
    seed: 7,
    sourceFrame0: 40,
    ...options,
  };
  return {
    format: "egobridge.episode",
    version: 1,
    id: o.id,
    task: o.task,
    controlHz: o.controlHz,
    physics: { engine: "rapier3d-0.21", dtS: 1 / 240, substeps: 8 },
    scene: makeScene() as Episode["scene"],
    embodiment: makeEmbodiment(),
    source: { kind: "procedural", synthetic: true, side: "right" },
    steps: Array.from({ length: o.length }, (_, i) => makeStep(i, o.length, o)),
    success: o.success,
    reasons: o.reasons,
    metrics: { liftM: 0.1, graspForceN: 30 },
    lineage: { source: "procedural:floor_can", seed: o.seed, params: { yawRad: o.yawRad } },
  };
}

/** Three episodes with two tasks, one failure, different lengths and positions. */
export const makeEpisodes = (): Episode[] => [
  makeEpisode({ id: "grab_can_000" }),
  makeEpisode({
    id: "grab_can_001",
    length: 9,
    offsetM: vec3(0.05, -0.1, 0),
    yawRad: -0.5,
    success: false,
    reasons: ["slipped", "dropped"],
    seed: 8,
    sourceFrame0: 0,
  }),
  makeEpisode({
    id: "place_can_000",
    task: "put the can down",
    length: 15,
    offsetM: vec3(-0.04, 0.08, 0),
    seed: 9,
  }),
];
