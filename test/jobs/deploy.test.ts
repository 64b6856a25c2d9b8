/** The cluster examples in deploy/ run a real job spec of jobs/ and are well-formed. */
import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadJobSpec } from "../../src/pipeline/jobs/spec.js";
import { ROOT } from "./fixtures.js";

const DEPLOY = path.join(ROOT, "deploy");

describe("deploy/kubernetes", async () => {
  const files = (await fs.readdir(path.join(DEPLOY, "kubernetes"))).filter((f) => f.endsWith(".yaml"));
  it("has the indexed Job and its merge", () =>
    expect(files.sort()).toEqual(["egobridge-job.yaml", "egobridge-merge.yaml"]));

  it("egobridge-job.yaml is an indexed Job with one GPU per shard, running a job spec of jobs/", async () => {
    const [doc] = parseAllDocuments(
      await fs.readFile(path.join(DEPLOY, "kubernetes", "egobridge-job.yaml"), "utf8"),
    );
    const job = (doc as { toJS(): Record<string, unknown> }).toJS() as {
      kind: string;
      spec: {
        completionMode: string;
        completions: number;
        template: { spec: { containers: Record<string, unknown>[] } };
      };
    };
    expect(job.kind).toBe("Job");
    expect(job.spec.completionMode).toBe("Indexed");
    const c = job.spec.template.spec.containers[0] as {
      command: string[];
      env: { name: string; value: string }[];
      resources: { limits: Record<string, unknown> };
    };
    expect(c.env.find((e) => e.name === "JOB_COMPLETIONS")?.value).toBe(String(job.spec.completions));
    expect(c.resources.limits["nvidia.com/gpu"]).toBe(1);
    const spec = c.command.find((a) => a.startsWith("jobs/"))!;
    await loadJobSpec(path.join(ROOT, spec), { EGOBRIDGE_JOBS_OUT: "/data/out" });
    const merge = await fs.readFile(path.join(DEPLOY, "kubernetes", "egobridge-merge.yaml"), "utf8");
    expect(merge).toContain(`shard-*-of-${job.spec.completions}`);
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
