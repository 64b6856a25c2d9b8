/**
 * Readers for the files of deploy/ that the deploy tests check: the Kubernetes manifests, the
 * container's Dockerfile (by a small parser, Docker is not needed), the .dockerignore of the build
 * context and the `docker build` / `docker push` commands of deploy/container/README.md.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./fixtures.js";

export const DEPLOY = path.join(ROOT, "deploy");
export const CONTAINER = path.join(DEPLOY, "container");
export const read = (file: string) => fs.readFile(file, "utf8");

// ---------------------------------------------------------------------------------------------
// A Dockerfile, as far as this one needs: instructions (a backslash at the end of a line joins
// it with the next, comment lines inside are dropped), ARGs before the first FROM, stages.

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  name: string;
  /** The FROM image with the global ARG defaults substituted. */
  from: string;
  body: Instruction[];
}

export interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) || (pending === "" && line.trim() === "")) continue;
    if (line.endsWith("\\")) {
      pending += line.slice(0, -1);
      continue;
    }
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(pending + line);
    if (!m) throw new Error(`not a Dockerfile instruction: ${pending + line}`);
    instructions.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim() });
    pending = "";
  }
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const i of instructions) {
    if (i.op === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args)!;
      stages.push({ name: m[2] ?? String(stages.length), from: substitute(m[1]!, globalArgs), body: [] });
    } else if (stages.length === 0) {
      expect(i.op, "only ARG may come before the first FROM").toBe("ARG");
      const [k, v = ""] = i.args.split("=");
      globalArgs[k!] = v;
    } else stages.at(-1)!.body.push(i);
  }
  return { globalArgs, stages };
}

/** `${VAR}`, `${VAR:-default}` and `$VAR` as Docker expands them in FROM, COPY, WORKDIR, USER. */
export const substitute = (s: string, vars: Record<string, string>): string =>
  s.replace(
    /\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g,
    (_, a: string | undefined, d: string | undefined, b: string | undefined) => vars[(a ?? b)!] || d || "",
  );

export const stage = (df: Dockerfile, name: string): Stage => {
  const s = df.stages.find((x) => x.name === name);
  expect(s, `stage ${name}`).toBeDefined();
  return s!;
};
export const last = (s: Stage, op: string) => s.body.filter((i) => i.op === op).at(-1);
export const runs = (s: Stage) => s.body.filter((i) => i.op === "RUN").map((i) => i.args);

/** COPY's sources and destination, and --from. */
export function copyOf(i: Instruction): { from?: string; sources: string[]; dest: string } {
  const words = i.args.split(/\s+/);
  const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
  const paths = words.filter((w) => !w.startsWith("--"));
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

/** .dockerignore patterns (relative to the context root; `*`, `**`, no `!` exceptions) as a test. */
export async function dockerignore(): Promise<(rel: string) => boolean> {
  const patterns = (await read(path.join(ROOT, ".dockerignore")))
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  expect(
    patterns.filter((p) => p.startsWith("!")),
    "exceptions are not modelled here",
  ).toEqual([]);
  const regexes = patterns.map((p) => {
    const body = [...p.replace(/^\/+/, "").matchAll(/\*\*\/|\*\*|\*|[^*]+/g)]
      .map(([t]) =>
        t === "**/"
          ? "(?:.*/)?"
          : t === "**"
            ? ".*"
            : t === "*"
              ? "[^/]*"
              : t.replace(/[.+?^$()|[\]{}\\]/g, "\\$&"),
      )
      .join("");
    return new RegExp(`^${body}(?:/.*)?$`);
  });
  return (rel) => regexes.some((r) => r.test(rel));
}

// ---------------------------------------------------------------------------------------------
// deploy/container/README.md: the `docker build` and `docker push` commands of its sh blocks.

export interface Build {
  file?: string;
  target?: string;
  buildArgs: Record<string, string>;
  tag?: string;
  context?: string;
}

export async function readmeCommands(): Promise<{ builds: Build[]; pushes: string[] }> {
  const text = await read(path.join(CONTAINER, "README.md"));
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const commands = blocks.flatMap((b) =>
    b
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, "").trim()),
  );
  const builds = commands
    .filter((c) => c.startsWith("docker build "))
    .map((c) => {
      const words = c.split(/\s+/).slice(2);
      const b: Build = { buildArgs: {} };
      for (let k = 0; k < words.length; k++) {
        const w = words[k]!;
        if (w === "-f" || w === "--file") b.file = words[++k];
        else if (w === "--target") b.target = words[++k];
        else if (w === "-t" || w === "--tag") b.tag = words[++k];
        else if (w === "--platform") k++;
        else if (w === "--build-arg") {
          const [name, ...value] = words[++k]!.split("=");
          b.buildArgs[name!] = value.join("=");
        } else b.context = w;
      }
      return b;
    });
  const pushes = commands.filter((c) => c.startsWith("docker push ")).map((c) => c.split(/\s+/)[2]!);
  return { builds, pushes };
}

// ---------------------------------------------------------------------------------------------
// The Kubernetes manifests' containers.

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: { name: string; value: string }[];
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
}

export interface JobManifest {
  kind: string;
  spec: { completionMode?: string; completions?: number; template: { spec: PodSpec } };
}

export const manifest = async (file: string): Promise<JobManifest> =>
  parse(await read(path.join(DEPLOY, "kubernetes", file))) as JobManifest;

export const usesGpu = (c: Container) => c.resources?.limits?.["nvidia.com/gpu"] !== undefined;
