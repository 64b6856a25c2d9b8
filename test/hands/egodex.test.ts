import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import { InputError } from "../../src/core/errors.js";
import { KP } from "../../src/core/schemas/common.js";
import { type HandTrack, HandTrackSchema } from "../../src/core/schemas/hand_track.js";
import { Hdf5Writer } from "../../src/dataset/robomimic/hdf5.js";
import { attachCameraTrajectory, cameraMotion } from "../../src/hands/camera_trajectory.js";
import { EGODEX_FPS, importEgoDexFile, readEgoDexCamera } from "../../src/hands/egodex.js";
import { readHandTrack, writeHandTrack } from "../../src/hands/hand_track_io.js";
import { extractHand } from "../../src/retarget/hand_samples.js";
import { dataset, readH5, rowsOf } from "../dataset/robomimic_helpers.js";

const EPISODES = {
  stapler: { name: "egodex/basic_pick_and_place_0/0.hdf5", frames: 126 },
  lid: { name: "egodex/add_remove_lid_0/0.hdf5", frames: 94 },
} as const;

/** The HDF5 stores float32: a value read through two readers and one rotation agrees to float32 precision. */
const FLOAT32_M = 1e-5;

type M4 = number[]; // row-major 4×4

/** ARKit (y up) → z up, written out here independently of the importer: (x, y, z) → (x, −z, y). */
const zUp = (p: readonly number[]): number[] => [p[0]!, -p[2]!, p[1]!];
const translation = (m: M4): number[] => [m[3]!, m[7]!, m[11]!];
/** p_C = R_WCᵀ (p_W − t_WC) for a row-major 4×4 camera pose (both in the ARKit world). */
function toCamera(cam: M4, p: number[]): number[] {
  const d = [p[0]! - cam[3]!, p[1]! - cam[7]!, p[2]! - cam[11]!];
  return [0, 1, 2].map((j) => cam[j]! * d[0]! + cam[4 + j]! * d[1]! + cam[8 + j]! * d[2]!);
}
const dist = (a: readonly number[], b: readonly number[]) =>
  Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

let tmp: string;
const files: Record<string, string> = {};
const tracks: Record<string, HandTrack> = {};

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-egodex-"));
  for (const [k, e] of Object.entries(EPISODES)) {
    files[k] = await resolveAsset({ name: e.name });
    tracks[k] = await importEgoDexFile(files[k]!);
  }
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

describe("EgoDex import", () => {
  it("reads both episodes: every frame, both hands, the head camera per frame, the task text", () => {
    for (const [k, e] of Object.entries(EPISODES)) {
      const t = tracks[k]!;
      expect(t.version).toBe(2);
      expect(t.source.kind).toBe("egodex");
      expect(t.fps).toBe(EGODEX_FPS);
      expect(t.frames).toHaveLength(e.frames);
      expect(t.cameraTrajectory?.provenance).toBe("measured");
      for (const f of t.frames) {
        expect(f.X_WC).toBeDefined();
        expect(f.hands.map((h) => h.side).sort()).toEqual(["left", "right"]);
      }
      expect(t.task).toMatch(/stapler|lid/);
      expect(t.camera).toMatchObject({ widthPx: 1920, heightPx: 1080, provenance: "dataset" });
    }
  });

  it("places each joint where an independent HDF5 reader puts it, in a z-up world", async () => {
    const h5 = await readH5(files.stapler!);
    for (const [side, joint, kp] of [
      ["right", "rightIndexFingerTip", KP.indexTip],
      ["left", "leftHand", KP.wrist],
      ["right", "rightThumbKnuckle", KP.thumbCmc],
      ["right", "rightLittleFingerTip", KP.pinkyTip],
    ] as const) {
      const rows = rowsOf(dataset(h5, `transforms/${joint}`));
      for (const i of [0, 60, 125]) {
        const h = tracks.stapler!.frames[i]!.hands.find((o) => o.side === side)!;
        const got = h.keypointsWorld![kp]!;
        const want = zUp(translation(rows[i]!));
        expect(dist(got, want)).toBeLessThan(FLOAT32_M);
      }
    }
    const cams = rowsOf(dataset(h5, "transforms/camera"));
    expect(dist(tracks.stapler!.frames[70]!.X_WC!.pos, zUp(translation(cams[70]!)))).toBeLessThan(FLOAT32_M);
  });

  it("maps ARKit joints to a hand of human proportions, gravity along −z", () => {
    for (const t of Object.values(tracks)) {
      for (const f of [t.frames[0]!, t.frames[t.frames.length - 1]!]) {
        for (const h of f.hands) {
          const k = h.keypointsWorld!;
          const wristToMiddleMcp = dist(k[KP.wrist]!, k[KP.middleMcp]!);
          // Adult hands: wrist → middle MCP 7–10 cm.
          expect(wristToMiddleMcp).toBeGreaterThan(0.06);
          expect(wristToMiddleMcp).toBeLessThan(0.11);
          for (const [mcp, tip] of [
            [KP.indexMcp, KP.indexTip],
            [KP.middleMcp, KP.middleTip],
            [KP.pinkyMcp, KP.pinkyTip],
          ])
            expect(dist(k[KP.wrist]!, k[tip!]!)).toBeGreaterThan(dist(k[KP.wrist]!, k[mcp!]!));
        }
        // Seated or standing at a table: hands below the head, both above the floor (z up).
        const head = f.X_WC!.pos[2];
        for (const h of f.hands) {
          expect(h.keypointsWorld![KP.wrist]![2]).toBeLessThan(head);
          expect(h.keypointsWorld![KP.wrist]![2]).toBeGreaterThan(0.3);
        }
      }
    }
  });

  it("removes head motion: camera-frame keypoints placed with the per-frame head pose give a still hand while the head moves", async () => {
    // The stapler episode: the head turns towards the box lid while the left hand rests on the table.
    const file = files.stapler!;
    const h5 = await readH5(file);
    const cams = rowsOf(dataset(h5, "transforms/camera"));
    const joints = ["leftHand", "leftThumbTip", "leftIndexFingerTip"].map((j) =>
      rowsOf(dataset(h5, `transforms/${j}`)),
    );
    // What a perception stage would output: keypoints in the head camera's frame only (computed
    // here from the raw file), every other keypoint at the wrist (only 0, 4, 8 are looked at).
    const camTrack: HandTrack = {
      ...tracks.stapler!,
      cameraTrajectory: undefined,
      frames: cams.map((cam, i) => {
        const c = (rows: number[][]) => toCamera(cam, translation(rows[i]!)) as [number, number, number];
        const kp = Array.from({ length: 21 }, () => c(joints[0]!));
        kp[KP.thumbTip] = c(joints[1]!);
        kp[KP.indexTip] = c(joints[2]!);
        return {
          t: i / EGODEX_FPS,
          index: i,
          hands: [{ side: "left" as const, score: 1, keypointsCam: kp }],
        };
      }),
    };
    const head = await readEgoDexCamera(file);
    const placed = attachCameraTrajectory(camTrack, head, 0);
    const world = extractHand(placed, "left", 0.5).keypoints_W.map((k) => k[KP.wrist]!);
    const truth = tracks.stapler!.frames.map(
      (f) => f.hands.find((h) => h.side === "left")!.keypointsWorld![KP.wrist]!,
    );
    for (const [i, p] of world.entries())
      expect(dist([p.x, p.y, p.z], truth[i]!)).toBeLessThan(FLOAT32_M * 10);

    const span = (ps: readonly number[][]) => Math.max(...ps.map((p) => dist(p, ps[0]!)));
    const inCamera = cams.map((cam, i) => toCamera(cam, translation(joints[0]![i]!)));
    const inWorld = world.map((p) => [p.x, p.y, p.z]);
    const motion = cameraMotion(head.poses);
    // The head moves (the camera turns by more than 10°), so the wrist sweeps across the camera's
    // view by over 10 cm, yet in W it stays within 2 cm of where it started.
    expect(motion.maxTurnDeg).toBeGreaterThan(10);
    expect(span(inCamera)).toBeGreaterThan(0.1);
    expect(span(inWorld)).toBeLessThan(0.02);
    // A static head (the first frame's pose for all) would have turned head motion into hand motion.
    const staticHead = extractHand(
      { ...camTrack, X_WC: placed.frames[0]!.X_WC },
      "left",
      0.5,
    ).keypoints_W.map((k) => [k[KP.wrist]!.x, k[KP.wrist]!.y, k[KP.wrist]!.z]);
    expect(span(staticHead)).toBeGreaterThan(0.1);
  });

  it("round-trips through a v2 file; v1 files still load", async () => {
    const out = path.join(tmp, "stapler.json");
    await writeHandTrack(out, tracks.lid!);
    const back = await readHandTrack(out);
    expect(back.frames[10]!.X_WC).toEqual(tracks.lid!.frames[10]!.X_WC);
    const v1 = {
      ...tracks.lid!,
      version: 1,
      cameraTrajectory: undefined,
      frames: tracks.lid!.frames.map(({ X_WC: _, ...f }) => f),
    };
    expect(HandTrackSchema.safeParse(v1).success).toBe(true);
    // Per-frame poses without the provenance that says where they came from are refused.
    expect(HandTrackSchema.safeParse({ ...tracks.lid!, cameraTrajectory: undefined }).success).toBe(false);
  });

  it("refuses bad files with a clear error", async () => {
    const empty = path.join(tmp, "empty.hdf5");
    await fs.writeFile(empty, "");
    await expect(importEgoDexFile(empty)).rejects.toThrow(/is empty/);
    await expect(importEgoDexFile(path.join(tmp, "missing.hdf5"))).rejects.toThrow(/file not found/);
    const text = path.join(tmp, "text.hdf5");
    await fs.writeFile(text, "not hdf5 at all");
    await expect(importEgoDexFile(text)).rejects.toThrow(/not an HDF5 file/);
    const whole = await fs.readFile(files.lid!);
    const truncated = path.join(tmp, "truncated.hdf5");
    await fs.writeFile(truncated, whole.subarray(0, whole.length >> 1));
    await expect(importEgoDexFile(truncated)).rejects.toThrow(/truncated/);
    const other = path.join(tmp, "other.hdf5");
    const w = await Hdf5Writer.create(other);
    w.group("data");
    w.close();
    const err = await importEgoDexFile(other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/not an EgoDex episode/);
    await expect(importEgoDexFile(files.lid!, { startFrame: 200 })).rejects.toThrow(/frame range/);
  });
});
