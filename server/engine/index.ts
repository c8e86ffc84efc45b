/**
 * server/engine: runs workflows. It knows node definitions, the protocol types and the file system, never HTTP
 * or SQLite: the run queue (server/queue) drives it through types.ts and gives it a CacheStore.
 * A run: plan.ts (needed nodes, topological order) -> keys.ts (cache keys) -> executor.ts (cache hits, then
 * misses through the NodeWorkerPool within slots.ts's CPU/GPU slots).
 */
export { executeWorkflow } from './executor';
export { createLocalPool, createNodeContext } from './local-pool';
export { createRegistry, schemaMap } from './registry';
export { createPathPolicy, PathError } from './paths';
export { createArtifactStore, extensionForMime } from './artifacts';
export { createMemoryCache } from './memory-cache';
export { describeNodeError } from './hints';
export type * from './types';
