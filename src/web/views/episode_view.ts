/**
 * Episode: the player (scene, gripper, hand ghost, timeline, charts), what the episode is and
 * where it came from, and the live re-simulation panel.
 */
import type { Episode } from "../../core/schemas/episode.js";
import type { AppContext, View } from "../app_context.js";
import { routes } from "../app_context.js";
import { dataUrl } from "../data/api.js";
import type { Dataset } from "../data/dataset.js";
import { EpisodePlayer } from "../player/player.js";
import { fmt, h } from "../ui/dom.js";
import { debugHooks } from "./debug_hooks.js";
import { ResimPanel, verdictBadge } from "./resim_panel.js";

/** The source video's URL when it is a relative path inside the served dataset. */
function videoUrl(ds: Dataset, e: Episode): string | undefined {
  const uri = e.source.uri;
  if (e.source.kind !== "video" || !uri || /^[a-z]+:|^\//i.test(uri)) return undefined;
  return dataUrl(ds.path, uri);
}

function infoTable(ds: Dataset, e: Episode): HTMLElement {
  const rows: [string, Node | string][] = [
    ["task", e.task],
    ["gripper", `${e.embodiment.name} (stroke ${fmt(e.embodiment.strokeM * 1000, 0)} mm)`],
    ["scene", `${e.scene.name} · target ${e.scene.task.targetId}`],
    [
      "source",
      `${e.source.kind}${e.source.synthetic ? " (synthetic: no human recorded)" : ""} · ${e.source.side} hand`,
    ],
    ["lineage", e.lineage.source],
    ["seed", String(e.lineage.seed)],
    ["control", `${e.controlHz} Hz · ${e.steps.length} steps · ${fmt(e.steps.length / e.controlHz, 1)} s`],
    ["physics", `${e.physics.engine} · dt ${fmt(e.physics.dtS * 1000, 2)} ms × ${e.physics.substeps}`],
  ];
  if (e.lineage.sourceEpisode !== undefined) {
    const src = ds.byId.get(e.lineage.sourceEpisode);
    rows.splice(5, 0, [
      "variant",
      h(
        "span",
        null,
        `${e.lineage.variant} of `,
        src
          ? h("a", { href: routes.episode(ds.path, src.index) }, e.lineage.sourceEpisode)
          : e.lineage.sourceEpisode,
        src ? h("a.small", { href: routes.variants(ds.path, src.index) }, " (all variants)") : null,
      ),
    ]);
  }
  for (const [k, v] of Object.entries(e.metrics)) rows.push([k, fmt(v, 3)]);
  return h("table.info", null, ...rows.map(([k, v]) => h("tr", null, h("th", null, k), h("td", null, v))));
}

export function episodeView(ctx: AppContext, ds: Dataset, index: number): View {
  const el = h(
    "section.episode",
    { dataset: { state: "loading" } },
    h("p.muted", null, `loading episode ${index}…`),
  );
  let player: EpisodePlayer | undefined;
  let panel: ResimPanel | undefined;
  let disposed = false;
  const t0 = performance.now();

  void ds
    .episode(index)
    .then((e) => {
      if (disposed) return;
      const row = ds.rows.find((r) => r.index === index);
      player = new EpisodePlayer({ videoUrl: videoUrl(ds, e), cameras: row ? ds.cameraClips(row) : [] });
      panel = new ResimPanel({
        episode: e,
        source: async () => {
          const row = e.lineage.sourceEpisode ? ds.byId.get(e.lineage.sourceEpisode) : undefined;
          return row ? ds.episode(row.index) : undefined;
        },
        embodiments: () => ctx.embodiments(),
        armModel: () => ds.armModel(index),
        show: (shown) => {
          player?.load(shown);
          showing.textContent = shown === e ? "showing: stored episode" : "showing: re-run (not stored)";
        },
      });
      const showing = h("span.showing", null, "showing: stored episode");
      const prev = ds.rows.find((r) => r.index === index - 1);
      const next = ds.rows.find((r) => r.index === index + 1);
      el.replaceChildren(
        h(
          "div.ep-header",
          null,
          h("a.back", { href: routes.library(ds.path), title: "library (Esc)" }, "← library"),
          h("h2", { title: e.id }, e.id),
          verdictBadge(e),
          showing,
          h(
            "span.nav",
            null,
            prev
              ? h("a", { href: routes.episode(ds.path, prev.index), title: "previous episode (p)" }, "‹ prev")
              : null,
            next
              ? h("a", { href: routes.episode(ds.path, next.index), title: "next episode (n)" }, "next ›")
              : null,
          ),
        ),
        h("div.ep-body", null, player.el, h("aside.ep-side", null, infoTable(ds, e), panel.el)),
      );
      player.load(e);
      if (e.embodiment.arm) {
        const shown = player;
        void ds
          .armDrawing(index)
          .then((d) => {
            if (d && !disposed) shown.showArm(e, d);
          })
          .catch((err: Error) => console.warn(`episode ${index}: the arm cannot be drawn: ${err.message}`));
      }
      el.dataset.state = "ready";
      debugHooks().episodeLoadMs = performance.now() - t0;
    })
    .catch((err: Error) => {
      el.dataset.state = "error";
      el.replaceChildren(h("p.error", null, `cannot show episode ${index}: ${err.message}`));
    });

  return {
    el,
    onKey(ev) {
      if (ev.key === "r" && panel) {
        void panel.run(false);
        return true;
      }
      if (ev.key === "n" || ev.key === "p") {
        const target = index + (ev.key === "n" ? 1 : -1);
        if (ds.rows.some((r) => r.index === target)) ctx.navigate(routes.episode(ds.path, target));
        return true;
      }
      if (ev.key === "Escape") {
        ctx.navigate(routes.library(ds.path));
        return true;
      }
      return player?.onKey(ev) ?? false;
    },
    dispose() {
      disposed = true;
      panel?.cancel();
      player?.dispose();
      el.remove();
    },
  };
}
