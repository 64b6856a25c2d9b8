/**
 * Could a Panda have carried the gripper along a recorded episode? The built-in shelf-to-tote pick,
 * simulated with the default gripper: its reach into the shelf, followed by the arm from a base
 * placed clear of the scenery, is reached at every step with no arm link in the shelf, the cart or
 * the tote. The same path with the shelf level raised out of reach stops at the first raised step,
 * as `unreachable`; a post put where the elbow passes (by the arm's own forward kinematics at a
 * recorded step) is found, named, at that step.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import { type Pose, transformPoint, vec3 } from "../../src/core/math.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import type { SceneSpec } from "../../src/core/schemas/scene.js";
import { proceduralPickToTote } from "../../src/hands/procedural.js";
import { DEFAULT_EMBODIMENT, loadEmbodiment, loadScene } from "../../src/pipeline/catalog.js";
import { retargetParallelJaw } from "../../src/retarget/parallel_jaw.js";
import { armLinkBoxes } from "../../src/robots/arm_boxes.js";
import {
  type ArmFollow,
  followToolPath,
  type LinkBox,
  measuredToolPath,
  placeBase,
} from "../../src/robots/arm_check.js";
import { type ArmChain, armChain, linkPoses } from "../../src/robots/ik.js";
import { loadMjcf } from "../../src/robots/mjcf.js";
import { linkageOf } from "../../src/sim/gripper_models.js";
import { simulateEpisode } from "../../src/sim/simulate.js";

let chain: ArmChain;
let boxes: LinkBox[];
let scene: SceneSpec;
let episode: Episode;
let path: Pose[];
let X_WB: Pose;
let follow: ArmFollow;

beforeAll(async () => {
  const model = await loadMjcf(await resolveAsset({ name: "robots/franka_panda_mjcf/panda.xml" }));
  chain = armChain(model, "hand", { p: vec3(0, 0, 0.1034), q: { x: 0, y: 0, z: 0, w: 1 } });
  boxes = await armLinkBoxes(chain);
  scene = await loadScene("shelf_to_tote");
  const e = await loadEmbodiment(DEFAULT_EMBODIMENT);
  const trajectory = retargetParallelJaw(proceduralPickToTote(scene, { seed: 0 }), e, {}, await linkageOf(e));
  episode = await simulateEpisode({
    scene,
    embodiment: e,
    trajectory,
    seed: 0,
    id: "arm",
    task: "t",
    lineageSource: "test",
  });
  // The reach into the shelf: up to the last step the gripper is in it (y > 0.3 m), and a little after.
  const all = measuredToolPath(episode.steps);
  let lastIn = 0;
  for (const [k, p] of all.entries()) if (p.p.y > 0.3) lastIn = k;
  path = all.slice(0, lastIn + 6);
  X_WB = placeBase(chain, path, { clear: { scene, boxes }, every: 5 })!;
  follow = followToolPath(chain, boxes, X_WB, path, scene);
}, 120_000);

describe("an arm along a recorded episode", () => {
  it("boxes the seven arm links (not the hand, which is the gripper's)", () => {
    expect(boxes.map((b) => b.link).sort()).toEqual([
      "link0",
      "link1",
      "link2",
      "link3",
      "link4",
      "link5",
      "link6",
      "link7",
    ]);
    for (const b of boxes) for (const h of b.half) expect(h).toBeGreaterThan(0.01);
  });

  it("reaches every measured pose of the validated pick's reach into the shelf, no link in the scenery", () => {
    expect(episode.success).toBe(true);
    expect(path.length).toBeGreaterThan(60);
    expect(follow.unreachable).toBeUndefined();
    expect(follow.joints).toHaveLength(path.length);
    expect(follow.incursion.stepsOver, JSON.stringify(follow.incursion)).toBe(0);
  });

  it("stops at the first pose of a shelf level raised out of reach, saying by how much", () => {
    // From the first step the gripper is inside the shelf on: everything after it 0.9 m higher.
    const inShelf = path.findIndex((p) => p.p.y > 0.3);
    expect(inShelf).toBeGreaterThan(0);
    const higher = path.map((p, k) => (k >= inShelf ? { p: vec3(p.p.x, p.p.y, p.p.z + 0.9), q: p.q } : p));
    const r = followToolPath(chain, boxes, X_WB, higher, scene);
    expect(r.unreachable?.step).toBe(inShelf);
    expect(r.unreachable!.positionErrorM).toBeGreaterThan(0.1);
    expect(r.joints).toHaveLength(inShelf);
  });

  it("finds a post standing where the elbow passes, naming the link, the item and the step", () => {
    const step = Math.floor(path.length / 2);
    const elbow = transformPoint(linkPoses(chain, follow.joints[step]!, X_WB).get("link4")!, vec3(0, 0, 0));
    const post: SceneSpec = {
      ...scene,
      items: [
        ...scene.items,
        {
          kind: "box",
          id: "post",
          dynamic: false,
          sizeM: [0.04, 0.04, 0.04],
          pose: { pos: [elbow.x, elbow.y, elbow.z], quatXyzw: [0, 0, 0, 1] },
        },
      ] as SceneSpec["items"],
    };
    const r = followToolPath(chain, boxes, X_WB, path, post);
    expect(r.incursion.item).toBe("post");
    expect(r.incursion.maxDepthM).toBeGreaterThan(0.02);
    expect(["link3", "link4", "link5"]).toContain(r.incursion.link);
    expect(r.incursion.stepsOver).toBeGreaterThan(0);
  });
});
