/**
 * What a running job tells people and machines. On a terminal: a display redrawn in place, one
 * line per stage (units done and failed, rate, ETA). Otherwise (cluster logs): one JSON object
 * per line and event, with a timestamp, so log collectors can parse it.
 */
import { performance } from "node:perf_hooks";
import type { Stage } from "./units.js";

export interface StageProgress {
  /** Units settled (recorded ok, failed, or found recorded). */
  done: number;
  failed: number;
  reused: number;
  /** Upper bound of the units this run settles in the stage. */
  total: number;
  /** Units run now, and the seconds between the first start and the last end among them. */
  ran: number;
  spanS: number;
}

export interface ProgressSnapshot {
  title: string;
  stages: Partial<Record<Stage, StageProgress>>;
  elapsedS: number;
  note?: string;
}

export interface JobLog {
  /** A notable event (JSON mode: one line; terminal: failures and warnings are printed). */
  event(e: { event: string } & Record<string, unknown>): void;
  /** The current totals (terminal: redrawn at most a few times a second). */
  progress(p: ProgressSnapshot): void;
  close(): void;
}

export type LogMode = "tty" | "json" | "quiet";

const clock = (s: number): string => {
  if (!Number.isFinite(s)) return "--:--";
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  const mm = String(m).padStart(2, "0");
  const ss = String(sec).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
};

/** The display lines for a snapshot (also used by tests). */
export function renderProgress(p: ProgressSnapshot): string[] {
  const lines = [`${p.title}  ${clock(p.elapsedS)}${p.note ? `  ${p.note}` : ""}`];
  for (const [stage, s] of Object.entries(p.stages)) {
    if (!s || s.total === 0) continue;
    const rate = s.ran > 0 && s.spanS > 0 ? s.ran / s.spanS : 0;
    const left = Math.max(0, s.total - s.done);
    const eta = left === 0 ? "done" : rate > 0 ? `ETA ${clock(left / rate)}` : "";
    const reused = s.reused > 0 ? `, ${s.reused} from earlier runs` : "";
    lines.push(
      `  ${stage.padEnd(8)} ${`${s.done}/${s.total}`.padStart(11)}  ${String(s.failed).padStart(3)} failed  ${rate.toFixed(2).padStart(6)}/s  ${eta}${reused}`,
    );
  }
  return lines;
}

class TtyLog implements JobLog {
  private shown = 0;
  private last = 0;
  private pending: ProgressSnapshot | undefined;
  constructor(private readonly out: NodeJS.WriteStream) {}

  private clear(): void {
    if (this.shown > 0) this.out.write(`\x1b[${this.shown}A\x1b[0J`);
    this.shown = 0;
  }

  private draw(p: ProgressSnapshot): void {
    this.clear();
    const lines = renderProgress(p);
    this.out.write(`${lines.join("\n")}\n`);
    this.shown = lines.length;
    this.last = performance.now();
  }

  event(e: { event: string } & Record<string, unknown>): void {
    const line =
      e.event === "unit" && e["status"] === "failed"
        ? `failed: ${e["id"]} (${e["source"]}): ${e["code"]}: ${e["message"]}`
        : e.event === "warning" || e.event === "stop"
          ? `${e.event}: ${e["message"]}`
          : e.event === "write"
            ? e["status"] === "start"
              ? `writing ${e["format"]}: ${e["episodes"]} episodes → ${e["path"]}`
              : `wrote ${e["format"]}: ${e["frames"]} frames in ${Number(e["writeS"]).toFixed(1)} s`
            : undefined;
    if (!line) return;
    this.clear();
    this.out.write(`${line}\n`);
    if (this.pending) this.draw(this.pending);
  }

  progress(p: ProgressSnapshot): void {
    this.pending = p;
    if (performance.now() - this.last > 200) this.draw(p);
  }

  close(): void {
    if (this.pending) this.draw(this.pending);
  }
}

class JsonLog implements JobLog {
  constructor(private readonly out: NodeJS.WritableStream) {}
  event(e: { event: string } & Record<string, unknown>): void {
    this.out.write(`${JSON.stringify({ t: new Date().toISOString(), ...e })}\n`);
  }
  progress(): void {}
  close(): void {}
}

const quiet: JobLog = { event() {}, progress() {}, close() {} };

/** A log for `stream`: "auto" picks the terminal display on a TTY and JSON lines otherwise. */
export function createJobLog(mode: LogMode | "auto", stream: NodeJS.WriteStream = process.stderr): JobLog {
  const m = mode === "auto" ? (stream.isTTY ? "tty" : "json") : mode;
  if (m === "quiet") return quiet;
  return m === "tty" ? new TtyLog(stream) : new JsonLog(stream);
}

/** Collects events in memory (tests). */
export function memoryLog(): JobLog & { events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  return { events, event: (e) => events.push(e), progress() {}, close() {} };
}
