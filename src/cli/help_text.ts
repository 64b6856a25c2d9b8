/**
 * What `egobridge --help` says after the commands: where assets are looked up, the exit codes
 * (EXIT, src/core/errors.ts) as one table, and the version. The README says the same.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EXIT } from "../core/errors.js";

/** The asset resolution order (src/core/assets.ts). */
export const ASSETS_HELP = [
  "",
  "Assets (models, sample videos, mocap, robot models) are found by name, in this order:",
  "  1. the folders listed in EGOBRIDGE_ASSETS (separated by ':'),",
  "  2. ../shared/assets beside the checkout, when it exists (EGOBRIDGE_ASSETS_BESIDE=0 skips it),",
  "  3. the files egobridge ships (assets/ in the package: the default gripper's model),",
  "  4. the user cache: EGOBRIDGE_CACHE, else $XDG_CACHE_HOME/egobridge, else ~/.cache/egobridge,",
  "     filled by a sha256-checked download for assets that have a download URL (not with EGOBRIDGE_OFFLINE=1).",
].join("\n");

/** egobridge's version, from the package.json of the checkout (or installed package) it runs from. */
export async function packageVersion(): Promise<string> {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "package.json");
  return (JSON.parse(await fs.readFile(file, "utf8")) as { version: string }).version;
}

const MEANING: Record<keyof typeof EXIT, string> = {
  ok: "done",
  environment:
    "something the machine lacks: an asset not found, ffmpeg not on PATH, a failed download, a full disk",
  input:
    "bad input or usage: an unknown or invalid option, a malformed or unreadable input file, an output path that cannot be written",
  failed:
    "the work ran and its result failed: an episode failed its success predicates (simulate), a job wrote no episode (run, merge)",
  differs: "augment --replay: the regenerated variant differs from the stored one",
  stopped: "run stopped early (--max-failures); run it again to continue",
  busy: "another run holds the output folder (run)",
  internal: "a bug in egobridge (the stack is printed)",
};

/** The table as `--help` prints it. */
export function exitCodesHelp(): string {
  const rows = (Object.keys(EXIT) as (keyof typeof EXIT)[]).map(
    (k) => `  ${String(EXIT[k]).padStart(2)}  ${MEANING[k]}`,
  );
  return ["", "Exit codes:", ...rows].join("\n");
}
