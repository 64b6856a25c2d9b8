/**
 * Library: every episode of a dataset from its episodes table (one small parquet read; no
 * episode is loaded until it is opened), with filters and a virtualised list.
 */
import type { AppContext, View } from "../app_context.js";
import { routes } from "../app_context.js";
import type { Dataset } from "../data/dataset.js";
import {
  type EpisodeRow,
  filterRows,
  NO_FILTER,
  type RowFilter,
  variantsBySource,
} from "../data/episode_rows.js";
import { h } from "../ui/dom.js";
import { VirtualList } from "../ui/virtual_list.js";

const ROW_PX = 34;

export function libraryView(ctx: AppContext, ds: Dataset): View {
  const rows = ds.rows;
  const variants = variantsBySource(rows);
  const filter: RowFilter = { ...NO_FILTER };
  const fps = ds.info.fps || 30;

  const list = new VirtualList<EpisodeRow>(ROW_PX, (r, _i, selected) => {
    const kind =
      r.variant === null
        ? h(
            "span.tag.source",
            null,
            `source${variants.get(r.id)?.length ? ` · ${variants.get(r.id)!.length} variants` : ""}`,
          )
        : h(
            "span.tag.variant",
            { title: `variant ${r.variant} of ${r.sourceEpisode}` },
            `variant ${r.variant}`,
          );
    const ok =
      r.success === null
        ? h("span.verdict", null, "–")
        : h(`span.verdict.${r.success ? "ok" : "fail"}`, null, r.success ? "✓ success" : "✗ failure");
    const row = h(
      `div.lib-row${selected ? ".selected" : ""}`,
      { dataset: { index: String(r.index) }, onclick: () => ctx.navigate(routes.episode(ds.path, r.index)) },
      h("span.c-index", null, String(r.index)),
      h("span.c-id", { title: r.id }, r.id),
      h("span.c-task", { title: r.task }, r.task),
      h("span.c-len", null, `${r.length} · ${(r.length / fps).toFixed(1)} s`),
      h("span.c-ok", null, ok),
      h("span.c-reasons", { title: r.reasons.join(", ") }, r.reasons.join(", ")),
      h("span.c-kind", null, kind),
      h("span.c-emb", null, r.embodiment),
    );
    if (r.variant === null && variants.get(r.id)?.length) {
      row.append(
        h(
          "button.c-variants",
          {
            title: "variants of this source (v)",
            onclick: (ev: Event) => {
              ev.stopPropagation();
              ctx.navigate(routes.variants(ds.path, r.index));
            },
          },
          "variants →",
        ),
      );
    }
    return row;
  });

  const count = h("span.count");
  const apply = () => {
    const shown = filterRows(rows, filter);
    list.setItems(shown);
    count.textContent = `${shown.length} of ${rows.length} episodes`;
  };
  const select = <K extends keyof RowFilter>(key: K, options: [string, string][]) => {
    const el = h("select", null, ...options.map(([v, label]) => h("option", { value: v }, label)));
    el.value = String(filter[key]);
    el.addEventListener("change", () => {
      (filter as unknown as Record<string, string>)[key] = el.value;
      apply();
    });
    return el;
  };
  const embodiments = [...new Set(rows.map((r) => r.embodiment))].filter((e) => e).sort();
  const search = h("input.search", {
    type: "search",
    placeholder: "filter by id, task, source, reason  (/)",
  });
  search.addEventListener("input", () => {
    filter.text = search.value.trim();
    apply();
  });
  const successes = rows.filter((r) => r.success).length;
  const sources = rows.filter((r) => r.variant === null).length;
  const el = h(
    "section.library",
    null,
    h(
      "div.lib-summary",
      null,
      h("h2", null, ds.path || ctx.config.dataName || "dataset"),
      h(
        "span",
        null,
        `${rows.length} episodes · ${successes} successful · ${sources} sources, ${rows.length - sources} variants · ${ds.info.total_frames} frames at ${fps} Hz · ${ds.info.robot_type ?? ""} · LeRobot ${ds.info.codebase_version}`,
      ),
    ),
    h(
      "div.filters",
      null,
      select("success", [
        ["all", "all outcomes"],
        ["success", "successes"],
        ["failure", "failures"],
      ]),
      select("kind", [
        ["all", "sources and variants"],
        ["source", "sources"],
        ["variant", "variants"],
      ]),
      select("embodiment", [["", "all grippers"], ...embodiments.map((e): [string, string] => [e, e])]),
      search,
      count,
    ),
    h(
      "div.lib-row.lib-head",
      null,
      h("span.c-index", null, "#"),
      h("span.c-id", null, "episode"),
      h("span.c-task", null, "task"),
      h("span.c-len", null, "length"),
      h("span.c-ok", null, "verdict"),
      h("span.c-reasons", null, "reasons"),
      h("span.c-kind", null, "lineage"),
      h("span.c-emb", null, "gripper"),
    ),
    list.el,
  );
  el.dataset.rows = String(rows.length);
  apply();

  return {
    el,
    onKey(ev) {
      if (ev.target === search) {
        if (ev.key === "Escape" || ev.key === "Enter") {
          search.blur();
          list.el.focus();
          if (ev.key === "Enter" && list.selected < 0) list.select(0);
          return true;
        }
        return false;
      }
      const current = list.item(list.selected);
      switch (ev.key) {
        case "ArrowDown":
        case "j":
          list.select(list.selected + (ev.shiftKey ? 10 : 1));
          return true;
        case "ArrowUp":
        case "k":
          list.select(list.selected - (ev.shiftKey ? 10 : 1));
          return true;
        case "Enter":
          if (current) ctx.navigate(routes.episode(ds.path, current.index));
          return true;
        case "v":
          if (current) {
            const src = current.variant === null ? current : ds.byId.get(current.sourceEpisode);
            if (src) ctx.navigate(routes.variants(ds.path, src.index));
          }
          return true;
        case "/":
          search.focus();
          return true;
        default:
          return false;
      }
    },
    dispose() {
      el.remove();
    },
  };
}
