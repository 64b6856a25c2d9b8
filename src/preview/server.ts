/**
 * The preview server: serves the built browser app and read-only access to one folder (a dataset
 * or a job output folder), the package's scene templates and gripper models. It listens on the
 * loopback interface only, answers GET (and HEAD) only, and never serves anything outside the
 * folders it was given (see safe_path.ts).
 *
 * ```
 * /                 the app (dist/web)
 * /api/config       what is being served: datasets found in DIR, scene and model names
 * /data/<path>      files of DIR; a folder answers with a JSON listing
 * /scenes/<name>    scenes/*.json of the package
 * /models/<name>    models/*.json of the package
 * /api/linkage?mjcf=<asset>
 *                   the Rapier linkage (sim/linkage_gripper.ts) of a robot model that one of the
 *                   models names (`model.mjcf`), derived here from the MJCF in the asset folders:
 *                   the browser's re-simulation cannot read the model files
 * /api/arm?episode=</data/… URL of an episode file>
 *                   how to draw an arm episode's robot (render/arm_render.ts): its links' hulls,
 *                   its pedestal, each link's pose per step from the recorded joints; 404 for an
 *                   episode without an arm
 * /api/arm-model?episode=</data/… URL of an episode file>
 *                   the episode's arm as a rollout uses it (sim/arm.ts ArmModel: chain, limits,
 *                   the links' collision hulls), for the browser's re-simulation, which cannot
 *                   read the model files; 404 for an episode without an arm
 * /api/arm-model?embodiment=<name of a served model>
 *                   the same for a served arm embodiment (models/<name>.json), for the scene
 *                   preview's synthetic demonstration; 404 for a model without an arm
 * ```
 */
import { promises as fs } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { EpisodeSchema } from "../core/schemas/episode.js";
import { loadEmbodiment } from "../pipeline/catalog.js";
import { armDrawing } from "../render/arm_render.js";
import { armModelOf, armModelToJson } from "../sim/arm.js";
import { linkageOfMjcf } from "../sim/gripper_models.js";
import type { DirListing, PreviewConfig } from "./protocol.js";
import { isInside, listInside, resolveInside } from "./safe_path.js";
import { BASE_HEADERS, sendFile, sendJson } from "./static_files.js";

export interface PreviewServerOptions {
  /** The folder to serve read-only under /data/; none for a scenes-only preview. */
  dataDir?: string;
  /** The built app (index.html and assets). */
  appDir: string;
  scenesDir: string;
  modelsDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
}

export interface PreviewServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
const DATASET_SEARCH_DEPTH = 2;

/** Folders (relative, "/"-separated) at most `depth` levels below `root` that hold meta/info.json. */
async function findDatasets(rootReal: string, rel = "", depth = DATASET_SEARCH_DEPTH): Promise<string[]> {
  const dir = path.join(rootReal, rel);
  const info = await fs.stat(path.join(dir, "meta", "info.json")).catch(() => undefined);
  if (info?.isFile()) return [rel];
  if (depth === 0) return [];
  const found: string[] = [];
  for (const e of await listInside(rootReal, dir).catch(() => [])) {
    if (e.kind === "dir")
      found.push(...(await findDatasets(rootReal, rel ? `${rel}/${e.name}` : e.name, depth - 1)));
  }
  return found;
}

const jsonNames = async (rootReal: string): Promise<string[]> =>
  (await listInside(rootReal, rootReal).catch(() => []))
    .filter((e) => e.kind === "file" && e.name.endsWith(".json"))
    .map((e) => e.name.slice(0, -5));

/** Content-Security-Policy of the app page: same-origin everything; WebAssembly for Rapier. */
const APP_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

function refuse(
  res: ServerResponse,
  status: number,
  reason: string,
  extra: Record<string, string> = {},
): void {
  const body = `${status} ${reason}\n`;
  res.writeHead(status, {
    ...BASE_HEADERS,
    ...extra,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(body)),
  });
  res.end(body);
}

export async function startPreviewServer(o: PreviewServerOptions): Promise<PreviewServer> {
  const real = (p: string) => fs.realpath(path.resolve(p));
  const appReal = await real(o.appDir);
  const scenesReal = await real(o.scenesDir).catch(() => undefined);
  const modelsReal = await real(o.modelsDir).catch(() => undefined);
  const dataReal = o.dataDir === undefined ? undefined : await real(o.dataDir);
  if (dataReal !== undefined && !(await fs.stat(dataReal)).isDirectory()) {
    throw new Error(`${o.dataDir} is not a folder`);
  }
  const mounts: { prefix: string; root: string | undefined; listing: boolean }[] = [
    { prefix: "/data/", root: dataReal, listing: true },
    { prefix: "/scenes/", root: scenesReal, listing: true },
    { prefix: "/models/", root: modelsReal, listing: true },
  ];

  /** The robot models (`model.mjcf`) the served gripper models name: the only ones /api/linkage derives. */
  async function modelFiles(): Promise<Set<string>> {
    const out = new Set<string>();
    if (modelsReal === undefined) return out;
    for (const name of await jsonNames(modelsReal)) {
      const text = await fs.readFile(path.join(modelsReal, `${name}.json`), "utf8").catch(() => "");
      try {
        const mjcf = (JSON.parse(text) as { model?: { mjcf?: unknown } }).model?.mjcf;
        if (typeof mjcf === "string") out.add(mjcf);
      } catch {
        // Not JSON: names no model.
      }
    }
    return out;
  }

  async function config(): Promise<PreviewConfig> {
    return {
      version: 1,
      dataName: dataReal === undefined ? null : path.basename(dataReal),
      datasets: dataReal === undefined ? [] : await findDatasets(dataReal),
      scenes: scenesReal === undefined ? [] : await jsonNames(scenesReal),
      models: modelsReal === undefined ? [] : await jsonNames(modelsReal),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      refuse(res, 405, "read-only: only GET is served", { Allow: "GET, HEAD" });
      return;
    }
    // DNS rebinding: a page elsewhere that resolves its own name to 127.0.0.1 sends its own Host.
    const host = (req.headers.host ?? "").replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
    if (!LOOPBACK.has(host)) {
      refuse(res, 403, "unexpected Host");
      return;
    }
    const raw = req.url ?? "/";
    if (!raw.startsWith("/")) {
      refuse(res, 400, "bad request target");
      return;
    }
    const urlPath = raw.split(/[?#]/, 1)[0]!;
    const head = req.method === "HEAD";
    if (urlPath === "/api/config") {
      sendJson(res, 200, await config(), head);
      return;
    }
    if (urlPath === "/api/linkage") {
      const mjcf = new URLSearchParams(raw.slice(urlPath.length).replace(/^\?/, "")).get("mjcf") ?? "";
      if (!(await modelFiles()).has(mjcf)) {
        refuse(res, 404, "no served gripper model names that robot model");
        return;
      }
      const linkage = await linkageOfMjcf(mjcf).catch(() => undefined);
      if (!linkage) {
        refuse(res, 404, `the robot model ${mjcf} is not in the asset folders (EGOBRIDGE_ASSETS)`);
        return;
      }
      sendJson(res, 200, linkage, head);
      return;
    }
    const query = new URLSearchParams(raw.slice(urlPath.length).replace(/^\?/, ""));
    if (urlPath === "/api/arm-model" && query.has("embodiment")) {
      const name = query.get("embodiment") ?? "";
      const served = modelsReal !== undefined && (await jsonNames(modelsReal)).includes(name);
      const answer = !served
        ? undefined
        : await loadEmbodiment(path.join(modelsReal, `${name}.json`))
            .then(armModelOf)
            .then((m) => m && armModelToJson(m))
            .catch(() => undefined);
      if (!answer) {
        refuse(
          res,
          404,
          served
            ? "that model has no arm (or its arm's files are not in the asset folders)"
            : "no such model is served",
        );
        return;
      }
      sendJson(res, 200, answer, head);
      return;
    }
    if (urlPath === "/api/arm" || urlPath === "/api/arm-model") {
      const url = query.get("episode") ?? "";
      const r =
        dataReal === undefined || !url.startsWith("/data/")
          ? undefined
          : await resolveInside(dataReal, url.slice("/data".length));
      if (!r?.ok || r.isDirectory) {
        refuse(res, 404, "no such episode file is served");
        return;
      }
      const parsed = EpisodeSchema.safeParse(
        await fs
          .readFile(r.file, "utf8")
          .then((t) => JSON.parse(t) as unknown)
          .catch(() => undefined),
      );
      const answer = !parsed.success
        ? undefined
        : urlPath === "/api/arm"
          ? await armDrawing(parsed.data).catch(() => undefined)
          : await armModelOf(parsed.data.embodiment)
              .then((m) => m && armModelToJson(m))
              .catch(() => undefined);
      if (!answer) {
        refuse(res, 404, parsed.success ? "the episode's embodiment has no arm" : "not an egobridge episode");
        return;
      }
      sendJson(res, 200, answer, head);
      return;
    }
    const mount = mounts.find((m) => urlPath.startsWith(m.prefix) || urlPath === m.prefix.slice(0, -1));
    const root = mount ? mount.root : appReal;
    if (root === undefined) {
      refuse(res, 404, "nothing is served here");
      return;
    }
    const rel = mount ? urlPath.slice(mount.prefix.length - 1) : urlPath;
    const r = await resolveInside(root, rel);
    if (!r.ok) {
      refuse(res, r.status, r.reason);
      return;
    }
    if (r.isDirectory) {
      if (mount?.listing) {
        const listing: DirListing = { entries: await listInside(root, r.file) };
        sendJson(res, 200, listing, head);
        return;
      }
      const index = path.join(r.file, "index.html");
      const st = await fs.stat(index).catch(() => undefined);
      if (!st?.isFile() || !isInside(root, index)) {
        refuse(res, 404, "not found");
        return;
      }
      await sendFile(req, res, index, st.size, {
        "Cache-Control": "no-cache",
        "Content-Security-Policy": APP_CSP,
      });
      return;
    }
    const immutable = !mount && rel.startsWith("/assets/");
    const headers: Record<string, string> = {
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    };
    if (r.file.endsWith(".html")) headers["Content-Security-Policy"] = APP_CSP;
    await sendFile(req, res, r.file, r.size, headers);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) refuse(res, 500, "internal error");
      else res.destroy(err as Error);
    });
  });
  const host = o.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new Error(`the preview server listens on loopback only, not ${host}`);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
