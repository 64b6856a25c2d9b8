import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import { InputError } from "../../src/core/errors.js";
import type { HandTrack } from "../../src/core/schemas/hand_track.js";
import {
  attachCameraTrajectory,
  cameraPoseAt,
  readCameraSource,
  readTumTrajectory,
  trajectoryStart,
} from "../../src/hands/camera_trajectory.js";
import { readEgoDexCamera } from "../../src/hands/egodex.js";

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-camtraj-"));
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

const write = async (name: string, text: string): Promise<string> => {
  const f = path.join(tmp, name);
  await fs.writeFile(f, text);
  return f;
};

/** A track of camera-frame keypoints at 10 Hz: one hand, every keypoint 0.5 m in front of the camera. */
const camTrack = (frames: number): HandTrack => ({
  format: "egobridge.handtrack",
  version: 2,
  source: { kind: "video", synthetic: false },
  fps: 10,
  frames: Array.from({ length: frames }, (_, i) => ({
    t: i / 10,
    index: i,
    hands: [
      { side: "right" as const, score: 1, keypointsCam: Array.from({ length: 21 }, () => [0, 0, 0.5]) },
    ],
  })),
  objects: [],
});

describe("TUM camera trajectories", () => {
  it("reads 't tx ty tz qx qy qz qw' lines, interpolates between them, and places each frame", async () => {
    // The camera moves 1 m along +x over 1 s, turning 90° about z; comments and blank lines are skipped.
    const s = Math.SQRT1_2;
    const f = await write(
      "traj.txt",
      `# t tx ty tz qx qy qz qw\n100.0 0 0 1 0 0 0 1\n\n101.0 1 0 1 0 0 ${s} ${s}\n`,
    );
    const traj = await readTumTrajectory(f);
    expect(traj.info.provenance).toBe("measured");
    const mid = cameraPoseAt(traj, 100.5)!;
    expect(mid.p.x).toBeCloseTo(0.5, 12);
    // Half of a 90° turn about z: 45°.
    expect(2 * Math.atan2(mid.q.z, mid.q.w)).toBeCloseTo(Math.PI / 4, 12);
    expect(cameraPoseAt(traj, 99)).toBeNull();
    expect(() => trajectoryStart(traj, undefined)).toThrow(/does not say when the video starts/);
    const placed = attachCameraTrajectory(camTrack(11), traj, 100);
    expect(placed.cameraTrajectory?.source).toBe("tum:traj.txt");
    expect(placed.frames[10]!.X_WC!.pos).toEqual([1, 0, 1]);
    // Frames past the trajectory's end cannot be placed: an error, not a guess.
    expect(() => attachCameraTrajectory(camTrack(12), traj, 100)).toThrow(InputError);
  });

  it("refuses malformed lines with the file and line", async () => {
    await expect(readTumTrajectory(await write("short.txt", "0 1 2 3\n"))).rejects.toThrow(
      /short\.txt:1: expected 8 numbers/,
    );
    await expect(readTumTrajectory(await write("nan.txt", "0 0 0 0 0 0 0 NaN\n"))).rejects.toThrow(
      /expected 8 numbers/,
    );
    await expect(
      readTumTrajectory(await write("back.txt", "1 0 0 0 0 0 0 1\n0 0 0 0 0 0 0 1\n")),
    ).rejects.toThrow(/back\.txt:2: timestamps must increase/);
    await expect(readTumTrajectory(await write("quat.txt", "0 0 0 0 0 0 0 2\n"))).rejects.toThrow(
      /quaternion norm/,
    );
    await expect(readTumTrajectory(await write("empty.txt", "# nothing\n"))).rejects.toThrow(
      /no trajectory samples/,
    );
  });
});

describe("--camera sources", () => {
  it("tells the kinds apart: EgoDex episode, TUM file, CameraSpec JSON; refuses the rest", async () => {
    const egodex = await resolveAsset({ name: "egodex/add_remove_lid_0/0.hdf5" });
    const fromEgoDex = await readCameraSource(egodex);
    expect(fromEgoDex.camera?.fx).toBeCloseTo(736.6339, 3);
    expect(fromEgoDex.trajectory?.times).toHaveLength(94);
    expect(fromEgoDex.trajectory?.videoStartS).toBe(0);
    const direct = await readEgoDexCamera(egodex);
    expect(fromEgoDex.trajectory?.poses[50]).toEqual(direct.poses[50]);
    const tum = await readCameraSource(await write("t.txt", "0 0 0 1 0 0 0 1\n"));
    expect(tum.camera).toBeUndefined();
    expect(tum.trajectory?.times).toEqual([0]);
    const spec = await readCameraSource(
      await write(
        "cam.json",
        JSON.stringify({
          format: "egobridge.camera",
          version: 1,
          model: "pinhole",
          widthPx: 640,
          heightPx: 480,
          fx: 500,
          fy: 500,
          cx: 320,
          cy: 240,
        }),
      ),
    );
    expect(spec.trajectory).toBeUndefined();
    expect(spec.camera?.fx).toBe(500);
    await expect(readCameraSource(await write("x.yaml", "a: 1"))).rejects.toThrow(
      /unknown kind of camera file/,
    );
    await expect(readCameraSource(path.join(tmp, "missing.hdf5"))).rejects.toThrow(/camera file not found/);
  });
});
