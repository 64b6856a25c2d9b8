/**
 * The preview app end to end, as a person uses it: the app built from the current sources, the
 * demo dataset written by the CLI's demo pipeline, `egobridge preview`'s server, and the system's
 * Chromium (headless, software WebGL). Screenshots of the views go to out/screenshots/ (git-ignored)
 * with the measurements (app size, dataset load time) beside them.
 */
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Episode } from "../../src/core/schemas/episode.js";
import { encodeParquet } from "../../src/dataset/parquet.js";
import { MODELS_DIR, SCENES_DIR } from "../../src/pipeline/catalog.js";
import { runDemo } from "../../src/pipeline/demo.js";
import { type PreviewServer, startPreviewServer } from "../../src/preview/server.js";
import { compareEpisodes } from "../../src/web/resim/resimulate.js";
import { launchChromium } from "./browser.js";
import { changedFraction, decodePng, pixelStats } from "./png.js";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const SHOTS = path.join(ROOT, "out", "screenshots");
/** Waits for things the app does (build, load, simulate): generous, for a busy 2-core machine. */
const WAIT_MS = 90_000;
/** Largest difference allowed outside the physics: last-bit differences of float64 values near 1 (m, unit quaternions). */
const LAST_BIT_TOLERANCE = 1e-12;

let tmp: string;
let appDir: string;
/** A job folder: the demo dataset, and a large episodes table. */
let jobDir: string;
let dataDir: string;
/** Episodes in the large table (only its meta: the library must not load episodes). */
const BIG = 5000;
let server: PreviewServer;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const metrics: Record<string, unknown> = {};

/** Builds the app from src/web into `outDir` with the project's vite config (as `npm run build` does). */
function buildApp(outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const vite = path.join(ROOT, "node_modules", "vite", "bin", "vite.js");
    const child = spawn(process.execPath, [vite, "build", "--outDir", outDir, "--emptyOutDir"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build failed (${code}):\n${stderr}`)),
    );
  });
}

async function dirSize(
  dir: string,
): Promise<{ bytes: number; gzipBytes: number; files: Record<string, number> }> {
  let bytes = 0;
  let gzipBytes = 0;
  const files: Record<string, number> = {};
  for (const name of await fs.readdir(dir, { recursive: true })) {
    const file = path.join(dir, name);
    if (!(await fs.stat(file)).isFile()) continue;
    const data = await fs.readFile(file);
    bytes += data.length;
    gzipBytes += gzipSync(data).length;
    files[name] = data.length;
  }
  return { bytes, gzipBytes, files };
}

/** A screenshot of the 3D view's canvas, decoded. */
async function canvasImage(selector = "canvas.viewer-canvas") {
  return decodePng(await page.locator(selector).first().screenshot());
}

/** Waits until the canvas shows a scene (WebGL renders on the next animation frame). */
async function waitForScene(selector?: string) {
  for (let i = 0; i < 50; i++) {
    const img = await canvasImage(selector);
    if (pixelStats(img).nonBackgroundFraction > 0.05) return img;
    await page.waitForTimeout(100);
  }
  return canvasImage(selector);
}

/** A dataset of BIG episodes as far as the library sees it: info.json and the episodes table. */
async function writeBigTable(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, "meta", "episodes", "chunk-000"), { recursive: true });
  const info = {
    codebase_version: "v3.0",
    robot_type: "robotiq_2f85",
    total_episodes: BIG,
    total_frames: BIG * 300,
    fps: 30,
  };
  await fs.writeFile(path.join(dir, "meta", "info.json"), JSON.stringify(info));
  const ids = Array.from({ length: BIG }, (_, i) =>
    i % 10 === 0 ? `src${i}` : `src${i - (i % 10)}~v${(i % 10) - 1}`,
  );
  const bytes = encodeParquet([
    { name: "episode_index", type: "int64", values: ids.map((_, i) => i) },
    { name: "tasks", type: "string_list", values: ids.map(() => ["pick"]) },
    { name: "length", type: "int64", values: ids.map(() => 300) },
    { name: "success", type: "bool", values: ids.map((_, i) => i % 7 !== 0) },
    {
      name: "reasons",
      type: "string",
      values: ids.map((_, i) => (i % 7 ? "grasped,lifted" : "never_grasped")),
    },
    { name: "episode_id", type: "string", values: ids },
    {
      name: "lineage/source_episode",
      type: "string",
      values: ids.map((id) => (id.includes("~") ? id.split("~")[0]! : "")),
    },
    { name: "lineage/variant", type: "int64", values: ids.map((_, i) => (i % 10) - 1) },
    { name: "embodiment", type: "string", values: ids.map(() => "robotiq_2f85") },
  ]);
  await fs.writeFile(path.join(dir, "meta", "episodes", "chunk-000", "file-000.parquet"), bytes);
}

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-web-"));
  appDir = path.join(tmp, "web");
  jobDir = path.join(tmp, "job");
  dataDir = path.join(jobDir, "demo");
  // The demo as `egobridge demo` writes it (1 source + 8 validated variants), beside a large table.
  await Promise.all([
    buildApp(appDir),
    runDemo({ outDir: dataDir, variants: 8 }),
    runDemo({
      outDir: path.join(jobDir, "mjcf"),
      variants: 0,
      embodiment: "robotiq_2f85_mjcf",
      cameras: { keys: ["head", "wrist"], size: { widthPx: 224, heightPx: 224 }, codec: "h264" },
    }),
    runDemo({
      outDir: path.join(jobDir, "arm"),
      variants: 0,
      embodiment: "franka_panda",
      cameras: { keys: ["head"], size: { widthPx: 96, heightPx: 96 }, codec: "h264" },
    }),
    writeBigTable(path.join(jobDir, "big")),
    fs.mkdir(SHOTS, { recursive: true }),
  ]);
  metrics["appSize"] = await dirSize(appDir);
  server = await startPreviewServer({
    dataDir: jobDir,
    appDir,
    scenesDir: SCENES_DIR,
    modelsDir: MODELS_DIR,
    port: 0,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.setDefaultTimeout(WAIT_MS);
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(`uncaught: ${e.message}`));
}, 240_000);

afterAll(async () => {
  await fs
    .writeFile(path.join(SHOTS, "metrics.json"), `${JSON.stringify(metrics, null, 2)}\n`)
    .catch(() => {});
  await browser?.close();
  await server?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe("preview app (headless Chromium)", () => {
  it("lists the datasets of a job folder", async () => {
    await page.goto(server.url);
    await page.locator(".scene-list a").first().waitFor();
    expect(await page.locator(".scene-list a").allTextContents()).toEqual(["arm", "big", "demo", "mjcf"]);
  });

  it("lists the demo dataset's episodes in the library", async () => {
    const t0 = Date.now();
    await page.goto(`${server.url}#/library/demo`);
    await page.locator(".lib-row[data-index]").first().waitFor();
    metrics["libraryLoadMs"] = Date.now() - t0;
    metrics["libraryReadyMsInPage"] = await page.evaluate("window.__egobridge.libraryReadyMs");
    expect(await page.locator(".lib-row[data-index]").count()).toBe(9);
    expect(await page.locator(".tag.variant").count()).toBe(8);
    await shot("library");
    // Filters: the demo has no failures.
    await page.locator(".filters select").first().selectOption("failure");
    expect(await page.locator(".lib-row[data-index]").count()).toBe(0);
    await page.locator(".filters select").first().selectOption("all");
  });

  it(`keeps a library of ${BIG} episodes to the rows on screen`, async () => {
    const t0 = Date.now();
    await page.goto(`${server.url}#/library/big`);
    await page.locator(".lib-row[data-index]").first().waitFor();
    metrics["bigLibraryLoadMs"] = Date.now() - t0;
    expect(await page.locator(".filters .count").textContent()).toBe(`${BIG} of ${BIG} episodes`);
    expect(await page.locator(".lib-row[data-index]").count()).toBeLessThan(100);
    await page.locator(".vlist").evaluate((el) => {
      (el as unknown as { scrollTop: number }).scrollTop = 1e9;
    });
    await page.locator(`.lib-row[data-index="${BIG - 1}"]`).waitFor();
    expect(await page.locator(".lib-row[data-index]").count()).toBeLessThan(100);
    await page.locator(".filters .search").fill("never_grasped");
    expect(await page.locator(".filters .count").textContent()).toBe(
      `${Math.ceil(BIG / 7)} of ${BIG} episodes`,
    );
  });

  it("shows an episode: a non-blank scene, and scrubbing changes the frame", async () => {
    const t0 = Date.now();
    await page.goto(`${server.url}#/library/demo`);
    await page.locator('.lib-row[data-index="1"]').click();
    await page.locator("section.episode[data-state=ready]").waitFor();
    metrics["episodeLoadMs"] = Date.now() - t0;
    metrics["episodeLoadMsInPage"] = await page.evaluate("window.__egobridge.episodeLoadMs");
    const first = await waitForScene();
    const stats = pixelStats(first);
    expect(stats.nonBackgroundFraction).toBeGreaterThan(0.05);
    expect(stats.distinctColors).toBeGreaterThan(20);
    expect(await page.locator(".player").getAttribute("data-step")).toBe("0");
    // Scrub: move the timeline slider as a drag does (value + input event).
    await page.locator(".timeline-slider").evaluate((el) => {
      const input = el as unknown as { value: string; dispatchEvent(e: unknown): boolean };
      input.value = "200";
      input.dispatchEvent(
        new (globalThis as unknown as { Event: new (t: string) => unknown }).Event("input"),
      );
    });
    expect(await page.locator(".player").getAttribute("data-step")).toBe("200");
    await page.waitForTimeout(300);
    const scrubbed = await canvasImage();
    expect(changedFraction(first, scrubbed)).toBeGreaterThan(0.001);
    // Keyboard: End goes to the last step, Home back to the first.
    await page.keyboard.press("End");
    expect(Number(await page.locator(".player").getAttribute("data-step"))).toBeGreaterThan(200);
    await page.keyboard.press("Home");
    expect(await page.locator(".player").getAttribute("data-step")).toBe("0");
    await page.keyboard.press("ArrowRight");
    expect(await page.locator(".player").getAttribute("data-step")).toBe("1");
    await page.locator(".timeline-slider").evaluate((el) => {
      const input = el as unknown as { value: string; dispatchEvent(e: unknown): boolean };
      input.value = "150";
      input.dispatchEvent(
        new (globalThis as unknown as { Event: new (t: string) => unknown }).Event("input"),
      );
    });
    await page.waitForTimeout(300);
    await shot("episode");
  });

  it("draws the arm of an arm episode: all its links, at the first step and at the last", async () => {
    await page.goto(`${server.url}#/episode/arm/0`);
    await page.locator("section.episode[data-state=ready]").waitFor();
    await page.locator(".player[data-arm-links]").waitFor();
    // The Panda's eight links (link0 … link7), all drawn.
    expect(await page.locator(".player").getAttribute("data-arm-links")).toBe("8");
    await page.keyboard.press("End");
    expect(await page.locator(".player").getAttribute("data-arm-links")).toBe("8");
    await page.keyboard.press("Home");
    await page.waitForTimeout(300);
    await shot("arm");
  });

  it("plays the rendered camera streams beside the 3D view, at the step shown", async () => {
    await page.goto(`${server.url}#/episode/mjcf/0`);
    await page.locator("section.episode[data-state=ready]").waitFor();
    const videos = page.locator(".camera-strip video.camera-video");
    expect(await videos.count()).toBe(2);
    const step = 120;
    await page.locator(".timeline-slider").evaluate((el, k) => {
      const input = el as unknown as { value: string; dispatchEvent(e: unknown): boolean };
      input.value = String(k);
      input.dispatchEvent(
        new (globalThis as unknown as { Event: new (t: string) => unknown }).Event("input"),
      );
    }, step);
    // Each video is at the middle of the step's frame, decoded, and shows a drawn scene (not one colour).
    const seen = await videos.evaluateAll(async (els) =>
      Promise.all(
        els.map(async (el) => {
          const v = el as unknown as {
            readyState: number;
            seeking: boolean;
            currentTime: number;
            videoWidth: number;
            videoHeight: number;
            title: string;
          };
          const t0 = Date.now();
          while ((v.readyState < 2 || v.seeking) && Date.now() - t0 < 20_000)
            await new Promise((r) => setTimeout(r, 50));
          const doc = (globalThis as unknown as { document: { createElement(t: string): unknown } }).document;
          const canvas = doc.createElement("canvas") as {
            width: number;
            height: number;
            getContext(k: string): {
              drawImage(i: unknown, x: number, y: number): void;
              getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
            };
          };
          canvas.width = v.videoWidth;
          canvas.height = v.videoHeight;
          const g = canvas.getContext("2d");
          g.drawImage(v, 0, 0);
          const data = g.getImageData(0, 0, v.videoWidth, v.videoHeight).data;
          const colours = new Set<number>();
          for (let i = 0; i < data.length; i += 4)
            colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
          return {
            key: v.title,
            readyState: v.readyState,
            t: v.currentTime,
            w: v.videoWidth,
            colours: colours.size,
          };
        }),
      ),
    );
    expect(seen.map((s) => s.key)).toEqual(["observation.images.head", "observation.images.wrist"]);
    for (const s of seen) {
      expect(s.readyState, s.key).toBeGreaterThanOrEqual(2);
      expect(s.w, s.key).toBe(224);
      // Episode 0 starts at 0 s in its file: step k's frame is at k / 30 s.
      expect(Math.abs(s.t - (step + 0.5) / 30), s.key).toBeLessThan(1e-3);
      expect(s.colours, s.key).toBeGreaterThan(50);
    }
    await shot("episode-cameras");
  });

  it("re-simulates an episode of the 2F-85 built from its MJCF, with the linkage the server derives: identical", async () => {
    await page.goto(`${server.url}#/episode/mjcf/0`);
    await page.locator("section.episode[data-state=ready]").waitFor();
    await page.getByRole("button", { name: "Replay stored" }).click();
    await page.locator(".resim[data-state=done], .resim[data-state=error]").waitFor({ timeout: WAIT_MS });
    expect(await page.locator(".resim").getAttribute("data-state")).toBe("done");
    expect(await page.locator(".resim .resim-result").textContent()).toContain("identical");
  });

  it("re-simulates an arm episode in the worker, with the arm the server loads: same verdict, same steps", async () => {
    await page.goto(`${server.url}#/episode/arm/0`);
    await page.locator("section.episode[data-state=ready]").waitFor();
    await page.getByRole("button", { name: "Replay stored" }).click();
    await page.locator(".resim[data-state=done], .resim[data-state=error]").waitFor({ timeout: WAIT_MS });
    const panel = page.locator(".resim");
    const shown = (await page.locator(".resim .resim-result").textContent()) ?? "";
    expect(await panel.getAttribute("data-state"), shown).toBe("done");
    expect(await panel.getAttribute("data-same-verdict")).toBe("true");
    const replay = (await page.evaluate("window.__egobridge.lastResim.episode")) as Episode;
    const file = path.join(jobDir, "arm", "extras", "episodes", "episode_000000.json");
    const stored = JSON.parse(await fs.readFile(file, "utf8")) as Episode;
    // The arm was simulated: its 7 joints recorded at every step, as in the stored episode.
    expect(replay.steps.every((s) => s.state.joints?.q.length === 7)).toBe(true);
    expect(replay.scene.robotBase).toEqual(stored.scene.robotBase);
    expect(replay.steps.length).toBe(stored.steps.length);
    const c = compareEpisodes(replay, stored);
    metrics["resimArm"] = { bitIdentical: c.identical, maxAbsDiff: c.maxAbsDiff, first: c.first };
    // The physics (measured TCP, objects, contacts) bit for bit; the joints, solved in JS, may
    // differ in the last bit (Math.sin/cos differ between V8 versions, see resimulate.ts).
    expect(c.physicsIdentical).toBe(true);
    expect(c.maxAbsDiff).toBeLessThanOrEqual(LAST_BIT_TOLERANCE);
  });

  for (const index of [1, 0]) {
    it(`re-simulates episode ${index} in the worker: same verdict and the same steps as the stored episode`, async () => {
      await page.goto(`${server.url}#/episode/demo/${index}`);
      await page.locator("section.episode[data-state=ready]").waitFor();
      await page.getByRole("button", { name: "Replay stored" }).click();
      await page.locator(".resim[data-state=done], .resim[data-state=error]").waitFor({ timeout: WAIT_MS });
      expect(await page.locator(".resim .resim-result").textContent()).toContain("identical");
      const panel = page.locator(".resim");
      expect(await panel.getAttribute("data-state")).toBe("done");
      expect(await panel.getAttribute("data-same-verdict")).toBe("true");
      expect(["bit", "physics"]).toContain(await panel.getAttribute("data-identical"));
      const replay = (await page.evaluate("window.__egobridge.lastResim.episode")) as Episode;
      const file = path.join(dataDir, "extras", "episodes", `episode_${String(index).padStart(6, "0")}.json`);
      const stored = JSON.parse(await fs.readFile(file, "utf8")) as Episode;
      expect(replay.success).toBe(stored.success);
      expect(replay.reasons).toEqual(stored.reasons);
      expect(replay.metrics).toEqual(stored.metrics);
      // Determinism between Node (the stored file) and the browser. The physics (Rapier's state,
      // object poses, contacts) is bit for bit; float64 values computed in JS around it may differ
      // in the last bit, as V8 versions differ in Math.sin/cos/log/pow (see resimulate.ts).
      expect(replay.steps.length).toBe(stored.steps.length);
      expect(replay.steps.map((s) => [s.state, s.objects, s.contacts])).toEqual(
        stored.steps.map((s) => [s.state, s.objects, s.contacts]),
      );
      const c = compareEpisodes(replay, stored);
      expect(c.physicsIdentical).toBe(true);
      expect(c.maxAbsDiff).toBeLessThanOrEqual(LAST_BIT_TOLERANCE);
      metrics[`resimEpisode${index}`] = {
        bitIdentical: c.identical,
        maxAbsDiff: c.maxAbsDiff,
        first: c.first,
      };
      metrics[`resimEpisode${index}WallS`] = (await page.evaluate(
        "window.__egobridge.lastResim.wallS",
      )) as number;
      if (index === 1) {
        await page.locator(".resim-result").scrollIntoViewIfNeeded();
        await shot("episode-resim");
      }
    });
  }

  it("re-runs with a changed parameter and shows the new verdict", async () => {
    await page.goto(`${server.url}#/episode/demo/1`);
    await page.locator("section.episode[data-state=ready]").waitFor();
    // A nearly frictionless carton slips out of the jaws.
    await page.locator('input[title="target friction coefficient"]').fill("0.02");
    await page.getByRole("button", { name: "Re-run with changes" }).click();
    await page.locator(".resim[data-state=done], .resim[data-state=error]").waitFor({ timeout: WAIT_MS });
    expect(await page.locator(".resim").getAttribute("data-state")).toBe("done");
    expect(await page.locator(".resim").getAttribute("data-verdict")).toBe("failure");
  });

  it("shows a source with its variants overlaid and their parameters", async () => {
    await page.goto(`${server.url}#/variants/demo/0`);
    await page.locator("section.variants[data-state=ready]").waitFor();
    expect(await page.locator("section.variants").getAttribute("data-variants")).toBe("8");
    expect(await page.locator("table.params tr[data-index]").count()).toBe(9);
    const img = await waitForScene();
    expect(pixelStats(img).nonBackgroundFraction).toBeGreaterThan(0.05);
    await page.locator(".timeline-slider").evaluate((el) => {
      const input = el as unknown as { value: string; dispatchEvent(e: unknown): boolean };
      input.value = "450";
      input.dispatchEvent(
        new (globalThis as unknown as { Event: new (t: string) => unknown }).Event("input"),
      );
    });
    await page.waitForTimeout(300);
    await shot("variants");
  });

  it("previews every scene of scenes/ without a dataset", async () => {
    const names = (await fs.readdir(SCENES_DIR))
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -5));
    for (const name of names) {
      await page.goto(`${server.url}#/scene/${name}`);
      await page
        .locator("section.scene-view[data-state=ready], section.scene-view[data-state=error]")
        .first()
        .waitFor();
      expect(await page.locator("section.scene-view").getAttribute("data-state")).toBe("ready");
      const img = await waitForScene();
      expect(pixelStats(img).nonBackgroundFraction).toBeGreaterThan(0.05);
      await shot(`scene-${name}`);
    }
    // The synthetic demonstration on a scene, simulated in the worker and played.
    await page.goto(`${server.url}#/scene/shelf_to_tote`);
    await page.locator("section.scene-view[data-state=ready]").waitFor();
    await page.getByRole("button", { name: "Simulate the synthetic demo" }).click();
    await page
      .locator(
        "section.scene-view[data-sim=success], section.scene-view[data-sim=failure], section.scene-view[data-sim=error]",
      )
      .waitFor();
    expect(await page.locator("section.scene-view").getAttribute("data-sim")).toBe("success");
    await page.locator(".player").waitFor();
  });

  it("runs the synthetic demonstration with the Panda on the aisle scene: the arm the server loads, simulated and drawn", async () => {
    await page.goto(`${server.url}#/scene/aisle`);
    await page.locator("section.scene-view[data-state=ready]").waitFor();
    await page
      .locator("section.scene-view label.field", { hasText: "gripper" })
      .locator("select")
      .selectOption("franka_panda");
    await page.getByRole("button", { name: "Simulate the synthetic demo" }).click();
    await page
      .locator(
        "section.scene-view[data-sim=success], section.scene-view[data-sim=failure], section.scene-view[data-sim=error]",
      )
      .waitFor({ timeout: 120_000 });
    expect(await page.locator("section.scene-view").getAttribute("data-sim")).toBe("success");
    // The arm drawn: all its links (7 and the flange link), with the episode played.
    await page.locator(".player[data-arm-links]").waitFor();
    expect(await page.locator(".player").getAttribute("data-arm-links")).toBe("8");
    await page.keyboard.press("2");
    await shot("scene-aisle-panda");
  });

  it("refuses requests outside the dataset folder", async () => {
    const status = (p: string, method = "GET") =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port: server.port, path: p, method }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    expect(await status("/data/demo/meta/info.json")).toBe(200);
    expect(await status("/data/../../../../etc/passwd")).toBe(403);
    expect(await status("/data/%2e%2e/%2e%2e/etc/passwd")).toBe(403);
    expect(await status("/data/demo/meta/info.json", "PUT")).toBe(405);
    // An arm only for an arm episode the server serves.
    const episode = (dataset: string) =>
      encodeURIComponent(`/data/${dataset}/extras/episodes/episode_000000.json`);
    expect(await status(`/api/arm-model?episode=${episode("arm")}`)).toBe(200);
    expect(await status(`/api/arm-model?episode=${episode("demo")}`)).toBe(404);
    expect(await status(`/api/arm-model?episode=${encodeURIComponent("/data/../../etc/passwd")}`)).toBe(404);
    // Or for a served arm model by name.
    expect(await status("/api/arm-model?embodiment=franka_panda")).toBe(200);
    expect(await status("/api/arm-model?embodiment=robotiq_2f85")).toBe(404);
    expect(await status(`/api/arm-model?embodiment=${encodeURIComponent("../models/franka_panda")}`)).toBe(
      404,
    );
  });

  it("logged no console errors", () => {
    expect(consoleErrors).toEqual([]);
  });
});
