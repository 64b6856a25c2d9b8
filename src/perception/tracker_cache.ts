/**
 * Loaded hand trackers kept between videos. Loading the two ONNX sessions costs 50–150 ms on a
 * CPU and more on a GPU (CUDA / cuDNN initialisation), which a batch job over thousands of short
 * clips would otherwise pay per clip. A tracker is lent to one extraction at a time, reset first
 * (no tracked hands, zeroed stats), and given back after; `dispose()` releases every session.
 */
import type { HandTracker } from "./hand_tracker.js";

export class TrackerCache {
  private readonly idle = new Map<string, HandTracker[]>();
  private closed = false;
  /** Trackers loaded so far (for tests and reports). */
  loaded = 0;

  /** A tracker for `key` (the models and options it was made with): an idle one, or a new one from `create`. */
  async acquire(key: string, create: () => Promise<HandTracker>): Promise<HandTracker> {
    if (this.closed) throw new Error("the tracker cache is disposed");
    let tracker = this.idle.get(key)?.pop();
    if (!tracker) {
      tracker = await create();
      this.loaded++;
    }
    tracker.reset();
    return tracker;
  }

  /** Gives a tracker back for the next extraction with the same key. */
  async release(key: string, tracker: HandTracker): Promise<void> {
    if (this.closed) return tracker.dispose();
    const list = this.idle.get(key) ?? [];
    list.push(tracker);
    this.idle.set(key, list);
  }

  /** Releases every idle tracker's sessions; trackers given back later are disposed at once. */
  async dispose(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    for (const t of all) await t.dispose();
  }
}
