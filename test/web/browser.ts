/**
 * Headless Chromium for the browser tests: the system's Debian `chromium` (installed by .ci/run),
 * driven by playwright-core. WebGL runs on SwiftShader (software) under --disable-gpu.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export function chromiumPath(): string {
  const candidates = [process.env.EGOBRIDGE_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) {
    throw new Error(
      "the browser tests need Chromium at /usr/bin/chromium (Debian package 'chromium'; .ci/run installs it) or EGOBRIDGE_CHROMIUM",
    );
  }
  return found;
}

/** A fresh browser: playwright's launch() gives it a new temporary profile (--user-data-dir) each time. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
