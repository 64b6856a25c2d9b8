/**
 * The command line's first-hour contract: one exit-code table (in `--help` and the README) that
 * the commands follow, one clear line for an output that cannot be written (before any work),
 * `--version`, and assets found beside the checkout without any set-up.
 */
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/core/errors.js";
import { MAIN, ROOT, TSX } from "../jobs/fixtures.js";
import { asset, EGODEX_CUP } from "../perception/assets.js";

function egobridge(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "" };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const r = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd,
    encoding: "utf8",
    env: childEnv,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-exit-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** The exit-code rows of a text ("  <code>  <meaning>" or "| <code> | <meaning> |") after its "Exit codes" heading. */
const tableCodes = (text: string): number[] =>
  [...text.slice(text.indexOf("Exit codes")).matchAll(/^\s*\|?\s*`?(\d+)`?\s*[|\s]/gm)].map((m) =>
    Number(m[1]),
  );

describe("exit codes", () => {
  it("are one table, the same in --help and in the README, and it is the code's", async () => {
    const help = egobridge(["--help"], tmp);
    expect(help.code).toBe(0);
    const codes = Object.values(EXIT).sort((a, b) => a - b);
    expect(tableCodes(help.stdout)).toEqual(codes);
    const readme = await fs.readFile(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Exit codes"));
    expect(tableCodes(section.slice(0, section.indexOf("\n## ", 3)))).toEqual(codes);
  });

  it("usage errors exit with 2 like any other bad input, whether commander or egobridge finds them", () => {
    for (const args of [["nonsense"], ["retarget"], ["demo", "--variants", "-2"], ["demo", "--seed", "x"]]) {
      const r = egobridge(args, tmp);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(EXIT.input);
      expect(r.stderr).toMatch(/^egobridge: error/m);
    }
  });

  it("--version prints package.json's version", async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = egobridge(["--version"], tmp);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe("an output that cannot be written", () => {
  it("is one clear line and exit 2, before any work, with nothing written", async () => {
    const video = await asset(EGODEX_CUP);
    const file = path.join(tmp, "a_file");
    await fs.writeFile(file, "not a folder\n");
    const cases: [string[], RegExp][] = [
      [["extract", video, "-o", path.join(file, "o.json")], /cannot write .*a_file is a file, not a folder/],
      [["demo", "-o", path.join(file, "ds")], /cannot write .*a_file is a file, not a folder/],
      [["demo", "-o", "/proc/egobridge-demo"], /cannot write \/proc\/egobridge-demo/],
    ];
    for (const [args, message] of cases) {
      const started = Date.now();
      const r = egobridge(args, tmp);
      expect(r.code, r.stderr).toBe(EXIT.input);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      // Refused before the work: no perception or simulation ran (each takes seconds).
      expect(r.stdout).toBe("");
      expect(Date.now() - started).toBeLessThan(60_000);
    }
    expect(await fs.readFile(file, "utf8")).toBe("not a folder\n");
  });
});

describe("assets", () => {
  it("are found in ../shared/assets beside the checkout with nothing set", async () => {
    const video = await asset(EGODEX_CUP);
    const r = egobridge(["extract", video, "--stride", "20", "-o", "track.json"], tmp, {
      EGOBRIDGE_ASSETS: undefined,
      EGOBRIDGE_CACHE: path.join(tmp, "no-cache"),
      EGOBRIDGE_OFFLINE: "1",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(await fs.readFile(path.join(tmp, "track.json"), "utf8")).format).toBe(
      "egobridge.handtrack",
    );
  });
});
