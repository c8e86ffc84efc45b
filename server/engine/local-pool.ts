import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeContext } from '../../nodes/api';
import type { EngineEnv, NodeTask, NodeTaskReport, NodeWorkerPool } from './types';

/** Folder-safe form of an id chosen by a user or a node (no separators, no `..`). */
export function safeName(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return cleaned === '' ? '_' : cleaned.slice(0, 120);
}

/** The error thrown at a cancellation point (ctx.progress) once the run was cancelled. */
export function abortError(): Error {
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

/**
 * Builds the context a node's execute() receives, turning what it reports into events. `onStateDir` hears of
 * every state folder the node uses (a worker uploads them, so that another worker can resume the job).
 */
export function createNodeContext(
  env: EngineEnv,
  task: NodeTask,
  report: NodeTaskReport,
  signal: AbortSignal,
  onStateDir?: (key: string, dir: string) => void,
): NodeContext {
  let workDir: string | undefined;
  return {
    runId: task.runId,
    nodeId: task.nodeId,
    signal,
    get workDir() {
      // Created on first use: most nodes write nothing, and a 1,000-node run should not make 1,000 folders.
      workDir ??= join(env.workRoot, 'runs', safeName(task.runId), safeName(task.nodeId));
      mkdirSync(workDir, { recursive: true });
      return workDir;
    },
    stateDir(key: string) {
      const dir = join(env.workRoot, 'state', safeName(task.type), safeName(key));
      mkdirSync(dir, { recursive: true });
      onStateDir?.(key, dir);
      return dir;
    },
    inputsKey: task.inputsKey,
    artifacts: env.artifacts,
    paths: env.paths,
    device: task.device,
    progress(value, max, metrics, label) {
      if (signal.aborted) throw abortError();
      report({ type: 'progress', value, max, ...(metrics ? { metrics } : {}), ...(label ? { label } : {}) });
    },
    preview: (image, label) =>
      report(label === undefined ? { type: 'preview', image } : { type: 'preview', image, label }),
    log: (level, message) => report({ type: 'log', level, message }),
    checkpoint: (checkpoint) => report({ type: 'checkpoint', checkpoint }),
    sample: (sample) => report({ type: 'sample', sample }),
    warn: (message) => report({ type: 'log', level: 'warn', message }),
    workflow: task.workflow,
    loraFolders: env.loraFolders ?? [],
  };
}

/**
 * How long a cancelled node may take to stop before the run stops waiting for it. Nodes stop at their next
 * progress call or when their I/O honours the signal; one blocked in a system call that cannot be interrupted (a
 * read from a FIFO, a hung network share) would otherwise hold its run, and the queue behind it, forever.
 */
export const ABANDON_AFTER_MS = 30_000;

/** `work`, or an AbortError once `signal` has been aborted for `graceMs` without `work` settling. */
export function settleAfterAbort<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => reject(abortError()), graceMs);
      timer.unref();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    });
  });
}

/**
 * The worker pool that runs nodes in this process. This is the seam: the cluster pool (server/cluster) implements
 * the same `run` by sending the (serializable) NodeTask to a worker elsewhere and relaying its events back.
 */
export function createLocalPool(env: EngineEnv, abandonAfterMs = ABANDON_AFTER_MS): NodeWorkerPool {
  return {
    run(task, report, signal) {
      const def = env.registry.get(task.type);
      if (!def) return Promise.reject(new Error(`unknown node type "${task.type}"`));
      if (signal.aborted) return Promise.reject(abortError());
      const work = def.execute(task.inputs, task.params, createNodeContext(env, task, report, signal));
      return settleAfterAbort(work, signal, abandonAfterMs);
    },
  };
}
