import type { ServerConfig } from '../config';
import type { NodeDefinition } from '../../nodes/api';
import type { EngineEnv } from '../engine/types';
import { builtinNodes } from '../../nodes';
import { createRegistry } from '../engine/registry';
import { createPathPolicy } from '../engine/paths';
import { removeStaleTempFiles } from '../engine/temp-files';
import { createArtifactStore } from '../engine/artifacts';
import { createLocalPool } from '../engine/local-pool';
import { openDatabase, type LoraflowDb } from '../db';
import { RunQueue } from './run-queue';
import { createClusterPool, type ClusterPool } from '../cluster/cluster-pool';
import { createClusterSlots } from '../cluster/cluster-slots';

/** Everything a run needs, composed from the configuration; shared by `serve` and the in-process `run`. */
export interface Runtime {
  config: ServerConfig;
  db: LoraflowDb;
  env: EngineEnv;
  queue: RunQueue;
  /** The workers' pool, on a server started with --redis. */
  cluster?: ClusterPool;
  /** Stops the queue (a running run becomes interrupted) and closes the database. */
  close(): Promise<void>;
}

/**
 * Node types an operator adds through LORAFLOW_EXTRA_NODES (a .ts module exporting `nodes`). It is read from
 * the server's environment only, never from a workflow, since it runs arbitrary code.
 */
export function loadExtraNodes(modulePath: string | undefined): NodeDefinition[] {
  if (!modulePath) return [];
  const loaded = require(modulePath) as { nodes?: unknown };
  if (!Array.isArray(loaded.nodes))
    throw new Error(`${modulePath} (LORAFLOW_EXTRA_NODES) must export \`nodes\`: NodeDefinition[]`);
  return loaded.nodes as NodeDefinition[];
}

/** The built-in node types plus the operator's extra ones. */
export function loadNodeDefinitions(extraModule: string | undefined): NodeDefinition[] {
  return [...builtinNodes, ...loadExtraNodes(extraModule)];
}

/** Opens the database and builds the engine environment and the run queue. */
export function createRuntime(
  config: ServerConfig,
  opts: { adoptExisting: boolean; log?: (message: string) => void },
): Runtime {
  const stale = removeStaleTempFiles([config.dataDir, ...config.roots]); // left by a process killed mid-write
  if (stale.length > 0) opts.log?.(`removed ${stale.length} temp file(s) left by interrupted writes`);
  const db = openDatabase(config.dbPath);
  const defs = loadNodeDefinitions(config.extraNodesModule);
  const env: EngineEnv = {
    registry: createRegistry(defs),
    cache: db.cache,
    artifacts: createArtifactStore(config.artifactsDir),
    paths: createPathPolicy(config.roots),
    workRoot: config.workRoot,
    loraFolders: config.modelFolders.filter((f) => f.kind === 'loras').map((f) => f.path),
    cpuSlots: config.cpuSlots,
    gpuDevices: config.gpuDevices,
  };
  if (!config.redisUrl) {
    const queue = new RunQueue({ db, env, pool: createLocalPool(env), adoptExisting: opts.adoptExisting });
    return {
      config,
      db,
      env,
      queue,
      async close() {
        await queue.shutdown();
        db.close();
      },
    };
  }
  // With workers: device nodes go to them, runs execute side by side (as many as there are workers) and share slots.
  env.slots = createClusterSlots(config.cpuSlots);
  const cluster = createClusterPool({
    env,
    redisUrl: config.redisUrl,
    pool: config.workerPool,
    log: opts.log ?? (() => undefined),
  });
  const queue = new RunQueue({
    db,
    env,
    pool: cluster,
    adoptExisting: opts.adoptExisting,
    concurrency: () => cluster.liveWorkers(),
    runsOutliveServer: cluster,
  });
  cluster.onCapacityChange(() => queue.pump());
  return {
    config,
    db,
    env,
    queue,
    cluster,
    async close() {
      await queue.shutdown();
      await cluster.close();
      db.close();
    },
  };
}
