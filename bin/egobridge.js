#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm run build`; `npm run demo` and `npm test` build it first).
import { existsSync } from "node:fs";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("egobridge: the CLI is not built yet; run `npm run build` first\n");
  process.exit(1);
}
await import(main.href);
