/**
 * The command line's first-hour contract: one exit-code table (in `--help` and the README) that
 * the commands follow, one clear line for an output that cannot be written (before any work),
 * `--version`, and assets found beside the checkout without any set-up.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/core/errors.js";
import { egobridge, ROOT } from "../jobs/fixtures.js";
import { asset, EGODEX_CUP } from "../perception/assets.js";

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
    const help = await egobridge(["--help"], tmp);
    expect(help.code).toBe(0);
    const codes = Object.values(EXIT).sort((a, b) => a - b);
    expect(tableCodes(help.stdout)).toEqual(codes);
    const readme = await fs.readFile(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Exit codes"));
    expect(tableCodes(section.slice(0, section.indexOf("\n## ", 3)))).toEqual(codes);
  });

  it("usage errors exit with 2 like any other bad input, whether commander or egobridge finds them", async () => {
    for (const args of [
      ["nonsense"],
      ["retarget"],
      ["demo", "--variants", "-2"],
      ["demo", "--seed", "x"],
      ["demo", "--cameras", "eye"],
      ["demo", "--image-size", "223x224"],
      ["demo", "--video-codec", "vp9"],
    ]) {
      const r = await egobridge(args, tmp);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(EXIT.input);
      expect(r.stderr).toMatch(/^egobridge: error/m);
    }
  });

  it("--version prints package.json's version", async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = await egobridge(["--version"], tmp);
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
      const r = await egobridge(args, tmp);
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
    const r = await egobridge(["extract", video, "--stride", "20", "-o", "track.json"], tmp, {
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

describe("no silent defaults, no wrong hints", () => {
  it("simulate asks for a scene; a zero-size box is refused naming the field", async () => {
    const traj = path.join(tmp, "traj.json");
    const demo = await egobridge(["demo", "--variants", "1", "-o", "ds"], tmp);
    expect(demo.code, demo.stderr).toBe(0);
    const episodes = path.join(tmp, "ds", "extras", "episodes");
    const source = JSON.parse(await fs.readFile(path.join(episodes, "episode_000000.json"), "utf8"));
    await fs.writeFile(
      traj,
      JSON.stringify({
        format: "egobridge.trajectory",
        version: 1,
        embodiment: source.embodiment.name,
        controlHz: source.controlHz,
        frame: "W",
        source: { kind: "procedural", side: "right", synthetic: true },
        method: "copy",
        params: {},
        steps: source.steps.map(
          (s: { t: number; action: { tcp: unknown; apertureM: number; grasp: boolean } }) => ({
            t: s.t,
            tcp: s.action.tcp,
            apertureM: s.action.apertureM,
            grasp: s.action.grasp,
            confidence: 1,
            human: { frameIndex: 0, t: s.t, keypointsWorld: Array.from({ length: 21 }, () => [0, 0, 1]) },
          }),
        ),
      }),
    );
    const none = await egobridge(["simulate", traj, "-o", "e.json"], tmp);
    expect(none.code).toBe(EXIT.input);
    expect(none.stderr).toMatch(/simulate needs a scene: give one of --scene, --track or --anchor/);
    const scene = {
      ...source.scene,
      items: source.scene.items.map((i: { id: string }) =>
        i.id === "tote" ? { ...i, sizeM: [0, 0, 0] } : i,
      ),
    };
    await fs.writeFile(path.join(tmp, "zero.json"), JSON.stringify(scene));
    const zero = await egobridge(
      ["simulate", traj, "--scene", path.join(tmp, "zero.json"), "-o", "e.json"],
      tmp,
    );
    expect(zero.code).toBe(EXIT.input);
    expect(zero.stderr).toMatch(/items\.\d+\.sizeM\.0: must be > 0/);
  });

  it("augment: --variants 0 is refused; --replay lists the variant ids; dropped input variants are said", async () => {
    const ds = path.join(tmp, "ds"); // written by the test above
    const zero = await egobridge(["augment", ds, "--variants", "0", "-o", "none"], tmp);
    expect(zero.code).toBe(EXIT.input);
    expect(zero.stderr).toMatch(/--variants must be at least 1/);
    const ids = (await fs.readdir(path.join(ds, "extras", "episodes"))).length;
    expect(ids).toBe(2);
    const variant = JSON.parse(
      await fs.readFile(path.join(ds, "extras", "episodes", "episode_000001.json"), "utf8"),
    );
    const unknown = await egobridge(["augment", ds, "--replay", "nope"], tmp);
    expect(unknown.code).toBe(EXIT.input);
    expect(unknown.stderr).toContain(`hint: its variants: ${variant.id}`);
    const again = await egobridge(["augment", ds, "--variants", "1", "-o", "again"], tmp);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/note: the input's 1 variants are not copied/);
  });

  it("demo refuses a folder that is not a dataset before any work", async () => {
    const busy = path.join(tmp, "busy");
    await fs.mkdir(busy);
    await fs.writeFile(path.join(busy, "notes.txt"), "mine\n");
    const r = await egobridge(["demo", "-o", busy], tmp);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/refusing to replace .*busy: it is not empty/);
    expect(r.stdout).toBe("");
    expect(await fs.readdir(busy)).toEqual(["notes.txt"]);
  });

  it("hints name options that exist on the command they point to", async () => {
    const track = path.join(tmp, "one_hand.json");
    await fs.writeFile(
      track,
      JSON.stringify({
        format: "egobridge.handtrack",
        version: 1,
        source: { kind: "procedural", synthetic: true },
        fps: 10,
        frames: [0, 1, 2].map((i) => ({
          t: i / 10,
          hands: [
            {
              side: "right",
              score: 1,
              keypointsWorld: Array.from({ length: 21 }, (_, k) => [0.01 * k, 0, 1]),
            },
          ],
        })),
        objects: [],
      }),
    );
    const r = await egobridge(["retarget", track, "--side", "left", "-o", "t.json"], tmp);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toMatch(/no left hand/);
    expect(r.stderr).toContain("retarget --side");
    expect(r.stderr).not.toMatch(/score threshold/);
    const help = (await egobridge(["retarget", "--help"], tmp)).stdout;
    expect(help).toContain("--side");
  });
});
