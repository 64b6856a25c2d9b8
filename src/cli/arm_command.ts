/**
 * `egobridge armcheck <dataset>`: could a Franka Panda have carried each episode's gripper? The
 * arm check (robots/arm_check.ts) on every episode of an egobridge dataset: the gripper mounted on
 * the Panda's flange (its TCP `tcpOffsetM` along the flange's axis), a base placed clear of the
 * episode's fixed scenery, the measured tool poses followed by inverse kinematics. A diagnostic: it
 * changes no file and no verdict.
 */
import type { Command } from "commander";
import { resolveAsset } from "../core/assets.js";
import { QUAT_IDENTITY, vec3 } from "../core/math.js";
import { readEpisodeExtras } from "../dataset/lerobot/index.js";
import { armLinkBoxes } from "../robots/arm_boxes.js";
import { followToolPath, measuredToolPath, placeBase } from "../robots/arm_check.js";
import { armChain } from "../robots/ik.js";
import { loadMjcf } from "../robots/mjcf.js";
import { MAX_SCENERY_PENETRATION_M } from "../sim/scenery_clearance.js";
import { withErrors } from "./errors.js";

/** The Panda model, from the asset folders (mujoco_menagerie's MJCF). */
export const PANDA_MJCF = "robots/franka_panda_mjcf/panda.xml";

export function registerArmCheck(program: Command): void {
  program
    .command("armcheck <dataset>")
    .description(
      "Check whether a Franka Panda arm could have carried the gripper of each episode of a dataset: the gripper on the arm's flange, a base placed clear of the fixed scenery, the measured tool poses followed by inverse kinematics. Prints per episode how many steps the arm follows, the first it cannot reach and the deepest incursion of an arm link into fixed scenery, then one JSON line of counts. Kinematic (no arm dynamics); changes nothing. Needs the Panda MJCF in the asset folders (EGOBRIDGE_ASSETS).",
    )
    .action(
      withErrors(async (dataset: string) => {
        const model = await loadMjcf(await resolveAsset({ name: PANDA_MJCF }));
        const episodes = await readEpisodeExtras(dataset);
        let followed = 0;
        let unreachable = 0;
        let intruding = 0;
        // The links' boxes depend on the model alone (hulls of its meshes): made once.
        const boxes = await armLinkBoxes(armChain(model, "hand"));
        for (const e of episodes) {
          // The gripper's flange on the Panda's (the "hand" body's frame), its TCP along the flange's z.
          const chain = armChain(model, "hand", { p: vec3(0, 0, e.embodiment.tcpOffsetM), q: QUAT_IDENTITY });
          const path = measuredToolPath(e.steps);
          const base = placeBase(chain, path, { clear: { scene: e.scene, boxes }, every: 5 });
          if (!base) {
            unreachable++;
            process.stdout.write(
              `${e.id}: no base clear of the scenery from which the arm reaches the first pose\n`,
            );
            continue;
          }
          const f = followToolPath(chain, boxes, base, path, e.scene);
          const into = f.incursion.maxDepthM > MAX_SCENERY_PENETRATION_M;
          if (f.unreachable) unreachable++;
          else if (!into) followed++;
          if (into) intruding++;
          const where = [base.p.x, base.p.y, base.p.z].map((v) => v.toFixed(2)).join(", ");
          const u = f.unreachable;
          process.stdout.write(
            `${e.id}: base at ${where}; followed ${f.joints.length} of ${path.length} steps${u ? `; step ${u.step} unreachable (${(u.positionErrorM * 1000).toFixed(1)} mm, ${((u.rotationErrorRad * 180) / Math.PI).toFixed(1)}° short)` : ""}; deepest arm-link incursion ${(f.incursion.maxDepthM * 1000).toFixed(1)} mm${into ? ` (${f.incursion.link} into ${f.incursion.item}, step ${f.incursion.step})` : ""}\n`,
          );
        }
        process.stdout.write(
          `${JSON.stringify({ episodes: episodes.length, followed, unreachable, armLinkInScenery: intruding })}\n`,
        );
      }),
    );
}
