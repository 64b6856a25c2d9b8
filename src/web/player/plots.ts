/**
 * The strip charts under the player: pad opening (measured and commanded), grasp (commanded and
 * held, i.e. both fingers on the target), TCP speed; a cursor at the current step. Plain canvas 2D.
 * Clicking or dragging on a chart seeks.
 */
import { h } from "../ui/dom.js";
import type { EpisodeSeries } from "./series.js";

interface Curve {
  values: ArrayLike<number>;
  color: string;
  label: string;
  /** Draw as steps (for 0/1 signals). */
  steps?: boolean;
  dashed?: boolean;
}

interface Chart {
  title: string;
  unit: string;
  scale: number;
  curves: Curve[];
  canvas: HTMLCanvasElement;
  /** Fixed y range (after scaling), or undefined to fit. */
  range?: [number, number];
  /** Lowest value of a fitted range (speeds start at 0). */
  floor?: number;
}

const PAD = { left: 44, right: 8, top: 16, bottom: 6 };

export class Plots {
  readonly el: HTMLElement;
  private readonly charts: Chart[];
  private cursor = 0;
  onSeek: ((step: number) => void) | undefined;

  constructor(private readonly s: EpisodeSeries) {
    const canvas = () => h("canvas.plot-canvas");
    this.charts = [
      {
        title: "gripper opening",
        unit: "mm",
        scale: 1000,
        canvas: canvas(),
        curves: [
          { values: s.apertureM, color: "#7fc8ff", label: "measured" },
          { values: s.apertureCmdM, color: "#ffd27f", label: "commanded", dashed: true },
        ],
      },
      {
        title: "grasp",
        unit: "",
        scale: 1,
        canvas: canvas(),
        range: [-0.1, 1.2],
        curves: [
          { values: s.graspCmd, color: "#ffd27f", label: "commanded", steps: true, dashed: true },
          { values: s.grasped, color: "#3cc47c", label: "held (both fingers on target)", steps: true },
        ],
      },
      {
        title: "TCP speed",
        unit: "m/s",
        scale: 1,
        canvas: canvas(),
        curves: [{ values: s.tcpSpeedMps, color: "#ff8f8f", label: "measured" }],
        floor: 0,
      },
    ];
    this.el = h("div.plots", null, ...this.charts.map((c) => h("div.plot", null, c.canvas)));
    for (const c of this.charts) this.bindSeek(c.canvas);
    new ResizeObserver(() => this.draw()).observe(this.el);
  }

  private bindSeek(canvas: HTMLCanvasElement): void {
    const seek = (ev: PointerEvent) => {
      const r = canvas.getBoundingClientRect();
      const u = (ev.clientX - r.left - PAD.left) / Math.max(1, r.width - PAD.left - PAD.right);
      const n = this.s.t.length;
      this.onSeek?.(Math.max(0, Math.min(n - 1, Math.round(u * (n - 1)))));
    };
    canvas.addEventListener("pointerdown", (ev) => {
      canvas.setPointerCapture(ev.pointerId);
      seek(ev);
    });
    canvas.addEventListener("pointermove", (ev) => {
      if (canvas.hasPointerCapture(ev.pointerId)) seek(ev);
    });
  }

  setCursor(step: number): void {
    this.cursor = step;
    this.draw();
  }

  draw(): void {
    for (const c of this.charts) drawChart(c, this.s.t.length, this.cursor);
  }
}

function drawChart(c: Chart, n: number, cursor: number): void {
  const dpr = Math.min(window.devicePixelRatio || 1, 2);
  const w = c.canvas.clientWidth;
  const hgt = c.canvas.clientHeight;
  if (w === 0 || hgt === 0) return;
  if (c.canvas.width !== Math.round(w * dpr)) c.canvas.width = Math.round(w * dpr);
  if (c.canvas.height !== Math.round(hgt * dpr)) c.canvas.height = Math.round(hgt * dpr);
  const ctx = c.canvas.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, hgt);
  let [lo, hi] = c.range ?? [Infinity, -Infinity];
  if (!c.range) {
    for (const curve of c.curves) {
      for (let i = 0; i < n; i++) {
        const v = curve.values[i]! * c.scale;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (!(hi > lo)) [lo, hi] = [lo - 1, lo + 1];
    const pad = 0.08 * (hi - lo);
    lo = c.floor === undefined ? lo - pad : Math.max(c.floor, lo - pad);
    hi += pad;
  }
  const x = (i: number) => PAD.left + (i / Math.max(1, n - 1)) * (w - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * (hgt - PAD.top - PAD.bottom);
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = "#9aa4ad";
  ctx.fillText(`${c.title}${c.unit ? ` (${c.unit})` : ""}`, PAD.left, 11);
  ctx.textAlign = "right";
  if (!c.range) {
    ctx.fillText(formatTick(hi), PAD.left - 4, PAD.top + 8);
    ctx.fillText(formatTick(lo), PAD.left - 4, hgt - PAD.bottom);
  } else {
    ctx.fillText("on", PAD.left - 4, y(1) + 4);
    ctx.fillText("off", PAD.left - 4, y(0) + 4);
  }
  ctx.textAlign = "left";
  let lx = PAD.left + ctx.measureText(`${c.title} (${c.unit})`).width + 16;
  for (const curve of c.curves) {
    ctx.strokeStyle = curve.color;
    ctx.lineWidth = 1.5;
    ctx.setLineDash(curve.dashed ? [4, 3] : []);
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const v = y(curve.values[i]! * c.scale);
      if (i === 0) ctx.moveTo(x(i), v);
      else if (curve.steps) {
        ctx.lineTo(x(i), y(curve.values[i - 1]! * c.scale));
        ctx.lineTo(x(i), v);
      } else ctx.lineTo(x(i), v);
    }
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = curve.color;
    ctx.fillRect(lx, 5, 10, 3);
    ctx.fillStyle = "#9aa4ad";
    ctx.fillText(curve.label, lx + 13, 11);
    lx += 13 + ctx.measureText(curve.label).width + 14;
  }
  ctx.strokeStyle = "#ffffff";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(x(cursor) + 0.5, PAD.top - 2);
  ctx.lineTo(x(cursor) + 0.5, hgt - PAD.bottom);
  ctx.stroke();
}

const formatTick = (v: number): string => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2));
