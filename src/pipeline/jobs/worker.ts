/**
 * Entry of a pool worker thread (pool.ts): runs the work units it is sent, one at a time, and
 * answers with the header of the record it wrote. A unit that throws is recorded as failed by
 * executeUnit; only a failure to write the record itself comes back as an error.
 */
import { parentPort } from "node:worker_threads";
import { executeUnit, type WorkItem } from "./execute.js";

if (!parentPort) throw new Error("worker.ts must run as a worker thread");
const port = parentPort;

port.on("message", (msg: { taskId: number; item: WorkItem }) => {
  executeUnit(msg.item).then(
    (header) => port.postMessage({ taskId: msg.taskId, header }),
    (err: unknown) => port.postMessage({ taskId: msg.taskId, error: (err as Error)?.stack ?? String(err) }),
  );
});
port.postMessage({ ready: true });
