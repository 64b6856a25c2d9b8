/**
 * Live re-simulation of the episode shown: the same src/sim code as the CLI, in a Web Worker,
 * either replaying the stored episode's inputs (which must give the stored episode back, bit for
 * bit) or with a changed target mass, friction, slot or gripper; shows the verdict.
 */
import type { Embodiment } from "../../core/schemas/embodiment.js";
import type { Episode } from "../../core/schemas/episode.js";
import type { ArmModelJson } from "../../sim/arm.js";
import { cancelSimulation, simWorker } from "../resim/client.js";
import {
  compareEpisodes,
  type ResimMethod,
  type ResimOverrides,
  type ResimResult,
  resimMethod,
} from "../resim/resimulate.js";
import { fmt, h } from "../ui/dom.js";
import { debugHooks } from "./debug_hooks.js";

const METHOD_TEXT: Record<ResimMethod, string> = {
  variant_lineage: "regenerated from its source episode and recorded variation (bit for bit)",
  procedural: "the synthetic demonstration regenerated from scene and seed (bit for bit)",
  recorded_commands:
    "the recorded commands replayed (the hand track is not in the dataset: close, not bit for bit)",
};

export interface ResimPanelOptions {
  episode: Episode;
  /** Loads the source episode of a variant. */
  source: () => Promise<Episode | undefined>;
  embodiments: () => Promise<Record<string, Embodiment>>;
  /** Loads the episode's arm (an arm episode is re-simulated with it). */
  armModel: () => Promise<ArmModelJson | undefined>;
  /** Shows an episode in the player (the stored one or a re-run). */
  show: (episode: Episode) => void;
}

export function verdictBadge(e: Pick<Episode, "success" | "reasons">): HTMLElement {
  return h(
    `span.verdict.${e.success ? "ok" : "fail"}`,
    { title: e.reasons.join(", ") },
    `${e.success ? "✓ success" : "✗ failure"} · ${e.reasons.join(", ")}`,
  );
}

export class ResimPanel {
  readonly el: HTMLElement;
  private readonly result = h("div.resim-result");
  private readonly inputs: {
    mass: HTMLInputElement;
    friction: HTMLInputElement;
    dx: HTMLInputElement;
    dy: HTMLInputElement;
    level: HTMLSelectElement;
    gripper: HTMLSelectElement;
  };
  private readonly runButtons: HTMLButtonElement[];
  private readonly cancelButton: HTMLButtonElement;
  private running = false;

  constructor(private readonly o: ResimPanelOptions) {
    const e = o.episode;
    const target = e.scene.items.find((i) => i.id === e.scene.task.targetId) as {
      massKg?: number;
      friction?: number;
    };
    const shelf = e.scene.items.find((i) => i.kind === "shelf") as { levelsM: number[] } | undefined;
    const num = (value: number | undefined, step: string, title: string) =>
      h("input", {
        type: "number",
        step,
        value: value === undefined ? "" : String(+value.toFixed(4)),
        title,
      });
    this.inputs = {
      mass: num(target.massKg, "0.05", "target mass (kg)"),
      friction: num(target.friction, "0.05", "target friction coefficient"),
      dx: num(0, "0.01", "move the target along its support's x (m)"),
      dy: num(0, "0.01", "move the target along its support's y (m)"),
      level: h(
        "select",
        { title: "shelf level of the target" },
        h("option", { value: "" }, "as recorded"),
        ...(shelf?.levelsM ?? []).map((z, i) =>
          h("option", { value: String(i) }, `level ${i} (${z.toFixed(2)} m)`),
        ),
      ),
      gripper: h(
        "select",
        { title: "gripper" },
        h("option", { value: e.embodiment.name }, e.embodiment.name),
      ),
    };
    void o.embodiments().then((all) => {
      for (const name of Object.keys(all).sort()) {
        if (name !== e.embodiment.name) this.inputs.gripper.append(h("option", { value: name }, name));
      }
    });
    const replay = h(
      "button.primary",
      { onclick: () => this.run(false), title: "replay the stored inputs (r)" },
      "Replay stored",
    );
    const rerun = h(
      "button",
      { onclick: () => this.run(true), title: "re-run with the parameters above" },
      "Re-run with changes",
    );
    this.cancelButton = h("button", { onclick: () => this.cancel(), disabled: true }, "Cancel");
    this.runButtons = [replay, rerun];
    const field = (label: string, ...els: HTMLElement[]) =>
      h("label.field", null, h("span", null, label), ...els);
    this.el = h(
      "div.resim",
      { dataset: { state: "idle" } },
      h("h3", null, "Re-simulate in the browser"),
      h("p.muted", null, `Rapier in a Web Worker, same code as the CLI: ${METHOD_TEXT[resimMethod(e)]}.`),
      field("target mass (kg)", this.inputs.mass),
      field("friction", this.inputs.friction),
      field("slot shift x, y (m)", this.inputs.dx, this.inputs.dy),
      shelf ? field("shelf level", this.inputs.level) : null,
      field("gripper", this.inputs.gripper),
      h("div.buttons", null, replay, rerun, this.cancelButton),
      this.result,
    );
  }

  /** The overrides the inputs hold, relative to the stored episode. */
  overrides(): ResimOverrides {
    const e = this.o.episode;
    const target = e.scene.items.find((i) => i.id === e.scene.task.targetId) as {
      massKg: number;
      friction: number;
    };
    const val = (el: HTMLInputElement) => (el.value.trim() === "" ? undefined : Number(el.value));
    const o: ResimOverrides = {};
    const mass = val(this.inputs.mass);
    if (mass !== undefined && mass > 0 && Math.abs(mass - target.massKg) > 1e-9) o.massKg = mass;
    const friction = val(this.inputs.friction);
    if (friction !== undefined && friction >= 0 && Math.abs(friction - target.friction) > 1e-9)
      o.friction = friction;
    const dx = val(this.inputs.dx) ?? 0;
    const dy = val(this.inputs.dy) ?? 0;
    if (dx !== 0 || dy !== 0) o.shiftM = [dx, dy];
    if (this.inputs.level.value !== "") o.level = Number(this.inputs.level.value);
    if (this.inputs.gripper.value !== e.embodiment.name) o.embodiment = this.inputs.gripper.value;
    return o;
  }

  private setState(state: "idle" | "running" | "done" | "error"): void {
    this.el.dataset.state = state;
    this.running = state === "running";
    for (const b of this.runButtons) b.disabled = this.running;
    this.cancelButton.disabled = !this.running;
  }

  cancel(): void {
    if (!this.running) return;
    cancelSimulation();
    this.setState("idle");
    this.result.replaceChildren(h("p.muted", null, "cancelled"));
  }

  /** Runs the stored inputs (`changed` false) or the inputs with the panel's changes. */
  async run(changed: boolean): Promise<void> {
    if (this.running) return;
    const e = this.o.episode;
    this.setState("running");
    const started = performance.now();
    const ticker = setInterval(() => {
      this.result.replaceChildren(
        h("p.muted", null, `simulating… ${((performance.now() - started) / 1000).toFixed(1)} s`),
      );
    }, 200);
    try {
      const [source, embodiments, armModel] = await Promise.all([
        this.o.source(),
        this.o.embodiments(),
        e.embodiment.arm ? this.o.armModel() : undefined,
      ]);
      const r = await simWorker().resimulate({
        episode: e,
        source,
        embodiments,
        ...(armModel ? { armModel } : {}),
        overrides: changed ? this.overrides() : undefined,
      });
      clearInterval(ticker);
      debugHooks().lastResim = r;
      this.showResult(r);
      this.setState("done");
    } catch (err) {
      clearInterval(ticker);
      if (!this.running) return;
      this.result.replaceChildren(
        h("p.error", null, `re-simulation failed: ${(err as Error).message ?? String(err)}`),
      );
      this.setState("error");
    }
  }

  private showResult(r: ResimResult): void {
    const e = this.o.episode;
    const c = r.exactReplay ? compareEpisodes(r.episode, e) : undefined;
    const same = r.episode.success === e.success && r.episode.reasons.join() === e.reasons.join();
    this.el.dataset.verdict = r.episode.success ? "success" : "failure";
    this.el.dataset.sameVerdict = String(same);
    // "bit": every number equal; "physics": state, objects and contacts equal, the rest within rounding.
    if (c) this.el.dataset.identical = c.identical ? "bit" : c.physicsIdentical ? "physics" : "no";
    else delete this.el.dataset.identical;
    const compare = !c
      ? h("p.muted", null, `stored: ${e.success ? "success" : "failure"} (${e.reasons.join(", ")})`)
      : c.identical
        ? h(
            "p.ok.identical",
            null,
            `identical to the stored episode: all ${e.steps.length} steps, bit for bit`,
          )
        : c.physicsIdentical
          ? h(
              "p.ok.identical",
              { title: "Math.sin/cos/log differ in the last bit between JavaScript engines" },
              `physics identical to the stored episode (state, objects, contacts of all ${e.steps.length} steps, bit for bit); other values within ${c.maxAbsDiff.toExponential(1)} from step ${c.first?.step} (${c.first?.field})`,
            )
          : h(
              "p.error",
              null,
              `differs from the stored episode from step ${c.first?.step} (${c.first?.field}), by up to ${c.maxAbsDiff.toExponential(1)}`,
            );
    const showStored = h("button", { onclick: () => this.o.show(e) }, "show stored");
    const showRun = h("button", { onclick: () => this.o.show(r.episode) }, "show re-run");
    this.result.replaceChildren(
      h("div.resim-verdict", null, verdictBadge(r.episode)),
      h(
        "p.muted",
        null,
        `${r.episode.steps.length} steps in ${fmt(r.wallS, 2)} s · lift ${fmt((r.episode.metrics["maxLiftM"] ?? 0) * 100, 1)} cm · max contact ${fmt(r.episode.metrics["maxContactForceN"] ?? 0, 1)} N`,
      ),
      compare,
      h("div.buttons", null, showStored, showRun),
    );
  }
}
