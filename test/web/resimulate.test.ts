/**
 * The preview's re-simulation logic (src/web/resim/resimulate.ts), run in Node: replaying a stored
 * episode gives it back bit for bit (same engine), and a changed parameter changes the outcome.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Embodiment } from "../../src/core/schemas/embodiment.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import { readEpisodeExtras } from "../../src/dataset/lerobot/index.js";
import { embodimentNames, loadEmbodiment } from "../../src/pipeline/catalog.js";
import { runDemo } from "../../src/pipeline/demo.js";
import { type ArmModelJson, armModelFromJson, armModelOf, armModelToJson } from "../../src/sim/arm.js";
import {
  compareEpisodes,
  maxAbsDiff,
  PREVIEW_SUFFIX,
  resimMethod,
  resimulate,
} from "../../src/web/resim/resimulate.js";

let tmp: string;
let episodes: Episode[];
let embodiments: Record<string, Embodiment>;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-resim-"));
  await runDemo({ outDir: tmp, variants: 2 });
  episodes = await readEpisodeExtras(tmp);
  embodiments = Object.fromEntries(
    await Promise.all(embodimentNames().map(async (n) => [n, await loadEmbodiment(n)] as const)),
  );
});
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe("resimulate", () => {
  it("replays the procedural source and its variants bit for bit", async () => {
    expect(episodes.map(resimMethod)).toEqual(["procedural", "variant_lineage", "variant_lineage"]);
    for (const e of episodes) {
      const source = episodes.find((s) => s.id === e.lineage.sourceEpisode);
      const r = await resimulate({ episode: e, source, embodiments });
      expect(r.exactReplay).toBe(true);
      expect(r.episode.id).toBe(e.id);
      const c = compareEpisodes(r.episode, e);
      expect(c).toMatchObject({ identical: true, physicsIdentical: true, maxAbsDiff: 0, first: null });
      expect(r.episode.success).toBe(e.success);
    }
  });

  it("a nearly frictionless target slips: the verdict changes, the id says it is not stored", async () => {
    const [source, variant] = episodes as [Episode, Episode];
    const r = await resimulate({ episode: variant, source, embodiments, overrides: { friction: 0.02 } });
    expect(r.exactReplay).toBe(false);
    expect(r.episode.id).toBe(`${variant.id}${PREVIEW_SUFFIX}`);
    expect(r.episode.success).toBe(false);
  });

  it("a variant cannot be regenerated without its source", async () => {
    await expect(resimulate({ episode: episodes[1]!, embodiments })).rejects.toThrow(
      /needs its source episode/,
    );
  });
});

describe("compareEpisodes", () => {
  it("an arm travels to the browser as JSON with every number intact", async () => {
    const panda = embodiments["franka_panda"]!;
    const model = (await armModelOf(panda))!;
    const back = armModelFromJson(JSON.parse(JSON.stringify(armModelToJson(model))) as ArmModelJson);
    expect(back).toEqual(model);
    const hulls = back.shapes.filter((s) => s.shape.kind === "hull");
    expect(hulls.length).toBeGreaterThan(0);
    expect(hulls.every((s) => s.shape.kind === "hull" && s.shape.points instanceof Float32Array)).toBe(true);
  });

  it("tells physics differences from last-bit differences elsewhere", () => {
    const e = episodes[0]!;
    const nudged = structuredClone(e);
    nudged.steps[3]!.human.keypointsWorld[0]![0] += 1e-16;
    const c = compareEpisodes(nudged, e);
    expect(c).toMatchObject({ identical: false, physicsIdentical: true, first: { step: 3, field: "human" } });
    expect(c.maxAbsDiff).toBeLessThan(1e-15);
    const moved = structuredClone(e);
    moved.steps[5]!.state.apertureM += 0.001;
    expect(compareEpisodes(moved, e)).toMatchObject({
      physicsIdentical: false,
      first: { step: 5, field: "state" },
    });
    // An arm's joints are solved in JS from the measured TCP: a last-bit difference there is not physics.
    const armed = structuredClone(e);
    for (const s of armed.steps) s.state.joints = { q: [0.5, -0.25], qd: [0, 0] };
    const solved = structuredClone(armed);
    solved.steps[2]!.state.joints!.q[0]! += 1e-16;
    expect(compareEpisodes(solved, armed)).toMatchObject({
      physicsIdentical: true,
      first: { step: 2, field: "state" },
    });
    solved.steps[4]!.state.tcp.pos[0]! += 1e-6;
    expect(compareEpisodes(solved, armed).physicsIdentical).toBe(false);
    const shorter = { ...e, steps: e.steps.slice(1) };
    expect(compareEpisodes(shorter, e).sameLength).toBe(false);
  });

  it("maxAbsDiff: shapes that differ are infinitely far apart", () => {
    expect(maxAbsDiff({ a: [1, 2] }, { a: [1, 2] })).toBe(0);
    expect(maxAbsDiff({ a: [1, 2] }, { a: [1, 2.5] })).toBe(0.5);
    expect(maxAbsDiff({ a: [1, 2] }, { a: [1] })).toBe(Number.POSITIVE_INFINITY);
    expect(maxAbsDiff({ a: 1 }, { b: 1 })).toBe(Number.POSITIVE_INFINITY);
    expect(maxAbsDiff("x", "y")).toBe(Number.POSITIVE_INFINITY);
  });
});
