/**
 * An Episode as the render page draws it: the scene spec, the gripper (its hulls when the
 * embodiment is built from a model, else the box gripper), and per step the measured TCP pose,
 * opening, object poses and, for hull grippers, each linkage body's pose in G from the model's
 * forward kinematics at each pad's recorded position; with an arm, its links (arm_render.ts).
 */
import { poseToJson } from "../core/math.js";
import type { Episode } from "../core/schemas/episode.js";
import { linkageOf } from "../sim/gripper_models.js";
import { type GripperLinkage, poseAt, qForAperture } from "../sim/linkage_gripper.js";
import { armDrawing, hullMesh } from "./arm_render.js";
import type { HullGripper, RenderEpisodeInput, RenderLook, RenderStep } from "./protocol.js";

export const DEFAULT_LOOK: RenderLook = { light: 1, lightDir: [2, -3, 5], background: 0xc9ced4, hueShift: 0 };

/** The hulls as triangles, computed once per linkage (a dataset draws the same gripper throughout). */
const hullGrippers = new WeakMap<GripperLinkage, HullGripper>();
function hullGripper(l: GripperLinkage, embodiment: string): HullGripper {
  let g = hullGrippers.get(l);
  if (!g) {
    g = {
      key: `${embodiment}:${l.source}`,
      palm: l.palm.hulls.map(hullMesh),
      bodies: l.bodies.map((b) => ({ name: b.name, hulls: b.hulls.map(hullMesh) })),
    };
    hullGrippers.set(l, g);
  }
  return g;
}

/** Each linkage body's pose in G: each side follows its own pad (left pad at negative y). */
function linkagePoses(l: GripperLinkage, apertureM: number, padsYM: [number, number] | undefined) {
  const q = {
    left: qForAperture(l, padsYM ? -2 * padsYM[0] : apertureM),
    right: qForAperture(l, padsYM ? 2 * padsYM[1] : apertureM),
  };
  return Object.fromEntries(l.bodies.map((b) => [b.name, poseToJson(poseAt(l, b.name, q[b.side]))]));
}

export async function renderEpisodeInput(
  e: Episode,
  look: RenderLook = DEFAULT_LOOK,
): Promise<RenderEpisodeInput> {
  const linkage = await linkageOf(e.embodiment);
  const arm = await armDrawing(e);
  const steps: RenderStep[] = e.steps.map((s, i) => {
    const armLinks = arm?.links[i] ?? undefined;
    return {
      tcp: s.state.tcp,
      apertureM: s.state.apertureM,
      objects: s.objects,
      ...(linkage ? { bodies: linkagePoses(linkage, s.state.apertureM, s.state.padsYM) } : {}),
      ...(armLinks ? { armLinks } : {}),
    };
  });
  return {
    scene: e.scene,
    embodiment: e.embodiment,
    ...(linkage ? { hullGripper: hullGripper(linkage, e.embodiment.name) } : {}),
    ...(arm ? { hullArm: arm.arm } : {}),
    ...(arm?.pedestal ? { pedestal: arm.pedestal } : {}),
    steps,
    look,
  };
}
