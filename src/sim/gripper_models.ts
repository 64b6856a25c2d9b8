/**
 * Which Rapier gripper an embodiment is simulated as: the box gripper (gripper.ts) from its
 * parametric dimensions, or, when the embodiment names a robot model (`model.mjcf`), that model's
 * own geometry and linkage (linkage_gripper.ts).
 *
 * A model's linkage is derived from its MJCF by Node code that reads files
 * (sim/mujoco/robotiq_2f85.ts). A browser cannot read them: the preview's simulation worker
 * installs a loader (setLinkageLoader) that fetches the linkage the preview server derived.
 */

import type { Pose } from "../core/math.js";
import { memoPromise } from "../core/memo.js";
import type { Embodiment } from "../core/schemas/embodiment.js";
import { ParallelJawGripper } from "./gripper.js";
import { type GripperLinkage, LinkageGripper } from "./linkage_gripper.js";
import type { Rapier, World } from "./rapier.js";

/** What simulate.ts needs of a gripper in a world. */
export type SimGripper = ParallelJawGripper | LinkageGripper;

export type LinkageLoader = (mjcf: string) => Promise<GripperLinkage>;

/** Node: the MJCF from the asset folders (asset name, or a path). */
const nodeLoader: LinkageLoader = async (mjcf) => {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!proc?.versions?.node) {
    throw new Error(
      `the gripper model ${mjcf} cannot be read here; install a linkage loader (setLinkageLoader)`,
    );
  }
  // Not a static import: the browser bundle must not pull in the file-reading model loader.
  const spec = "./mujoco/robotiq_2f85.js";
  const m = (await import(/* @vite-ignore */ spec)) as {
    linkageOfModel(mjcf: string): Promise<GripperLinkage>;
  };
  return m.linkageOfModel(mjcf);
};

let loader: LinkageLoader = nodeLoader;
const cache = new Map<string, Promise<GripperLinkage>>();

/** Replaces how linkages are loaded (the browser worker fetches them). */
export function setLinkageLoader(l: LinkageLoader): void {
  loader = l;
  cache.clear();
}

/** The linkage of a gripper model (`model.mjcf`: an asset name or a path), derived once per process. */
export const linkageOfMjcf = (mjcf: string): Promise<GripperLinkage> =>
  memoPromise(cache, mjcf, () => loader(mjcf));

/** The linkage an embodiment is simulated with, or undefined for the box gripper. */
export function linkageOf(e: Embodiment): Promise<GripperLinkage | undefined> {
  const mjcf = e.model?.mjcf;
  return mjcf === undefined ? Promise.resolve(undefined) : linkageOfMjcf(mjcf);
}

/** Builds the embodiment's gripper in the world at X_WG with the given opening. */
export function createGripper(
  R: Rapier,
  world: World,
  e: Embodiment,
  linkage: GripperLinkage | undefined,
  X_WG: Pose,
  apertureM: number,
): SimGripper {
  return linkage
    ? new LinkageGripper(R, world, e, linkage, X_WG, apertureM)
    : new ParallelJawGripper(R, world, e, X_WG, apertureM);
}
