/**
 * Entry of a pool worker thread (pool.ts): runs the work units it is sent, one at a time, and
 * answers with the header of the record it wrote (or, `inline`, with the header and the payload,
 * writing nothing). A unit that throws is recorded as failed by
 * executeUnit; only a failure to write the record itself comes back as an error.
 */
import { parentPort } from "node:worker_threads";
import { checkedEpisode } from "../../dataset/episode_input.js";
import { executeUnit, runUnit, type WorkItem } from "./execute.js";
import type { InlineAs } from "./pool.js";

if (!parentPort) throw new Error("worker.ts must run as a worker thread");
const port = parentPort;

port.on("message", (msg: { taskId: number; item: WorkItem; inline: InlineAs | false }) => {
  const done: Promise<{ header: unknown; payload?: unknown }> = msg.inline
    ? runUnit(msg.item)
    : executeUnit(msg.item).then((header) => ({ header }));
  done
    .then((r) => {
      if (msg.inline !== "checked-episode" || r.payload === undefined) {
        port.postMessage({ taskId: msg.taskId, ...r });
        return;
      }
      // Checked and serialised here, so that the thread writing the dataset need not.
      const checked = checkedEpisode(r.payload);
      port.postMessage({ taskId: msg.taskId, ...r, payload: checked }, [checked.json.buffer as ArrayBuffer]);
    })
    .catch((err: unknown) =>
      port.postMessage({ taskId: msg.taskId, error: (err as Error)?.stack ?? String(err) }),
    );
});
port.postMessage({ ready: true });
