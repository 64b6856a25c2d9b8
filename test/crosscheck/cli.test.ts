/** `egobridge crosscheck` as a user runs it: a child process on the TypeScript sources (through tsx). */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const MAIN = path.join(ROOT, "src", "cli", "main.ts");
const TSX = pathToFileURL(path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

function egobridge(args: string[]) {
  const r = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("egobridge crosscheck", () => {
  it("prints a row per trajectory and ends with one JSON line of counts", () => {
    const r = egobridge(["crosscheck", "--filter", "demo_s1/wide"]);
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

  it("a filter that matches nothing is a usage error", () => {
    const r = egobridge(["crosscheck", "--filter", "no-such-trajectory"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no built-in cross-check trajectory id contains 'no-such-trajectory'");
  });
});
