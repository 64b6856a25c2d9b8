/**
 * Node side of sim/arm.ts: an arm embodiment's model read from its MJCF (asset folders or a
 * path), its chain from base to the gripper's TCP, and its links' collision geometry (meshes as
 * the convex hulls of their vertices, as Rapier and MuJoCo collide them). Loaded by a dynamic
 * import, so that the browser bundle never pulls in file reading.
 */
import path from "node:path";
import { resolveAsset } from "../core/assets.js";
import { InputError } from "../core/errors.js";
import { compose, type Pose, poseFromJson, QUAT_IDENTITY, qfromAxisAngle, vec3 } from "../core/math.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import { armLinkBoxes } from "../robots/arm_boxes.js";
import { armChain } from "../robots/ik.js";
import { collisionShapes } from "../robots/load.js";
import { loadMjcf } from "../robots/mjcf.js";
import type { ArmModel, ArmShape } from "./arm.js";

/** Rapier's capsules and cylinders lie along y, MJCF's along z: this turns y onto z. */
const Y_TO_Z: Pose = { p: vec3(0, 0, 0), q: qfromAxisAngle(vec3(1, 0, 0), Math.PI / 2) };

export async function loadArmModel(e: Embodiment): Promise<ArmModel> {
  const a = e.arm;
  if (!a) throw new Error(`embodiment '${e.name}' has no arm`);
  const file = path.isAbsolute(a.mjcf) ? a.mjcf : await resolveAsset({ name: a.mjcf });
  const model = await loadMjcf(file);
  // The TCP in the tip link's frame: the mount places the gripper's flange, the TCP is tcpOffsetM along its z.
  const X_LT = compose(poseFromJson(a.mount), { p: vec3(0, 0, e.tcpOffsetM), q: QUAT_IDENTITY });
  let chain: ReturnType<typeof armChain>;
  try {
    chain = armChain(model, a.tip, X_LT, a.ready);
  } catch (err) {
    throw new InputError(`embodiment '${e.name}': ${(err as Error).message}`, {
      hint: "arm.tip must name a link of the arm's model reached from its root through revolute joints",
    });
  }
  const names = chain.joints.map((j) => j.name);
  if (names.join(",") !== a.joints.join(",")) {
    throw new InputError(
      `embodiment '${e.name}': arm.joints [${a.joints.join(", ")}] differ from the model's chain [${names.join(", ")}]`,
      { hint: `list the joints of ${a.mjcf} from its base to '${a.tip}', in order` },
    );
  }
  const inChain = new Set(chain.links);
  const shapes: ArmShape[] = [];
  for (const c of await collisionShapes(model)) {
    if (!inChain.has(c.link)) continue;
    const s = c.shape;
    if (s.kind === "convex") {
      shapes.push({
        link: c.link,
        X_LG: c.X_LG,
        shape: { kind: "hull", points: Float32Array.from(s.hull.vertices) },
      });
    } else if (s.kind === "box") {
      const half: [number, number, number] = [s.sizeM[0] / 2, s.sizeM[1] / 2, s.sizeM[2] / 2];
      shapes.push({ link: c.link, X_LG: c.X_LG, shape: { kind: "box", half } });
    } else if (s.kind === "sphere") {
      shapes.push({ link: c.link, X_LG: c.X_LG, shape: { kind: "ball", radiusM: s.radiusM } });
    } else if (s.kind === "capsule" || s.kind === "cylinder") {
      shapes.push({
        link: c.link,
        X_LG: compose(c.X_LG, Y_TO_Z),
        shape: { kind: s.kind, halfHeightM: s.lengthM / 2, radiusM: s.radiusM },
      });
    } else {
      throw new InputError(
        `${file}: link '${c.link}' has a ${s.kind} collision shape, which the arm cannot be simulated with`,
      );
    }
  }
  return {
    chain,
    jointNames: names,
    ready: a.ready.slice(),
    maxJointSpeedRadps: a.maxJointSpeedRadps.slice(),
    ...(a.maxJointTorqueNm ? { maxJointTorqueNm: a.maxJointTorqueNm.slice() } : {}),
    ...(a.maxJointAccelRadps2 ? { maxJointAccelRadps2: a.maxJointAccelRadps2.slice() } : {}),
    shapes,
    boxes: await armLinkBoxes(chain, { withTip: true }),
  };
}
