/**
 * Built-in models and scenes, found by name in the package's `models/` and `scenes/` folders,
 * or given as a path to a JSON file.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { InputError } from "../core/errors.js";
import { parseContract, readContract, readJson } from "../core/io.js";
import { type Embodiment, EmbodimentSchema } from "../core/schemas/embodiment.js";
import { type SceneSpec, SceneSpecSchema } from "../core/schemas/scene.js";
import { expandTemplate, SceneTemplateSchema } from "../sim/warehouse.js";

/** The package root (this file lives in src/pipeline or dist/pipeline). */
export const PACKAGE_ROOT = path.resolve(import.meta.dirname, "..", "..");
export const MODELS_DIR = path.join(PACKAGE_ROOT, "models");
export const SCENES_DIR = path.join(PACKAGE_ROOT, "scenes");

export const DEFAULT_EMBODIMENT = "robotiq_2f85_mjcf";
export const DEFAULT_SCENE = "shelf_to_tote";

const namesIn = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -5))
        .sort()
    : [];

export const embodimentNames = (): string[] => namesIn(MODELS_DIR);
export const sceneNames = (): string[] => namesIn(SCENES_DIR);

function resolveNamed(nameOrFile: string, dir: string, names: () => string[], what: string): string {
  if (nameOrFile.endsWith(".json") || nameOrFile.includes("/") || nameOrFile.includes(path.sep))
    return nameOrFile;
  const file = path.join(dir, `${nameOrFile}.json`);
  if (!existsSync(file)) {
    throw new InputError(`unknown ${what} '${nameOrFile}'`, {
      hint: `built-in ${what}s: ${names().join(", ")}; or give a path to a .json file`,
    });
  }
  return file;
}

export async function loadEmbodiment(nameOrFile: string = DEFAULT_EMBODIMENT): Promise<Embodiment> {
  const file = resolveNamed(nameOrFile, MODELS_DIR, embodimentNames, "embodiment");
  return readContract(EmbodimentSchema, file, "embodiment");
}

/** Loads a scene file; a scene template (`egobridge.scene-template`) is expanded by its generator. */
export async function loadScene(nameOrFile: string = DEFAULT_SCENE): Promise<SceneSpec> {
  const file = resolveNamed(nameOrFile, SCENES_DIR, sceneNames, "scene");
  const raw = await readJson(file);
  if ((raw as { format?: unknown } | null)?.format === "egobridge.scene-template") {
    return expandTemplate(parseContract(SceneTemplateSchema, raw, `scene template (${file})`));
  }
  return parseContract(SceneSpecSchema, raw, `scene (${file})`);
}
