/**
 * Variants: a source episode with its variants overlaid in one scene — each one's TCP path and
 * target, moving together on a shared clock — beside a table of the parameters each was sampled
 * with (lineage.params.variation) and its verdict.
 */
import * as THREE from "three";
import type { Episode } from "../../core/schemas/episode.js";
import type { SceneItem } from "../../core/schemas/scene.js";
import type { AppContext, View } from "../app_context.js";
import { routes } from "../app_context.js";
import type { Dataset } from "../data/dataset.js";
import { stepAt } from "../player/series.js";
import { SceneModel } from "../render/scene_meshes.js";
import { disposeTree, polyline, setPose } from "../render/three_util.js";
import { Viewer } from "../render/viewer.js";
import { fmt, h } from "../ui/dom.js";

/** Variants drawn at most; the table says when there are more. */
const MAX_VARIANTS = 24;
const SOURCE_COLOR = "#ffffff";

const colorOf = (k: number): string => `hsl(${Math.round((k * 137.508) % 360)}, 75%, 62%)`;

interface Variation {
  shift?: [number, number];
  yawRad?: number;
  level?: number;
  sizeScale?: number;
  massScale?: number;
  friction?: number;
  speed?: number;
  mirror?: boolean;
  embodiment?: string;
  distractors?: unknown[];
}

interface Overlay {
  episode: Episode;
  color: string;
  group: THREE.Group;
  target: THREE.Object3D;
  tcp: THREE.Mesh;
  t: Float64Array;
}

/** The episode's target alone, in one colour. */
function targetMesh(e: Episode, color: string, opacity: number): THREE.Object3D {
  const item = e.scene.items.find((i) => i.id === e.scene.task.targetId) as SceneItem;
  const spec = { ...e.scene, items: [item], task: { ...e.scene.task, placeRegion: undefined } };
  return new SceneModel(spec, { opacity, color: new THREE.Color(color).getHex() }).byId.get(item.id)!;
}

function overlay(e: Episode, color: string): Overlay {
  const group = new THREE.Group();
  const id = e.scene.task.targetId;
  group.add(
    polyline(
      e.steps.flatMap((s) => s.state.tcp.pos),
      color,
      0.9,
    ),
  );
  group.add(
    polyline(
      e.steps.flatMap((s) => s.objects[id]?.pos ?? []),
      color,
      0.45,
    ),
  );
  // The start pose stays, faint, so the spread of object poses is visible while playing.
  const start = targetMesh(e, color, 0.25);
  setPose(start, e.steps[0]!.objects[id]!);
  const target = targetMesh(e, color, 0.7);
  const tcp = new THREE.Mesh(new THREE.SphereGeometry(0.012, 12, 8), new THREE.MeshBasicMaterial({ color }));
  group.add(start, target, tcp);
  return { episode: e, color, group, target, tcp, t: Float64Array.from(e.steps, (s) => s.t) };
}

function paramCells(e: Episode): (string | Node)[] {
  const v = ((e.lineage.params as { variation?: Variation }).variation ?? {}) as Variation;
  const target = e.scene.items.find((i) => i.id === e.scene.task.targetId) as {
    massKg?: number;
    friction?: number;
  };
  const deg = (r: number | undefined) => (r === undefined ? "–" : fmt((r * 180) / Math.PI, 1));
  return [
    v.shift ? `${fmt(v.shift[0] * 100, 1)}, ${fmt(v.shift[1] * 100, 1)}` : "–",
    deg(v.yawRad),
    v.level === undefined ? "–" : v.level < 0 ? "same" : String(v.level),
    v.sizeScale === undefined ? "–" : fmt(v.sizeScale, 2),
    target.massKg === undefined ? "–" : fmt(target.massKg, 3),
    target.friction === undefined ? "–" : fmt(target.friction, 2),
    v.speed === undefined ? "–" : fmt(v.speed, 2),
    v.mirror ? "yes" : "no",
    e.embodiment.name,
    String(v.distractors?.length ?? 0),
    String(e.steps.length),
  ];
}

export function variantsView(ctx: AppContext, ds: Dataset, sourceIndex: number): View {
  const el = h(
    "section.variants",
    { dataset: { state: "loading" } },
    h("p.muted", null, "loading variants…"),
  );
  let viewer: Viewer | undefined;
  let scene: SceneModel | undefined;
  const overlays: Overlay[] = [];
  let disposed = false;
  let playing = false;
  let raf = 0;
  const slider = h("input.timeline-slider", { type: "range", min: "0", max: "1000", step: "1", value: "0" });
  const timeLabel = h("span.time-label");
  let endS = 1;

  const setTime = (tS: number) => {
    for (const o of overlays) {
      const k = stepAt(o.t, tS);
      const s = o.episode.steps[k]!;
      const p = s.objects[o.episode.scene.task.targetId];
      if (p) setPose(o.target, p);
      o.tcp.position.set(...s.state.tcp.pos);
    }
    slider.value = String(Math.round((tS / endS) * 1000));
    timeLabel.textContent = `${fmt(tS, 2)} / ${fmt(endS, 2)} s`;
    el.dataset.timeS = fmt(tS, 3);
    viewer?.requestRender();
  };
  const play = () => {
    if (playing) return;
    playing = true;
    let last = performance.now();
    let tS = (Number(slider.value) / 1000) * endS;
    if (tS >= endS) tS = 0;
    const tick = (now: number) => {
      if (!playing) return;
      tS = Math.min(endS, tS + (now - last) / 1000);
      last = now;
      setTime(tS);
      if (tS >= endS) playing = false;
      else raf = requestAnimationFrame(tick);
    };
    raf = requestAnimationFrame(tick);
  };
  const pause = () => {
    playing = false;
    cancelAnimationFrame(raf);
  };

  const highlight = (which: Overlay | undefined) => {
    for (const o of overlays) o.group.visible = which === undefined || o === which;
    viewer?.requestRender();
  };

  void (async () => {
    const row = ds.rows.find((r) => r.index === sourceIndex);
    if (!row) throw new Error(`no episode ${sourceIndex}`);
    const variantRows = ds.rows.filter((r) => r.sourceEpisode === row.id && r.variant !== null);
    const shown = variantRows.slice(0, MAX_VARIANTS);
    const [source, ...variants] = await Promise.all([row, ...shown].map((r) => ds.episode(r.index)));
    if (disposed || !source) return;
    const viewport = h("div.viewport");
    const table = h(
      "table.params",
      null,
      h(
        "tr",
        null,
        ...[
          "",
          "episode",
          "verdict",
          "shift x, y (cm)",
          "yaw (°)",
          "level",
          "size ×",
          "mass (kg)",
          "friction",
          "speed ×",
          "mirror",
          "gripper",
          "distractors",
          "steps",
        ].map((c) => h("th", null, c)),
      ),
    );
    [source, ...variants].forEach((e, k) => {
      const color = k === 0 ? SOURCE_COLOR : colorOf(k);
      const o = overlay(e, color);
      overlays.push(o);
      const index = k === 0 ? row.index : shown[k - 1]!.index;
      const tr = h(
        "tr",
        {
          dataset: { index: String(index) },
          onmouseenter: () => highlight(o),
          onmouseleave: () => highlight(undefined),
        },
        h("td", null, h("span.swatch", { style: { background: color } })),
        h(
          "td",
          null,
          h(
            "a",
            { href: routes.episode(ds.path, index), title: e.id },
            k === 0 ? "source" : `v${e.lineage.variant}`,
          ),
        ),
        h(
          "td",
          { title: e.reasons.join(", ") },
          h(`span.verdict.${e.success ? "ok" : "fail"}`, null, e.success ? "✓" : "✗"),
        ),
        ...paramCells(e).map((c) => h("td", null, c)),
      );
      table.append(tr);
    });
    endS = Math.max(...overlays.map((o) => o.t[o.t.length - 1]!));
    const successes = variants.filter((v) => v.success).length;
    el.replaceChildren(
      h(
        "div.ep-header",
        null,
        h("a.back", { href: routes.library(ds.path), title: "library (Esc)" }, "← library"),
        h("h2", null, `Variants of ${source.id}`),
        h(
          "span.muted",
          null,
          `${variantRows.length} variants, ${successes} of ${variants.length} shown successful${variantRows.length > shown.length ? ` (first ${shown.length} shown)` : ""}`,
        ),
      ),
      h(
        "div.var-body",
        null,
        h(
          "div.var-main",
          null,
          viewport,
          h(
            "div.timeline",
            null,
            h(
              "button",
              { onclick: () => (playing ? pause() : play()), title: "play/pause (space)" },
              "▶ / ❚❚",
            ),
            slider,
            timeLabel,
          ),
        ),
        h(
          "aside.var-side",
          null,
          h(
            "p.muted",
            null,
            "Each colour is one episode: its TCP path (line), its target's path (faint line), its target's start (faint) and current pose. Hover a row to show it alone.",
          ),
          table,
        ),
      ),
    );
    viewer = new Viewer(viewport);
    scene = new SceneModel(source.scene);
    // The source's own target moves with its overlay; hide the scene's copy of every dynamic object but distractors.
    scene.byId.get(source.scene.task.targetId)!.visible = false;
    viewer.scene.add(scene.group, ...overlays.map((o) => o.group));
    const target = source.steps[0]!.objects[source.scene.task.targetId]!.pos;
    const bounds = new THREE.Box3().setFromCenterAndSize(
      new THREE.Vector3(...target),
      new THREE.Vector3(2.2, 2.2, 1.6),
    );
    bounds.union(
      new THREE.Box3().setFromCenterAndSize(
        new THREE.Vector3(...source.steps.at(-1)!.state.tcp.pos),
        new THREE.Vector3(0.4, 0.4, 0.4),
      ),
    );
    viewer.setPreset("overview", {
      bounds,
      target: new THREE.Vector3(...target),
      front: new THREE.Vector3(0, -1, 0),
    });
    slider.addEventListener("input", () => {
      pause();
      setTime((Number(slider.value) / 1000) * endS);
    });
    setTime(0);
    el.dataset.state = "ready";
    el.dataset.variants = String(variants.length);
  })().catch((err: Error) => {
    el.dataset.state = "error";
    el.replaceChildren(
      h("p.error", null, `cannot show the variants of episode ${sourceIndex}: ${err.message}`),
    );
  });

  return {
    el,
    onKey(ev) {
      if (ev.key === " ") {
        if (playing) pause();
        else play();
        return true;
      }
      if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
        pause();
        const d = (ev.key === "ArrowRight" ? 1 : -1) * (ev.shiftKey ? 1 : 0.1);
        setTime(Math.max(0, Math.min(endS, (Number(slider.value) / 1000) * endS + d)));
        return true;
      }
      if (ev.key === "Escape") {
        ctx.navigate(routes.library(ds.path));
        return true;
      }
      return false;
    },
    dispose() {
      disposed = true;
      pause();
      for (const o of overlays) disposeTree(o.group);
      scene?.dispose();
      viewer?.dispose();
      el.remove();
    },
  };
}
