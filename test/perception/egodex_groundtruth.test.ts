/**
 * Perception against egocentric ground truth: the EgoDex episodes' ARKit hand joints (Apple Vision
 * Pro), imported from the HDF5 by src/hands/egodex.ts — nothing of perception touches them — taken
 * into the head camera's frame with its recorded pose and projected with its intrinsics; `extract`
 * (default pair, One-Euro smoothed, every frame) runs on the episodes' videos with those intrinsics.
 * src/perception/groundtruth_eval.ts defines the figures; bench/perception_egodex.ts prints them for
 * both model pairs.
 *
 * Measured (default pair; add_remove_lid_0 | basic_pick_and_place_0; "before" = the lift that
 * placed the model's world landmarks as they were, with image z not divided by normalize_z):
 *   detection rate                       1.00 | 0.93 (the misses: the right hand entering and leaving at the edge, 4 frames mid-grasp)
 *   2D median error (px)                 36.5 | 35.0
 *   PCK@0.2                              0.67 | 0.71
 *   3D mean keypoint error (cm)           4.9 | 3.9     before 5.0 | 4.5
 *   wrist depth error, signed (cm)       +5.7 | +2.8    before +8.7 | +8.2
 *   wrist depth relative to the hand (cm) +3.0 | +1.4   before +5.5 | +7.2 (+5.0 | +4.0 with the new lift but raw z)
 *   side label wrong                     0 % | 0 %      before 0 % | 43 % (the running mean of the model's score per
 *                                                        frame; the lone left hand scored "right" 0.8–0.9 for 47 frames)
 * The reference has its own offsets, which set a floor under these figures: ARKit's wrist joint
 * sits up the forearm from MediaPipe's wrist (in 2D, 0.3–0.5 of the wrist-to-middle-knuckle length:
 * the wrist is the worst keypoint in 2D and, the forearm pointing away from the head camera, it
 * reads as a wrist too deep by 1–3 cm), and the detected hands are about 0.8 of the projected
 * reference hands' size.
 *
 * Tolerances: measured + 1.5 × the block-bootstrap standard error of the median (blocks of 10
 * frames, 1000 resamples; SE of the wrist depth 1.1 | 0.66 cm, of the relative wrist depth 0.63 |
 * 0.38 cm, of the per-hand 3D error 0.71 | 0.27 cm, of the per-hand 2D median 7.1 | 3.3 px), rounded
 * up. The depth tolerances are below the before-fix values (relative wrist depth: 4 cm vs 5.5 and
 * 5.0; 2.5 cm vs 7.2 and 4.0), so undoing either half of the fix fails the test. Depth and 3D are
 * judged on the reference hand each detection lies on (2D nearest).
 *
 * Side labels (one per tracked hand, side_labels.ts) are wrong by whole tracks, so the tolerance
 * counts tracks: in add_remove_lid_0 each hand is one 94-frame track (a wrong one is 50 % of the
 * detections); 5 % leaves room only for detections the 2D assignment gives to the other hand where
 * the hands touch at the cup. In basic_pick_and_place_0 the left hand is one 126-frame track and the
 * right hand one of 52 frames and two short ones where it re-enters at the image edge (7 and 3
 * frames, whose own evidence is weak or wrong: they are right because the left hand is seen with
 * them); 6 % lets those two go either way (10 of 188 detections) and fails on any long track (28 %
 * or more). With the labels right, each detection is compared with its own hand also by label:
 * the 2D error by label stays within the 2D tolerance (before: 73.9 px on basic_pick_and_place_0).
 */
import { describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import { importEgoDexFile } from "../../src/hands/egodex.js";
import { evaluateExtraction } from "../../src/perception/groundtruth_eval.js";

const EPISODES = [
  {
    name: "add_remove_lid_0",
    hdf5: "5c5ba0cc67599470ff970bb15d4855c37324834d3a92f5fea86ead484090b420",
    mp4: "1a0ec11f438e100ad27d702ed098fc63f392348e6a3fb8b882f84c7751497af9",
    frames: 94,
    tol: { detection: 0.95, medianPx: 48, pck: 0.6, meanKpM: 0.06, wristDepthM: 0.075, wristRelDepthM: 0.04 },
    maxSideLabelError: 0.05,
  },
  {
    name: "basic_pick_and_place_0",
    hdf5: "ffbffdc32a21b96e7587007678c1726406cf8fff4b922817096b218b46213386",
    mp4: "cdb32be68b30e7d949bd87d56a73cf2d913474dac44fb49aa703cbc716e1d769",
    frames: 126,
    tol: {
      detection: 0.9,
      medianPx: 42,
      pck: 0.65,
      meanKpM: 0.045,
      wristDepthM: 0.04,
      wristRelDepthM: 0.025,
    },
    maxSideLabelError: 0.06,
  },
] as const;

describe("extract (default pair) against EgoDex's ARKit hand joints", () => {
  it.each(EPISODES)(
    "$name: side labels, 2D, 3D and depth errors within the measured tolerances",
    async (ep) => {
      const hdf5 = await resolveAsset({ name: `egodex/${ep.name}/0.hdf5`, sha256: ep.hdf5 });
      const mp4 = await resolveAsset({ name: `egodex/${ep.name}/0.mp4`, sha256: ep.mp4 });
      const reference = await importEgoDexFile(hdf5);
      const { evaluation: e } = await evaluateExtraction(mp4, reference);
      const n = e.byNearest;
      const cm = (m: number) => (m * 100).toFixed(1);
      console.log(
        `${ep.name}: ${e.frames} frames, detection ${e.detectionRate.toFixed(2)}, side label wrong ${e.sideLabelErrorRate.toFixed(2)}, ` +
          `2D ${n.medianPx.toFixed(1)} px (by side label ${e.bySide.medianPx.toFixed(1)}), PCK@0.2 ${n.pck.toFixed(2)}, ` +
          `3D ${cm(n.meanKeypointM)} cm, wrist ${cm(n.wristM)} cm, wrist depth ${cm(n.wristDepthM)} cm, ` +
          `mean depth ${cm(n.meanDepthM)} cm, wrist depth rel. to hand ${cm(n.wristRelativeDepthM)} cm`,
      );
      expect(e.frames).toBe(ep.frames);
      expect(e.falseDetections).toBe(0);
      expect(e.detectionRate).toBeGreaterThanOrEqual(ep.tol.detection);
      expect(n.medianPx).toBeLessThan(ep.tol.medianPx);
      expect(n.pck).toBeGreaterThan(ep.tol.pck);
      expect(n.meanKeypointM).toBeLessThan(ep.tol.meanKpM);
      // Depth: the wrist no longer sits behind the knuckles (a flat hand), nor the hand too deep.
      expect(Math.abs(n.wristDepthM)).toBeLessThan(ep.tol.wristDepthM);
      expect(Math.abs(n.wristRelativeDepthM)).toBeLessThan(ep.tol.wristRelDepthM);
      // Side labels, and what a consumer gets by label: the same hands as measured by 2D position.
      expect(e.sideLabelErrorRate).toBeLessThanOrEqual(ep.maxSideLabelError);
      expect(e.bySide.medianPx).toBeLessThan(ep.tol.medianPx);
      expect(e.bySide.pck).toBeGreaterThan(ep.tol.pck);
    },
  );
});
