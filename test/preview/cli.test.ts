/** `egobridge preview` as a user runs it: a child process that prints its URL and serves until stopped. */
import { type ChildProcess, spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const MAIN = path.join(ROOT, "src", "cli", "main.ts");
const TSX = pathToFileURL(path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

let tmp: string;
const children: ChildProcess[] = [];

/** Starts `egobridge preview ARGS` and resolves with its first stdout line, or with its exit when it fails. */
function preview(
  args: string[],
): Promise<{ line: string; code: number | null; stderr: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", TSX, MAIN, "preview", ...args], {
    cwd: tmp,
    env: { ...process.env, NODE_OPTIONS: "", EGOBRIDGE_WEB_DIR: path.join(tmp, "web") },
  });
  children.push(child);
  return new Promise((resolve) => {
    let out = "";
    let stderr = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve({ line: out.split("\n")[0]!, code: null, stderr, child });
    });
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code) => resolve({ line: out, code, stderr, child }));
  });
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-preview-cli-"));
  await fs.mkdir(path.join(tmp, "web"));
  await fs.writeFile(path.join(tmp, "web", "index.html"), "<!doctype html><title>preview</title>");
  await fs.mkdir(path.join(tmp, "data", "meta"), { recursive: true });
  await fs.writeFile(path.join(tmp, "data", "meta", "info.json"), "{}");
});
afterAll(async () => {
  for (const c of children) c.kill("SIGTERM");
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe("egobridge preview", () => {
  it("prints the URL on 127.0.0.1 and serves DIR read-only until stopped", async () => {
    const r = await preview([path.join(tmp, "data"), "--port", "0"]);
    expect(r.code).toBeNull();
    const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(r.line)?.[0];
    expect(url, r.line + r.stderr).toBeDefined();
    expect(r.line).toContain("read-only");
    const res = await fetch(`${url}data/meta/info.json`);
    expect(res.status).toBe(200);
    expect((await fetch(`${url}data/meta/info.json`, { method: "POST" })).status).toBe(405);
    const exited = new Promise((resolve) => r.child.on("exit", resolve));
    r.child.kill("SIGINT");
    await exited;
  });

  it("stops with a message for a DIR that is not a folder", async () => {
    const r = await preview([path.join(tmp, "nope"), "--port", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not a folder");
  });
});
