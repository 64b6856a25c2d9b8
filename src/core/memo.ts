/**
 * One promise per key, shared by every caller that asks while it is pending or after it has
 * resolved; a promise that rejects is dropped, so the next caller tries again.
 */
export function memoPromise<K, V>(cache: Map<K, Promise<V>>, key: K, make: () => Promise<V>): Promise<V> {
  let p = cache.get(key);
  if (!p) {
    p = make();
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}
