/** Headless Chromium for the browser tests: the same launch as the camera renderer's (src/render/browser.ts). */
export { chromiumPath, launchChromium } from "../../src/render/browser.js";
