/**
 * Sending one file over HTTP: content type from the extension, a single byte range (browsers ask
 * for ranges to seek in videos), and streaming rather than reading whole files into memory.
 */
import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";

const MIME: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".wasm": "application/wasm",
  ".parquet": "application/vnd.apache.parquet",
};

export const contentType = (file: string): string =>
  MIME[path.extname(file).toLowerCase()] ?? "application/octet-stream";

/** Parses a `Range: bytes=a-b` header against a file size; undefined when absent, "invalid" when unsatisfiable. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined | "invalid" {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return "invalid";
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (!(start <= end) || start >= size) return "invalid";
  return { start, end };
}

/** Headers every response carries: no sniffing, no referrer, readable by this origin only. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** Streams `file` (already checked to be inside its root) with range support. */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  size: number,
  headers: Record<string, string>,
): Promise<void> {
  const range = parseRange(req.headers.range, size);
  const common = { ...BASE_HEADERS, ...headers, "Content-Type": contentType(file), "Accept-Ranges": "bytes" };
  if (range === "invalid") {
    res.writeHead(416, { ...BASE_HEADERS, "Content-Range": `bytes */${size}` }).end();
    return;
  }
  if (range) {
    res.writeHead(206, {
      ...common,
      "Content-Range": `bytes ${range.start}-${range.end}/${size}`,
      "Content-Length": String(range.end - range.start + 1),
    });
  } else {
    res.writeHead(200, { ...common, "Content-Length": String(size) });
  }
  if (req.method === "HEAD" || size === 0) {
    res.end();
    return;
  }
  await pipeline(createReadStream(file, range ?? {}), res);
}

/** A small JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, head = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
    "Cache-Control": "no-cache",
  });
  res.end(head ? undefined : text);
}
