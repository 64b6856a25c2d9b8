/**
 * Perception accuracy on egocentric ground truth: `extract` on the EgoDex episodes' videos (with
 * their intrinsics) compared with the episodes' ARKit hand joints, imported by src/hands/egodex.ts
 * and taken into the camera frame with the recorded head-camera pose (src/perception/groundtruth_eval.ts
 * defines every figure).
 *
 *   npx tsx bench/perception_egodex.ts [--models default,keijiro] [--episodes add_remove_lid_0,basic_pick_and_place_0] [--stride 1] [--raw]
 *
 * Needs EGOBRIDGE_ASSETS (defaults to ../shared/assets). `--raw` turns One-Euro smoothing off.
 * Rows "by side label" compare each detection with the reference hand of its label; "by 2D nearest"
 * with the reference hand it lies on, whatever its label. Accuracy does not depend on the machine:
 * a rerun gives the same figures.
 */
import os from "node:os";
import { parseArgs } from "node:util";
import { resolveAsset } from "../src/core/assets.js";
import { importEgoDexFile } from "../src/hands/egodex.js";
import {
  type ErrorSummary,
  evaluateExtraction,
  type TrackEvaluation,
} from "../src/perception/groundtruth_eval.js";

const { values } = parseArgs({
  options: {
    models: { type: "string", default: "default,keijiro" },
    episodes: { type: "string", default: "add_remove_lid_0,basic_pick_and_place_0" },
    stride: { type: "string", default: "1" },
    raw: { type: "boolean", default: false },
  },
});
process.env.EGOBRIDGE_ASSETS ??= "../shared/assets";
const stride = Math.max(1, Number(values.stride));

/** The EgoDex episodes in the shared assets (egodex/SOURCE.txt), with their content hashes. */
const EPISODES: Record<string, { hdf5: string; mp4: string }> = {
  add_remove_lid_0: {
    hdf5: "5c5ba0cc67599470ff970bb15d4855c37324834d3a92f5fea86ead484090b420",
    mp4: "1a0ec11f438e100ad27d702ed098fc63f392348e6a3fb8b882f84c7751497af9",
  },
  basic_pick_and_place_0: {
    hdf5: "ffbffdc32a21b96e7587007678c1726406cf8fff4b922817096b218b46213386",
    mp4: "cdb32be68b30e7d949bd87d56a73cf2d913474dac44fb49aa703cbc716e1d769",
  },
};

const cm = (m: number) => (m * 100).toFixed(1);
const pct = (f: number) => `${(f * 100).toFixed(0)} %`;
const signedCm = (m: number) => `${m >= 0 ? "+" : ""}${cm(m)}`;

function row(pair: string, episode: string, e: TrackEvaluation, s: ErrorSummary, match: string): string {
  return `| ${pair} | ${episode} | ${match} | ${e.frames} | ${pct(e.detectionRate)} | ${pct(e.sideLabelErrorRate)} | ${s.hands} | ${s.medianPx.toFixed(1)} | ${pct(s.pck)} | ${cm(s.meanKeypointM)} | ${cm(s.wristM)} | ${signedCm(s.wristDepthM)} | ${signedCm(s.meanDepthM)} | ${signedCm(s.wristRelativeDepthM)} |`;
}

const lines: string[] = [];
const notes: string[] = [];
for (const episode of values.episodes.split(",")) {
  const hashes = EPISODES[episode];
  if (!hashes) throw new Error(`unknown episode ${episode}; known: ${Object.keys(EPISODES).join(", ")}`);
  const hdf5 = await resolveAsset({ name: `egodex/${episode}/0.hdf5`, sha256: hashes.hdf5 });
  const mp4 = await resolveAsset({ name: `egodex/${episode}/0.mp4`, sha256: hashes.mp4 });
  const reference = await importEgoDexFile(hdf5);
  for (const pair of values.models.split(",")) {
    const { evaluation: e, stats } = await evaluateExtraction(mp4, reference, {
      models: pair,
      range: { stride },
      ...(values.raw ? { smoothing: false as const } : {}),
    });
    lines.push(row(pair, episode, e, e.bySide, "side label"));
    lines.push(row(pair, episode, e, e.byNearest, "2D nearest"));
    const kp = e.byNearest.perKeypointM.map((m) => cm(m)).join(" ");
    notes.push(
      `${pair}/${episode}: ${e.referenceHandsInView} reference hands in view, ${e.detections} detections (${e.falseDetections} false); reprojection ${stats.meanReprojectionPx.toFixed(1)} px; 3D error per keypoint (cm, 2D nearest): ${kp}`,
    );
  }
}

const cmd = `npx tsx bench/perception_egodex.ts --models ${values.models} --episodes ${values.episodes} --stride ${stride}${values.raw ? " --raw" : ""}`;
console.log(`\n${cmd}`);
console.log(
  `EgoDex (Apple Vision Pro) 1920x1080 head camera, ARKit joints as reference; ${values.raw ? "unsmoothed" : "One-Euro smoothed"}; node ${process.version}, ${os.cpus().length} CPU cores\n`,
);
console.log(
  "| pair | episode | matched by | frames | detection rate | side label wrong | hand-frames | 2D median px | PCK@0.2 | 3D mean kp error cm | wrist error cm | wrist depth error cm (signed) | mean depth error cm (signed) | wrist depth rel. to hand cm (signed) |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const l of lines) console.log(l);
console.log("");
for (const n of notes) console.log(n);
