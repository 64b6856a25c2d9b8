import { describe, expect, it } from "vitest";
import { FileRoller, nextSlot } from "../../../src/dataset/lerobot/file_plan.js";
import type { FileSlot } from "../../../src/dataset/lerobot/layout.js";

const MB = 1024 * 1024;

/** The slot of each episode (by size in bytes, in order), as the writer places them one by one. */
function planFiles(episodeBytes: readonly number[], limitMb: number, chunksSize: number): FileSlot[] {
  const roller = new FileRoller(limitMb, chunksSize);
  return episodeBytes.map((bytes) => roller.place(bytes).slot);
}

describe("file_plan", () => {
  it("packs whole episodes into one file while they fit", () => {
    const slots = planFiles([10, 20, 30], 1, 1000);
    expect(slots).toEqual([
      { chunkIndex: 0, fileIndex: 0 },
      { chunkIndex: 0, fileIndex: 0 },
      { chunkIndex: 0, fileIndex: 0 },
    ]);
  });

  it("starts a new file when the next episode would reach the limit (LeRobot's >=)", () => {
    const slots = planFiles([0.6 * MB, 0.4 * MB, 0.3 * MB], 1, 1000);
    expect(slots.map((s) => s.fileIndex)).toEqual([0, 1, 1]);
  });

  it("gives an episode larger than the limit a file of its own, never splitting it", () => {
    const slots = planFiles([0.1 * MB, 5 * MB, 0.1 * MB], 1, 1000);
    expect(slots.map((s) => s.fileIndex)).toEqual([0, 1, 2]);
  });

  it("moves to the next chunk folder after chunks_size files", () => {
    expect(nextSlot({ chunkIndex: 0, fileIndex: 1 }, 2)).toEqual({ chunkIndex: 1, fileIndex: 0 });
    const slots = planFiles([MB, MB, MB, MB, MB], 1, 2);
    expect(slots.map((s) => [s.chunkIndex, s.fileIndex])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 0],
    ]);
  });

  it("rejects a non-positive size limit or chunk size", () => {
    expect(() => planFiles([1], 0, 1000)).toThrow(/> 0 MB/);
    expect(() => planFiles([1], 1, 0)).toThrow(/chunks_size/);
  });
});
