import { describe, expect, it } from "vitest";
import { InputError } from "../../src/core/errors.js";
import { createJobLog, renderProgress } from "../../src/pipeline/jobs/progress.js";
import { ownsSource, ownsUnit, parseShard, partName, resolveShard } from "../../src/pipeline/jobs/shard.js";

describe("shards", () => {
  it("parse INDEX/COUNT, 0-based", () => {
    expect(parseShard("2/5")).toEqual({ index: 2, count: 5 });
    expect(partName(parseShard("0/3"))).toBe("shard-0-of-3");
    for (const bad of ["3/3", "1", "a/b", "-1/2", "0/0"])
      expect(() => parseShard(bad), bad).toThrow(InputError);
  });

  it("come from --shard, else Slurm job arrays, else Kubernetes indexed Jobs, else the whole job", () => {
    expect(resolveShard(undefined, {})).toMatchObject({ index: 0, count: 1 });
    const slurm = { SLURM_ARRAY_TASK_ID: "3", SLURM_ARRAY_TASK_COUNT: "4" };
    expect(resolveShard(undefined, slurm)).toMatchObject({ index: 3, count: 4 });
    // --array=1-4: ids start at SLURM_ARRAY_TASK_MIN.
    expect(resolveShard(undefined, { ...slurm, SLURM_ARRAY_TASK_MIN: "1" })).toMatchObject({
      index: 2,
      count: 4,
    });
    expect(resolveShard("1/2", slurm)).toMatchObject({ index: 1, count: 2, from: "--shard" });
    expect(resolveShard(undefined, { JOB_COMPLETION_INDEX: "7", JOB_COMPLETIONS: "8" })).toMatchObject({
      index: 7,
      count: 8,
    });
    expect(() => resolveShard(undefined, { JOB_COMPLETION_INDEX: "0" })).toThrow(/JOB_COMPLETIONS/);
    expect(() => resolveShard(undefined, { SLURM_ARRAY_TASK_ID: "0" })).toThrow(/SLURM_ARRAY_TASK_COUNT/);
    expect(() => resolveShard(undefined, { SLURM_ARRAY_TASK_ID: "4", SLURM_ARRAY_TASK_COUNT: "4" })).toThrow(
      /index must be an integer in \[0, 3\]/,
    );
  });

  it("give every source and every unit to exactly one shard, in equal shares", () => {
    const count = 3;
    const grid = { roots: 2, attempts: 5 };
    const load = [0, 0, 0];
    for (let ordinal = 0; ordinal < 7; ordinal++) {
      expect([0, 1, 2].filter((index) => ownsSource({ index, count }, ordinal))).toHaveLength(1);
      for (let r = 0; r < grid.roots; r++) {
        expect([0, 1, 2].filter((index) => ownsUnit({ index, count }, grid, ordinal, r))).toHaveLength(1);
        for (let i = 0; i < grid.attempts; i++) {
          const owners = [0, 1, 2].filter((index) => ownsUnit({ index, count }, grid, ordinal, r, i));
          expect(owners).toHaveLength(1);
          load[owners[0]!]!++;
        }
      }
    }
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(1);
  });
});

describe("progress display", () => {
  it("shows units done of total, failures, rate and ETA per stage", () => {
    const lines = renderProgress({
      title: "egobridge run demo",
      elapsedS: 75,
      stages: {
        sim: { done: 4, failed: 1, reused: 2, total: 4, ran: 2, spanS: 4 },
        augment: { done: 10, failed: 0, reused: 0, total: 30, ran: 10, spanS: 5 },
      },
    });
    expect(lines[0]).toBe("egobridge run demo  01:15");
    expect(lines[1]).toMatch(/sim +4\/4 +1 failed +0\.50\/s +done, 2 from earlier runs/);
    expect(lines[2]).toMatch(/augment +10\/30 +0 failed +2\.00\/s +ETA 00:10/);
  });

  it("on a terminal, says which format is being written and when it is done", () => {
    let text = "";
    const stream = {
      isTTY: true,
      write: (chunk: string) => {
        text += chunk;
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    const log = createJobLog("tty", stream);
    log.event({ event: "write", status: "start", format: "lerobot", path: "out/dataset", episodes: 12 });
    log.event({
      event: "write",
      status: "done",
      format: "lerobot",
      path: "out/dataset",
      frames: 3456,
      writeS: 1.25,
    });
    log.event({ event: "unit", status: "ok" });
    log.close();
    expect(text).toBe("writing lerobot: 12 episodes → out/dataset\nwrote lerobot: 3456 frames in 1.3 s\n");
  });
});
