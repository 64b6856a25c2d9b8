/**
 * The preview server with raw HTTP requests (bytes on a socket, so no client normalises the path):
 * it serves the folder it was given read-only, and nothing outside it — no `..` in any spelling,
 * no symlink out, no hidden files, no method but GET/HEAD, no foreign Host.
 */
import { promises as fs } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DirListing, PreviewConfig } from "../../src/preview/protocol.js";
import { decodeSegments, isInside, resolveInside } from "../../src/preview/safe_path.js";
import { type PreviewServer, startPreviewServer } from "../../src/preview/server.js";
import { parseRange } from "../../src/preview/static_files.js";
import { linkageOfModel, ROBOTIQ_2F85_MJCF } from "../../src/sim/mujoco/robotiq_2f85.js";

let tmp: string;
let server: PreviewServer;
const SECRET = "secret-outside-the-dataset";

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `request` verbatim and reads the whole response (the server closes idle keep-alive at end). */
function raw(request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(":");
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") });
    });
    socket.write(request);
  });
}

const get = (target: string, extra = "", method = "GET") =>
  raw(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: close\r\n${extra}\r\n`);

beforeAll(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-preview-")));
  const data = path.join(tmp, "dataset");
  await fs.mkdir(path.join(data, "meta", "episodes"), { recursive: true });
  await fs.writeFile(path.join(data, "meta", "info.json"), '{"codebase_version":"v3.0"}');
  await fs.writeFile(path.join(data, "video.mp4"), Buffer.from("0123456789"));
  await fs.writeFile(path.join(data, ".hidden"), "hidden");
  await fs.writeFile(path.join(tmp, "secret.txt"), SECRET);
  await fs.symlink(path.join(tmp, "secret.txt"), path.join(data, "link-out.txt"));
  await fs.symlink(tmp, path.join(data, "dir-out"));
  await fs.symlink(path.join(data, "meta", "info.json"), path.join(data, "link-in.json"));
  for (const d of ["app", "scenes", "models"]) await fs.mkdir(path.join(tmp, d));
  await fs.writeFile(path.join(tmp, "app", "index.html"), "<!doctype html><title>app</title>");
  await fs.writeFile(path.join(tmp, "scenes", "s.json"), "{}");
  await fs.writeFile(
    path.join(tmp, "models", "m.json"),
    JSON.stringify({ model: { mjcf: ROBOTIQ_2F85_MJCF } }),
  );
  server = await startPreviewServer({
    dataDir: data,
    appDir: path.join(tmp, "app"),
    scenesDir: path.join(tmp, "scenes"),
    modelsDir: path.join(tmp, "models"),
    port: 0,
  });
});
afterAll(async () => {
  await server?.close();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe("preview server", () => {
  it("listens on 127.0.0.1 and serves the app, the config and the folder", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const app = await get("/");
    expect(app.status).toBe(200);
    expect(app.body).toContain("<title>app</title>");
    expect(app.headers["content-security-policy"]).toContain("default-src 'self'");
    const config = JSON.parse((await get("/api/config")).body) as PreviewConfig;
    expect(config).toEqual({ version: 1, dataName: "dataset", datasets: [""], scenes: ["s"], models: ["m"] });
    const info = await get("/data/meta/info.json");
    expect(info.status).toBe(200);
    expect(info.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect((await get("/data/link-in.json")).status).toBe(200);
  });

  it("derives the linkage of a robot model a served gripper names, and of no other file", async () => {
    const r = await get(`/api/linkage?mjcf=${encodeURIComponent(ROBOTIQ_2F85_MJCF)}`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual(JSON.parse(JSON.stringify(await linkageOfModel(ROBOTIQ_2F85_MJCF))));
    for (const other of ["robots/franka_panda_mjcf/panda.xml", "/etc/passwd", "", "../secret.txt"]) {
      expect((await get(`/api/linkage?mjcf=${encodeURIComponent(other)}`)).status, other).toBe(404);
    }
  });

  it("draws arms only for served episode files: anything else is a 404", async () => {
    for (const episode of [
      "/data/meta/info.json",
      "/data/../secret.txt",
      "/data/link-out.txt",
      "/etc/passwd",
      "",
    ]) {
      expect((await get(`/api/arm?episode=${encodeURIComponent(episode)}`)).status, episode).toBe(404);
    }
  });

  it("lists folders without hidden names or links leading out", async () => {
    const listing = JSON.parse((await get("/data/")).body) as DirListing;
    expect(listing.entries.map((e) => e.name)).toEqual(["link-in.json", "meta", "video.mp4"]);
  });

  it.each([
    ["raw ..", "/data/../secret.txt"],
    ["raw .. deeper", "/data/meta/../../secret.txt"],
    ["encoded ..", "/data/%2e%2e/secret.txt"],
    ["encoded .. upper case", "/data/%2E%2E/secret.txt"],
    ["encoded slash", "/data/..%2fsecret.txt"],
    ["encoded backslash", "/data/..%5csecret.txt"],
    ["backslashes", "/data/..\\secret.txt"],
    ["NUL byte", "/data/meta%00/info.json"],
    ["symlink to a file outside", "/data/link-out.txt"],
    ["symlink to a folder outside", "/data/dir-out/secret.txt"],
    ["hidden file", "/data/.hidden"],
    ["app mount ..", "/../secret.txt"],
    ["scenes mount ..", "/scenes/%2e%2e/secret.txt"],
  ])("refuses %s", async (_, target) => {
    const r = await get(target);
    expect(r.status).toBe(403);
    expect(r.body).not.toContain(SECRET);
  });

  it("answers 400 to malformed encoding and 404 to what is not there", async () => {
    expect((await get("/data/%zz")).status).toBe(400);
    expect((await get("/data/nope.json")).status).toBe(404);
    expect((await get("/nope.js")).status).toBe(404);
    // Double encoding stays a literal name, inside the folder.
    expect((await get("/data/%252e%252e/secret.txt")).status).toBe(404);
  });

  it.each(["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])("refuses %s: read-only", async (method) => {
    const r = await get("/data/meta/info.json", "Content-Length: 0\r\n", method);
    expect(r.status).toBe(405);
    expect(r.headers["allow"]).toBe("GET, HEAD");
  });

  it("refuses a foreign Host (DNS rebinding)", async () => {
    const r = await raw(
      "GET /data/meta/info.json HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n",
    );
    expect(r.status).toBe(403);
    const ok = await raw(
      `GET /api/config HTTP/1.1\r\nHost: localhost:${server.port}\r\nConnection: close\r\n\r\n`,
    );
    expect(ok.status).toBe(200);
  });

  it("serves byte ranges (video seeking) and HEAD", async () => {
    const r = await get("/data/video.mp4", "Range: bytes=2-5\r\n");
    expect(r.status).toBe(206);
    expect(r.body).toBe("2345");
    expect(r.headers["content-range"]).toBe("bytes 2-5/10");
    expect((await get("/data/video.mp4", "Range: bytes=20-\r\n")).status).toBe(416);
    const head = await get("/data/video.mp4", "", "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe("10");
    expect(head.body).toBe("");
  });

  it("refuses to listen anywhere but loopback", async () => {
    await expect(
      startPreviewServer({ appDir: tmp, scenesDir: tmp, modelsDir: tmp, host: "0.0.0.0" }),
    ).rejects.toThrow(/loopback/);
  });
});

describe("safe_path", () => {
  it("decodes segments and refuses every spelling of ..", () => {
    expect(decodeSegments("/a/b%20c//d")).toEqual({ ok: true, segments: ["a", "b c", "d"] });
    for (const bad of ["/..", "/a/%2e%2e", "/a/.", "/%2F", "/a%5c..", "/a%00"]) {
      expect(decodeSegments(bad).ok).toBe(false);
    }
  });
  it("isInside does not confuse a sibling with a common prefix", () => {
    expect(isInside("/data/set", "/data/set/a")).toBe(true);
    expect(isInside("/data/set", "/data/set")).toBe(true);
    expect(isInside("/data/set", "/data/settings/a")).toBe(false);
  });
  it("resolveInside never leaves the root", async () => {
    const root = path.join(tmp, "dataset");
    expect(await resolveInside(root, "/meta/info.json")).toMatchObject({ ok: true, isDirectory: false });
    expect(await resolveInside(root, "/link-out.txt")).toMatchObject({ ok: false, status: 403 });
  });
  it("parseRange", () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange("bytes=0-", 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=-3", 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange("bytes=5-100", 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange("bytes=9-2", 10)).toBe("invalid");
    expect(parseRange("items=0-1", 10)).toBe("invalid");
  });
});
