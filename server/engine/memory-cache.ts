import type { NodeOutputs } from '../../protocol/values';
import type { CacheStore } from './types';

/** A cache in memory, for tests and benchmarks (the server uses the SQLite one so that it survives restarts). */
export function createMemoryCache(): CacheStore & { readonly size: number; clear(): void } {
  const entries = new Map<string, { outputs: NodeOutputs; warnings: readonly string[] }>();
  return {
    get: (key) => entries.get(key)?.outputs,
    put: (key, _type, outputs, warnings = []) => void entries.set(key, { outputs, warnings: [...warnings] }),
    warnings: (key) => entries.get(key)?.warnings ?? [],
    get size() {
      return entries.size;
    },
    clear: () => entries.clear(),
  };
}
