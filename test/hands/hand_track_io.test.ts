import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import type { HandTrack } from "../../src/core/schemas/hand_track.js";
import { readHandTrack, writeHandTrack, writeHandTrackFrames } from "../../src/hands/hand_track_io.js";

/** A two-frame GRAB-like track; override fields per test. */
function makeTrack(over: Partial<HandTrack> = {}): HandTrack {
  const kp = (dz: number) =>
    Array.from({ length: 21 }, (_, k): [number, number, number] => [0.005 * k, 0, 1 + dz]);
  return {
    format: "egobridge.handtrack",
    version: 1,
    source: { kind: "grab", uri: "mem.json", synthetic: false, description: "test" },
    fps: 120,
    frames: [
      { t: 0, index: 0, hands: [{ side: "right", score: 1, keypointsWorld: kp(0) }] },
      { t: 1 / 120, index: 1, hands: [{ side: "right", score: 1, keypointsWorld: kp(0.001) }] },
    ],
    objects: [
      {
        name: "apple",
        shape: { kind: "ellipsoid", radiiM: [0.04338, 0.04095, 0.04924], capZ: 1 },
        shapeSource: "test",
        massKg: 0.2,
        poses: [
          { pos: [0, -0.5, 0.84], quatXyzw: [0, 0, 0, 1] },
          { pos: [0, -0.5, 0.841], quatXyzw: [0, 0, 0, 1] },
        ],
      },
    ],
    ...over,
  };
}

/** The same object with its keys in reverse order, recursively. */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reverseKeys(x)]),
  );
}

describe("hand_track_io", () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-handtrack-"));
  });
  afterEach(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it("writes a track that reads back equal", async () => {
    const file = path.join(tmp, "sub", "track.json");
    await writeHandTrack(file, makeTrack());
    expect(await readHandTrack(file)).toEqual(makeTrack());
    expect(await fs.readdir(path.dirname(file))).toEqual(["track.json"]);
  });

  it("writes the same bytes whatever the key order of the input", async () => {
    const a = path.join(tmp, "a.json");
    const b = path.join(tmp, "b.json");
    await writeHandTrack(a, makeTrack());
    await writeHandTrack(b, reverseKeys(makeTrack()) as HandTrack);
    const text = await fs.readFile(a, "utf8");
    expect(await fs.readFile(b, "utf8")).toBe(text);
    expect(text.indexOf('"format"')).toBeLessThan(text.indexOf('"frames"'));
  });

  it("refuses to write an invalid track, and leaves no file", async () => {
    const file = path.join(tmp, "bad.json");
    const bad = makeTrack({ fps: -1 });
    await expect(writeHandTrack(file, bad)).rejects.toThrow(InputError);
    await expect(fs.access(file)).rejects.toThrow();
  });

  it("names the file and the field of a null coordinate", async () => {
    const file = path.join(tmp, "null.json");
    const json = makeTrack() as unknown as { frames: { hands: { keypointsWorld: unknown[][] }[] }[] };
    json.frames[1]!.hands[0]!.keypointsWorld[3]![1] = null;
    await fs.writeFile(file, JSON.stringify(json));
    const err = await readHandTrack(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toContain("frames.1.hands.0.keypointsWorld.3.1");
  });

  it("rejects an object with fewer poses than frames", async () => {
    const file = path.join(tmp, "short.json");
    const track = makeTrack();
    track.objects[0]!.poses.pop();
    await fs.writeFile(file, JSON.stringify(track));
    await expect(readHandTrack(file)).rejects.toThrow(/objects\.0\.poses: has 1 poses for 2 frames/);
  });

  it("frame by frame, writes the bytes the whole track's JSON has", async () => {
    const whole = path.join(tmp, "whole.json");
    const streamed = path.join(tmp, "streamed.json");
    await writeHandTrack(whole, makeTrack());
    const { frames, ...header } = reverseKeys(makeTrack()) as HandTrack;
    async function* one() {
      yield* frames;
    }
    expect(await writeHandTrackFrames(streamed, header, one())).toBe(2);
    expect(await fs.readFile(streamed, "utf8")).toBe(await fs.readFile(whole, "utf8"));
    expect(await fs.readdir(tmp)).toEqual(["streamed.json", "whole.json"].sort());
  });

  it("frame by frame, refuses a frame out of order or a failing source, leaving what was there", async () => {
    const file = path.join(tmp, "t.json");
    await fs.writeFile(file, "before");
    const { frames, ...header } = makeTrack();
    async function* backwards() {
      yield frames[1]!;
      yield frames[0]!;
    }
    await expect(writeHandTrackFrames(file, header, backwards())).rejects.toThrow(
      /frame 1: frame times must increase strictly/,
    );
    async function* failing() {
      yield frames[0]!;
      throw new Error("decoder died");
    }
    await expect(writeHandTrackFrames(file, header, failing())).rejects.toThrow("decoder died");
    async function* short() {
      yield frames[0]!;
    }
    await expect(writeHandTrackFrames(file, header, short())).rejects.toThrow(
      /objects\.0\.poses: has 2 poses for 1 frames/,
    );
    expect(await fs.readFile(file, "utf8")).toBe("before");
    expect(await fs.readdir(tmp)).toEqual(["t.json"]);
  });

  it("rejects truncated JSON, naming the file", async () => {
    const file = path.join(tmp, "cut.json");
    await fs.writeFile(file, JSON.stringify(makeTrack()).slice(0, 100));
    const err = await readHandTrack(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(`${file} is not valid JSON`);
  });
});
