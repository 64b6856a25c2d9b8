import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveAsset } from "../../src/core/assets.js";
import { distance, fromArray3, qfromXyzw, qrotate, vec3 } from "../../src/core/math.js";
import { KP } from "../../src/core/schemas/common.js";
import type { HandTrack } from "../../src/core/schemas/hand_track.js";
import { GRAB_FPS, GRAB_OBJECTS, importGrab, importGrabFile, importGrabSplit } from "../../src/hands/grab.js";
import { caughtInputError } from "../input_error.js";

/** Named tolerances. */
const TOL = {
  /** JSON values are rounded to 1e-6; a converted quaternion may differ by that after normalising. */
  quat: 1e-5,
  /** Rotated unit vectors compared between two independent formulas. */
  rotatedVector: 1e-9,
};

const GRAB_DIR = "hands/grab/derived_json";

/** Absolute path of a GRAB asset; a missing asset fails the test with resolveAsset's message. */
const grabAsset = (file: string): Promise<string> => resolveAsset({ name: `${GRAB_DIR}/${file}` });

interface RawSequence {
  data: {
    hand: { joints_target: number[][][] };
    object: { name: string; loc: number[][]; rot: number[][] };
  };
}

const readRaw = async (file: string): Promise<RawSequence> =>
  JSON.parse(await fs.readFile(file, "utf8")) as RawSequence;

/**
 * Third column of the rotation matrix of a scalar-first quaternion [w, x, y, z], i.e. the rotated
 * (0, 0, 1). Written out independently of src/core/math.
 */
function rotatedZFromWxyz([w, x, y, z]: number[]): [number, number, number] {
  const n2 = w! * w! + x! * x! + y! * y! + z! * z!;
  return [(2 * (x! * z! + w! * y!)) / n2, (2 * (y! * z! - w! * x!)) / n2, 1 - (2 * (x! * x! + y! * y!)) / n2];
}

/** A small in-memory layout-(a) sequence with plausible numbers; override parts per test. */
function grabJson(n = 3, objectName = "apple") {
  return {
    _note: "synthetic test sequence",
    data: {
      hand: {
        joints_target: Array.from({ length: n }, (_, i) =>
          Array.from({ length: 21 }, (_, k) => [0.005 * k, 0.001 * i, 1.0 + 0.002 * k]),
        ),
      },
      object: {
        name: objectName,
        loc: Array.from({ length: n }, (_, i) => [0, -0.5, 0.84 + 0.001 * i]),
        rot: Array.from({ length: n }, () => [1, 0, 0, 0]),
      },
    },
  };
}

const inputError = caughtInputError;

describe("grab", () => {
  const sequences = [
    { file: "cylindersmall_lift.json", frames: 1914, object: "cylindersmall" },
    { file: "apple_pass_1.json", frames: 708, object: "apple" },
    { file: "cylindersmall_pass_1.json", frames: 666, object: "cylindersmall" },
  ];

  describe.each(sequences)("$file", ({ file, frames, object }) => {
    let track: HandTrack;
    let raw: RawSequence;
    let uri: string;

    beforeAll(async () => {
      uri = await grabAsset(file);
      [track, raw] = await Promise.all([importGrabFile(uri), readRaw(uri)]);
    });

    it("has one right hand per 120 Hz frame and the source described", () => {
      expect(track.format).toBe("egobridge.handtrack");
      expect(track.fps).toBe(GRAB_FPS);
      expect(track.frames).toHaveLength(frames);
      expect(track.source).toMatchObject({ kind: "grab", uri, synthetic: false });
      expect(track.source.description).toContain(object);
      for (const [i, frame] of track.frames.entries()) {
        expect(frame.t).toBe(i / 120);
        expect(frame.index).toBe(i);
        expect(frame.hands).toHaveLength(1);
        expect(frame.hands[0]).toMatchObject({ side: "right", score: 1 });
      }
    });

    it("copies joints_target unchanged as world keypoints", () => {
      expect(track.frames.map((f) => f.hands[0]!.keypointsWorld)).toEqual(raw.data.hand.joints_target);
    });

    it("has the object's shape, and a pose per frame equal to the raw pose", () => {
      expect(track.objects).toHaveLength(1);
      const obj = track.objects[0]!;
      expect(obj.name).toBe(object);
      expect(obj.shape).toEqual(GRAB_OBJECTS[object]!.shape);
      expect(obj.shapeSource.length).toBeGreaterThan(20);
      expect(obj.poses).toHaveLength(frames);
      expect(obj.poses.map((p) => p.pos)).toEqual(raw.data.object.loc);
    });

    it("reorders scalar-first quaternions to [x, y, z, w] (checked by rotating +z)", () => {
      const { rot } = raw.data.object;
      for (const i of [0, Math.floor(frames / 2), frames - 1]) {
        const wxyz = rot[i]!;
        const q = track.objects[0]!.poses[i]!.quatXyzw;
        const n = Math.hypot(...wxyz);
        expect(q[0]).toBeCloseTo(wxyz[1]! / n, 9);
        expect(q[1]).toBeCloseTo(wxyz[2]! / n, 9);
        expect(q[2]).toBeCloseTo(wxyz[3]! / n, 9);
        expect(q[3]).toBeCloseTo(wxyz[0]! / n, 9);
        expect(Math.abs(Math.hypot(...q) - 1)).toBeLessThan(TOL.quat);
        const expected = rotatedZFromWxyz(wxyz);
        const got = qrotate(qfromXyzw(q), vec3(0, 0, 1));
        expect(Math.abs(got.x - expected[0])).toBeLessThan(TOL.rotatedVector);
        expect(Math.abs(got.y - expected[1])).toBeLessThan(TOL.rotatedVector);
        expect(Math.abs(got.z - expected[2])).toBeLessThan(TOL.rotatedVector);
      }
    });

    it("has plausible bone lengths (wrist to middle MCP 7-12 cm)", () => {
      for (const frame of track.frames) {
        const kp = frame.hands[0]!.keypointsWorld!;
        const palm = distance(fromArray3(kp[KP.wrist]!), fromArray3(kp[KP.middleMcp]!));
        expect(palm).toBeGreaterThan(0.07);
        expect(palm).toBeLessThan(0.12);
      }
    });
  });

  describe("apple_lift_frames200-300 pair (layout b)", () => {
    const prefix = "apple_lift_frames200-300_";

    it("imports the pair from either file, with hand and object in the same frame", async () => {
      const handFile = await grabAsset(`${prefix}hand_glob_poses.json`);
      const objectFile = await grabAsset(`${prefix}object_poses.json`);
      const fromHand = await importGrabFile(handFile);
      expect(await importGrabFile(objectFile)).toEqual(fromHand);
      expect(fromHand.frames).toHaveLength(100);
      expect(fromHand.fps).toBe(GRAB_FPS);
      expect(fromHand.objects[0]!.name).toBe("apple");
      // While the apple is held (second half of the clip) the index tip touches it: its distance to
      // the apple's centre is about the apple's radius, which holds only if both share one frame.
      for (let i = 50; i < 100; i++) {
        const tip = fromArray3(fromHand.frames[i]!.hands[0]!.keypointsWorld![KP.indexTip]!);
        const centre = fromArray3(fromHand.objects[0]!.poses[i]!.pos);
        expect(distance(tip, centre)).toBeGreaterThan(0.03);
        expect(distance(tip, centre)).toBeLessThan(0.06);
      }
    });

    it("refuses the wrist-centred joints file and names the one to use", async () => {
      const file = await grabAsset(`${prefix}human_hand_joints.json`);
      const err = await inputError(() => importGrabFile(file));
      expect(err.message).toContain("wrist-centred");
      expect(err.hint).toContain(`${prefix}hand_glob_poses.json`);
    });
  });

  describe("options", () => {
    it("subsamples by startFrame, endFrame and stride, keeping source times and indices", async () => {
      const uri = await grabAsset("apple_pass_1.json");
      const raw = await readRaw(uri);
      const track = await importGrabFile(uri, { startFrame: 100, endFrame: 200, stride: 10 });
      expect(track.frames).toHaveLength(10);
      expect(track.fps).toBe(12);
      expect(track.frames.map((f) => f.index)).toEqual([100, 110, 120, 130, 140, 150, 160, 170, 180, 190]);
      expect(track.frames[0]!.t).toBe(100 / 120);
      expect(track.frames[9]!.hands[0]!.keypointsWorld).toEqual(raw.data.hand.joints_target[190]);
      expect(track.objects[0]!.poses[9]!.pos).toEqual(raw.data.object.loc[190]);
    });

    it.each([
      { startFrame: 3 },
      { endFrame: 4 },
      { startFrame: 2, endFrame: 1 },
      { stride: 0 },
      { stride: 1.5 },
      { startFrame: -1 },
    ])("rejects the range %o for a 3-frame sequence", async (opts) => {
      const err = await inputError(() => importGrab(grabJson(3), "mem.json", opts));
      expect(err.message).toContain("mem.json: frame range");
      expect(err.message).toContain("3 frames");
    });

    it("takes object shapes from the objects option", () => {
      const objects = {
        ball: { shape: { kind: "sphere" as const, radiusM: 0.03 }, shapeSource: "test", massKg: 0.1 },
      };
      const track = importGrab(grabJson(2, "ball"), "mem.json", { objects });
      expect(track.objects[0]!.shape).toEqual({ kind: "sphere", radiusM: 0.03 });
    });
  });

  describe("bad input", () => {
    const uri = "mem/apple_test.json";

    it("accepts the synthetic fixture (so each case below fails for its own reason)", () => {
      expect(importGrab(grabJson(), uri).frames).toHaveLength(3);
    });

    it("names the file, frame, joint and axis of a NaN keypoint", async () => {
      const json = grabJson();
      json.data.hand.joints_target[1]![4]![2] = Number.NaN;
      const err = await inputError(() => importGrab(json, uri));
      expect(err.message).toBe(`${uri}: data.hand.joints_target[1][4][2] must be a finite number, got NaN`);
    });

    it("names a null coordinate", async () => {
      const json = grabJson() as { data: { object: { loc: unknown[][] } } };
      json.data.object.loc[2]![0] = null;
      const err = await inputError(() => importGrab(json, uri));
      expect(err.message).toContain("data.object.loc[2][0] must be a finite number, got null");
    });

    it("rejects a frame with 20 joints", async () => {
      const json = grabJson();
      json.data.hand.joints_target[2]!.pop();
      const err = await inputError(() => importGrab(json, uri));
      expect(err.message).toContain("data.hand.joints_target[2] must hold 21 joints of [x, y, z], got 20");
    });

    it("rejects a 2D joint", async () => {
      const json = grabJson();
      json.data.hand.joints_target[0]![7] = [0.1, 0.2];
      const err = await inputError(() => importGrab(json, uri));
      expect(err.message).toContain("data.hand.joints_target[0][7] must hold 3 numbers, got 2");
    });

    it("rejects hand and object arrays of different lengths", async () => {
      const json = grabJson(3);
      json.data.object.rot.pop();
      const err = await inputError(() => importGrab(json, uri));
      expect(err.message).toContain("data.object.rot has 2 entries but data.hand.joints_target has 3 frames");
    });

    it("rejects empty arrays", async () => {
      const err = await inputError(() => importGrab(grabJson(0), uri));
      expect(err.message).toContain("data.hand.joints_target is empty");
    });

    it("rejects a missing field and a wrong type", async () => {
      const json = grabJson() as { data: { hand: Record<string, unknown> } };
      delete json.data.hand["joints_target"];
      expect((await inputError(() => importGrab(json, uri))).message).toContain(
        "data.hand.joints_target is missing",
      );
      expect((await inputError(() => importGrab({ data: [] }, uri))).message).toContain(
        "data must be an object, got an array of 0",
      );
    });

    it("rejects a quaternion that is not a rotation", async () => {
      const json = grabJson();
      json.data.object.rot[1] = [0.5, 0, 0, 0];
      const err = await inputError(() => importGrab(json, uri));
      expect(err.message).toContain("data.object.rot[1] is not a unit quaternion (norm 0.5)");
    });

    it("rejects an unknown object, listing the known ones", async () => {
      const err = await inputError(() => importGrab(grabJson(3, "banana"), uri));
      expect(err.message).toContain("unknown GRAB object 'banana' (known: apple, cylindersmall)");
    });

    it("points a layout-(b) document to the right importer", async () => {
      const err = await inputError(() => importGrab({ data: { joints_seq: [] } }, uri));
      expect(err.message).toContain("importGrabFile or importGrabSplit");
    });

    it("checks the object document of a layout-(b) pair", async () => {
      const hand = { data: { joints_seq: grabJson(2).data.hand.joints_target } };
      const object = { json: { data: { name: "apple", tran_seq: [], rot_seq: [] } }, uri: "mem/o.json" };
      const err = await inputError(() => importGrabSplit({ json: hand, uri }, object));
      expect(err.message).toBe(`${uri}: o.json data.tran_seq has 0 entries but data.joints_seq has 2 frames`);
      const noRot = { json: { data: { name: "apple", tran_seq: [] } }, uri: "mem/o.json" };
      const err2 = await inputError(() => importGrabSplit({ json: hand, uri }, noRot));
      expect(err2.message).toBe("mem/o.json: data.rot_seq is missing");
    });

    describe("files", () => {
      let tmp: string;
      beforeEach(async () => {
        tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-grab-"));
      });
      afterEach(async () => {
        await fs.rm(tmp, { recursive: true, force: true });
      });

      it("rejects truncated JSON, naming the file", async () => {
        const file = path.join(tmp, "truncated.json");
        await fs.writeFile(file, JSON.stringify(grabJson()).slice(0, 200));
        const err = await inputError(() => importGrabFile(file));
        expect(err.message).toContain(file);
        expect(err.message).toContain("not valid JSON");
      });

      it("names the missing partner of a layout-(b) file", async () => {
        const file = path.join(tmp, "x_hand_glob_poses.json");
        await fs.writeFile(file, JSON.stringify({ data: { joints_seq: [] } }));
        const err = await inputError(() => importGrabFile(file));
        expect(err.message).toContain(path.join(tmp, "x_object_poses.json"));
      });
    });
  });
});
