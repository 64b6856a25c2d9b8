/**
 * Headless Chromium: the system's browser (Debian package `chromium`, or EGOBRIDGE_CHROMIUM),
 * driven by playwright-core. WebGL runs on SwiftShader (software) under --disable-gpu; with
 * EGOBRIDGE_RENDER_GPU=1 the flag is left out so a GPU node's driver renders instead.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { EgobridgeError } from "../core/errors.js";

export function chromiumPath(): string {
  const candidates = [process.env.EGOBRIDGE_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) {
    throw new EgobridgeError("Chromium was not found at /usr/bin/chromium (or EGOBRIDGE_CHROMIUM)", {
      hint: "the cameras are rendered in headless Chromium: apt-get install chromium, or set EGOBRIDGE_CHROMIUM to its executable",
    });
  }
  return found;
}

/** A fresh browser: playwright's launch() gives it a new temporary profile (--user-data-dir) each time. */
export function launchChromium(): Promise<Browser> {
  const gpu = process.env.EGOBRIDGE_RENDER_GPU === "1";
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--no-sandbox",
      ...(gpu ? ["--ignore-gpu-blocklist", "--use-angle=vulkan"] : ["--disable-gpu"]),
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
