/**
 * Entry of a pool worker thread (pool.ts): runs the work units it is sent, one at a time, and
 * answers with the header of the record it wrote (or, `inline`, with the header and the payload,
 * writing nothing). A unit that throws is recorded as failed by
 * executeUnit; only a failure to write the record itself comes back as an error.
 */
import { parentPort } from "node:worker_threads";
import { executeUnit, runUnit, type WorkItem } from "./execute.js";

if (!parentPort) throw new Error("worker.ts must run as a worker thread");
const port = parentPort;

port.on("message", (msg: { taskId: number; item: WorkItem; inline?: boolean }) => {
  const done = msg.inline ? runUnit(msg.item) : executeUnit(msg.item).then((header) => ({ header }));
  done.then(
    (r) => port.postMessage({ taskId: msg.taskId, ...r }),
    (err: unknown) => port.postMessage({ taskId: msg.taskId, error: (err as Error)?.stack ?? String(err) }),
  );
});
port.postMessage({ ready: true });
