#!/usr/bin/env node
/**
 * The egobridge command line: the whole chain (`demo`) and one command per stage on files.
 */
import { Command, CommanderError } from "commander";
import { checkOutputPath, writeJsonAtomic } from "../core/atomic.js";
import { EXIT, InputError } from "../core/errors.js";
import { readContract } from "../core/io.js";
import { type Episode, EpisodeSchema } from "../core/schemas/episode.js";
import type { HandTrack } from "../core/schemas/hand_track.js";
import { RobotTrajectorySchema } from "../core/schemas/trajectory.js";
import { CROSSCHECK_GRIPPER } from "../crosscheck/cases.js";
import type { CrosscheckResult } from "../crosscheck/crosscheck.js";
import { runCrosscheck, runDatasetCrosscheck } from "../crosscheck/run.js";
import { writeLeRobotDataset } from "../dataset/lerobot/index.js";
import { ACTION_MODES, type ActionMode, clippedActionsWarning } from "../dataset/robomimic/layout.js";
import { importAriaMps } from "../hands/aria_mps.js";
import { importEgoDexFile } from "../hands/egodex.js";
import { importGrabFile } from "../hands/grab.js";
import { readHandTrack, writeHandTrack } from "../hands/hand_track_io.js";
import { DEFAULT_MODEL_PAIR, MODEL_PAIRS } from "../perception/model_registry.js";
import { DEVICES } from "../perception/onnx.js";
import {
  DEFAULT_EMBODIMENT,
  DEFAULT_SCENE,
  embodimentNames,
  loadEmbodiment,
  loadScene,
  sceneNames,
} from "../pipeline/catalog.js";
import { runDemo } from "../pipeline/demo.js";
import { CAMERA_KEYS, DEFAULT_CAMERAS } from "../render/cameras.js";
import { VIDEO_CODECS } from "../render/encode.js";
import { retargetParallelJaw } from "../retarget/parallel_jaw.js";
import { anchorTrajectory } from "../sim/anchored_scene.js";
import { linkageOf } from "../sim/gripper_models.js";
import { sceneFromObjectTrack } from "../sim/scene_from_track.js";
import { simulateEpisode } from "../sim/simulate.js";
import { taskSentence } from "../sim/verdict.js";
import { registerArmCheck } from "./arm_command.js";
import { registerAugment } from "./augment_command.js";
import { reportError, withErrors } from "./errors.js";
import { ASSETS_HELP, exitCodesHelp, packageVersion } from "./help_text.js";
import { registerJobs } from "./jobs_command.js";
import { ACTIONS_OPTION_HELP, intOption, parseLeRobotActions, positiveOption } from "./options.js";
import { registerPreview } from "./preview_command.js";
import {
  CAMERA_OPTION_HELP,
  CAMERA_START_HELP,
  type DemoCliOptions,
  demoCameras,
  registerExtract,
  variantsLines,
  videoDemo,
} from "./video_commands.js";

const program = new Command();
program
  .name("egobridge")
  .description("Egocentric human video → retargeted, physically validated robot training data.")
  .version(await packageVersion(), "-V, --version")
  // Usage errors (commander's) exit with EXIT.input like every other bad input (see the end).
  .exitOverride()
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(`egobridge: ${s}`) })
  .addHelpText("after", `${ASSETS_HELP}\n${exitCodesHelp()}\n`)
  // An output that cannot be written fails before any work, not after it.
  .hook("preAction", async (_program, command) => {
    const out = command.opts()["out"];
    if (typeof out === "string") await checkOutputPath(out);
  });

program
  .command("demo")
  .description(
    "Run the whole chain on the built-in SYNTHETIC demonstration (a procedural hand picks a carton from a shelf into a tote) and write a LeRobot v3.0 dataset. With --video: on a real video instead (extract → retarget → sim → dataset).",
  )
  .option("-o, --out <dir>", "output dataset folder", "out/demo")
  .option("--seed <n>", "random seed", intOption("--seed"), 0)
  .option("--embodiment <name|file>", `gripper (${embodimentNames().join(", ")})`, DEFAULT_EMBODIMENT)
  .option("--scene <name|file>", `scene (${sceneNames().join(", ")})`, DEFAULT_SCENE)
  .option(
    "--variants <n>",
    "validated variants to multiply the demonstration into",
    intOption("--variants"),
    8,
  )
  .option("--video <file>", "run on this real (egocentric) video instead of the synthetic demonstration")
  .option("--camera <file>", `with --video: ${CAMERA_OPTION_HELP}`)
  .option("--camera-start <s>", `with --video: ${CAMERA_START_HELP}`, Number)
  .option("--device <device>", `with --video: ${DEVICES.join(", ")}`, "cpu")
  .option("--models <pair>", `with --video: ${Object.keys(MODEL_PAIRS).join(", ")}`, DEFAULT_MODEL_PAIR)
  .option("--stride <n>", "with --video: use every n-th frame", intOption("--stride"))
  .option(
    "--cameras <list>",
    `camera streams rendered into the dataset: ${CAMERA_KEYS.join(", ")} (comma-separated), or none`,
    DEFAULT_CAMERAS.join(","),
  )
  .option("--image-size <WxH>", "size of the rendered camera images", "224x224")
  .option("--video-codec <codec>", `codec of the camera streams: ${VIDEO_CODECS.join(", ")}`, "h264")
  .option("--actions <mode>", ACTIONS_OPTION_HELP, "absolute")
  .action(
    withErrors(async (o: DemoCliOptions) => {
      if (o.video) return videoDemo({ ...o, video: o.video });
      const s = await runDemo({
        outDir: o.out,
        seed: o.seed,
        embodiment: o.embodiment,
        scene: o.scene,
        variants: o.variants,
        cameras: demoCameras(o),
        actions: parseLeRobotActions(o.actions),
      });
      const stages = Object.entries(s.stageS)
        .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
        .join(", ");
      process.stdout.write(
        [
          "egobridge demo (SYNTHETIC demonstration: procedural hand, no human recorded)",
          `  dataset:   ${s.outDir} (LeRobot v3.0)`,
          `  episodes:  ${s.episodes}`,
          `  demonstration: ${s.reasons.join(", ")}`,
          ...variantsLines(s.augment),
          `  successes: ${s.successes} of ${s.episodes} episodes`,
          `  frames:    ${s.frames}`,
          `  time:      ${stages}`,
          "",
        ].join("\n"),
      );
    }),
  );

const importCmd = program
  .command("import")
  .description("Import hand data recorded by others into a HandTrack.");
/** An `import` subcommand for a file of frames with the common --start/--end/--stride options. */
function importFrames(
  name: string,
  description: string,
  load: (
    file: string,
    range: { startFrame?: number; endFrame?: number; stride?: number },
  ) => Promise<HandTrack>,
  summary: (track: HandTrack) => string,
): void {
  importCmd
    .command(`${name} <file>`)
    .description(description)
    .requiredOption("-o, --out <file>", "output hand track (.json)")
    .option("--start <frame>", "first frame", intOption("--start"))
    .option("--end <frame>", "end frame (exclusive)", intOption("--end"))
    .option("--stride <n>", "keep every n-th frame", intOption("--stride"))
    .action(
      withErrors(async (file: string, o: { out: string; start?: number; end?: number; stride?: number }) => {
        const track = await load(file, { startFrame: o.start, endFrame: o.end, stride: o.stride });
        await writeHandTrack(o.out, track);
        process.stdout.write(
          `${o.out}: ${track.frames.length} frames at ${track.fps} Hz, ${summary(track)}\n`,
        );
      }),
    );
}

importFrames(
  "grab",
  "GRAB mocap sequence (derived JSON: MANO 21 joints + object poses, 120 Hz) → HandTrack JSON.",
  importGrabFile,
  (track) => `objects: ${track.objects.map((x) => x.name).join(", ") || "none"}`,
);
importFrames(
  "egodex",
  "EgoDex episode (.hdf5: ARKit hands and head camera per frame) → HandTrack JSON with both hands in a z-up world and the head camera's measured pose per frame.",
  importEgoDexFile,
  (track) =>
    `hands: left + right, head camera measured per frame${track.task ? `, task: ${track.task}` : ""}`,
);

importCmd
  .command("aria-mps <folder>")
  .description(
    "Project Aria MPS output folder (hand_tracking/ + trajectory/) → HandTrack JSON: 21 landmarks per hand mapped by name, placed in the closed-loop trajectory's world where their times lie within it.",
  )
  .requiredOption("-o, --out <file>", "output hand track (.json)")
  .option(
    "--hand-tracking <csv>",
    "hand-tracking CSV (default: hand_tracking/hand_tracking_results_v2.csv, else _v1)",
  )
  .action(
    withErrors(async (folder: string, o: { out: string; handTracking?: string }) => {
      const track = await importAriaMps(folder, o.handTracking ? { handTracking: o.handTracking } : {});
      await writeHandTrack(o.out, track);
      process.stdout.write(
        `${o.out}: ${track.frames.length} frames at ${track.fps} Hz, ${track.cameraTrajectory ? "head camera measured per frame" : "NOT placed in the world (no trajectory covers the hand-tracking times)"}\n`,
      );
    }),
  );

program
  .command("retarget <track>")
  .description("HandTrack JSON → RobotTrajectory JSON for a parallel-jaw gripper.")
  .requiredOption("-o, --out <file>", "output trajectory (.json)")
  .option("--embodiment <name|file>", `gripper (${embodimentNames().join(", ")})`, DEFAULT_EMBODIMENT)
  .option("--side <side>", "hand to follow: left, right or auto", "auto")
  .option("--control-hz <hz>", "control rate", positiveOption("--control-hz"), 30)
  .option(
    "--max-gap <s>",
    "split where the hand is unseen for longer than this (s)",
    positiveOption("--max-gap"),
    0.5,
  )
  .option(
    "--segment <k>",
    "which segment to retarget when gaps split the track (default: the longest)",
    intOption("--segment"),
  )
  .action(
    withErrors(
      async (
        file: string,
        o: {
          out: string;
          embodiment: string;
          side: string;
          controlHz: number;
          maxGap: number;
          segment?: number;
        },
      ) => {
        if (!["left", "right", "auto"].includes(o.side))
          throw new InputError(`--side must be left, right or auto, got '${o.side}'`);
        const track = await readHandTrack(file);
        const embodiment = await loadEmbodiment(o.embodiment);
        const traj = retargetParallelJaw(
          track,
          embodiment,
          {
            side: o.side as "left" | "right" | "auto",
            controlHz: o.controlHz,
            maxGapS: o.maxGap,
            ...(o.segment !== undefined ? { segment: o.segment } : {}),
          },
          await linkageOf(embodiment),
        );
        await writeJsonAtomic(o.out, traj);
        const grasped = traj.steps.filter((s) => s.grasp).length;
        process.stdout.write(
          `${o.out}: ${traj.steps.length} steps at ${traj.controlHz} Hz, ${traj.source.side} hand, ${grasped} with the jaws closed${
            traj.source.segment
              ? `; gaps over ${o.maxGap} s split the track into ${traj.source.segment.of} segments, this is segment ${traj.source.segment.index} (frames ${traj.source.frames![0]}..${traj.source.frames![1]}; --segment picks another)`
              : ""
          }\n`,
        );
      },
    ),
  );

program
  .command("simulate <trajectory>")
  .description("RobotTrajectory JSON → Episode JSON, replayed in a Rapier scene, with a success verdict.")
  .requiredOption("-o, --out <file>", "output episode (.json)")
  .option("--scene <name|file>", `scene (${sceneNames().join(", ")})`)
  .option(
    "--track <file>",
    "hand track with an object (e.g. GRAB): place a table scene around the recorded object",
  )
  .option("--anchor", "no scene model: put a carton where the gripper first closes and a tote where it opens")
  .option("--embodiment <name|file>", "gripper (default: the one the trajectory was made for)")
  .option("--seed <n>", "random seed recorded in the lineage", intOption("--seed"), 0)
  .option("--task <text>", "task description")
  .action(
    withErrors(
      async (
        file: string,
        o: {
          out: string;
          scene?: string;
          track?: string;
          anchor?: boolean;
          embodiment?: string;
          seed: number;
          task?: string;
        },
      ) => {
        const given = [o.scene, o.track, o.anchor].filter(Boolean).length;
        if (given === 0) {
          throw new InputError("simulate needs a scene: give one of --scene, --track or --anchor", {
            hint: `--scene ${DEFAULT_SCENE} (or ${sceneNames()
              .filter((n) => n !== DEFAULT_SCENE)
              .join(
                ", ",
              )}, or a scene file); --track for a recording with an object; --anchor to build one from the hand`,
          });
        }
        if (given > 1) {
          throw new InputError("give one of --scene, --track or --anchor");
        }
        const recorded = await readContract(RobotTrajectorySchema, file, "robot trajectory");
        const embodiment = await loadEmbodiment(o.embodiment ?? recorded.embodiment);
        const track = o.track ? await readHandTrack(o.track) : undefined;
        const anchored = o.anchor
          ? anchorTrajectory(recorded, embodiment, "anchored", await linkageOf(embodiment))
          : undefined;
        const trajectory = anchored?.trajectory ?? recorded;
        const scene = track
          ? sceneFromObjectTrack(track, `table_${track.objects[0]?.name ?? "object"}`)
          : (anchored?.scene ?? (await loadScene(o.scene ?? DEFAULT_SCENE)));
        const episode = await simulateEpisode({
          scene,
          embodiment,
          trajectory,
          seed: o.seed,
          id: `${trajectory.source.kind}-${scene.name}-${embodiment.name}-s${o.seed}`,
          task: o.task ?? taskSentence(scene),
          lineageSource: `${trajectory.source.kind}:${trajectory.source.uri ?? "unknown"}`,
        });
        await writeJsonAtomic(o.out, episode);
        if (anchored) process.stdout.write(`scene: ${scene.description}\n`);
        process.stdout.write(
          `${o.out}: ${episode.success ? "SUCCESS" : "FAILURE"} (${episode.reasons.join(", ")}), ${episode.steps.length} steps\n`,
        );
        if (!episode.success) process.exitCode = EXIT.failed;
      },
    ),
  );

program
  .command("export <episodes...>")
  .description(
    "Episode JSON files → a LeRobot v3.0 dataset folder, or with --format robomimic one robomimic HDF5 file (written atomically, one episode at a time).",
  )
  .requiredOption("-o, --out <path>", "output dataset folder (lerobot) or .hdf5 file (robomimic)")
  .option("--format <format>", "lerobot or robomimic", "lerobot")
  .option(
    "--actions <mode>",
    "actions: absolute (commanded TCP pose and opening in the scene frame), joints (an arm's joint position targets, then the opening; both formats; arm embodiments only) or, robomimic only, delta (robosuite OSC_POSE: position delta and axis-angle scaled to [-1, 1], gripper -1/+1)",
    "absolute",
  )
  .action(
    withErrors(async (files: string[], o: { out: string; format: string; actions: string }) => {
      if (o.format !== "lerobot" && o.format !== "robomimic")
        throw new InputError(`--format must be lerobot or robomimic, got '${o.format}'`);
      if (!(ACTION_MODES as readonly string[]).includes(o.actions))
        throw new InputError(`--actions must be ${ACTION_MODES.join(" or ")}, got '${o.actions}'`);
      if (o.actions === "delta" && o.format !== "robomimic")
        throw new InputError("--actions delta applies to --format robomimic (LeRobot actions are absolute)");
      // One file at a time: the writers stream, so any number of episodes fits in memory.
      async function* episodes(): AsyncGenerator<Episode> {
        for (const f of files) yield await readContract(EpisodeSchema, f, "episode");
      }
      let s: { episodes: number; successes: number; frames: number };
      if (o.format === "robomimic") {
        const { writeRobomimicHdf5 } = await import("../dataset/robomimic/index.js");
        const r = await writeRobomimicHdf5(o.out, episodes(), { actions: o.actions as ActionMode });
        s = { ...r, episodes: r.demos };
        if (r.clippedActions > 0) process.stderr.write(`${clippedActionsWarning(r.clippedActions)}\n`);
      } else {
        s = await writeLeRobotDataset(o.out, episodes(), o.actions === "joints" ? { actions: "joints" } : {});
      }
      process.stdout.write(
        `${o.out}: ${s.episodes} episodes (${s.successes} successful), ${s.frames} frames\n`,
      );
    }),
  );

program
  .command("crosscheck")
  .argument("[dataset]", "a dataset egobridge wrote: re-check every episode's verdict in MuJoCo")
  .description(
    "Without a dataset: replay the built-in trajectories (the demo, GRAB sequences and deliberately bad variants) in Rapier and in MuJoCo with the real Robotiq 2F-85 MJCF. With one: replay every episode's recorded commands in MuJoCo and compare with the verdict the dataset stores. The engines agree when their verdicts match and the target ends within 2 cm in both. Prints a row per trajectory, then one JSON line of counts.",
  )
  .option("--filter <text>", "only built-in trajectories whose id contains this text")
  .option("--mjcf <file>", "the 2F-85 MJCF (default: robots/robotiq_2f85_mjcf/2f85.xml in EGOBRIDGE_ASSETS)")
  .option(
    "--embodiment <name>",
    "the built-in set's Rapier gripper: robotiq_2f85_mjcf (the MJCF's hulls and linkage, as MuJoCo's) or robotiq_2f85 (boxes)",
    CROSSCHECK_GRIPPER,
  )
  .option("--out <file>", "also write every result as JSON")
  .option("--json", "print each result as a JSON line instead of the table (the summary line last)")
  .action(
    withErrors(
      async (
        dataset: string | undefined,
        o: { filter?: string; mjcf?: string; embodiment: string; out?: string; json?: boolean },
      ) => {
        const table = (line: string) => {
          if (!o.json) process.stdout.write(`${line}\n`);
        };
        const onResult = (r: CrosscheckResult) => {
          if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        };
        if (dataset && o.filter)
          throw new InputError("--filter selects built-in trajectories; it does not apply to a dataset");
        const { results, summary } = dataset
          ? await runDatasetCrosscheck({ dir: dataset, mjcf: o.mjcf, log: table, onResult })
          : await runCrosscheck({
              filter: o.filter,
              mjcf: o.mjcf,
              embodiment: o.embodiment,
              log: table,
              onResult,
            });
        if (o.out) await writeJsonAtomic(o.out, { summary, results });
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      },
    ),
  );

registerExtract(program);
registerAugment(program);
registerJobs(program);
registerPreview(program);
registerArmCheck(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and --version end with 0; every usage error with EXIT.input.
    if (err.exitCode !== 0) process.exitCode = EXIT.input;
  } else {
    reportError(err);
  }
}
