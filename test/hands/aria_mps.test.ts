import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import type { InputError } from "../../src/core/errors.js";
import { distance, fromArray3, qrotate, vec3 } from "../../src/core/math.js";
import { type CameraSpec, CameraSpecSchema } from "../../src/core/schemas/camera.js";
import { KP } from "../../src/core/schemas/common.js";
import type { HandTrack } from "../../src/core/schemas/hand_track.js";
import { importAriaMps, readAriaMpsCamera } from "../../src/hands/aria_mps.js";
import { cameraPoseAt } from "../../src/hands/camera_trajectory.js";
import { pixelToRay, projectPoint, type Vec3Tuple } from "../../src/perception/camera_model.js";
import { caughtInputError } from "../input_error.js";

/** Named tolerances. */
const TOL = {
  /** Same arithmetic in another order (double precision). */
  exact: 1e-9,
  /** A pose interpolated between 10 ms samples vs. the 1 kHz row it stands for (m; rotation-matrix entries). */
  interpolatedM: 1e-3,
  interpolatedRot: 1e-3,
  /** Round trips through the iterative inverse of the fisheye624 distortion (px; direction components). */
  pixel: 1e-6,
  direction: 1e-9,
};

// ---------------------------------------------------------------------------------------------
// The shared sample (EGOBRIDGE_ASSETS, see test/setup.ts): a missing file fails with resolveAsset's message.

const SAMPLE = "aria/mps_sample";
const TRAJECTORY = "trajectory/closed_loop_trajectory.csv";
const CALIBRATION = "trajectory/online_calibration.jsonl";
const HANDS_V2 = "hand_tracking/hand_tracking_results_v2.csv";
const HANDS_V1 = "hand_tracking/hand_tracking_results_v1.csv";

/** The sample MPS folder, after checking that every file the tests read is there. */
async function sampleFolder(): Promise<string> {
  for (const f of [TRAJECTORY, CALIBRATION, HANDS_V2, HANDS_V1])
    await resolveAsset({ name: `${SAMPLE}/${f}` });
  const file = await resolveAsset({ name: `${SAMPLE}/${TRAJECTORY}` });
  return path.dirname(path.dirname(file));
}

/** A CSV split by hand: header names and rows of fields (no quoting in MPS files). */
function splitCsv(text: string): { header: string[]; rows: string[][] } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  return { header: lines[0]!.split(","), rows: lines.slice(1).map((l) => l.split(",")) };
}
const field = (csv: { header: string[] }, row: string[], name: string): number =>
  Number(row[csv.header.indexOf(name)]);

/** Rotation matrix of a quaternion [x, y, z, w] (normalised first), written out independently of src/core/math. */
function rotXyzw(q: readonly number[]): number[][] {
  const n = Math.hypot(...q);
  const [x, y, z, w] = q.map((c) => c / n) as [number, number, number, number];
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}
const mulMv = (R: number[][], v: readonly number[]): number[] =>
  R.map((r) => r[0]! * v[0]! + r[1]! * v[1]! + r[2]! * v[2]!);
const mulMm = (A: number[][], B: number[][]): number[][] =>
  A.map((r) => [0, 1, 2].map((j) => r[0]! * B[0]![j]! + r[1]! * B[1]![j]! + r[2]! * B[2]![j]!));
const transpose = (R: number[][]): number[][] => [0, 1, 2].map((i) => R.map((r) => r[i]!));

/** A rigid transform {R, t} (p_A = R p_B + t) from an MPS trajectory row, by column name. */
function deviceRow(csv: { header: string[] }, row: string[]) {
  const q = ["qx", "qy", "qz", "qw"].map((c) => field(csv, row, `${c}_world_device`));
  return {
    tS: field(csv, row, "tracking_timestamp_us") / 1e6,
    R: rotXyzw(q),
    t: ["tx", "ty", "tz"].map((c) => field(csv, row, `${c}_world_device`)),
  };
}

interface RawCalibration {
  CameraCalibrations: {
    Label: string;
    Projection: { Params: number[] };
    T_Device_Camera: { Translation: number[]; UnitQuaternion: [number, number[]] };
  }[];
}

/** camera-rgb's T_Device_Camera as {R, t} from the middle record (the one the importer uses). */
function rgbMounting(jsonl: string) {
  const lines = jsonl.split(/\r?\n/).filter((l) => l.trim() !== "");
  const record = JSON.parse(lines[Math.floor(lines.length / 2)]!) as RawCalibration;
  const cam = record.CameraCalibrations.find((c) => c.Label === "camera-rgb")!;
  const [w, [x, y, z]] = cam.T_Device_Camera.UnitQuaternion as [number, [number, number, number]];
  return { R: rotXyzw([x, y, z, w]), t: cam.T_Device_Camera.Translation, params: cam.Projection.Params };
}

/** The InputError `run` throws, which must carry a hint. */
async function inputError(run: () => unknown): Promise<InputError> {
  const err = await caughtInputError(run);
  expect(err.hint).toBeTruthy();
  return err;
}

let folder: string;
let tmp: string;
const text: Record<string, string> = {};

beforeAll(async () => {
  folder = await sampleFolder();
  for (const f of [TRAJECTORY, CALIBRATION, HANDS_V2, HANDS_V1])
    text[f] = await fs.readFile(path.join(folder, f), "utf8");
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-aria-"));
});
afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

/** An MPS folder in the temp dir: a short trajectory, one calibration record and the v2 hand CSV, with overrides (null: left out). */
async function makeMps(overrides: Record<string, string | null> = {}): Promise<string> {
  const dir = await fs.mkdtemp(path.join(tmp, "mps-"));
  const files: Record<string, string | null> = {
    [TRAJECTORY]: `${text[TRAJECTORY]!.split("\n").slice(0, 201).join("\n")}\n`,
    [CALIBRATION]: `${text[CALIBRATION]!.split("\n")[0]}\n`,
    [HANDS_V2]: text[HANDS_V2]!,
    ...overrides,
  };
  for (const [name, content] of Object.entries(files)) {
    if (content === null) continue;
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** The sample's hand CSV with its timestamps replaced. */
function withTimestamps(csvText: string, timestampsUs: number[]): string {
  const csv = splitCsv(csvText);
  const col = csv.header.indexOf("tracking_timestamp_us");
  const rows = csv.rows.map((r, i) => r.map((v, j) => (j === col ? String(timestampsUs[i]) : v)));
  return `${[csv.header, ...rows].map((r) => r.join(",")).join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------

describe("readAriaMpsCamera (Project Aria MPS sample)", () => {
  it("reads the closed-loop trajectory: increasing times over the file's span, unit quaternions", async () => {
    const traj = await readAriaMpsCamera(folder);
    const csv = splitCsv(text[TRAJECTORY]!);
    const first = field(csv, csv.rows[0]!, "tracking_timestamp_us") / 1e6;
    const last = field(csv, csv.rows[csv.rows.length - 1]!, "tracking_timestamp_us") / 1e6;
    expect(traj.times[0]).toBe(first);
    expect(traj.times[traj.times.length - 1]).toBe(last);
    expect(traj.times.length).toBe(traj.poses.length);
    // Decimated from ~1 kHz to at most one pose per 10 ms (the last row excepted).
    expect(traj.times.length).toBeLessThan(csv.rows.length / 8);
    for (let i = 1; i < traj.times.length; i++) {
      expect(traj.times[i]!).toBeGreaterThan(traj.times[i - 1]!);
      if (i < traj.times.length - 1) expect(traj.times[i]! - traj.times[i - 1]!).toBeGreaterThanOrEqual(0.01);
    }
    for (const X of traj.poses) expect(Math.hypot(X.q.x, X.q.y, X.q.z, X.q.w)).toBeCloseTo(1, 9);
    expect(traj.info.provenance).toBe("measured");
    expect(traj.info.source).toBe("aria-mps:mps_sample/trajectory/closed_loop_trajectory.csv");
  });

  it("gravity: every sample row says (0, 0, -9.81), so the MPS world is used as is and says so", async () => {
    const csv = splitCsv(text[TRAJECTORY]!);
    for (const row of csv.rows) {
      expect(["x", "y", "z"].map((a) => field(csv, row, `gravity_${a}_world`))).toEqual([0, 0, -9.81]);
    }
    const traj = await readAriaMpsCamera(folder);
    expect(traj.info.worldFrame).toMatch(/used as is.*\(0\.000, 0\.000, -9\.810\).*along -z, so z is up/);
  });

  it("world transform checked by hand on trajectory rows: X_WC = T_world_device · T_device_camera", async () => {
    const traj = await readAriaMpsCamera(folder);
    const csv = splitCsv(text[TRAJECTORY]!);
    const mount = rgbMounting(text[CALIBRATION]!);
    // Row 0 is kept as is; row 5000 lies between two kept samples and is interpolated.
    for (const [k, tolM, tolR] of [
      [0, TOL.exact, TOL.exact],
      [5000, TOL.interpolatedM, TOL.interpolatedRot],
    ] as const) {
      const dev = deviceRow(csv, csv.rows[k]!);
      const R_WC = mulMm(dev.R, mount.R);
      const p_WC = mulMv(dev.R, mount.t).map((v, i) => v + dev.t[i]!);
      const X = cameraPoseAt(traj, dev.tS)!;
      const R = rotXyzw([X.q.x, X.q.y, X.q.z, X.q.w]);
      for (let i = 0; i < 3; i++) {
        expect(Math.abs([X.p.x, X.p.y, X.p.z][i]! - p_WC[i]!)).toBeLessThan(tolM);
        for (let j = 0; j < 3; j++) expect(Math.abs(R[i]![j]! - R_WC[i]![j]!)).toBeLessThan(tolR);
      }
    }
  });

  it("cameraPoseAt: a pose inside the span, none well outside it", async () => {
    const traj = await readAriaMpsCamera(folder);
    const [t0, t1] = [traj.times[0]!, traj.times[traj.times.length - 1]!];
    expect(cameraPoseAt(traj, (t0 + t1) / 2)).not.toBeNull();
    expect(cameraPoseAt(traj, t0 - 1)).toBeNull();
    expect(cameraPoseAt(traj, t1 + 1)).toBeNull();
  });

  it("the RGB intrinsics are Aria's Fisheye624, 2880×2880 (what cx, cy imply), straight from the calibration", async () => {
    const { camera } = await readAriaMpsCamera(folder);
    const [f, cx, cy, ...rest] = rgbMounting(text[CALIBRATION]!).params;
    expect(camera).toEqual({
      format: "egobridge.camera",
      version: 1,
      model: "fisheye624",
      widthPx: 2880,
      heightPx: 2880,
      fx: f,
      fy: f,
      cx,
      cy,
      distortion: rest,
      provenance: "calibrated",
    });
    expect(CameraSpecSchema.parse(camera)).toEqual(camera);
  });

  it("a world whose gravity is not along -z is rotated so that it is, and says by how much", async () => {
    const csv = splitCsv(text[TRAJECTORY]!);
    const row = (tUs: number) =>
      csv.header
        .map((name) => {
          if (name === "graph_uid") return "g";
          if (name === "tracking_timestamp_us") return String(tUs);
          return { qw_world_device: "1", gravity_y_world: "-9.81" }[name] ?? "0";
        })
        .join(",");
    const identityMount = {
      CameraCalibrations: [
        {
          Label: "camera-rgb",
          Projection: { Name: "FisheyeRadTanThinPrism", Params: rgbMounting(text[CALIBRATION]!).params },
          T_Device_Camera: { Translation: [0, 0, 0], UnitQuaternion: [1, [0, 0, 0]] },
        },
      ],
    };
    const dir = await makeMps({
      [TRAJECTORY]: [csv.header.join(","), row(1_000_000), row(1_020_000)].join("\n"),
      [CALIBRATION]: JSON.stringify(identityMount),
    });
    const traj = await readAriaMpsCamera(dir);
    expect(traj.info.worldFrame).toMatch(/rotated by 90\.00°.*onto -z/);
    // The device sits at the identity of a y-down world: in W, that world's gravity must point along −z.
    const down = qrotate(traj.poses[0]!.q, vec3(0, -1, 0));
    expect(down.x).toBeCloseTo(0, 12);
    expect(down.y).toBeCloseTo(0, 12);
    expect(down.z).toBeCloseTo(-1, 12);
  });
});

describe("importAriaMps (Project Aria MPS sample)", () => {
  let track: HandTrack;
  beforeAll(async () => {
    track = await importAriaMps(folder);
  });

  it("imports the v2 sample: one frame per row, a hand per confidence ≥ 0, 21 keypoints each", () => {
    const csv = splitCsv(text[HANDS_V2]!);
    expect(track.frames).toHaveLength(csv.rows.length);
    csv.rows.forEach((row, i) => {
      const frame = track.frames[i]!;
      expect(frame.t).toBe(field(csv, row, "tracking_timestamp_us") / 1e6);
      const seen = (["left", "right"] as const).filter(
        (s) => field(csv, row, `${s}_tracking_confidence`) >= 0,
      );
      expect(frame.hands.map((h) => h.side)).toEqual(seen);
      for (const h of frame.hands) {
        expect(h.score).toBe(field(csv, row, `${h.side}_tracking_confidence`));
        expect(h.keypointsCam).toHaveLength(21);
      }
    });
    expect(track.source).toMatchObject({ kind: "aria-mps", uri: folder, synthetic: false });
    // Rows 0.2 s apart, with one jump of 53 s: the median rate is 5 Hz.
    expect(track.fps).toBeCloseTo(5, 2);
    expect(track.camera?.model).toBe("fisheye624");
  });

  it("the sample's rows lie outside the trajectory: camera-frame keypoints only, said in the description", () => {
    expect(track.cameraTrajectory).toBeUndefined();
    for (const f of track.frames) {
      expect(f.X_WC).toBeUndefined();
      for (const h of f.hands) expect(h.keypointsWorld).toBeUndefined();
    }
    expect(track.source.description).toMatch(/NOT PLACED IN THE WORLD/);
    expect(track.source.description).toMatch(/SUBSTITUTED: keypoint 1 \(thumb CMC\).*copy of Aria's WRIST/);
  });

  it("maps landmarks by name (checked by anatomy): MediaPipe order, plausible bone lengths", () => {
    const hands = track.frames.flatMap((f) => f.hands);
    expect(hands.length).toBeGreaterThan(0);
    for (const h of hands) {
      const kp = h.keypointsCam!.map(fromArray3);
      const wrist = kp[KP.wrist]!;
      expect(distance(wrist, kp[KP.middleMcp]!)).toBeGreaterThan(0.06);
      expect(distance(wrist, kp[KP.middleMcp]!)).toBeLessThan(0.11);
      // Every finger (thumb: MCP 2 … tip 4; others MCP … tip): the tip is farther from the wrist than the MCP.
      for (const [mcp, tip] of [
        [2, 4],
        [5, 8],
        [9, 12],
        [13, 16],
        [17, 20],
      ] as const) {
        expect(distance(wrist, kp[tip]!)).toBeGreaterThan(distance(wrist, kp[mcp]!));
        for (let j = mcp; j < tip; j++) {
          expect(distance(kp[j]!, kp[j + 1]!)).toBeGreaterThan(0.015);
          expect(distance(kp[j]!, kp[j + 1]!)).toBeLessThan(0.055);
        }
      }
      // The documented substitute: thumb CMC (1) is the wrist.
      expect(kp[KP.thumbCmc]).toEqual(wrist);
    }
  });

  it("keypointsCam = T_device_camera⁻¹ · the CSV's device landmarks, checked by hand (index tip = Aria landmark 1)", () => {
    const csv = splitCsv(text[HANDS_V2]!);
    const mount = rgbMounting(text[CALIBRATION]!);
    const row = csv.rows[0]!;
    const p_D = ["x", "y", "z"].map((a) => field(csv, row, `t${a}_left_landmark_1_device`));
    const p_C = mulMv(
      transpose(mount.R),
      p_D.map((v, i) => v - mount.t[i]!),
    );
    const left = track.frames[0]!.hands.find((h) => h.side === "left")!;
    for (let i = 0; i < 3; i++) expect(left.keypointsCam![KP.indexTip]![i]).toBeCloseTo(p_C[i]!, 9);
  });

  it("the hands lie in front of the RGB camera; those in its view project inside the 2880×2880 image", () => {
    const cam = track.camera as CameraSpec;
    const hands = track.frames.flatMap((f) => f.hands);
    const offAxisDeg = (p: number[]) => (Math.atan2(Math.hypot(p[0]!, p[1]!), p[2]!) * 180) / Math.PI;
    const inView = hands.filter((h) => h.keypointsCam!.every((p) => offAxisDeg(p) < 50));
    // Hand tracking runs on the wider SLAM cameras: one sample hand (frame 4, right) is 57–75° off the RGB axis.
    expect(inView.length).toBe(hands.length - 1);
    for (const h of hands) for (const p of h.keypointsCam!) expect(p[2]).toBeGreaterThan(0.05);
    for (const h of inView) {
      for (const p of h.keypointsCam!) {
        const [u, v] = projectPoint(cam, p as Vec3Tuple);
        expect(u).toBeGreaterThan(0);
        expect(u).toBeLessThan(cam.widthPx);
        expect(v).toBeGreaterThan(0);
        expect(v).toBeLessThan(cam.heightPx);
      }
    }
  });

  it("reads hand_tracking_results_v1.csv when v2 is absent (same landmarks in the sample)", async () => {
    const dir = await makeMps({ [HANDS_V2]: null, [HANDS_V1]: text[HANDS_V1]! });
    const v1 = await importAriaMps(dir);
    expect(v1.source.description).toMatch(/hand_tracking_results_v1\.csv/);
    expect(v1.frames.map((f) => f.hands)).toEqual(track.frames.map((f) => f.hands));
  });

  it("rows inside the trajectory get X_WC and keypointsWorld (checked by hand on a trajectory row)", async () => {
    const trajCsv = splitCsv(text[TRAJECTORY]!);
    const t0Us = field(trajCsv, trajCsv.rows[0]!, "tracking_timestamp_us");
    const n = splitCsv(text[HANDS_V2]!).rows.length;
    const file = path.join(tmp, "hands_in_span.csv");
    await fs.writeFile(
      file,
      withTimestamps(
        text[HANDS_V2]!,
        Array.from({ length: n }, (_, i) => t0Us + 33_333 * i),
      ),
    );
    const posed = await importAriaMps(folder, { handTracking: file });
    expect(posed.frames).toHaveLength(n);
    expect(posed.cameraTrajectory?.source).toBe("aria-mps:mps_sample/trajectory/closed_loop_trajectory.csv");
    for (const f of posed.frames) {
      expect(f.X_WC).toBeDefined();
      for (const h of f.hands) expect(h.keypointsWorld).toHaveLength(21);
    }
    expect(posed.source.description).toMatch(/every row lies within the closed-loop trajectory/);
    // Frame 0 is at trajectory row 0: its wrist in W is T_world_device · (Aria WRIST = landmark 5, device frame).
    const dev = deviceRow(trajCsv, trajCsv.rows[0]!);
    const handCsv = splitCsv(text[HANDS_V2]!);
    const p_D = ["x", "y", "z"].map((a) => field(handCsv, handCsv.rows[0]!, `t${a}_left_landmark_5_device`));
    const p_W = mulMv(dev.R, p_D).map((v, i) => v + dev.t[i]!);
    const left = posed.frames[0]!.hands.find((h) => h.side === "left")!;
    for (let i = 0; i < 3; i++) expect(left.keypointsWorld![KP.wrist]![i]).toBeCloseTo(p_W[i]!, 9);
  });

  it("rows before the trajectory starts are dropped when others lie inside it, and the description says so", async () => {
    const trajCsv = splitCsv(text[TRAJECTORY]!);
    const t0Us = field(trajCsv, trajCsv.rows[0]!, "tracking_timestamp_us");
    const n = splitCsv(text[HANDS_V2]!).rows.length;
    const times = Array.from({ length: n }, (_, i) =>
      i < 2 ? t0Us - 2_000_000 + 100_000 * i : t0Us + 33_333 * i,
    );
    const file = path.join(tmp, "hands_partly_in_span.csv");
    await fs.writeFile(file, withTimestamps(text[HANDS_V2]!, times));
    const posed = await importAriaMps(folder, { handTracking: file });
    expect(posed.frames.map((f) => f.index)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(posed.source.description).toMatch(/2 rows outside the closed-loop trajectory .* were DROPPED/);
  });
});

describe("Aria MPS bad input: InputErrors naming the file, line and column", () => {
  const replaceLine = (t: string, lineNo: number, f: (line: string) => string) =>
    t
      .split("\n")
      .map((l, i) => (i === lineNo - 1 ? f(l) : l))
      .join("\n");

  it("a missing folder, or one without hand tracking", async () => {
    expect((await inputError(() => importAriaMps(path.join(tmp, "nowhere")))).message).toMatch(
      /Aria MPS folder not found: .*nowhere/,
    );
    const dir = await makeMps({ [HANDS_V2]: null });
    expect((await inputError(() => importAriaMps(dir))).message).toMatch(
      /no MPS hand tracking in .*hand_tracking_results_v2\.csv and .*_v1\.csv/,
    );
  });

  it("a missing calibration file, or no camera of that label", async () => {
    const dir = await makeMps({ [CALIBRATION]: null });
    expect((await inputError(() => readAriaMpsCamera(dir))).message).toMatch(
      /file not found: .*online_calibration\.jsonl/,
    );
    const err = await inputError(() => readAriaMpsCamera(folder, { cameraLabel: "camera-et" }));
    expect(err.message).toMatch(
      /online_calibration\.jsonl:\d+: no camera labelled 'camera-et' \(cameras: .*camera-rgb/,
    );
  });

  it("empty CSVs, and a header without rows", async () => {
    for (const [name, call] of [
      [TRAJECTORY, readAriaMpsCamera],
      [HANDS_V2, importAriaMps],
    ] as const) {
      const dir = await makeMps({ [name]: "" });
      const err = await inputError(() => call(dir));
      expect(err.message).toContain(`${path.join(dir, name)} is empty`);
    }
    const dir = await makeMps({ [TRAJECTORY]: `${text[TRAJECTORY]!.split("\n")[0]}\n` });
    expect((await inputError(() => readAriaMpsCamera(dir))).message).toMatch(
      /closed_loop_trajectory\.csv has a header but no rows/,
    );
  });

  it("a missing column", async () => {
    const traj = replaceLine(text[TRAJECTORY]!, 1, (l) => l.replace("qw_world_device", "qw_device"));
    const dir = await makeMps({ [TRAJECTORY]: traj.split("\n").slice(0, 50).join("\n") });
    expect((await inputError(() => readAriaMpsCamera(dir))).message).toMatch(
      /closed_loop_trajectory\.csv:1: the header lacks qw_world_device$/,
    );
    const hands = replaceLine(text[HANDS_V2]!, 1, (l) =>
      l.replace("right_tracking_confidence", "right_confidence"),
    );
    const dir2 = await makeMps({ [HANDS_V2]: hands });
    expect((await inputError(() => importAriaMps(dir2))).message).toMatch(
      /hand_tracking_results_v2\.csv:1: the header lacks right_tracking_confidence/,
    );
  });

  it("a truncated line", async () => {
    const lines = text[TRAJECTORY]!.split("\n").slice(0, 30);
    lines[29] = lines[29]!.slice(0, 60);
    const dir = await makeMps({ [TRAJECTORY]: lines.join("\n") });
    expect((await inputError(() => readAriaMpsCamera(dir))).message).toMatch(
      /closed_loop_trajectory\.csv:30: \d+ fields where the header has 28 \(a truncated or corrupted line\)/,
    );
  });

  it("a value that is not a number (or empty)", async () => {
    const csv = splitCsv(text[TRAJECTORY]!);
    const col = csv.header.indexOf("ty_world_device");
    for (const bad of ["abc", ""]) {
      const traj = replaceLine(text[TRAJECTORY]!, 3, (l) =>
        l
          .split(",")
          .map((v, j) => (j === col ? bad : v))
          .join(","),
      );
      const dir = await makeMps({ [TRAJECTORY]: traj.split("\n").slice(0, 50).join("\n") });
      expect((await inputError(() => readAriaMpsCamera(dir))).message).toContain(
        `${path.join(dir, TRAJECTORY)}:3: column 'ty_world_device': '${bad}' is not a number`,
      );
    }
    const handCsv = splitCsv(text[HANDS_V2]!);
    const hcol = handCsv.header.indexOf("tz_left_landmark_7_device");
    const hands = replaceLine(text[HANDS_V2]!, 2, (l) =>
      l
        .split(",")
        .map((v, j) => (j === hcol ? "nan" : v))
        .join(","),
    );
    const dir = await makeMps({ [HANDS_V2]: hands });
    expect((await inputError(() => importAriaMps(dir))).message).toMatch(
      /hand_tracking_results_v2\.csv:2: column 'tz_left_landmark_7_device': 'nan' is not a number/,
    );
  });

  it("timestamps that do not increase", async () => {
    const lines = text[TRAJECTORY]!.split("\n").slice(0, 10);
    [lines[4], lines[5]] = [lines[5]!, lines[4]!];
    const dir = await makeMps({ [TRAJECTORY]: lines.join("\n") });
    expect((await inputError(() => readAriaMpsCamera(dir))).message).toMatch(
      /closed_loop_trajectory\.csv:6: column 'tracking_timestamp_us': timestamps must increase strictly/,
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe("fisheye624 camera model (perception/camera_model, Aria FisheyeRadTanThinPrism)", () => {
  let cam: CameraSpec;
  beforeAll(() => {
    const [f, cx, cy, ...distortion] = rgbMounting(text[CALIBRATION]!).params as [
      number,
      number,
      number,
      ...number[],
    ];
    cam = CameraSpecSchema.parse({
      format: "egobridge.camera",
      version: 1,
      model: "fisheye624",
      widthPx: 2880,
      heightPx: 2880,
      fx: f,
      fy: f,
      cx,
      cy,
      distortion,
    });
  });

  /**
   * The projection written out from projectaria_tools' FisheyeRadTanThinPrism.h comment, term by term:
   * a = x/z, b = y/z, r = |(a, b)|, θ = atan r, θd = θ + k0θ³ + … + k5θ¹³, (xr, yr) = θd (a, b) / r,
   * u = f (xr + (2xr² + rd²) p0 + 2 xr yr p1 + s0 rd² + s1 rd⁴) + cx, v likewise with p1, p0, s2, s3.
   */
  function projectByHand(P: readonly number[], [x, y, z]: Vec3Tuple): [number, number] {
    const [f, cu, cv, k0, k1, k2, k3, k4, k5, p0, p1, s0, s1, s2, s3] = P as number[];
    const a = x / z;
    const b = y / z;
    const r = Math.sqrt(a * a + b * b);
    const th = Math.atan(r);
    const thd =
      th + k0 * th ** 3 + k1 * th ** 5 + k2 * th ** 7 + k3 * th ** 9 + k4 * th ** 11 + k5 * th ** 13;
    const xr = (thd * a) / r;
    const yr = (thd * b) / r;
    const rd2 = xr * xr + yr * yr;
    const u = xr + (2 * xr * xr + rd2) * p0 + 2 * xr * yr * p1 + s0 * rd2 + s1 * rd2 * rd2;
    const v = yr + (2 * yr * yr + rd2) * p1 + 2 * xr * yr * p0 + s2 * rd2 + s3 * rd2 * rd2;
    return [f * u + cu, f * v + cv];
  }

  it("matches reference values: the formula written out by hand, and a value computed outside TypeScript", () => {
    const P = rgbMounting(text[CALIBRATION]!).params;
    for (const p of [
      [0.1, -0.2, 0.5],
      [-0.3, 0.25, 0.4],
      [0.02, 0.01, 2],
    ] as Vec3Tuple[]) {
      const [u, v] = projectPoint(cam, p);
      const [uh, vh] = projectByHand(P, p);
      expect(u).toBeCloseTo(uh, 9);
      expect(v).toBeCloseTo(vh, 9);
    }
    // Python (math module) with the same formula and the sample's camera-rgb parameters.
    const [u, v] = projectPoint(cam, [0.1, -0.2, 0.5]);
    expect(u).toBeCloseTo(1704.0656159791233, 8);
    expect(v).toBeCloseTo(961.0167763232214, 8);
    expect(projectPoint(cam, [0, 0, 1])).toEqual([cam.cx, cam.cy]);
  });

  it("pixelToRay inverts projectPoint up to 55° off axis, and projectPoint inverts pixelToRay", () => {
    for (let deg = 0; deg <= 55; deg += 5) {
      for (let az = 0; az < 360; az += 45) {
        const th = (deg * Math.PI) / 180;
        const phi = (az * Math.PI) / 180;
        const d: Vec3Tuple = [Math.sin(th) * Math.cos(phi), Math.sin(th) * Math.sin(phi), Math.cos(th)];
        const [u, v] = projectPoint(cam, [d[0] * 0.7, d[1] * 0.7, d[2] * 0.7]);
        const ray = pixelToRay(cam, u, v);
        for (let i = 0; i < 3; i++) expect(Math.abs(ray[i]! - d[i]!)).toBeLessThan(TOL.direction);
        const [u2, v2] = projectPoint(cam, ray);
        expect(Math.abs(u2 - u)).toBeLessThan(TOL.pixel);
        expect(Math.abs(v2 - v)).toBeLessThan(TOL.pixel);
      }
    }
  });

  it("is defined in front of the lens only; the schema wants exactly 12 coefficients", () => {
    expect(projectPoint(cam, [0.1, 0, -1]).every(Number.isNaN)).toBe(true);
    expect(projectPoint(cam, [1, 0, 0]).every(Number.isNaN)).toBe(true);
    expect(CameraSpecSchema.safeParse({ ...cam, distortion: cam.distortion.slice(0, 11) }).success).toBe(
      false,
    );
    expect(CameraSpecSchema.safeParse({ ...cam, model: "pinhole" }).success).toBe(false);
    expect(
      CameraSpecSchema.safeParse({ ...cam, model: "pinhole", distortion: [0.1, 0, 0, 0, 0] }).success,
    ).toBe(true);
  });
});
