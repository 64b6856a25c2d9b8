/**
 * The container image of deploy/container/ holds what the Kubernetes manifests run. Docker is not
 * needed: the Dockerfile is read by a small parser and checked against the repository, the
 * onnxruntime-node install script, the CLI and the manifests.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CONTAINER,
  copyOf,
  dockerignore,
  last,
  manifest,
  parseDockerfile,
  read,
  readmeCommands,
  runs,
  type Stage,
  stage,
  substitute,
  usesGpu,
} from "./deploy_files.js";
import { MAIN, ROOT, TSX } from "./fixtures.js";

/** The options a CLI command accepts, from its --help (run on the sources, like test/cli). */
function optionsOf(command: string): Set<string> {
  const r = spawnSync(process.execPath, ["--import", TSX, MAIN, command, "--help"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  expect(r.status, r.stderr).toBe(0);
  return new Set([...r.stdout.matchAll(/(?:^|[\s,])(-{1,2}[a-z][a-z-]*)/gm)].map((m) => m[1]!));
}

describe("deploy/container", async () => {
  const df = parseDockerfile(await read(path.join(CONTAINER, "Dockerfile")));
  const pkg = JSON.parse(await read(path.join(ROOT, "package.json"))) as {
    version: string;
    engines: { node: string };
    bin: Record<string, string>;
    scripts: Record<string, string>;
  };
  const ignored = await dockerignore();
  const build = stage(df, "build");
  const runtimes = [stage(df, "cpu"), stage(df, "gpu")];
  // onnxruntime-node's install script and the files it installs (CommonJS, no exports map).
  const ortDir = path.join(ROOT, "node_modules", "onnxruntime-node");
  const ortMetadata = createRequire(import.meta.url)(path.join(ortDir, "script", "install-metadata.js")) as {
    requirements: Record<string, string[]>;
    manifests: Record<string, Record<string, unknown>>;
  };

  it("builds on the official Node 20 image (Debian bookworm); the cpu image is the default target", () => {
    expect(df.globalArgs["NODE_IMAGE"]).toBe("node:20-bookworm-slim");
    expect(pkg.engines.node).toMatch(/^>=\s*20(\.|$)/);
    expect(build.from).toBe("node:20-bookworm-slim");
    expect(stage(df, "cpu").from).toBe("node:20-bookworm-slim");
    expect(df.stages.at(-1)!.name, "docker build without --target builds the last stage").toBe("cpu");
  });

  it("the gpu image is NVIDIA's CUDA 12 + cuDNN runtime, with Node 20 from the official image", async () => {
    const gpu = stage(df, "gpu");
    const m = /^nvidia\/cuda:(\d+)\.\d+\.\d+-cudnn-runtime-ubuntu(\d+)\.(\d+)$/.exec(gpu.from);
    expect(m, gpu.from).not.toBeNull();
    // onnxruntime-node's CUDA EP for linux/x64 is its `cuda12` install.
    expect(ortMetadata.requirements["linux/x64"]).toContain(`cuda${m![1]}`);
    // Frame extraction passes -fps_mode to ffmpeg (5.1+): Ubuntu 22.04 ships 4.4, 24.04 6.1.
    if ((await read(path.join(ROOT, "src", "perception", "video.ts"))).includes('"-fps_mode"'))
      expect(Number(m![2]) * 100 + Number(m![3])).toBeGreaterThanOrEqual(2404);
    const copies = gpu.body.filter((i) => i.op === "COPY").map(copyOf);
    expect(copies).toContainEqual({
      from: "build",
      sources: ["/usr/local/bin/node"],
      dest: "/usr/local/bin/node",
    });
  });

  it.each(["cpu", "gpu"])("the %s image installs ffmpeg and tini from the distribution", (name) => {
    const installs = runs(stage(df, name)).filter((r) => /apt-get install/.test(r));
    expect(installs.some((r) => /\bffmpeg\b/.test(r) && /\btini\b/.test(r))).toBe(true);
  });

  it("every RUN is valid sh", () => {
    for (const s of df.stages)
      for (const r of runs(s)) {
        const res = spawnSync("sh", ["-n", "-c", r], { encoding: "utf8" });
        expect(res.status, `${s.name}: ${r}\n${res.stderr}`).toBe(0);
      }
  });

  it("npm reads the project's .npmrc without a warning: every key is one npm knows", () => {
    // npm warns of project config keys it does not know, on every call (and will stop passing
    // them on). Asked from the checkout, npm must see ignore-scripts and say nothing else.
    const r = spawnSync("npm", ["config", "get", "ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("true");
    expect(r.stderr).not.toMatch(/warn/i);
  });

  it("installs with the project's .npmrc: package files and .npmrc are copied before npm ci", async () => {
    expect(await read(path.join(ROOT, ".npmrc"))).toMatch(/^ignore-scripts=true$/m);
    const npmCi = build.body.findIndex((i) => i.op === "RUN" && /\bnpm ci\b/.test(i.args));
    expect(npmCi).toBeGreaterThan(0);
    const copied = build.body
      .slice(0, npmCi)
      .filter((i) => i.op === "COPY")
      .flatMap((i) => copyOf(i).sources);
    expect(copied).toEqual(expect.arrayContaining(["package.json", "package-lock.json", ".npmrc"]));
  });

  it("ONNXRUNTIME_NODE_INSTALL reaches onnxruntime-node's install script, which leaves the CUDA EP files", async () => {
    // The script reads this variable (then npm's onnxruntime-node-install setting, which this
    // project does not set: npm warns of keys it does not know).
    expect(await read(path.join(ortDir, "script", "install-utils.js"))).toContain(
      "process.env.ONNXRUNTIME_NODE_INSTALL",
    );
    const pkgOrt = JSON.parse(await read(path.join(ortDir, "package.json"))) as {
      scripts: Record<string, string>;
    };
    expect(pkgOrt.scripts["postinstall"]).toBe("node ./script/install");

    const argAt = build.body.findIndex(
      (i) => i.op === "ARG" && i.args.split("=")[0] === "ONNXRUNTIME_NODE_INSTALL",
    );
    expect(build.body[argAt]?.args, "declared in the build stage, empty by default").toBe(
      "ONNXRUNTIME_NODE_INSTALL=",
    );
    // The step that runs the dependencies' install scripts (the .npmrc turns them off: npm
    // rebuild with --ignore-scripts=false) comes after the ARG and sets the variable for npm.
    const step = build.body.findIndex(
      (i) =>
        i.op === "RUN" &&
        /\bnpm rebuild\b[^&]*--ignore-scripts=false/.test(i.args) &&
        /\bONNXRUNTIME_NODE_INSTALL="?\$\{?ONNXRUNTIME_NODE_INSTALL\b/.test(i.args),
    );
    expect(step).toBeGreaterThan(argAt);

    // The files the build checks for are those of the linux/x64 cuda12 manifest, where the
    // script puts them (bin/napi-v6/<platform>/<arch>/), and both images check the CUDA EP.
    const binDir = "node_modules/onnxruntime-node/bin/napi-v6/linux/x64/";
    const manifestFiles = Object.keys(ortMetadata.manifests["linux/x64:cuda12"]!).map((f) =>
      path.posix.join(binDir, f),
    );
    const checked = (s: Stage) =>
      [
        ...runs(s)
          .join("\n")
          .matchAll(/test -f (\S+)/g),
      ].map((m) => m[1]!);
    expect(checked(build).length).toBeGreaterThan(0);
    for (const f of [...checked(build), ...checked(stage(df, "gpu"))]) expect(manifestFiles).toContain(f);
    expect(checked(stage(df, "gpu"))).toContain(path.posix.join(binDir, "libonnxruntime_providers_cuda.so"));
  });

  it("copies only paths that exist and that .dockerignore lets into the context", () => {
    expect(ignored("node_modules"), "the image installs its own node_modules").toBe(true);
    expect(ignored("dist"), "and builds its own dist").toBe(true);
    const names = new Set(df.stages.map((s) => s.name));
    for (const s of df.stages)
      for (const i of s.body.filter((x) => x.op === "COPY")) {
        const c = copyOf(i);
        if (c.from) {
          expect(names.has(c.from), `COPY --from=${c.from}`).toBe(true);
          continue;
        }
        for (const src of c.sources) {
          expect(existsSync(path.join(ROOT, src)), `COPY ${src}`).toBe(true);
          if (src !== ".") expect(ignored(path.posix.normalize(src)), `COPY ${src} is ignored`).toBe(false);
        }
      }
    // What the build and the CLI read from the checkout stays in the context.
    for (const p of [
      "package.json",
      "package-lock.json",
      ".npmrc",
      "tsconfig.json",
      "tsconfig.build.json",
      "vite.config.ts",
      "bin/egobridge.js",
      "src/cli/main.ts",
      "src/web/index.html",
      "models",
      "assets",
      "scenes",
      "jobs/demo.yaml",
    ])
      expect(ignored(p), p).toBe(false);
  });

  it("the entrypoint runs package.json's bin.egobridge in the built checkout", async () => {
    const bin = pkg.bin["egobridge"]!;
    // The bin runs dist/cli/main.js, which `npm run build` (tsc: src → dist) makes; the README's
    // commands (`npm run demo`, `npm test`) run it first, as the image's build does.
    const binText = await read(path.join(ROOT, bin));
    expect(binText).toContain('new URL("../dist/cli/main.js", import.meta.url)');
    const tsconfig = JSON.parse(await read(path.join(ROOT, "tsconfig.build.json"))) as {
      compilerOptions: { rootDir: string; outDir: string };
    };
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: "src", outDir: "dist" });
    expect(existsSync(path.join(ROOT, "src", "cli", "main.ts"))).toBe(true);
    for (const script of ["demo", "test"])
      expect(pkg.scripts[script], script).toMatch(/^npm run build\b[^&]*&& /);
    expect(pkg.scripts["build"]).toMatch(/^tsc -p tsconfig\.build\.json\b/);
    expect(existsSync(path.join(ROOT, "dist", "cli", "main.js")), "npm run build makes dist/").toBe(true);
    expect(runs(build).some((r) => /\bnpm run build\b/.test(r))).toBe(true);

    const workdir = substitute(last(build, "WORKDIR")!.args, {});
    for (const s of runtimes) {
      expect(substitute(last(s, "WORKDIR")!.args, {})).toBe(workdir);
      const copies = s.body.filter((i) => i.op === "COPY").map(copyOf);
      expect(copies).toContainEqual({ from: "build", sources: [workdir], dest: workdir });
      const entrypoint = JSON.parse(last(s, "ENTRYPOINT")!.args) as string[];
      const node = entrypoint.indexOf("node");
      expect(node).toBeGreaterThanOrEqual(0);
      expect(path.posix.resolve(workdir, entrypoint[node + 1]!)).toBe(path.posix.join(workdir, bin));
      expect(entrypoint.slice(node + 2), "commands come from CMD / the manifests' args").toEqual([]);
      expect(JSON.parse(last(s, "CMD")!.args)).toEqual(["--help"]);
      if (entrypoint[0] !== "node") expect(entrypoint.slice(0, node)).toEqual(["/usr/bin/tini", "--"]);
    }
  });

  it("runs as a non-root user with the same uid in both images", () => {
    for (const s of runtimes) {
      expect(last(s, "USER")!.args).toBe("10001:10001");
      expect(runs(s).join("\n")).toMatch(/useradd --uid 10001 --gid 10001\b/);
    }
  });

  it("the README builds and pushes the tags the manifests run, for this package version", async () => {
    const { builds, pushes } = await readmeCommands();
    expect(builds.length).toBe(2);
    for (const b of builds) {
      expect(b.file).toBe("deploy/container/Dockerfile");
      expect(b.context).toBe(".");
      expect(b.tag).toMatch(
        new RegExp(`^registry\\.example\\.com/egobridge:${pkg.version.replace(/\./g, "\\.")}(-|$)`),
      );
      expect(df.stages.map((s) => s.name)).toContain(b.target ?? "cpu");
      for (const name of Object.keys(b.buildArgs))
        expect([...Object.keys(df.globalArgs), "ONNXRUNTIME_NODE_INSTALL"]).toContain(name);
      expect(pushes).toContain(b.tag);
    }
    const gpuBuild = builds.find((b) => b.target === "gpu")!;
    expect(gpuBuild.buildArgs["ONNXRUNTIME_NODE_INSTALL"]).toBe("cuda12");
    expect(builds.find((b) => b.target === undefined || b.target === "cpu")!.buildArgs).toEqual({});

    for (const file of ["egobridge-job.yaml", "egobridge-merge.yaml"]) {
      for (const c of (await manifest(file)).spec.template.spec.containers) {
        const b = builds.find((x) => x.tag === c.image);
        expect(b, `${file}: ${c.image} is built in deploy/container/README.md`).toBeDefined();
        // A pod with a GPU runs the image with the CUDA EP.
        if (usesGpu(c)) expect(b!.target).toBe("gpu");
      }
    }
  });

  it("the manifests' containers fit the image: args for its entrypoint, its workdir, user and volumes", async () => {
    const workdir = substitute(last(stage(df, "cpu"), "WORKDIR")!.args, {});
    for (const file of ["egobridge-job.yaml", "egobridge-merge.yaml"]) {
      const pod = (await manifest(file)).spec.template.spec;
      expect(pod.securityContext, file).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        fsGroup: 10001,
      });
      for (const c of pod.containers) {
        const where = `${file}: ${c.name}`;
        // The entrypoint is the CLI: no command, and args start with an egobridge command.
        expect(c.command, `${where}: command would replace the entrypoint`).toBeUndefined();
        if (c.workingDir !== undefined) expect(c.workingDir, where).toBe(workdir);
        for (const a of c.args!)
          expect(typeof a, `${where}: Kubernetes takes args as strings`).toBe("string");
        const [command, ...rest] = c.args!;
        expect(["node", "egobridge", "bin/egobridge.js", "npx"], where).not.toContain(command);
        const options = optionsOf(command!);
        for (const a of rest.filter((x) => x.startsWith("-")))
          expect(options, `${where}: ${command} ${a}`).toContain(a);
        // Relative paths are the checkout's, in the working directory; absolute ones on the volume.
        const mounts = (c.volumeMounts ?? []).map((v) => v.mountPath);
        for (const a of rest.filter((x) => /^[\w.]+\//.test(x)))
          expect(existsSync(path.join(ROOT, a)), `${where}: ${a} in ${workdir}`).toBe(true);
        const onVolume = (p: string) => mounts.some((m) => p === m || p.startsWith(`${m}/`));
        for (const a of rest.filter((x) => x.startsWith("/")))
          expect(onVolume(a), `${where}: ${a}`).toBe(true);
        for (const e of c.env ?? [])
          if (e.name.startsWith("EGOBRIDGE_")) expect(onVolume(e.value), `${where}: ${e.name}`).toBe(true);
        const assets = c.env?.find((e) => e.name === "EGOBRIDGE_ASSETS")?.value;
        // …where the image looks by default, too.
        if (assets)
          for (const s of runtimes) expect(last(s, "ENV")!.args).toContain(`EGOBRIDGE_ASSETS=${assets}`);
      }
    }
  });
});
