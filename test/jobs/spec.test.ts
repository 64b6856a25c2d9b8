import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import { expandGlob, segmentRegExp } from "../../src/pipeline/jobs/glob.js";
import { enumerateSources } from "../../src/pipeline/jobs/sources.js";
import { loadJobSpec, maxAttemptsOf, parseJobSpec } from "../../src/pipeline/jobs/spec.js";
import { createPlanContext, planSource } from "../../src/pipeline/jobs/units.js";
import { ROOT } from "./fixtures.js";

const JOBS_DIR = path.join(ROOT, "jobs");
const parse = (text: string, env: Record<string, string> = {}) => parseJobSpec(text, "job.yaml", env);
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error("expected an InputError");
};

const MINIMAL = "version: 1\ninputs:\n  - kind: demo\noutput:\n  dir: out\n";

describe("job spec", () => {
  it("fills defaults", () => {
    const { spec, name } = parse(MINIMAL);
    expect(name).toBe("job");
    expect(spec.embodiments).toEqual(["robotiq_2f85_mjcf"]);
    expect(spec.inputs[0]).toEqual({ kind: "demo", seeds: [0] });
    expect(spec.retarget.controlHz).toBe(30);
    expect(spec.augment.ranges.mirrorP).toBeGreaterThan(0);
    expect(spec.resources).toMatchObject({
      workers: "auto",
      renderers: "auto",
      device: "cpu",
      shardBy: "source",
    });
    expect(maxAttemptsOf(spec)).toBe(0);
    expect(maxAttemptsOf(parse(`${MINIMAL}augment:\n  variants: 5\n`).spec)).toBe(20);
    expect(spec.output.robomimicActions).toBe("absolute");
    expect(parse(`${MINIMAL}  robomimicActions: delta\n`).spec.output.robomimicActions).toBe("delta");
    expect(errorOf(() => parse(`${MINIMAL}  robomimicActions: relative\n`))).toMatch(
      /output\.robomimicActions \(line 6\)/,
    );
  });

  it("names the field and its line: unknown fields, wrong types, bad nested settings", () => {
    const text = [
      "version: 1",
      "inputs:",
      "  - kind: demo",
      "  - kind: grab",
      "    files: a.json",
      "    strde: 2",
      "augment:",
      "  variants: many",
      "retarget:",
      "  closeBelowM: -1",
      "output:",
      "  dir: out",
    ].join("\n");
    const msg = errorOf(() => parse(text));
    expect(msg).toContain("inputs.1 (line 4): unknown field 'strde'");
    expect(msg).toMatch(/augment\.variants \(line 8\): .*number/);
    expect(msg).toMatch(/retarget\.closeBelowM \(line 10\): must be > 0/);
  });

  it("rejects an unknown input kind, a missing output, bad YAML and an empty file", () => {
    expect(errorOf(() => parse("version: 1\ninputs:\n  - kind: lidar\noutput: {dir: o}\n"))).toMatch(
      /inputs\.0\.kind/,
    );
    expect(errorOf(() => parse("version: 1\ninputs:\n  - kind: demo\n"))).toMatch(/output/);
    expect(errorOf(() => parse("version: 1\ninputs: [\n"))).toMatch(/not valid YAML/);
    expect(errorOf(() => parse(""))).toMatch(/empty/);
    expect(errorOf(() => parse(MINIMAL.replace("version: 1", "version: 2")))).toMatch(/version/);
  });

  it("replaces $-{VAR} and $-{VAR:-default} from the environment; a missing one names its field", () => {
    const dollar = "$";
    const text = MINIMAL.replace("dir: out", `dir: ${dollar}{BASE}/x/${dollar}{SUB:-sub}`);
    expect(parse(text, { BASE: "/scratch" }).spec.output.dir).toBe("/scratch/x/sub");
    expect(errorOf(() => parse(text))).toMatch(/output\.dir: environment variable BASE is not set/);
  });

  it("gives the same hash for the same content", () => {
    expect(parse(MINIMAL).specHash).toBe(parse(`# a comment\n${MINIMAL}`).specHash);
    expect(parse(MINIMAL).specHash).not.toBe(parse(MINIMAL.replace("dir: out", "dir: out2")).specHash);
  });
});

describe("shipped job specs", async () => {
  const files = (await fs.readdir(JOBS_DIR)).filter((f) => /\.ya?ml$/.test(f));
  it("there are some", () => expect(files.length).toBeGreaterThan(0));
  it.each(files)("%s loads and plans its sources", async (f) => {
    const job = await loadJobSpec(path.join(JOBS_DIR, f));
    const sources = await enumerateSources(job);
    expect(sources.length).toBeGreaterThan(0);
    const ctx = await createPlanContext(job, "cpu");
    const demo = sources.find((s) => s.kind === "demo");
    if (demo) {
      const plan = await planSource(demo, ctx);
      expect(plan.roots).toHaveLength(job.spec.embodiments.length);
    }
  });
});

describe("embodiments of one job", () => {
  it("must record one robot-state layout: an arm and a free gripper are refused before any work", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-layout-"));
    try {
      const file = path.join(dir, "mixed.yaml");
      await fs.writeFile(file, `${MINIMAL}embodiments: [robotiq_2f85_mjcf, franka_panda]\n`);
      const err = await createPlanContext(await loadJobSpec(file), "cpu").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toContain("'robotiq_2f85_mjcf' (a free gripper)");
      expect((err as InputError).message).toContain("'franka_panda' (arm joints [joint1,");
      expect((err as InputError).hint).toContain("separate jobs");
      // Two arms with the same joints are one layout.
      await fs.writeFile(file, `${MINIMAL}embodiments: [franka_panda, panda_robotiq_2f85]\n`);
      const ctx = await createPlanContext(await loadJobSpec(file), "cpu");
      expect(ctx.embodiments.map((e) => e.name)).toEqual(["franka_panda", "panda_robotiq_2f85"]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe("unit ids", () => {
  it("are the same for the same inputs and settings, and change with them", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-units-"));
    try {
      await fs.writeFile(path.join(dir, "a.yaml"), MINIMAL);
      const plan = async (text: string) => {
        await fs.writeFile(path.join(dir, "a.yaml"), text);
        const job = await loadJobSpec(path.join(dir, "a.yaml"));
        const ctx = await createPlanContext(job, "cpu");
        return planSource((await enumerateSources(job))[0]!, ctx);
      };
      const a = await plan(MINIMAL);
      expect(a.hands!.id).toMatch(/^hands-[0-9a-f]{12}-[0-9a-f]{8}$/);
      expect(a.roots[0]!.id).toMatch(/^sim-[0-9a-f]{12}-[0-9a-f]{8}$/);
      expect((await plan(MINIMAL)).roots[0]!.id).toBe(a.roots[0]!.id);
      // Output folder and resources do not change what a unit computes.
      expect((await plan(MINIMAL.replace("dir: out", "dir: elsewhere"))).roots[0]!.id).toBe(a.roots[0]!.id);
      // The seed and retargeting settings do.
      expect((await plan(`${MINIMAL}seed: 1\n`)).roots[0]!.id).not.toBe(a.roots[0]!.id);
      const r = await plan(`${MINIMAL}retarget:\n  leadInM: 0.1\n`);
      expect(r.hands!.id).toBe(a.hands!.id);
      expect(r.roots[0]!.id).not.toBe(a.roots[0]!.id);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe("globs", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-glob-"));
    for (const f of [
      "a.json",
      "b.json",
      "c.txt",
      ".hidden.json",
      "sub/d.json",
      "sub/deep/e.json",
      "sub/deep/f.mp4",
    ]) {
      await fs.mkdir(path.dirname(path.join(dir, f)), { recursive: true });
      await fs.writeFile(path.join(dir, f), "{}");
    }
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  const rel = async (p: string) => (await expandGlob(p, dir)).map((f) => path.relative(dir, f));

  it("match files in sorted order, without leading-dot names", async () => {
    expect(await rel("*.json")).toEqual(["a.json", "b.json"]);
    expect(await rel("**/*.json")).toEqual(["a.json", "b.json", "sub/d.json", "sub/deep/e.json"]);
    expect(await rel("{a,c}.*")).toEqual(["a.json", "c.txt"]);
    expect(await rel("sub/**/?.mp4")).toEqual(["sub/deep/f.mp4"]);
    expect(await rel("[ab].json")).toEqual(["a.json", "b.json"]);
    expect(await rel("a.json")).toEqual(["a.json"]);
    expect(await rel("nope/*.json")).toEqual([]);
    expect(await rel(path.join(dir, "sub", "*.json"))).toEqual(["sub/d.json"]);
  });

  it("escape regular-expression characters", () => {
    expect(segmentRegExp("a+b(1).json").test("a+b(1).json")).toBe(true);
    expect(segmentRegExp("a.json").test("abjson")).toBe(false);
  });

  it("that match nothing are an error naming the input", async () => {
    await fs.writeFile(
      path.join(dir, "job.yaml"),
      "version: 1\ninputs:\n  - kind: grab\n    files: [a.json, '*.nope']\noutput: {dir: o}\n",
    );
    const job = await loadJobSpec(path.join(dir, "job.yaml"));
    await expect(enumerateSources(job)).rejects.toThrow(/inputs\.0\.files\.1: '\*\.nope' matched no file/);
  });

  it("label sources without absolute paths", async () => {
    await fs.writeFile(
      path.join(dir, "job.yaml"),
      "version: 1\ninputs:\n  - kind: track\n    files: sub/**/*.json\noutput: {dir: o}\n",
    );
    const sources = await enumerateSources(await loadJobSpec(path.join(dir, "job.yaml")));
    expect(sources.map((s) => s.label)).toEqual(["sub/d.json", "sub/deep/e.json"]);
  });
});
