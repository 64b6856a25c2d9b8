/**
 * The Slurm scripts of deploy/slurm under a real Slurm: a one-node cluster on localhost (munged,
 * slurmctld and slurmd from Debian's slurm-wlm and munge, started and stopped here, with their
 * own key, socket, ports and state in a temporary folder), the shard array submitted with sbatch,
 * the merge submitted with a dependency on it, and the merged dataset compared byte for byte with
 * a single-machine run of the same job.
 *
 * Needs the packages (the README's test command installs them) and root (slurmd runs jobs as
 * their user). It runs the built checkout (`node bin/egobridge.js`, built by `npm ci`).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memoryLog } from "../../src/pipeline/jobs/progress.js";
import { runJob } from "../../src/pipeline/jobs/run.js";
import { fileHashes, GRAB, jobYaml, ROOT, requireAssets } from "./fixtures.js";

const TOOLS = ["munged", "munge", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scontrol"];

let tmp: string;
let env: NodeJS.ProcessEnv;
const daemons: ChildProcess[] = [];

const which = (cmd: string): boolean => {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

const slurm = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { env, encoding: "utf8", cwd: tmp }).trim();

async function waitFor(what: string, ok: () => boolean, timeoutS: number): Promise<void> {
  const until = Date.now() + timeoutS * 1000;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutS} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** JobState of every task of a job ("COMPLETED", "FAILED", …), from scontrol (no accounting here). */
const jobStates = (id: string): string[] =>
  [...slurm("scontrol", ["show", "job", id, "-o"]).matchAll(/JobState=(\S+)/g)].map((m) => m[1]!);

beforeAll(async () => {
  const missing = TOOLS.filter((t) => !which(t));
  if (missing.length > 0) {
    throw new Error(
      `Slurm test: ${missing.join(", ")} not found; install Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge, as the README's test command does)`,
    );
  }
  if (process.getuid?.() !== 0)
    throw new Error("Slurm test: slurmd must run as root here; run the tests as root");
  await requireAssets([GRAB.apple]);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-slurm-"));
  const host = os.hostname().split(".")[0]!;
  for (const d of ["state", "spool", "munge"]) await fs.mkdir(path.join(tmp, d));
  await fs.chmod(path.join(tmp, "munge"), 0o755);
  const key = path.join(tmp, "munge.key");
  await fs.writeFile(key, Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7919 + 13) % 256)), {
    mode: 0o600,
  });
  const socket = path.join(tmp, "munge", "munge.sock");
  execFileSync("munged", [
    "--force",
    `--socket=${socket}`,
    `--key-file=${key}`,
    `--pid-file=${path.join(tmp, "munged.pid")}`,
    `--log-file=${path.join(tmp, "munged.log")}`,
    `--seed-file=${path.join(tmp, "munged.seed")}`,
  ]);
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = path.join(tmp, "slurm.conf");
  await fs.writeFile(
    conf,
    [
      "ClusterName=egobridgetest",
      `SlurmctldHost=${host}(127.0.0.1)`,
      "SlurmUser=root",
      "SlurmdUser=root",
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      "AuthType=auth/munge",
      "CredType=cred/munge",
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${path.join(tmp, "state")}`,
      `SlurmdSpoolDir=${path.join(tmp, "spool")}`,
      `SlurmctldPidFile=${path.join(tmp, "slurmctld.pid")}`,
      `SlurmdPidFile=${path.join(tmp, "slurmd.pid")}`,
      `SlurmctldLogFile=${path.join(tmp, "slurmctld.log")}`,
      `SlurmdLogFile=${path.join(tmp, "slurmd.log")}`,
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_Core",
      "SchedulerType=sched/builtin",
      "ReturnToService=2",
      "JobAcctGatherType=jobacct_gather/none",
      "AccountingStorageType=accounting_storage/none",
      "MpiDefault=none",
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${Math.max(2, os.cpus().length)} RealMemory=4000 State=UNKNOWN`,
      `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      "",
    ].join("\n"),
  );
  env = { ...process.env, SLURM_CONF: conf, NODE_OPTIONS: "" };
  daemons.push(spawn("slurmctld", ["-D", "-i"], { env, stdio: "ignore" }));
  await new Promise((r) => setTimeout(r, 1500));
  daemons.push(spawn("slurmd", ["-D", "-N", host], { env, stdio: "ignore" }));
  await waitFor(
    "the node to come up idle",
    () => {
      try {
        return slurm("sinfo", ["-h", "-o", "%t"]) === "idle";
      } catch {
        return false;
      }
    },
    60,
  );
}, 120_000);

afterAll(async () => {
  for (const d of daemons) d.kill("SIGTERM");
  if (tmp) {
    const pid = await fs.readFile(path.join(tmp, "munged.pid"), "utf8").catch(() => "");
    if (pid.trim()) process.kill(Number(pid.trim()), "SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    await fs.rm(tmp, { recursive: true, force: true });
  }
});

describe("deploy/slurm under a real Slurm", () => {
  it("the shard array and the merge write the dataset one machine writes, byte for byte", async () => {
    expect(
      existsSync(path.join(ROOT, "dist", "cli", "main.js")),
      "the checkout is built (npm ci builds it)",
    ).toBe(true);
    const spec = path.join(tmp, "job.yaml");
    await fs.writeFile(
      spec,
      jobYaml({
        grab: [GRAB.apple],
        variants: 1,
        maxAttempts: 2,
        // The job spec's own variable (jobs/demo.yaml's convention), set for the Slurm tasks below.
        out: `\${EGOBRIDGE_JOBS_OUT:-out}/small`,
        workers: 1,
      }),
    );
    const single = await runJob({
      specFile: spec,
      outDir: path.join(tmp, "single"),
      workers: 1,
      log: memoryLog(),
    });
    expect(single.status).toBe("complete");
    const baseline = await fileHashes(single.datasetDir!);

    const out = path.join(tmp, "jobs");
    env = { ...env, EGOBRIDGE_JOBS_OUT: out, EGOBRIDGE_HOME: ROOT };
    // The scripts as they are; only what this two-core node can grant is overridden.
    const fit = ["--cpus-per-task=1", "--mem=1000M", "--gres=none", "--time=00:20:00"];
    const shards = slurm("sbatch", [
      "--parsable",
      "--array=0-1",
      ...fit,
      `--output=${tmp}/shard-%A_%a.out`,
      `--error=${tmp}/shard-%A_%a.log`,
      path.join(ROOT, "deploy", "slurm", "egobridge-shards.sbatch"),
      spec,
    ]);
    const merge = slurm("sbatch", [
      "--parsable",
      `--dependency=afterok:${shards}`,
      ...fit,
      `--output=${tmp}/merge-%j.out`,
      path.join(ROOT, "deploy", "slurm", "egobridge-merge.sbatch"),
      path.join(out, "small"),
    ]);
    await waitFor("the array and the merge to finish", () => slurm("squeue", ["-h", "-o", "%i"]) === "", 600);
    const logs = async () =>
      (
        await Promise.all(
          (
            await fs.readdir(tmp)
          )
            .filter((f) => /\.(out|log)$/.test(f))
            .map((f) => fs.readFile(path.join(tmp, f), "utf8")),
        )
      ).join("\n");
    expect(jobStates(shards), await logs()).toEqual(["COMPLETED", "COMPLETED"]);
    expect(jobStates(merge), await logs()).toEqual(["COMPLETED"]);
    expect((await fs.readdir(path.join(out, "small", "parts"))).sort()).toEqual([
      "shard-0-of-2",
      "shard-1-of-2",
    ]);
    expect(await fileHashes(path.join(out, "small", "dataset"))).toEqual(baseline);
  }, 900_000);
});
