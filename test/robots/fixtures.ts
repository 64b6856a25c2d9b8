/** Robot description files from the shared asset folders, and independent counts of what they hold. */
import { promises as fs } from "node:fs";
import path from "node:path";
import { resolveAsset } from "../../src/core/assets.js";

/** Absolute path of a file under `robots/` in the asset folders (EGOBRIDGE_ASSETS); missing → resolveAsset's message. */
export const robotAsset = (name: string): Promise<string> => resolveAsset({ name: `robots/${name}` });

/** The file's text without XML comments (commented-out elements must not be counted). */
export async function xmlText(file: string): Promise<string> {
  return (await fs.readFile(file, "utf8")).replace(/<!--[\s\S]*?-->/g, "");
}

export const count = (text: string, re: RegExp): number => (text.match(re) ?? []).length;

/** An MJCF file's text with its `<include>`s' text appended (counting only, relative to the main file). */
export async function mjcfTextWithIncludes(file: string): Promise<string> {
  let text = await xmlText(file);
  for (const m of text.matchAll(/<include\s+file="([^"]+)"/g))
    text += await mjcfTextWithIncludes(path.resolve(path.dirname(file), m[1]!));
  return text;
}
