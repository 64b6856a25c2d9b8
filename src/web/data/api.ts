/** Fetching from the preview server: JSON, bytes, folder listings, with errors that say which URL failed. */
import type { DirListing, PreviewConfig } from "../../preview/protocol.js";

export class FetchError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "FetchError";
  }
}

async function get(url: string): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok) throw new FetchError(url, res.status, `${url}: ${res.status} ${res.statusText}`);
  return res;
}

export const getJson = async <T>(url: string): Promise<T> => (await get(url)).json() as Promise<T>;
export const getBytes = async (url: string): Promise<ArrayBuffer> => (await get(url)).arrayBuffer();

/** URL of a file (or folder) of a served dataset; `dataset` is its folder below /data/ ("" for DIR). */
export function dataUrl(dataset: string, rel: string): string {
  const parts = [...dataset.split("/"), ...rel.split("/")].filter((p) => p !== "");
  return `/data/${parts.map(encodeURIComponent).join("/")}`;
}

export const getConfig = (): Promise<PreviewConfig> => getJson<PreviewConfig>("/api/config");
export const listFolder = (url: string): Promise<DirListing> =>
  getJson<DirListing>(url.endsWith("/") ? url : `${url}/`);
