/**
 * State the end-to-end tests read from the page (`window.__egobridge`): what a person sees is in
 * the DOM; this adds the raw results a test compares with the files (e.g. the re-simulated steps).
 */
import type { ResimResult } from "../resim/resimulate.js";

export interface DebugHooks {
  lastResim?: ResimResult;
  /** Milliseconds from navigation start until the library list was shown. */
  libraryReadyMs?: number;
  /** Milliseconds the last episode took to fetch, validate and show. */
  episodeLoadMs?: number;
}

export function debugHooks(): DebugHooks {
  const w = window as unknown as { __egobridge?: DebugHooks };
  w.__egobridge ??= {};
  return w.__egobridge;
}
