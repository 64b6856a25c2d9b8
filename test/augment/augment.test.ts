import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyVariation } from "../../src/augment/apply_scene.js";
import { augmentEpisode, runVariant, variantParams } from "../../src/augment/generate.js";
import { type Segments, segmentEpisode } from "../../src/augment/segments.js";
import { variantSteps } from "../../src/augment/transform.js";
import {
  IDENTITY_VARIATION,
  type VariationParams,
  VariationRangesSchema,
} from "../../src/augment/variation.js";
import { compose, distance, fromArray3, invert, type Pose, qangle, qfromXyzw } from "../../src/core/math.js";
import type { PoseJson } from "../../src/core/schemas/common.js";
import type { Episode } from "../../src/core/schemas/episode.js";
import { readEpisodeExtras } from "../../src/dataset/lerobot/index.js";
import { augmentEpisodes, replayStoredVariant } from "../../src/pipeline/augment.js";
import { loadEmbodiment } from "../../src/pipeline/catalog.js";
import { demoCase, runCase } from "../sim/fixtures.js";

/** Pose agreement after composing transforms (float error of a few compositions). */
const TOL = { posM: 1e-9, angleRad: 1e-7 };

const pose = (j: PoseJson): Pose => ({ p: fromArray3(j.pos), q: qfromXyzw(j.quatXyzw) });

let source: Episode;
let segments: Segments;
let tmp: string;
beforeAll(async () => {
  source = (await runCase(await demoCase(0))).episode;
  segments = segmentEpisode(source);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-augment-"));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("segmentEpisode", () => {
  it("finds approach, pick and place in order around the grasp", () => {
    const { approachStart, pickEnd, placeStart } = segments;
    expect(source.success).toBe(true);
    expect(0).toBeLessThan(approachStart);
    expect(approachStart).toBeLessThan(pickEnd);
    expect(pickEnd).toBeLessThanOrEqual(placeStart);
    expect(placeStart).toBeLessThan(source.steps.length);
    const firstGrasp = source.steps.findIndex((s) => s.action.grasp);
    expect(firstGrasp).toBeGreaterThanOrEqual(approachStart);
    expect(firstGrasp).toBeLessThan(pickEnd);
    // The jaws open (release) inside the place segment.
    const release = source.steps.findIndex((s, k) => k > firstGrasp && !s.action.grasp);
    expect(release).toBeGreaterThanOrEqual(placeStart);
  });
});

describe("variantSteps (MimicGen object-centric transform)", () => {
  const shifted: VariationParams = { ...IDENTITY_VARIATION("robotiq_2f85"), shift: [0.1, 0.03], yawRad: 0.3 };

  it("keeps the pick segment fixed relative to the moved object: X_Onew⁻¹ ∘ X_cmd' = X_Osrc⁻¹ ∘ X_cmd", async () => {
    const applied = applyVariation(source.scene, shifted);
    const e = await loadEmbodiment("robotiq_2f85");
    const steps = variantSteps(source, segments, applied.T_obj, applied.T_place, shifted, e);
    const id = source.scene.task.targetId;
    const X_src = pose((source.scene.items.find((i) => i.id === id) as { pose: PoseJson }).pose);
    const newItem = applied.scene.items.find((i) => i.id === id) as { pose: PoseJson };
    const X_new = pose(newItem.pose);
    expect(distance(X_new.p, X_src.p)).toBeGreaterThan(0.05);
    // Pick steps sit after the re-planned lead-in; find them through their human samples.
    const firstPick = steps.findIndex((s) => s.human.t === source.steps[segments.approachStart]!.human.t);
    for (let j = 0; j < segments.pickEnd - segments.approachStart; j++) {
      const a = compose(invert(X_new), pose(steps[firstPick + j]!.tcp));
      const b = compose(invert(X_src), pose(source.steps[segments.approachStart + j]!.action.tcp));
      expect(distance(a.p, b.p)).toBeLessThan(TOL.posM);
      expect(qangle(a.q, b.q)).toBeLessThan(TOL.angleRad);
    }
  });

  it("keeps the place segment where it was when the receiver (tote) did not move", async () => {
    const applied = applyVariation(source.scene, shifted);
    const e = await loadEmbodiment("robotiq_2f85");
    const steps = variantSteps(source, segments, applied.T_obj, applied.T_place, shifted, e);
    const n = source.steps.length;
    const tail = steps.slice(steps.length - (n - segments.placeStart));
    tail.forEach((s, j) => {
      const src = source.steps[segments.placeStart + j]!;
      expect(distance(pose(s.tcp).p, pose(src.action.tcp).p)).toBeLessThan(TOL.posM);
      expect(s.human.frameIndex).toBe(src.human.frameIndex);
    });
  });

  it("mirrors the trajectory and the human hand across x = 0", async () => {
    const mirrored: VariationParams = { ...IDENTITY_VARIATION("robotiq_2f85"), mirror: true };
    const plain = IDENTITY_VARIATION("robotiq_2f85");
    const e = await loadEmbodiment("robotiq_2f85");
    const applied = applyVariation(source.scene, plain);
    const a = variantSteps(source, segments, applied.T_obj, applied.T_place, plain, e);
    const b = variantSteps(source, segments, applied.T_obj, applied.T_place, mirrored, e);
    expect(b).toHaveLength(a.length);
    a.forEach((s, k) => {
      expect(b[k]!.tcp.pos[0]).toBeCloseTo(-s.tcp.pos[0], 12);
      expect(b[k]!.tcp.pos[1]).toBeCloseTo(s.tcp.pos[1], 12);
      expect(b[k]!.human.keypointsWorld[8]![0]).toBeCloseTo(-s.human.keypointsWorld[8]![0], 12);
    });
  });
});

describe("the trial loop", () => {
  it("multiplies the demonstration into validated, different variants with their lineage", async () => {
    const { variants, stats } = await augmentEpisode(source, { variants: 4, seed: 5, loadEmbodiment });
    expect(stats.successes).toBe(4);
    expect(stats.attempts).toBeGreaterThanOrEqual(4);
    expect(variants.every((v) => v.success)).toBe(true);
    const id = source.scene.task.targetId;
    const starts = variants.map((v) => v.steps[0]!.objects[id]!.pos);
    // The variants really differ: object start positions spread by centimetres.
    const spread = Math.max(...starts.map((p) => p[0])) - Math.min(...starts.map((p) => p[0]));
    expect(spread).toBeGreaterThan(0.02);
    for (const v of variants) {
      expect(v.lineage.sourceEpisode).toBe(source.id);
      expect(v.lineage.variant).toBeGreaterThanOrEqual(0);
      expect(v.lineage.seed).toBe(5);
    }
  });

  it("rejects a variant that must fail, with the right reason: a near-frictionless object slips out", async () => {
    const slippery: VariationParams = { ...IDENTITY_VARIATION("robotiq_2f85"), friction: 0.001 };
    const e = await runVariant(source, 0, slippery, segments, { seed: 0, loadEmbodiment });
    expect(e.success).toBe(false);
    // Held (close commanded, both pads on it) but it stays behind when the gripper rises.
    expect(e.reasons).toContain("not_carried");
  });

  it("rejects a variant whose object is 40 times heavier: the grip force cannot lift it", async () => {
    const heavy: VariationParams = { ...IDENTITY_VARIATION("robotiq_2f85"), massScale: 40 };
    const e = await runVariant(source, 0, heavy, segments, { seed: 0, loadEmbodiment });
    expect(e.success).toBe(false);
    expect(e.reasons).toContain("not_carried");
  });

  it("draws the same parameters for the same (seed, source, index), whatever the order", () => {
    const ranges = VariationRangesSchema.parse({});
    const a = variantParams(source, 3, 9, ranges);
    variantParams(source, 1, 9, ranges);
    expect(variantParams(source, 3, 9, ranges)).toEqual(a);
    expect(variantParams(source, 4, 9, ranges)).not.toEqual(a);
  });
});

describe("augmented dataset and replay from lineage", () => {
  it("writes sources and variants, and a stored variant replays byte for byte", async () => {
    const dir = path.join(tmp, "aug");
    const summary = await augmentEpisodes([source], dir, { variants: 3, seed: 2 });
    expect(summary.dataset.episodes).toBe(1 + summary.validated);
    const stats = JSON.parse(await fs.readFile(summary.statsFile, "utf8"));
    expect(stats.sources[0].successes).toBe(summary.validated);
    const stored = await readEpisodeExtras(dir);
    const variants = stored.filter((e) => e.lineage.variant !== undefined);
    expect(variants.length).toBe(summary.validated);
    for (const v of variants.slice(0, 2)) {
      const r = await replayStoredVariant(dir, v.id);
      expect(r.identical).toBe(true);
    }
  });
});

/** Every file under dir, by relative path. */
async function filesOf(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) await walk(f);
      else out.set(path.relative(dir, f), await fs.readFile(f));
    }
  };
  await walk(dir);
  return out;
}

/** The same files with the same bytes (the statistics file aside: it holds wall-clock times). */
async function expectSameDataset(a: string, b: string): Promise<void> {
  const [x, y] = [await filesOf(a), await filesOf(b)];
  expect([...y.keys()].sort()).toEqual([...x.keys()].sort());
  for (const [name, bytes] of x) {
    if (name.endsWith("augment_stats.json")) continue;
    expect(y.get(name)!.equals(bytes), name).toBe(true);
  }
}

describe("attempts on worker threads", () => {
  it("write the same dataset, byte for byte, as attempts in this thread, and the same statistics", async () => {
    // Enough attempts that failures interleave with successes and the stop falls mid-flight.
    const o = { variants: 6, seed: 3 };
    const here = await augmentEpisodes([source], path.join(tmp, "w0"), { ...o, workers: 0 });
    const pooled = await augmentEpisodes([source], path.join(tmp, "w2"), { ...o, workers: 2 });
    expect(here.stats[0]!.attempts).toBeGreaterThan(here.stats[0]!.successes);
    await expectSameDataset(path.join(tmp, "w0"), path.join(tmp, "w2"));
    const { wallS: _w0, ...s0 } = here.stats[0]!;
    const { wallS: _w2, ...s2 } = pooled.stats[0]!;
    expect(s2).toEqual(s0);
  });

  it("do the same for a random selection over several sources", async () => {
    const other = { ...(await runCase(await demoCase(1), 1)).episode, id: "second-source" };
    const o = { variants: 5, seed: 4, selection: "random" as const };
    const here = await augmentEpisodes([source, other], path.join(tmp, "r0"), { ...o, workers: 0 });
    const pooled = await augmentEpisodes([source, other], path.join(tmp, "r2"), { ...o, workers: 2 });
    expect(here.validated).toBe(5);
    // Both sources drew trials, and the dataset lists each source followed by its own variants.
    expect(here.stats.map((s) => s.attempts).every((n) => n > 0)).toBe(true);
    const stored = await readEpisodeExtras(path.join(tmp, "r2"));
    const ids = [source.id, other.id];
    const listed = stored.map((e) =>
      e.lineage.variant === undefined ? `source ${e.id}` : e.lineage.sourceEpisode,
    );
    const variantsOf = (id: string) =>
      stored.filter((e) => e.lineage.sourceEpisode === id && e.lineage.variant !== undefined);
    expect(listed).toEqual(ids.flatMap((id) => [`source ${id}`, ...variantsOf(id).map(() => id)]));
    await expectSameDataset(path.join(tmp, "r0"), path.join(tmp, "r2"));
    expect(pooled.stats.map(({ wallS: _, ...s }) => s)).toEqual(here.stats.map(({ wallS: _, ...s }) => s));
  });
});

describe("hand-made segment annotations", () => {
  it("are used instead of the automatic segmentation, and nonsense is rejected naming the episode", async () => {
    const manual = { ...segments, approachStart: segments.approachStart + 5 };
    const dir = path.join(tmp, "annotated");
    const r = await augmentEpisodes([source], dir, {
      variants: 1,
      seed: 1,
      segments: { [source.id]: manual },
    });
    const stored = (await readEpisodeExtras(dir)).find((e) => e.lineage.variant !== undefined)!;
    expect((stored.lineage.params as { segments: unknown }).segments).toEqual(manual);
    expect(r.validated).toBe(1);
    const bad = { approachStart: 50, pickEnd: 10, placeStart: 60 };
    await expect(
      augmentEpisodes([source], path.join(tmp, "bad"), {
        variants: 1,
        seed: 1,
        segments: { [source.id]: bad },
      }),
    ).rejects.toThrow(new RegExp(source.id));
  });
});

describe("random source selection per trial", () => {
  it("draws each trial's source from the pool, stops at N validated in total, and variants replay", async () => {
    const other = { ...(await runCase(await demoCase(1), 1)).episode, id: "second-source" };
    const dir = path.join(tmp, "pool");
    const r = await augmentEpisodes([source, other], dir, { variants: 6, seed: 3, selection: "random" });
    expect(r.validated).toBe(6);
    const stored = await readEpisodeExtras(dir);
    const variants = stored.filter((e) => e.lineage.variant !== undefined);
    expect(variants).toHaveLength(6);
    const from = new Set(variants.map((v) => v.lineage.sourceEpisode));
    // With 6 fair draws between two sources, both are picked unless the seed is unlucky (p = 1/32).
    expect(from).toEqual(new Set([source.id, "second-source"]));
    expect(new Set(variants.map((v) => v.id)).size).toBe(6);
    expect((await replayStoredVariant(dir, variants[variants.length - 1]!.id)).identical).toBe(true);
  });
});
