/** `egobridge crosscheck` as a user runs it: a child process on the TypeScript sources (through tsx). */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readEpisodeExtras } from "../../src/dataset/lerobot/index.js";
import { ROOT, egobridge as run } from "../jobs/fixtures.js";

const egobridge = (args: string[]) => run(args, ROOT);

/** `crosscheck --json`'s output: one JSON line per trajectory, then the summary line. */
function jsonLines(stdout: string) {
  const lines = stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const summary = lines.pop();
  return { lines, summary };
}

describe("egobridge crosscheck", () => {
  it("prints a row per trajectory and ends with one JSON line of counts", async () => {
    const r = await egobridge(["crosscheck", "--filter", "demo_s1/wide"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(
      lines.some((l) =>
        /^demo_s1\/wide\s+failure \(never_grasped\)\s+failure \(never_grasped\)\s+agree/.test(l),
      ),
    ).toBe(true);
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({
      trajectories: 1,
      agree: 1,
      rapierSuccess: 0,
      mujocoSuccess: 0,
      disagreements: [],
    });
  });

  it("the whole built-in set: at least 24 trajectories, 90 % agree, and every GRAB success succeeds in both engines", async () => {
    const r = await egobridge(["crosscheck", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const { lines, summary } = jsonLines(r.stdout);
    expect(summary.trajectories).toBe(lines.length);
    expect(lines.length).toBeGreaterThanOrEqual(24);
    expect(summary.agree / summary.trajectories).toBeGreaterThanOrEqual(0.9);
    const grabSuccesses = lines.filter(
      (l) => l.id.startsWith("grab_") && (l.rapier.success || l.mujoco.success),
    );
    expect(grabSuccesses.length).toBeGreaterThan(0);
    for (const l of grabSuccesses) {
      expect(l.rapier.success && l.mujoco.success, l.id).toBe(true);
      expect(l.finalTargetGapM, l.id).toBeLessThanOrEqual(0.02);
    }
  });

  it("re-checks every episode of a dataset in MuJoCo: per-episode JSON lines, then the summary", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-xcheck-"));
    try {
      const demo = await egobridge(["demo", "-o", path.join(dir, "demo"), "--variants", "2"]);
      expect(demo.code, demo.stderr).toBe(0);
      const r = await egobridge(["crosscheck", path.join(dir, "demo"), "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const { lines, summary } = jsonLines(r.stdout);
      const stored = await readEpisodeExtras(path.join(dir, "demo"));
      expect(lines.map((l) => l.id)).toEqual(stored.map((e) => e.id));
      for (const [k, l] of lines.entries()) {
        expect(l.rapier.success).toBe(stored[k]!.success);
        expect(l.agree).toBe(l.rapier.success === l.mujoco.success && l.finalTargetGapM <= 0.02);
      }
      expect(summary).toMatchObject({ trajectories: stored.length, skipped: [] });
      expect(summary.agree).toBe(lines.filter((l) => l.agree).length);
      const bad = await egobridge(["crosscheck", path.join(dir, "nothing-here")]);
      expect(bad.code).toBe(2);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it("a filter that matches nothing is a usage error", async () => {
    const r = await egobridge(["crosscheck", "--filter", "no-such-trajectory"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no built-in cross-check trajectory id contains 'no-such-trajectory'");
  });
});
