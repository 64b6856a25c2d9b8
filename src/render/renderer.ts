/**
 * Camera rendering in headless Chromium. One browser and one page per renderer; the page
 * (dist/web/render.html, built from src/web/render_page.ts) is served by a loopback HTTP server
 * that also takes the rendered frames back: the page POSTs them in batches as raw RGBA, so a
 * frame costs one memcpy into the request body rather than a JSON round-trip through the
 * DevTools protocol.
 */
import { randomBytes } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { EgobridgeError } from "../core/errors.js";
import { PACKAGE_ROOT } from "../pipeline/catalog.js";
import { resolveInside } from "../preview/safe_path.js";
import { BASE_HEADERS, sendFile } from "../preview/static_files.js";
import { launchChromium } from "./browser.js";
import type { RenderCameraInput, RenderEpisodeInput, RenderPageApi } from "./protocol.js";

/** Where `npm run build` puts the browser pages; EGOBRIDGE_WEB_DIR uses another build. */
const WEB_DIR = process.env.EGOBRIDGE_WEB_DIR ?? path.join(PACKAGE_ROOT, "dist", "web");
/** Frames per POST: large enough that a request's fixed cost is small, small enough to stay in cache. */
export const FRAMES_PER_BATCH = 16;

/** Receives a camera's frames in order: `count` RGBA frames, rows bottom first, starting at `first`. */
export type FrameSink = (first: number, count: number, rgba: Buffer) => Promise<void>;

interface Call {
  frameBytes: number;
  next: number;
  sink: FrameSink;
}

export class CameraRenderer {
  private readonly calls = new Map<string, Call>();

  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
    private readonly server: Server,
    private readonly url: string,
  ) {}

  /** Starts Chromium on the render page. Throws an EgobridgeError naming what is missing. */
  static async open(): Promise<CameraRenderer> {
    if (!existsSync(path.join(WEB_DIR, "render.html"))) {
      throw new EgobridgeError(
        `the camera renderer's page is not built (${WEB_DIR}/render.html is missing)`,
        {
          hint: "run `npm run build` in the egobridge folder",
        },
      );
    }
    const rootReal = await fs.realpath(WEB_DIR);
    let self: CameraRenderer | undefined;
    const server = createServer((req, res) => {
      const handle = req.method === "POST" ? self?.receive(req, res) : serveStatic(rootReal, req, res);
      Promise.resolve(handle).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, BASE_HEADERS);
        res.end(String((err as Error).message ?? err));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${origin}/render.html`);
      const ready = await page
        .waitForFunction("document.title === 'ready'", null, { timeout: 30_000 })
        .then(() => true)
        .catch(() => false);
      if (!ready || errors.length > 0)
        throw new EgobridgeError(
          `the render page failed to start: ${errors.join("; ") || "no answer in 30 s"}`,
        );
      self = new CameraRenderer(browser, page, server, `${origin}/frames`);
      return self;
    } catch (err) {
      await browser?.close().catch(() => {});
      server.close();
      throw err;
    }
  }

  /** Loads an episode's scene and steps into the page. */
  async load(input: RenderEpisodeInput): Promise<void> {
    await this.page.evaluate(
      (i) => (globalThis as unknown as { egobridgeRender: RenderPageApi }).egobridgeRender.load(i),
      input,
    );
  }

  /** Renders every step of the loaded episode from `camera`, handing the frames to `sink` in order. */
  async render(camera: RenderCameraInput, sink: FrameSink): Promise<number> {
    const call = randomBytes(8).toString("hex");
    this.calls.set(call, { frameBytes: camera.widthPx * camera.heightPx * 4, next: 0, sink });
    try {
      const n = await this.page.evaluate(
        ([c, url, id, batch]) =>
          (globalThis as unknown as { egobridgeRender: RenderPageApi }).egobridgeRender.renderCamera(
            c,
            url,
            id,
            batch,
          ),
        [camera, this.url, call, FRAMES_PER_BATCH] as const,
      );
      const got = this.calls.get(call)!.next;
      if (got !== n) throw new EgobridgeError(`camera ${camera.key}: ${got} of ${n} frames arrived`);
      return n;
    } finally {
      this.calls.delete(call);
    }
  }

  /**
   * The transfer alone: the page uploads `batches` bodies of `bytes` (as frames travel: one Blob
   * POST each, one in flight) to a sink that drops them. Returns MB/s (10^6 bytes).
   */
  async uploadRate(bytes: number, batches: number): Promise<number> {
    const call = randomBytes(8).toString("hex");
    this.calls.set(call, { frameBytes: bytes, next: 0, sink: async () => {} });
    try {
      const ms = await this.page.evaluate(
        async ([url, id, size, n]) => {
          const body = new Uint8Array(size);
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            const q = new URLSearchParams({ call: id, first: String(i), count: "1" });
            await fetch(`${url}?${q}`, { method: "POST", body: new Blob([body]) });
          }
          return performance.now() - t0;
        },
        [this.url, call, bytes, batches] as const,
      );
      return (bytes * batches) / 1e6 / (ms / 1000);
    } finally {
      this.calls.delete(call);
    }
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const q = new URL(req.url ?? "/", "http://x").searchParams;
    const call = this.calls.get(q.get("call") ?? "");
    const first = Number(q.get("first"));
    const count = Number(q.get("count"));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (!call || first !== call.next || body.length !== count * call.frameBytes) {
      res.writeHead(400, BASE_HEADERS).end("unexpected frame batch");
      return;
    }
    call.next += count;
    await call.sink(first, count, body);
    res.writeHead(204, BASE_HEADERS).end();
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => {});
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function serveStatic(rootReal: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://x");
  const r = await resolveInside(rootReal, url.pathname);
  if (!r.ok || r.isDirectory) {
    res.writeHead(404, BASE_HEADERS).end();
    return;
  }
  await sendFile(req, res, r.file, r.size, { "Cache-Control": "no-cache" });
}
