/**
 * Shared by the robomimic writer's tests: reading a file back with jsfive, a pure-JavaScript HDF5
 * reader independent of the HDF5 C library (h5wasm) that wrote it, checks of 4×4 pose matrices,
 * and the values each dataset should hold, computed here from the input episodes.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { type Dataset, File, Group } from "jsfive";
import { expect } from "vitest";
import type { PoseJson } from "../../src/core/schemas/common.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import { CAN_ID } from "./factories.js";

/** Values are stored as float64: only the conversion of 4×4 matrices from quaternions rounds. */
export const MATRIX_TOL = 1e-12;
export const ORTHONORMAL_TOL = 1e-9;

export const OBS_KEYS = [
  "human_confidence",
  "human_frame_index",
  "human_gap_s",
  "human_keypoints",
  "human_status",
  "human_timestamp",
  "object",
  "robot0_eef_pos",
  "robot0_eef_quat",
  "robot0_gripper_qpos",
  "target_pose",
];

export async function readH5(file: string): Promise<File> {
  const buf = await fs.readFile(file);
  return new File(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), path.basename(file));
}

export function dataset(f: Group, at: string): Dataset {
  const d = f.get(at);
  if (d instanceof Group) throw new Error(`${at} is a group`);
  return d;
}

export function group(f: Group, at: string): Group {
  const g = f.get(at);
  if (!(g instanceof Group)) throw new Error(`${at} is not a group`);
  return g;
}

export const numbers = (d: Dataset): number[] => d.value.map(Number);

/** Rows of a 2-D (or higher, flattened per row) dataset. */
export function rowsOf(d: Dataset): number[][] {
  const width = d.shape.slice(1).reduce((a, b) => a * b, 1);
  const flat = numbers(d);
  return Array.from({ length: d.shape[0]! }, (_, i) => flat.slice(i * width, (i + 1) * width));
}

/** Fixed-length strings come back NUL-padded, as numpy shows `S` arrays before `.decode`. */
export const demoNames = (d: Dataset): string[] => d.value.map((s) => String(s).replace(/\0+$/, ""));

export const sortedKeys = (g: Group): string[] => [...g.keys].sort();

/** Scalar-first, written out here rather than taken from the writer. */
export const wxyz = (q: readonly number[]) => [q[3]!, q[0]!, q[1]!, q[2]!];
export const poseRow = (p: PoseJson) => [...p.pos, ...wxyz(p.quatXyzw)];
/** A pose as the observation keys hold it: robosuite's [x, y, z, qx, qy, qz, qw]. */
export const obsPoseRow = (p: PoseJson) => [...p.pos, ...p.quatXyzw];

/** Rotation matrix of a unit quaternion [x, y, z, w], row-major, by the textbook formula. */
export function rotation(q: readonly number[]): number[] {
  const n = Math.hypot(...q);
  const [x, y, z, w] = q.map((c) => c / n) as [number, number, number, number];
  return [
    1 - 2 * (y * y + z * z),
    2 * (x * y - z * w),
    2 * (x * z + y * w),
    2 * (x * y + z * w),
    1 - 2 * (x * x + z * z),
    2 * (y * z - x * w),
    2 * (x * z - y * w),
    2 * (y * z + x * w),
    1 - 2 * (x * x + y * y),
  ];
}

export function expectClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    expect(Math.abs(a - expected[i]!), `component ${i}`).toBeLessThanOrEqual(tol);
  });
}

/** A 4×4 pose matrix: [[R, p], [0, 0, 0, 1]] with R orthonormal, right-handed, equal to the quaternion's. */
export function expectPoseMatrix(m: readonly number[], pose: PoseJson): void {
  const R = [0, 1, 2, 4, 5, 6, 8, 9, 10].map((k) => m[k]!);
  expectClose([m[3]!, m[7]!, m[11]!], pose.pos, 0);
  expect(m.slice(12)).toEqual([0, 0, 0, 1]);
  for (let a = 0; a < 3; a++) {
    for (let b = 0; b < 3; b++) {
      const dot = R[3 * a]! * R[3 * b]! + R[3 * a + 1]! * R[3 * b + 1]! + R[3 * a + 2]! * R[3 * b + 2]!;
      expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThanOrEqual(ORTHONORMAL_TOL);
    }
  }
  const det =
    R[0]! * (R[4]! * R[8]! - R[5]! * R[7]!) -
    R[1]! * (R[3]! * R[8]! - R[5]! * R[6]!) +
    R[2]! * (R[3]! * R[7]! - R[4]! * R[6]!);
  expect(Math.abs(det - 1)).toBeLessThanOrEqual(ORTHONORMAL_TOL);
  expectClose(R, rotation(pose.quatXyzw), MATRIX_TOL);
}

/**
 * The step whose measured state row i observes: the command of step i is chosen from the state
 * before it, i.e. after step i − 1 (row 0: the settled start, recorded as step 0's state).
 */
export const observedStep = (i: number): number => Math.max(i - 1, 0);

/** What each obs key holds: robot and objects as measured after step `r`, the hand of step `h`. */
export const expectedObs = (e: Episode, r: number, h: number): Record<string, number[]> => {
  const s = e.steps[r]!;
  const hand = e.steps[h]!.human;
  return {
    robot0_eef_pos: [...s.state.tcp.pos],
    robot0_eef_quat: [...s.state.tcp.quatXyzw],
    robot0_gripper_qpos: [s.state.apertureM / 2, -s.state.apertureM / 2],
    object: obsPoseRow(s.objects[CAN_ID]!),
    target_pose: obsPoseRow(s.objects[CAN_ID]!),
    human_keypoints: hand.keypointsWorld.flat(),
    human_frame_index: [hand.frameIndex],
    human_timestamp: [hand.t],
    human_status: [["observed", "interpolated", "held", "transformed"].indexOf(hand.status!)],
    human_confidence: [hand.confidence!],
    human_gap_s: [hand.gapS ?? 0],
  };
};
