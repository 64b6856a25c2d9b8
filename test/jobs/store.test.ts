import { spawn } from "node:child_process";
import { promises as fs, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256Text } from "../../src/pipeline/jobs/hashing.js";
import {
  acquireLock,
  LOCK_FILE,
  LOCK_STALE_S,
  MergedUnits,
  PartUnits,
  readUnitHeader,
  readUnitPayload,
  removeTemporaries,
  type UnitHeader,
  writeUnitFile,
} from "../../src/pipeline/jobs/store.js";

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-store-"));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const header = (id: string, fields: Partial<UnitHeader> = {}): UnitHeader => ({
  format: "egobridge.unit",
  version: 1,
  id,
  stage: "sim",
  status: "ok",
  source: "s",
  ordinal: 0,
  outcome: { success: true, reasons: ["lifted"] },
  wallS: 0.5,
  finishedAt: "2026-01-01T00:00:00.000Z",
  ...fields,
});

describe("unit records", () => {
  it("hold a header line that is read without the payload, and the payload with its hash", async () => {
    const store = new PartUnits(path.join(dir, "units"));
    const id = "sim-0123456789ab-01234567";
    const payload = JSON.stringify({ big: "x".repeat(100_000) });
    const written = await writeUnitFile(store.fileFor(id), header(id), payload);
    expect(written.payloadSha256).toBe(sha256Text(payload));
    expect(store.fileFor(id)).toBe(path.join(dir, "units", "sim", `${id}.jsonl`));
    expect(await store.has(id)).toBe(true);
    expect(await store.has("sim-0123456789ab-00000000")).toBe(false);
    expect(await store.header(id)).toEqual(written);
    expect(await store.count()).toBe(1);
    expect(await readUnitPayload(store.fileFor(id))).toEqual(JSON.parse(payload));
    const failed = "augment-0123456789ab-01234567-v3";
    await writeUnitFile(
      store.fileFor(failed),
      header(failed, { stage: "augment", status: "failed", error: { code: "input_error", message: "bad" } }),
    );
    expect((await readUnitHeader(store.fileFor(failed))).error?.code).toBe("input_error");
    await expect(readUnitPayload(store.fileFor(failed))).rejects.toThrow(/no payload/);
  });

  it("of several parts are found by id, with the ids recorded more than once", async () => {
    const a = new PartUnits(path.join(dir, "a", "units"));
    const b = new PartUnits(path.join(dir, "b", "units"));
    await writeUnitFile(a.fileFor("sim-aaaaaaaaaaaa-00000000"), header("sim-aaaaaaaaaaaa-00000000"), "1");
    await writeUnitFile(b.fileFor("sim-aaaaaaaaaaaa-00000000"), header("sim-aaaaaaaaaaaa-00000000"), "1");
    await writeUnitFile(b.fileFor("sim-bbbbbbbbbbbb-00000000"), header("sim-bbbbbbbbbbbb-00000000"), "2");
    const merged = await MergedUnits.open([a.root, b.root]);
    expect(await merged.payload("sim-bbbbbbbbbbbb-00000000")).toBe(2);
    expect(await merged.has("sim-cccccccccccc-00000000")).toBe(false);
    expect([...merged.duplicates.keys()]).toEqual(["sim-aaaaaaaaaaaa-00000000"]);
  });

  it("what a killed run left half-written is removed; records are kept", async () => {
    await fs.mkdir(path.join(dir, "units", "augment"), { recursive: true });
    await fs.writeFile(path.join(dir, "units", "augment", "augment-a-b-v1.jsonl.tmp-123-deadbeef"), "{");
    await fs.writeFile(path.join(dir, "units", "augment", "augment-a-b-v0.jsonl"), "{}\n");
    await fs.mkdir(path.join(dir, "dataset.tmp-99-0a1b2c3d", "meta"), { recursive: true });
    await fs.writeFile(path.join(dir, "report.json.tmp-7-00000000"), "");
    expect(await removeTemporaries(dir)).toBe(3);
    expect((await fs.readdir(dir, { recursive: true })).sort()).toEqual([
      "units",
      "units/augment",
      "units/augment/augment-a-b-v0.jsonl",
    ]);
  });
});

describe("run lock", () => {
  it("is exclusive on a host while its process lives", async () => {
    const lock = await acquireLock(dir);
    await expect(acquireLock(dir)).rejects.toThrow(/another run \(pid \d+ on .*\) is using/);
    await lock.release();
    const again = await acquireLock(dir);
    await again.release();
    await expect(fs.access(path.join(dir, LOCK_FILE))).rejects.toThrow();
  });

  it("is taken over from a process that has exited but is not reaped yet (a zombie), or whose pid was reused", async () => {
    const file = path.join(dir, LOCK_FILE);
    // `sleep 0.1 &` becomes a child of `sleep 5`, which never reaps it: a zombie for 5 s.
    const sh = spawn("sh", ["-c", "sleep 0.1 & echo $!; exec sleep 5"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    const zombie = Number((await new Promise<Buffer>((r) => sh.stdout.once("data", r))).toString().trim());
    await new Promise((r) => setTimeout(r, 500));
    expect(readFileSync(`/proc/${zombie}/stat`, "utf8")).toMatch(/\) Z /);
    expect(() => process.kill(zombie, 0)).not.toThrow(); // the pid still answers
    await fs.writeFile(file, JSON.stringify({ pid: zombie, host: os.hostname(), startedAt: "x" }));
    (await acquireLock(dir)).releaseSync();
    sh.kill();
    // A live pid (this process) whose start time is not the one the lock recorded: a reused pid.
    await fs.writeFile(
      file,
      JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: "x", procStart: "1" }),
    );
    const lock = await acquireLock(dir);
    expect(JSON.parse(await fs.readFile(file, "utf8")).procStart).toMatch(/^\d+$/);
    // Its own lock, start time and all, is honoured.
    await expect(acquireLock(dir)).rejects.toThrow(/another run/);
    await lock.release();
  });

  it("is taken over from a process that is gone (kill -9), or from another host once stale", async () => {
    const file = path.join(dir, LOCK_FILE);
    await fs.writeFile(file, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), startedAt: "x" }));
    (await acquireLock(dir)).releaseSync();
    await fs.writeFile(file, JSON.stringify({ pid: 1, host: "some-other-node", startedAt: "x" }));
    const old = new Date(Date.now() - (LOCK_STALE_S + 5) * 1000);
    await fs.utimes(file, old, old);
    const lock = await acquireLock(dir);
    expect(JSON.parse(await fs.readFile(file, "utf8")).pid).toBe(process.pid);
    await lock.release();
  });
});
