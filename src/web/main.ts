/**
 * The egobridge preview app: routes (in the URL hash) to the library, episode, variants and scene
 * views; loads what the server serves (api/config, datasets, models) once and caches it; global
 * keyboard shortcuts.
 */
import "./zod_csp.js";
import "./style.css";
import { memoPromise } from "../core/memo.js";
import { type Embodiment, EmbodimentSchema } from "../core/schemas/embodiment.js";
import type { AppContext, View } from "./app_context.js";
import { dsFromParam, routes } from "./app_context.js";
import { getConfig, getJson } from "./data/api.js";
import { Dataset } from "./data/dataset.js";
import { h } from "./ui/dom.js";
import { debugHooks } from "./views/debug_hooks.js";
import { episodeView } from "./views/episode_view.js";
import { libraryView } from "./views/library_view.js";
import { scenesListView, sceneView } from "./views/scene_view.js";
import { variantsView } from "./views/variants_view.js";

const HELP: [string, string][] = [
  ["space / k", "play or pause"],
  ["← → (j l)", "step back / forward (shift: 10 steps)"],
  ["Home / End", "first / last step"],
  ["[ ]", "slower / faster"],
  ["1 2 3", "camera: overview, aisle, gripper"],
  ["h", "hand ghost: over / beside / off"],
  ["r", "re-simulate the stored episode in the worker"],
  ["n / p", "next / previous episode"],
  ["↑ ↓ Enter", "library: select and open"],
  ["v", "library: variants of the selected episode"],
  ["/", "library: filter"],
  ["Esc", "back"],
  ["?", "this help"],
];

async function main(): Promise<void> {
  const root = document.getElementById("app")!;
  const content = h("main.content");
  const nav = h("nav");
  const help = h(
    "div.help",
    { hidden: true },
    h("h3", null, "Keyboard"),
    h("table", null, ...HELP.map(([k, v]) => h("tr", null, h("th", null, k), h("td", null, v)))),
  );
  root.replaceChildren(
    h("header.topbar", null, h("a.brand", { href: "#/" }, "egobridge preview"), nav),
    content,
    help,
  );

  const config = await getConfig();
  const datasets = new Map<string, Promise<Dataset>>();
  let embodiments: Promise<Record<string, Embodiment>> | undefined;
  const ctx: AppContext = {
    config,
    dataset: (path) => memoPromise(datasets, path, () => Dataset.open(path)),
    embodiments() {
      embodiments ??= Promise.all(
        config.models.map(async (name) => {
          const r = EmbodimentSchema.safeParse(
            await getJson<unknown>(`/models/${encodeURIComponent(name)}.json`),
          );
          return r.success ? ([name, r.data] as const) : undefined;
        }),
      ).then((all) => Object.fromEntries(all.filter((x) => x !== undefined)));
      return embodiments;
    },
    navigate(hash) {
      if (location.hash === hash) void route();
      else location.hash = hash;
    },
  };

  for (const ds of config.datasets)
    nav.append(h("a", { href: routes.library(ds) }, ds || config.dataName || "dataset"));
  nav.append(
    h("a", { href: routes.scenes() }, "scenes"),
    h("a", { href: "#", onclick: toggleHelp, title: "keyboard (?)" }, "?"),
  );

  function toggleHelp(ev?: Event): void {
    ev?.preventDefault();
    help.hidden = !help.hidden;
  }

  let view: View | undefined;
  let routeToken = 0;
  async function route(): Promise<void> {
    const token = ++routeToken;
    view?.dispose();
    view = undefined;
    const parts = location.hash.replace(/^#\/?/, "").split("/");
    const [name = "", a, b] = parts;
    content.dataset.view = "loading";
    content.replaceChildren(h("p.muted", null, "loading…"));
    let next: View;
    try {
      if (name === "library" && a !== undefined) next = libraryView(ctx, await ctx.dataset(dsFromParam(a)));
      else if (name === "episode" && a !== undefined && b !== undefined)
        next = episodeView(ctx, await ctx.dataset(dsFromParam(a)), Number(b));
      else if (name === "variants" && a !== undefined && b !== undefined)
        next = variantsView(ctx, await ctx.dataset(dsFromParam(a)), Number(b));
      else if (name === "scene" && a !== undefined) next = sceneView(ctx, decodeURIComponent(a));
      else if (name === "scenes" || config.datasets.length === 0) next = scenesListView(ctx);
      else if (config.datasets.length === 1) {
        ctx.navigate(routes.library(config.datasets[0]!));
        return;
      } else next = datasetsView(config.datasets);
    } catch (err) {
      if (token !== routeToken) return;
      content.dataset.view = "error";
      content.replaceChildren(h("p.error", null, `cannot open ${location.hash}: ${(err as Error).message}`));
      return;
    }
    if (token !== routeToken) {
      next.dispose();
      return;
    }
    view = next;
    content.dataset.view = name || "home";
    content.replaceChildren(next.el);
    if (name === "library") debugHooks().libraryReadyMs ??= performance.now();
  }

  function datasetsView(paths: string[]): View {
    const el = h(
      "section.scenes",
      null,
      h("h2", null, `Datasets in ${config.dataName ?? ""}`),
      h("ul.scene-list", null, ...paths.map((p) => h("li", null, h("a", { href: routes.library(p) }, p)))),
    );
    return { el, dispose: () => el.remove() };
  }

  window.addEventListener("hashchange", () => void route());
  window.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement;
    if (ev.key === "?" && !typing) {
      toggleHelp();
      ev.preventDefault();
      return;
    }
    if (ev.key === "Escape" && !help.hidden) {
      help.hidden = true;
      ev.preventDefault();
      return;
    }
    // Form fields keep their keys, except the library's search box, which hands Esc/Enter to its view.
    if (typing && !(ev.target as HTMLElement).classList.contains("search")) return;
    if (view?.onKey?.(ev)) ev.preventDefault();
  });
  await route();
}

main().catch((err: Error) => {
  document
    .getElementById("app")!
    .replaceChildren(h("p.error", null, `the preview cannot start: ${err.message}`));
});
