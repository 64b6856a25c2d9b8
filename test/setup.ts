/**
 * Test setup: tests read third-party assets from the directories in EGOBRIDGE_ASSETS. When it is
 * unset and the shared asset folder beside the checkout exists, default to it.
 */
import { existsSync } from "node:fs";
import path from "node:path";

const shared = path.resolve(import.meta.dirname, "..", "..", "shared", "assets");
if (!process.env.EGOBRIDGE_ASSETS && existsSync(shared)) {
  process.env.EGOBRIDGE_ASSETS = shared;
}
