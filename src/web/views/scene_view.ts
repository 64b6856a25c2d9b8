/**
 * Scenes: any file of scenes/ without a dataset. A scene template is expanded by its generator
 * with parameters edited in the page; either kind can run the built-in synthetic demonstration
 * in the simulation worker and play the result.
 */
import * as THREE from "three";
import type { Episode } from "../../core/schemas/episode.js";
import { type SceneSpec, SceneSpecSchema } from "../../core/schemas/scene.js";
import { expandTemplate, type SceneTemplate, SceneTemplateSchema } from "../../sim/warehouse.js";
import type { AppContext, View } from "../app_context.js";
import { routes } from "../app_context.js";
import { getJson } from "../data/api.js";
import { EpisodePlayer } from "../player/player.js";
import { SceneModel } from "../render/scene_meshes.js";
import { Viewer } from "../render/viewer.js";
import { cancelSimulation, simWorker } from "../resim/client.js";
import { fmt, h } from "../ui/dom.js";
import { verdictBadge } from "./resim_panel.js";

/** The gripper `egobridge demo` uses by default. */
const DEFAULT_GRIPPER = "robotiq_2f85";
const sceneUrl = (name: string) => `/scenes/${encodeURIComponent(name)}.json`;

/** Parses a scenes/ file: a scene spec, or a template (returned with its expansion). */
function parseSceneFile(raw: unknown): { scene: SceneSpec; template?: SceneTemplate } {
  if ((raw as { format?: unknown })?.format === "egobridge.scene-template") {
    const template = SceneTemplateSchema.parse(raw);
    return { scene: expandTemplate(template), template };
  }
  return { scene: SceneSpecSchema.parse(raw) };
}

export function scenesListView(ctx: AppContext): View {
  const list = h("ul.scene-list");
  const el = h(
    "section.scenes",
    null,
    h("h2", null, "Scenes"),
    h("p.muted", null, "Scene specs and templates in scenes/ — no dataset needed."),
    list,
  );
  for (const name of ctx.config.scenes) {
    const desc = h("span.muted");
    list.append(h("li", null, h("a", { href: routes.scene(name) }, name), " ", desc));
    void getJson<{ description?: string; format?: string }>(sceneUrl(name)).then((s) => {
      desc.textContent = `${s.format === "egobridge.scene-template" ? "template · " : ""}${s.description ?? ""}`;
    });
  }
  return { el, dispose: () => el.remove() };
}

/** A form for a template's seed and generator parameters (numbers, booleans, lists of numbers). */
function paramsForm(template: SceneTemplate, onApply: (t: SceneTemplate) => void): HTMLElement {
  const inputs = new Map<string, HTMLInputElement>();
  const field = (key: string, value: unknown) => {
    const isBool = typeof value === "boolean";
    const input = h("input", {
      type: isBool ? "checkbox" : Array.isArray(value) ? "text" : "number",
      step: "any",
      value: Array.isArray(value) ? value.join(", ") : String(value),
      checked: isBool ? value : undefined,
    });
    inputs.set(key, input);
    return h("label.field", null, h("span", null, key), input);
  };
  const params = template.params as Record<string, unknown>;
  const apply = () => {
    const next: Record<string, unknown> = {};
    for (const [key, old] of Object.entries(params)) {
      const input = inputs.get(key)!;
      next[key] = Array.isArray(old)
        ? input.value.split(",").map((v) => Number(v.trim()))
        : typeof old === "boolean"
          ? input.checked
          : Number(input.value);
    }
    onApply(
      SceneTemplateSchema.parse({ ...template, seed: Number(inputs.get("seed")!.value), params: next }),
    );
  };
  return h(
    "form.params-form",
    {
      onsubmit: (ev: Event) => {
        ev.preventDefault();
        apply();
      },
    },
    h("h3", null, `generator: ${template.generator}`),
    field("seed", template.seed),
    ...Object.entries(params).map(([k, v]) => field(k, v)),
    h("button.primary", { type: "submit" }, "Generate"),
  );
}

function itemsTable(scene: SceneSpec): HTMLElement {
  const rows = scene.items.map((i) =>
    h(
      "tr",
      null,
      h("td", null, i.id),
      h("td", null, i.kind),
      h("td", null, "role" in i ? (i.role ?? "") : ""),
      h("td", null, "dynamic" in i && i.dynamic ? `${fmt(i.massKg, 2)} kg` : "static"),
      h("td", null, fmt(i.friction, 2)),
    ),
  );
  return h(
    "table.params",
    null,
    h("tr", null, ...["id", "kind", "role", "mass", "friction"].map((c) => h("th", null, c))),
    ...rows,
  );
}

export function sceneView(ctx: AppContext, name: string): View {
  const el = h(
    "section.scene-view",
    { dataset: { state: "loading" } },
    h("p.muted", null, `loading ${name}…`),
  );
  const stage = h("div.scene-stage");
  const side = h("aside.ep-side");
  const result = h("div.resim-result");
  let viewer: Viewer | undefined;
  let model: SceneModel | undefined;
  let player: EpisodePlayer | undefined;
  let current: SceneSpec | undefined;
  let running = false;

  const clearStage = () => {
    player?.dispose();
    player = undefined;
    if (model) viewer?.scene.remove(model.group);
    model?.dispose();
    model = undefined;
    viewer?.dispose();
    viewer = undefined;
    stage.replaceChildren();
  };
  const showScene = (scene: SceneSpec) => {
    current = scene;
    clearStage();
    const viewport = h("div.viewport");
    stage.append(viewport);
    viewer = new Viewer(viewport);
    model = new SceneModel(scene);
    viewer.scene.add(model.group);
    const target = scene.items.find((i) => i.id === scene.task.targetId);
    const p = target && "pose" in target ? target.pose.pos : [0, 0, 0];
    viewer.setPreset("overview", {
      bounds: model.bounds(),
      target: new THREE.Vector3(p[0], p[1], p[2]),
      front: new THREE.Vector3(0, -1, 0),
    });
    itemsHost.replaceChildren(itemsTable(scene));
    el.dataset.items = String(scene.items.length);
  };
  const showEpisode = (e: Episode) => {
    clearStage();
    player = new EpisodePlayer();
    stage.append(player.el);
    player.load(e);
  };
  const itemsHost = h("div");
  const seed = h("input", { type: "number", value: "0", step: "1", min: "0" });
  const gripper = h("select");
  const runButton = h("button.primary", { onclick: () => void runDemo() }, "Simulate the synthetic demo");

  async function runDemo(): Promise<void> {
    if (running || !current) return;
    running = true;
    runButton.disabled = true;
    el.dataset.sim = "running";
    result.replaceChildren(h("p.muted", null, "simulating in the worker…"));
    try {
      const all = await ctx.embodiments();
      const r = await simWorker().demoOnScene(current, all[gripper.value]!, Number(seed.value) || 0);
      showEpisode(r.episode);
      if (r.arm) player?.showArm(r.episode, r.arm);
      result.replaceChildren(
        verdictBadge(r.episode),
        h("p.muted", null, `${r.episode.steps.length} steps in ${fmt(r.wallS, 2)} s`),
      );
      el.dataset.sim = r.episode.success ? "success" : "failure";
    } catch (err) {
      result.replaceChildren(
        h("p.error", null, `cannot run the demo on this scene: ${(err as Error).message}`),
      );
      el.dataset.sim = "error";
    } finally {
      running = false;
      runButton.disabled = false;
    }
  }

  void (async () => {
    const raw = await getJson<unknown>(sceneUrl(name));
    const { scene, template } = parseSceneFile(raw);
    const all = await ctx.embodiments();
    for (const n of Object.keys(all).sort()) gripper.append(h("option", { value: n }, n));
    if (all[DEFAULT_GRIPPER]) gripper.value = DEFAULT_GRIPPER;
    el.replaceChildren(
      h(
        "div.ep-header",
        null,
        h("a.back", { href: routes.scenes(), title: "scenes (Esc)" }, "← scenes"),
        h("h2", null, name),
        h("span.muted", null, scene.description),
      ),
      h("div.ep-body", null, stage, side),
    );
    side.append(
      ...(template ? [paramsForm(template, (t) => showScene(expandTemplate(t)))] : []),
      h(
        "div.resim",
        null,
        h("h3", null, "Try it"),
        h(
          "p.muted",
          null,
          "The built-in synthetic demonstration (procedural hand → retarget → Rapier) on this scene, in a Web Worker.",
        ),
        h("label.field", null, h("span", null, "gripper"), gripper),
        h("label.field", null, h("span", null, "seed"), seed),
        h(
          "div.buttons",
          null,
          runButton,
          h("button", { onclick: () => current && showScene(current) }, "Show scene"),
        ),
        result,
      ),
      h("h3", null, "Items"),
      itemsHost,
    );
    showScene(scene);
    el.dataset.state = "ready";
  })().catch((err: Error) => {
    el.dataset.state = "error";
    el.replaceChildren(h("p.error", null, `cannot show scene ${name}: ${err.message}`));
  });

  return {
    el,
    onKey(ev) {
      if (ev.key === "Escape") {
        ctx.navigate(routes.scenes());
        return true;
      }
      return player?.onKey(ev) ?? false;
    },
    dispose() {
      if (running) cancelSimulation();
      clearStage();
      el.remove();
    },
  };
}
