/**
 * `egobridge armcheck`: on a dataset the demo wrote, one line per episode saying how far a Panda
 * follows the measured tool poses and why it stops, then one JSON line of counts; the dataset is
 * left as it was. A folder that is no dataset is an input error.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { egobridge, fileHashes } from "../jobs/fixtures.js";

let tmp: string;
let dataset: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-armcheck-"));
  dataset = path.join(tmp, "demo");
  const made = await egobridge(["demo", "--cameras", "none", "--variants", "1", "-o", dataset], tmp);
  expect(made.code, made.stderr).toBe(0);
}, 180_000);
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("egobridge armcheck", () => {
  it("says per episode how far the arm follows and where it stops, and changes nothing", async () => {
    const before = await fileHashes(dataset);
    const r = await egobridge(["armcheck", dataset], tmp);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const counts = JSON.parse(lines.at(-1)!);
    expect(counts.episodes).toBe(2);
    expect(counts.followed + counts.unreachable).toBeLessThanOrEqual(2);
    const episodes = lines.slice(0, -1);
    expect(episodes).toHaveLength(2);
    for (const line of episodes) {
      const m = /followed (\d+) of (\d+) steps(; step (\d+) unreachable)?/.exec(line);
      expect(m, line).not.toBeNull();
      // Following stops exactly at the step it names.
      if (m![3]) expect(Number(m![4])).toBe(Number(m![1]));
      else expect(m![1]).toBe(m![2]);
    }
    expect(await fileHashes(dataset)).toEqual(before);
  });

  it("refuses a folder that is not a dataset, as an input error", async () => {
    const r = await egobridge(["armcheck", tmp], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/egobridge: error/);
  });
});
