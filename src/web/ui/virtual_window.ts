/** Which rows of a long list are on screen (pure: no DOM), for the virtualised library list. */
export function visibleRange(
  scrollTopPx: number,
  viewportPx: number,
  rowPx: number,
  count: number,
  overscan = 8,
): { start: number; end: number } {
  if (count <= 0 || rowPx <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTopPx) / rowPx);
  const last = Math.ceil((Math.max(0, scrollTopPx) + Math.max(0, viewportPx)) / rowPx);
  return { start: Math.max(0, first - overscan), end: Math.min(count, last + overscan) };
}
