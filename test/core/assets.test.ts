import { createHash } from "node:crypto";
import { existsSync, promises as fs } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type AssetRef,
  assetCacheDir,
  assetDirs,
  besideCheckoutDir,
  bundledAssetDir,
  resolveAsset,
  sha256File,
} from "../../src/core/assets.js";
import { EgobridgeError } from "../../src/core/errors.js";

const NAME = "models/demo/weights.bin";
const PAYLOAD = Buffer.from("egobridge test asset payload\n".repeat(1000));
const PAYLOAD_SHA = createHash("sha256").update(PAYLOAD).digest("hex");
const CORRUPT = Buffer.from(PAYLOAD);
CORRUPT[100] = CORRUPT[100]! ^ 0xff;
const CORRUPT_SHA = createHash("sha256").update(CORRUPT).digest("hex");

/** A local HTTP server (127.0.0.1 only) serving the payload, a corrupted copy and a 404. */
let server: http.Server;
let baseUrl: string;
let requests: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const body = req.url === "/good.bin" ? PAYLOAD : req.url === "/corrupt.bin" ? CORRUPT : undefined;
    if (body === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end("no such file");
      return;
    }
    // Two writes, so the client really streams more than one chunk.
    res.writeHead(200, { "content-type": "application/octet-stream" });
    res.write(body.subarray(0, 5000));
    res.end(body.subarray(5000));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "egobridge-assets-"));
  requests = [];
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** Writes `content` at `<dir>/<NAME>` and returns the path. */
async function place(dir: string, content: Buffer = PAYLOAD, name = NAME): Promise<string> {
  const file = path.join(dir, ...name.split("/"));
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return file;
}

/** An environment with only the given directories: never the developer's real cache or the shared folder. */
const envWith = (assetDirList: string[], cache = path.join(tmp, "cache")) => ({
  EGOBRIDGE_ASSETS: assetDirList.join(path.delimiter),
  EGOBRIDGE_ASSETS_BESIDE: "0",
  EGOBRIDGE_CACHE: cache,
});

async function rejection(p: Promise<unknown>): Promise<EgobridgeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EgobridgeError);
  return err as EgobridgeError;
}

/** Files under `dir`, relative, `/`-separated, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

describe("assets", () => {
  it("look in ../shared/assets beside the checkout after EGOBRIDGE_ASSETS, unless EGOBRIDGE_ASSETS_BESIDE=0", async () => {
    const beside = besideCheckoutDir();
    expect(beside).toBe(path.resolve(import.meta.dirname, "..", "..", "..", "shared", "assets"));
    expect(existsSync(beside), `${beside} (the shared assets beside this checkout) does not exist`).toBe(
      true,
    );
    const a = path.join(tmp, "a");
    expect(assetDirs({ EGOBRIDGE_ASSETS: a })).toEqual([a, beside]);
    expect(assetDirs({})).toEqual([beside]);
    expect(assetDirs({ EGOBRIDGE_ASSETS: beside })).toEqual([beside]);
    // A file only the shared folder has is found there with nothing set; not with the switch off.
    const name = "robots/robotiq_2f85_mjcf/scene.xml";
    const cache = path.join(tmp, "cache");
    expect(await resolveAsset({ name }, { env: { EGOBRIDGE_CACHE: cache } })).toBe(path.join(beside, name));
    const err = await rejection(
      resolveAsset({ name }, { env: { EGOBRIDGE_CACHE: cache, EGOBRIDGE_ASSETS_BESIDE: "0" } }),
    );
    expect(err.message).toContain("asset not found");
  });

  it("serve the files the package ships (the default gripper's model) when no folder has them", async () => {
    const name = "robots/robotiq_2f85_mjcf/2f85.xml";
    const env = { EGOBRIDGE_CACHE: path.join(tmp, "cache"), EGOBRIDGE_ASSETS_BESIDE: "0" };
    const bundled = await resolveAsset({ name }, { env });
    expect(bundled).toBe(path.join(bundledAssetDir(), name));
    // The shared folder still comes first.
    expect(await resolveAsset({ name }, { env: { EGOBRIDGE_CACHE: env.EGOBRIDGE_CACHE } })).toBe(
      path.join(besideCheckoutDir(), name),
    );
    // Each shipped file is the third-party file as published (the shared copy), byte for byte.
    const shipped = await listFiles(bundledAssetDir());
    expect(shipped).toContain(name);
    for (const rel of shipped.filter((f) => f !== "README.md")) {
      const original = path.join(besideCheckoutDir(), rel);
      expect(existsSync(original), `${rel} is shipped but not in the shared assets`).toBe(true);
      expect(await sha256File(path.join(bundledAssetDir(), rel)), rel).toBe(await sha256File(original));
    }
  });

  it("reads the directory list and the cache location from the environment", () => {
    const a = path.join(tmp, "a");
    const b = path.join(tmp, "b");
    const off = { EGOBRIDGE_ASSETS_BESIDE: "0" };
    expect(assetDirs({ ...off, EGOBRIDGE_ASSETS: `${a}${path.delimiter}${path.delimiter}${b}` })).toEqual([
      a,
      b,
    ]);
    expect(assetDirs(off)).toEqual([]);
    expect(assetCacheDir({ EGOBRIDGE_CACHE: "/c", XDG_CACHE_HOME: "/x" })).toBe(path.resolve("/c"));
    expect(assetCacheDir({ XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe(path.resolve("/x/egobridge"));
    expect(assetCacheDir({ HOME: "/h" })).toBe(path.join("/h", ".cache", "egobridge"));
  });

  it("finds a file in the first EGOBRIDGE_ASSETS directory that has it", async () => {
    const empty = path.join(tmp, "empty");
    const second = path.join(tmp, "second");
    const third = path.join(tmp, "third");
    await fs.mkdir(empty);
    const expected = await place(second);
    await place(third, CORRUPT);
    const found = await resolveAsset(
      { name: NAME, sha256: PAYLOAD_SHA },
      { env: envWith([empty, second, third]) },
    );
    expect(found).toBe(expected);
    expect(path.isAbsolute(found)).toBe(true);
  });

  it("accepts a hash given in upper case", async () => {
    const dir = path.join(tmp, "assets");
    await place(dir);
    const ref = { name: NAME, sha256: PAYLOAD_SHA.toUpperCase() };
    expect(await resolveAsset(ref, { env: envWith([dir]) })).toBe(path.join(dir, ...NAME.split("/")));
  });

  it("falls back to the cache directory", async () => {
    const cache = path.join(tmp, "cache");
    const expected = await place(cache);
    expect(await resolveAsset({ name: NAME, sha256: PAYLOAD_SHA }, { env: envWith([], cache) })).toBe(
      expected,
    );
  });

  it("rejects a local copy whose sha256 differs, naming both hashes and the file", async () => {
    const dir = path.join(tmp, "assets");
    const file = await place(dir, CORRUPT);
    const err = await rejection(resolveAsset({ name: NAME, sha256: PAYLOAD_SHA }, { env: envWith([dir]) }));
    expect(err.message).toContain("checksum mismatch");
    expect(err.message).toContain(file);
    expect(err.message).toContain(PAYLOAD_SHA);
    expect(err.message).toContain(CORRUPT_SHA);
  });

  it("rejects a local copy of the wrong size before hashing it", async () => {
    const dir = path.join(tmp, "assets");
    await place(dir, PAYLOAD.subarray(0, 10));
    const err = await rejection(
      resolveAsset({ name: NAME, sizeBytes: PAYLOAD.length }, { env: envWith([dir]) }),
    );
    expect(err.message).toContain(`has 10 bytes, expected ${PAYLOAD.length}`);
  });

  it("says what it wanted, where it looked and how to provide it when the file is nowhere", async () => {
    const dir = path.join(tmp, "assets");
    const cache = path.join(tmp, "cache");
    const url = "https://example.org/weights.bin";
    const err = await rejection(
      resolveAsset({ name: NAME, url }, { env: envWith([dir], cache), offline: true }),
    );
    expect(err.message).toContain(`asset not found: ${NAME}`);
    expect(err.message).toContain(path.join(dir, ...NAME.split("/")));
    expect(err.message).toContain(path.join(cache, ...NAME.split("/")));
    expect(err.message).toContain("offline");
    // How to provide it is the hint, said once (the command line prints it after the message).
    expect(err.hint).toContain(`set EGOBRIDGE_ASSETS to a folder containing ${NAME}`);
    expect(err.hint).toContain(`download ${url}`);
    expect(err.message).not.toContain(err.hint!);
  });

  it("says when EGOBRIDGE_ASSETS is not set and no URL is known", async () => {
    const err = await rejection(
      resolveAsset(
        { name: NAME },
        { env: { EGOBRIDGE_CACHE: path.join(tmp, "c"), EGOBRIDGE_ASSETS_BESIDE: "0" } },
      ),
    );
    expect(err.message).toContain("EGOBRIDGE_ASSETS is not set");
    expect(err.message).toContain("no download URL is known");
  });

  it("honours EGOBRIDGE_OFFLINE", async () => {
    const env = { ...envWith([]), EGOBRIDGE_OFFLINE: "1" };
    const err = await rejection(resolveAsset({ name: NAME, url: `${baseUrl}/good.bin` }, { env }));
    expect(err.message).toContain("offline");
    expect(requests).toEqual([]);
  });

  it("rejects names that could escape the asset directories", async () => {
    for (const name of ["../etc/passwd", "/abs/file", "a//b", "a/./b", "a\\b", ""]) {
      const err = await rejection(resolveAsset({ name }, { env: envWith([tmp]) }));
      expect(err.message).toContain("invalid asset name");
    }
  });

  it("rejects a malformed expected hash", async () => {
    const err = await rejection(resolveAsset({ name: NAME, sha256: "abc" }, { env: envWith([tmp]) }));
    expect(err.message).toContain("not 64 hex digits");
  });
});

describe("assets download", () => {
  const ref = (file: string, extra: Partial<AssetRef> = {}): AssetRef => ({
    name: NAME,
    sha256: PAYLOAD_SHA,
    url: `${baseUrl}/${file}`,
    ...extra,
  });

  /** Files in the cache entry's directory, to check that no temporary is left behind. */
  const cacheListing = async (cache: string) =>
    fs.readdir(path.join(cache, ...NAME.split("/").slice(0, -1))).catch(() => [] as string[]);

  it("downloads into the cache, verifies the hash, then serves the cached copy", async () => {
    const cache = path.join(tmp, "cache");
    const env = envWith([path.join(tmp, "nothing-here")], cache);
    const file = await resolveAsset(ref("good.bin", { sizeBytes: PAYLOAD.length }), { env });
    expect(file).toBe(path.join(cache, ...NAME.split("/")));
    expect(await sha256File(file)).toBe(PAYLOAD_SHA);
    expect(await fs.readFile(file)).toEqual(PAYLOAD);
    expect(await cacheListing(cache)).toEqual(["weights.bin"]);
    expect(requests).toEqual(["/good.bin"]);

    expect(await resolveAsset(ref("good.bin"), { env })).toBe(file);
    expect(requests).toEqual(["/good.bin"]);
  });

  it("rejects a corrupted download, naming both hashes, and keeps nothing", async () => {
    const cache = path.join(tmp, "cache");
    const err = await rejection(resolveAsset(ref("corrupt.bin"), { env: envWith([], cache) }));
    expect(err.message).toContain("checksum mismatch");
    expect(err.message).toContain(PAYLOAD_SHA);
    expect(err.message).toContain(CORRUPT_SHA);
    expect(err.message).toContain(`${baseUrl}/corrupt.bin`);
    expect(await cacheListing(cache)).toEqual([]);
  });

  it("rejects a download of the wrong size and keeps nothing", async () => {
    const cache = path.join(tmp, "cache");
    const err = await rejection(
      resolveAsset(ref("good.bin", { sha256: undefined, sizeBytes: 7 }), { env: envWith([], cache) }),
    );
    expect(err.message).toContain(`has ${PAYLOAD.length} bytes, expected 7`);
    expect(await cacheListing(cache)).toEqual([]);
  });

  it("replaces a damaged cache entry by downloading it again", async () => {
    const cache = path.join(tmp, "cache");
    await place(cache, CORRUPT);
    const file = await resolveAsset(ref("good.bin"), { env: envWith([], cache) });
    expect(await sha256File(file)).toBe(PAYLOAD_SHA);
    expect(requests).toEqual(["/good.bin"]);
  });

  it("reports an HTTP error as not found, with the URL and the status", async () => {
    const cache = path.join(tmp, "cache");
    const err = await rejection(resolveAsset(ref("missing.bin"), { env: envWith([], cache) }));
    expect(err.message).toContain(`asset not found: ${NAME}`);
    expect(err.message).toContain(`${baseUrl}/missing.bin failed: HTTP 404`);
    expect(await cacheListing(cache)).toEqual([]);
  });

  it("reports a refused connection as not found, with the reason", async () => {
    // A port that was just free on 127.0.0.1: nothing listens there, so the connection is refused.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/x.bin`;
    const err = await rejection(resolveAsset({ name: NAME, url }, { env: envWith([], path.join(tmp, "c")) }));
    expect(err.message).toContain(`download of ${url} failed`);
    expect(err.message).toContain("ECONNREFUSED");
  });
});
