/** What every view gets: the server's config, cached datasets and gripper models, navigation. */
import type { Embodiment } from "../core/schemas/embodiment.js";
import type { PreviewConfig } from "../preview/protocol.js";
import type { Dataset } from "./data/dataset.js";

export interface AppContext {
  config: PreviewConfig;
  dataset(path: string): Promise<Dataset>;
  /** The gripper models served from models/*.json, by name. */
  embodiments(): Promise<Record<string, Embodiment>>;
  navigate(hash: string): void;
}

export interface View {
  readonly el: HTMLElement;
  /** Keyboard shortcuts of the view; true when the key was used. */
  onKey?(ev: KeyboardEvent): boolean;
  dispose(): void;
}

/** Route fragments: the dataset folder "" (the served folder itself) is written "~". */
export const dsParam = (path: string): string => (path === "" ? "~" : encodeURIComponent(path));
export const dsFromParam = (param: string): string => (param === "~" ? "" : decodeURIComponent(param));

export const routes = {
  library: (ds: string) => `#/library/${dsParam(ds)}`,
  episode: (ds: string, index: number) => `#/episode/${dsParam(ds)}/${index}`,
  variants: (ds: string, index: number) => `#/variants/${dsParam(ds)}/${index}`,
  scenes: () => "#/scenes",
  scene: (name: string) => `#/scene/${encodeURIComponent(name)}`,
};
