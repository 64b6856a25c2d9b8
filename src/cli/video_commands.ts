/**
 * The video commands: `extract` (video → HandTrack) and the video branch of `demo`.
 */
import type { Command } from "commander";
import { InputError } from "../core/errors.js";
import { HAND_TRACK_VERSION, type HandFrame } from "../core/schemas/hand_track.js";
import { posedFrame, readCameraSource, trajectoryStart } from "../hands/camera_trajectory.js";
import { readHandTrack } from "../hands/hand_track_io.js";
import { DEFAULT_HFOV_DEG } from "../perception/camera_model.js";
import { extractHandTrackToFile } from "../perception/extract.js";
import { DEFAULT_MODEL_PAIR, MODEL_PAIRS } from "../perception/model_registry.js";
import { DEVICES, type Device } from "../perception/onnx.js";
import { renderOverlay } from "../perception/overlay.js";
import { runVideoDemo } from "../pipeline/video_demo.js";
import { parseCameras, parseCodec, parseImageSize } from "../render/camera_source.js";
import type { CameraOptions } from "../render/episode_videos.js";
import { withErrors } from "./errors.js";
import { intOption, parseLeRobotActions, positiveOption } from "./options.js";

export interface DemoCliOptions {
  out: string;
  seed: number;
  variants: number;
  embodiment: string;
  scene: string;
  video?: string;
  camera?: string;
  device: string;
  models: string;
  stride?: number;
  cameraStart?: number;
  cameras: string;
  imageSize: string;
  videoCodec: string;
  actions: string;
}

/** The camera streams a demo renders, from its options. */
export function demoCameras(o: Pick<DemoCliOptions, "cameras" | "imageSize" | "videoCodec">): CameraOptions {
  return {
    keys: parseCameras(o.cameras),
    size: parseImageSize(o.imageSize),
    codec: parseCodec(o.videoCodec),
  };
}

export async function videoDemo(o: DemoCliOptions & { video: string }): Promise<void> {
  const progress = progressReporter("extract");
  const s = await runVideoDemo({
    video: o.video,
    outDir: o.out,
    seed: o.seed,
    embodiment: o.embodiment,
    variants: o.variants,
    cameras: demoCameras(o),
    actions: parseLeRobotActions(o.actions),
    ...(o.camera ? { cameraSource: await readCameraSource(o.camera) } : {}),
    ...(o.cameraStart !== undefined ? { cameraStartS: o.cameraStart } : {}),
    extract: {
      device: parseDevice(o.device),
      models: o.models,
      ...(o.stride ? { range: { stride: o.stride } } : {}),
      onProgress: progress.update,
      onDevice: (_d, note) => note && process.stderr.write(`egobridge: ${note}\n`),
    },
  });
  progress.done();
  const stages = Object.entries(s.stageS)
    .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
    .join(", ");
  process.stdout.write(
    [
      `egobridge demo --video ${s.video} (REAL video; ${s.extract.frames} frames, hands in ${s.extract.framesWithHands}, both hands in ${s.extract.framesWithTwoHands})`,
      `  dataset:   ${s.outDir} (LeRobot v3.0)`,
      ...s.hands.flatMap((h) => [
        `  hand:      ${h.side}, gripper closed in ${h.graspSteps} control steps (episode ${h.episodeId})`,
        `  verdict:   ${h.success ? "SUCCESS" : "FAILURE"} (${h.reasons.join(", ")})`,
        `  assumed:   ${h.sceneNote}`,
      ]),
      ...variantsLines(s.augment),
      `  frames:    ${s.frames}`,
      `  time:      ${stages}`,
      ...s.assumptions.map((a) => `  assumed:   ${a}`),
      "",
    ].join("\n"),
  );
}

/** The summary line of a multiplication: validated of attempted, and why the others failed. */
export function variantsLines(
  augment: { attempts: number; validated: number; failures: Record<string, number> } | undefined,
): string[] {
  if (!augment) return [];
  const failed = Object.entries(augment.failures)
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  return [
    `  variants:  ${augment.validated} validated of ${augment.attempts} attempts${failed ? ` (failed: ${failed})` : ""}`,
  ];
}

/**
 * Progress on stderr for people: a single updating line when stderr is a terminal, nothing
 * otherwise (logs and pipes stay clean).
 */
function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const t0 = Date.now();
  let last = 0;
  let shown = false;
  return {
    update: (done: number, total: number): void => {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      shown = true;
      const rate = done / Math.max(1e-3, (now - t0) / 1000);
      stream.write(`\r${label}: ${done}/${total} frames (${rate.toFixed(1)} frames/s)   `);
    },
    done: (): void => {
      if (shown) stream.write("\n");
    },
  };
}

function parseDevice(d: string): Device {
  if (!(DEVICES as readonly string[]).includes(d))
    throw new InputError(`--device must be one of ${DEVICES.join(", ")}, got '${d}'`);
  return d as Device;
}

/** `--camera`: what it can name. */
export const CAMERA_OPTION_HELP =
  "camera intrinsics and/or head trajectory: a CameraSpec .json (intrinsics), an EgoDex episode .hdf5 or an Aria MPS folder (intrinsics + head pose per frame), or a TUM trajectory .txt ('t tx ty tz qx qy qz qw', z-up world)";
export const CAMERA_START_HELP =
  "source time (s) of the video's first frame on the camera trajectory's clock (default: the trajectory's own, e.g. 0 for EgoDex)";

/** Registers `extract`. */
export function registerExtract(program: Command): void {
  program
    .command("extract <video>")
    .description(
      "Video → HandTrack JSON: both hands, 21 keypoints each, in image pixels and camera-frame metres (ONNX hand models).",
    )
    .requiredOption("-o, --out <file>", "output hand track (.json), written atomically")
    .option(
      "--camera <file>",
      `${CAMERA_OPTION_HELP}; default: a pinhole camera ASSUMED from --hfov, head pose unknown`,
    )
    .option("--camera-start <s>", CAMERA_START_HELP, Number)
    .option(
      "--hfov <deg>",
      "horizontal field of view assumed when no --camera is given",
      positiveOption("--hfov"),
      DEFAULT_HFOV_DEG,
    )
    .option("--device <device>", `execution provider: ${DEVICES.join(", ")}`, "cpu")
    .option("--models <pair>", `model pair: ${Object.keys(MODEL_PAIRS).join(", ")}`, DEFAULT_MODEL_PAIR)
    .option("--overlay <file>", "also write a QA video (.mp4) with the hand skeletons drawn on the frames")
    .option("--stride <n>", "use every n-th frame", intOption("--stride"))
    .option("--start <frame>", "first frame", intOption("--start"))
    .option("--end <frame>", "end frame (exclusive)", intOption("--end"))
    .option("--threads <n>", "CPU threads per model (default: onnxruntime's choice)", intOption("--threads"))
    .option(
      "--mirrored",
      "frames are mirrored (selfie camera): keep MediaPipe's handedness labels as they are",
    )
    .option("--no-smooth", "write per-frame keypoints without One-Euro smoothing")
    .option("--allow-empty", "write a track even when no hand is found (default: fail)")
    .action(
      withErrors(
        async (
          file: string,
          o: {
            out: string;
            camera?: string;
            cameraStart?: number;
            hfov: number;
            device: string;
            models: string;
            overlay?: string;
            stride?: number;
            start?: number;
            end?: number;
            threads?: number;
            mirrored?: boolean;
            smooth: boolean;
            allowEmpty?: boolean;
          },
        ) => {
          if (o.stride === 0) throw new InputError("--stride must be at least 1");
          const device = parseDevice(o.device);
          const source = o.camera ? await readCameraSource(o.camera) : {};
          const camera = source.camera;
          const progress = progressReporter("extract");
          const trajectory = source.trajectory;
          const startS = trajectory ? trajectoryStart(trajectory, o.cameraStart) : 0;
          // The track goes to its file frame by frame (memory flat in the video's length).
          const stats = await extractHandTrackToFile(file, o.out, {
            models: o.models,
            device,
            ...(o.threads ? { intraOpThreads: o.threads } : {}),
            ...(camera ? { camera } : {}),
            hfovDeg: o.hfov,
            mirrored: o.mirrored === true,
            range: { start: o.start, end: o.end, stride: o.stride },
            ...(o.smooth ? {} : { smoothing: false as const }),
            allowEmpty: o.allowEmpty === true,
            onProgress: progress.update,
            onDevice: (_d, note) => note && process.stderr.write(`egobridge: ${note}\n`),
            ...(trajectory
              ? {
                  posed: {
                    header: { version: HAND_TRACK_VERSION, cameraTrajectory: trajectory.info },
                    frame: (f: HandFrame) => posedFrame(f, trajectory, startS),
                  },
                }
              : {}),
          });
          progress.done();
          let overlayNote = "";
          if (o.overlay) {
            const op = progressReporter("overlay");
            const r = await renderOverlay(file, await readHandTrack(o.out), o.overlay, {
              onProgress: op.update,
            });
            op.done();
            overlayNote = `\n  overlay: ${o.overlay} (${r.frames} frames, ${r.codec})`;
          }
          const fps = stats.video.fps / (o.stride ?? 1);
          process.stdout.write(
            `${o.out}: ${stats.frames} frames at ${fps} Hz, hands in ${stats.framesWithHands}, both hands in ${stats.framesWithTwoHands}; ${stats.framesPerS.toFixed(1)} frames/s on ${stats.device}; camera ${camera?.provenance ?? "assumed"}${trajectory ? `, head pose measured per frame (${trajectory.info.source})` : ""}${overlayNote}\n`,
          );
        },
      ),
    );
}
