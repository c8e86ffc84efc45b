import type { NodeOutputs } from '../../protocol/values';
import type { CachedLogLine, CacheStore } from './types';

/** A cache in memory, for tests and benchmarks (the server uses the SQLite one so that it survives restarts). */
export function createMemoryCache(): CacheStore & { readonly size: number; clear(): void } {
  const entries = new Map<string, { outputs: NodeOutputs; log: readonly CachedLogLine[] }>();
  return {
    get: (key) => entries.get(key)?.outputs,
    put: (key, _type, outputs, log = []) => void entries.set(key, { outputs, log: [...log] }),
    log: (key) => entries.get(key)?.log ?? [],
    get size() {
      return entries.size;
    },
    clear: () => entries.clear(),
  };
}
