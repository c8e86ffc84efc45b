import type { NodeOutputs } from '../../protocol/values';
import type { CacheStore } from './types';

/** A cache in memory, for tests and benchmarks (the server uses the SQLite one so that it survives restarts). */
export function createMemoryCache(): CacheStore & { readonly size: number; clear(): void } {
  const entries = new Map<string, NodeOutputs>();
  return {
    get: (key) => entries.get(key),
    put: (key, _type, outputs) => void entries.set(key, outputs),
    get size() {
      return entries.size;
    },
    clear: () => entries.clear(),
  };
}
