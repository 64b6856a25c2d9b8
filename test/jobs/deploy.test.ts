/**
 * The cluster examples in deploy/ run a real job spec of jobs/ and are well-formed: the indexed
 * Kubernetes Job and its merge, and the Slurm array job. The container image they run is checked
 * in container.test.ts.
 */
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { jobDirs } from "../../src/pipeline/jobs/run.js";
import { loadJobSpec } from "../../src/pipeline/jobs/spec.js";
import { DEPLOY, type JobManifest, manifest } from "./deploy_files.js";
import { ROOT } from "./fixtures.js";

describe("deploy/kubernetes", async () => {
  const files = (await fs.readdir(path.join(DEPLOY, "kubernetes"))).filter((f) => f.endsWith(".yaml"));
  it("has the indexed Job and its merge", () =>
    expect(files.sort()).toEqual(["egobridge-job.yaml", "egobridge-merge.yaml"]));

  it("egobridge-job.yaml is an indexed Job with one GPU per shard, running a job spec of jobs/", async () => {
    const [doc] = parseAllDocuments(
      await fs.readFile(path.join(DEPLOY, "kubernetes", "egobridge-job.yaml"), "utf8"),
    );
    const job = (doc as { toJS(): unknown }).toJS() as JobManifest;
    expect(job.kind).toBe("Job");
    expect(job.spec.completionMode).toBe("Indexed");
    const c = job.spec.template.spec.containers[0]!;
    expect(c.env!.find((e) => e.name === "JOB_COMPLETIONS")?.value).toBe(String(job.spec.completions));
    expect(c.resources!.limits!["nvidia.com/gpu"]).toBe(1);
    expect(c.args![0]).toBe("run");
    const spec = c.args!.find((a) => a.startsWith("jobs/"))!;
    const env = Object.fromEntries(c.env!.map((e) => [e.name, e.value]));
    const loaded = await loadJobSpec(path.join(ROOT, spec), env);

    // The merge joins exactly the parts the shards write (shard-I-of-N, I = 0 … N-1) of that job.
    const merge = await manifest("egobridge-merge.yaml");
    const m = merge.spec.template.spec.containers[0]!;
    const n = job.spec.completions!;
    const parts = Array.from({ length: n }, (_, index) => jobDirs(loaded, { index, count: n }).partDir);
    expect(m.args).toEqual([
      "merge",
      ...parts,
      "-o",
      path.join(jobDirs(loaded, { index: 0, count: 1 }).outDir, "dataset"),
    ]);
  });
});

describe("deploy/slurm", async () => {
  const files = (await fs.readdir(path.join(DEPLOY, "slurm"))).filter((f) => f.endsWith(".sbatch"));
  it.each(files)("%s is valid bash", (f) => {
    const r = spawnSync("bash", ["-n", path.join(DEPLOY, "slurm", f)], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  });
  it("the array job runs a job spec of jobs/", async () => {
    const text = await fs.readFile(path.join(DEPLOY, "slurm", "egobridge-shards.sbatch"), "utf8");
    expect(text).toMatch(/#SBATCH --array=0-\d+/);
    const spec = /JOB_SPEC=\$\{1:-([^}]+)\}/.exec(text)![1]!;
    await loadJobSpec(path.join(ROOT, spec));
  });
});
