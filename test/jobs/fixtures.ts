/**
 * Small jobs for the batch tests: the built-in demo and short GRAB sequences (every 2nd frame),
 * few variants, so a whole job runs in seconds on two cores.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { resolveAsset } from "../../src/core/assets.js";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const MAIN = path.join(ROOT, "src", "cli", "main.ts");
/** tsx's loader by absolute URL: `--import tsx` would resolve from the (temporary) working directory. */
export const TSX = pathToFileURL(path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

/**
 * The gripper the GRAB jobs run with: the 2F-140, the one gripper with which both GRAB sequences
 * the tests use validate: the 83 mm apple leaves no room in the 2F-85's 85 mm or the Franka
 * hand's 80 mm open jaws (a finger lands on it).
 */
export const GRAB_EMBODIMENT = "robotiq_2f140";

export const GRAB = {
  apple: "hands/grab/derived_json/apple_lift_frames200-300_hand_glob_poses.json",
  cylinderPass: "hands/grab/derived_json/cylindersmall_pass_1.json",
  wristCentred: "hands/grab/derived_json/apple_lift_frames200-300_human_hand_joints.json",
} as const;

/** Fails with resolveAsset's message (which file, where it looked) when an asset is missing. */
export async function requireAssets(names: readonly string[]): Promise<void> {
  for (const name of names) await resolveAsset({ name });
}

export interface JobOptions {
  name?: string;
  demo?: boolean;
  grab?: readonly string[];
  extraInputs?: string;
  variants?: number;
  maxAttempts?: number;
  out: string;
  shardBy?: "source" | "unit";
  workers?: number | "auto";
  /** resources.videosAtOnce */
  videosAtOnce?: number;
  keepFailed?: boolean;
  formats?: readonly ("lerobot" | "robomimic")[];
  embodiments?: readonly string[];
  /** output.cameras as a YAML flow mapping, e.g. "{ keys: [wrist], size: 64x48 }". */
  cameras?: string;
}

/** The YAML text of a small job. */
export function jobYaml(o: JobOptions): string {
  const inputs: string[] = [];
  if (o.demo !== false) inputs.push("  - kind: demo\n    seeds: [0]");
  if (o.grab && o.grab.length > 0) {
    inputs.push(
      `  - kind: grab\n    files:\n${o.grab.map((g) => `      - asset:${g}`).join("\n")}\n    stride: 2`,
    );
  }
  if (o.extraInputs) inputs.push(o.extraInputs);
  return [
    "version: 1",
    `name: ${o.name ?? "test"}`,
    "seed: 3",
    "inputs:",
    ...inputs,
    ...(o.embodiments ? [`embodiments: [${o.embodiments.join(", ")}]`] : []),
    "augment:",
    `  variants: ${o.variants ?? 2}`,
    `  maxAttempts: ${o.maxAttempts ?? 3}`,
    "output:",
    `  dir: ${o.out}`,
    ...(o.formats ? [`  formats: [${o.formats.join(", ")}]`] : []),
    `  keepFailed: ${o.keepFailed ?? false}`,
    ...(o.cameras ? [`  cameras: ${o.cameras}`] : []),
    "resources:",
    `  workers: ${o.workers ?? 2}`,
    `  shardBy: ${o.shardBy ?? "source"}`,
    ...(o.videosAtOnce ? [`  videosAtOnce: ${o.videosAtOnce}`] : []),
    "",
  ].join("\n");
}

export async function writeJob(dir: string, file: string, o: JobOptions): Promise<string> {
  const f = path.join(dir, file);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(f, jobYaml(o));
  return f;
}

const cliArgs = (args: string[]) => ["--import", TSX, MAIN, ...args];
/** The test's environment with `env` on top (undefined removes a variable). */
function cliEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: "" };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/**
 * Runs the CLI (from the sources) to the end. Never synchronously: a test worker blocked in
 * spawnSync for a long command cannot answer its runner, which gives up after 60 s and fails a
 * run whose tests all passed.
 */
export async function egobridge(
  args: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, cliArgs(args), {
    cwd,
    env: cliEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c) => resolve(c));
  });
  return { code, stdout, stderr };
}

/** Starts the CLI; `lines` collects its stderr lines (JSON log) as they come. */
export function startEgobridge(args: string[], cwd: string) {
  const child = spawn(process.execPath, cliArgs(args), {
    cwd,
    env: cliEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let buffered = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, lines, exited };
}

/** Every file under `dir` with the SHA-256 of its bytes, by relative path. */
export async function fileHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    out[path.relative(dir, file)] = createHash("sha256")
      .update(await fs.readFile(file))
      .digest("hex");
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
