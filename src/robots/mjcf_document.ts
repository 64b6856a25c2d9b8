/**
 * The document-level parts of an MJCF model (mujoco.readthedocs.io/en/stable/XMLreference.html):
 * `<include>` expansion, merged `<compiler>` settings, `<default>` classes and mesh assets.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { InputError } from "../core/errors.js";
import { childrenNamed, numbersAttr, parseXml, requiredAttr, where, type XmlElement } from "./xml.js";

/** Orientation attributes: an element that sets one of them replaces any its class sets. */
export const ORIENTATION_ATTRS = ["quat", "axisangle", "euler", "xyaxes", "zaxis"] as const;

export interface CompilerSettings {
  /** MuJoCo's default unit for angles in MJCF is degrees. */
  angle: "degree" | "radian";
  eulerseq: string;
  /** Absolute folder mesh files are relative to. */
  meshdir: string;
  /** With autolimits (MuJoCo's default), a joint with a `range` is limited unless it says otherwise. */
  autolimits: boolean;
}

/** Attribute sets by element tag ("geom", "joint", "mesh", …) for one default class, inheritance applied. */
export type DefaultClass = Record<string, Record<string, string>>;

export interface MeshAsset {
  name: string;
  file: string;
  scale: [number, number, number];
}

const MAX_INCLUDE_DEPTH = 16;

/**
 * Reads an MJCF file and replaces every `<include file>` by the children of the included file's
 * `<mujoco>` element. Included paths are relative to the main file's folder, as MuJoCo resolves them.
 */
export async function readMjcfDocument(file: string): Promise<XmlElement> {
  const mainDir = path.dirname(file);
  const read = async (f: string, depth: number, from?: string): Promise<XmlElement> => {
    let text: string;
    try {
      text = await fs.readFile(f, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const via = from ? ` (included from ${from})` : "";
      throw new InputError(
        code === "ENOENT"
          ? `MJCF file not found: ${f}${via}`
          : `cannot read MJCF ${f}${via}: ${(err as Error).message}`,
      );
    }
    const root = parseXml(text, f);
    if (root.tag !== "mujoco")
      throw new InputError(`${f}: not an MJCF model: root element is <${root.tag}>, expected <mujoco>`);
    return expand(root, f, depth);
  };
  const expand = async (el: XmlElement, f: string, depth: number): Promise<XmlElement> => {
    const children: XmlElement[] = [];
    for (const c of el.children) {
      if (c.tag !== "include") {
        children.push(await expand(c, f, depth));
        continue;
      }
      if (depth >= MAX_INCLUDE_DEPTH)
        throw new InputError(`${where(f, c)}: includes nested deeper than ${MAX_INCLUDE_DEPTH} (a cycle?)`);
      const included = await read(path.resolve(mainDir, requiredAttr(c, "file", f)), depth + 1, f);
      children.push(...included.children);
    }
    return { ...el, children };
  };
  return read(file, 0);
}

export function compilerSettings(root: XmlElement, file: string): CompilerSettings {
  const attrs: Record<string, string> = {};
  for (const c of childrenNamed(root, "compiler")) Object.assign(attrs, c.attrs);
  const angle = attrs["angle"] ?? "degree";
  if (angle !== "degree" && angle !== "radian")
    throw new InputError(`${file}: <compiler angle> must be degree or radian, got '${angle}'`);
  const dir = path.dirname(file);
  const assetdir = attrs["assetdir"];
  const meshdir = attrs["meshdir"] ?? assetdir ?? "";
  return {
    angle,
    eulerseq: attrs["eulerseq"] ?? "xyz",
    meshdir: path.resolve(dir, meshdir),
    autolimits: (attrs["autolimits"] ?? "true") === "true",
  };
}

/** Merges attribute sets; when `own` sets an orientation, the inherited orientation attributes are dropped. */
export function mergeAttrs(
  inherited: Record<string, string>,
  own: Record<string, string>,
): Record<string, string> {
  const out = { ...inherited };
  if (ORIENTATION_ATTRS.some((k) => own[k] !== undefined)) for (const k of ORIENTATION_ATTRS) delete out[k];
  return Object.assign(out, own);
}

/**
 * All default classes, by name, with inheritance applied: the top-level `<default>` is class
 * "main"; a nested `<default class="c">` starts from its parent's attribute sets.
 */
export function defaultClasses(root: XmlElement, file: string): Map<string, DefaultClass> {
  const classes = new Map<string, DefaultClass>();
  classes.set("main", {});
  const visit = (el: XmlElement, name: string, inherited: DefaultClass) => {
    const own: DefaultClass = { ...(classes.get(name) ?? {}) };
    for (const [tag, attrs] of Object.entries(inherited)) own[tag] = mergeAttrs(attrs, own[tag] ?? {});
    for (const c of el.children) {
      if (c.tag !== "default") own[c.tag] = mergeAttrs(own[c.tag] ?? {}, c.attrs);
    }
    classes.set(name, own);
    for (const c of childrenNamed(el, "default")) {
      const child = requiredAttr(c, "class", file);
      if (child !== "main" && classes.has(child) && name !== child) {
        throw new InputError(`${file}: default class '${child}' is defined twice`);
      }
      visit(c, child, own);
    }
  };
  for (const top of childrenNamed(root, "default")) {
    const name = top.attrs["class"] ?? "main";
    visit(top, name, name === "main" ? {} : (classes.get("main") ?? {}));
  }
  return classes;
}

/** The attributes an element ends up with: its class's (explicit `class`, else the active childclass, else main) under its own. */
export function resolveAttrs(
  el: XmlElement,
  activeClass: string,
  classes: Map<string, DefaultClass>,
  file: string,
): Record<string, string> {
  const name = el.attrs["class"] ?? activeClass;
  const cls = classes.get(name);
  if (!cls) throw new InputError(`${where(file, el)} uses default class '${name}', which is not defined`);
  return mergeAttrs(cls[el.tag] ?? {}, el.attrs);
}

/**
 * Mesh assets by name. An asset takes its defaults from its own `class` or "main" (never a body's
 * childclass: assets are outside the body tree). A mesh without a name is named after its file.
 */
export function meshAssets(
  root: XmlElement,
  classes: Map<string, DefaultClass>,
  compiler: CompilerSettings,
  file: string,
): Map<string, MeshAsset> {
  const meshes = new Map<string, MeshAsset>();
  for (const asset of childrenNamed(root, "asset")) {
    for (const el of childrenNamed(asset, "mesh")) {
      const attrs = resolveAttrs(el, "main", classes, file);
      const meshFile = attrs["file"];
      if (meshFile === undefined) {
        throw new InputError(`${where(file, el)}: meshes without a file (inline vertices) are not supported`);
      }
      const name = attrs["name"] ?? path.basename(meshFile).replace(/\.[^.]*$/, "");
      const s = numbersAttr(attrs, "scale", 3, () => where(file, el)) ?? [1, 1, 1];
      if (meshes.has(name)) throw new InputError(`${where(file, el)}: duplicate mesh name '${name}'`);
      meshes.set(name, {
        name,
        file: path.resolve(compiler.meshdir, meshFile),
        scale: [s[0]!, s[1]!, s[2]!],
      });
    }
  }
  return meshes;
}
