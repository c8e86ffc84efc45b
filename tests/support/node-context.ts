/**
 * A real NodeContext for node tests: the engine's artifact store and path policy on a data folder whose `root` is
 * the allowed root. It records what the node reports (logs, warnings, metrics, previews) and a test can cancel it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inputs, NodeContext, NodeDefinition, Params } from '../../nodes/api';
import type { ArtifactRef, CheckpointEvent, Metrics, NodeOutputs, SampleEvent } from '../../protocol/values';
import { createArtifactStore } from '../../server/engine/artifacts';
import { createPathPolicy } from '../../server/engine/paths';

export type TestNodeContext = NodeContext & {
  dataDir: string;
  /** The first allowed root, `<dataDir>/root`: relative paths in params resolve here. */
  root: string;
  logs: string[];
  warnings: string[];
  metrics: { step: number; metrics: Metrics }[];
  previews: { ref: ArtifactRef; label?: string }[];
  checkpoints: CheckpointEvent[];
  samples: SampleEvent[];
  progressCalls: number;
  /** Cancels the run: the signal aborts and the next progress call throws. */
  cancel(): void;
  /** Removes the data folder. */
  cleanup(): void;
};

export interface TestContextOptions {
  /** Allowed roots after `<dataDir>/root`. */
  extraRoots?: string[];
  nodeId?: string;
  inputsKey?: string;
}

/** A fresh data folder under the system temp dir. */
export function tempDataDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `loraflow-${prefix}-`));
}

/** A context on `dataDir`; contexts on the same folder share state and artifacts, each has its own work folder. */
export function nodeContext(dataDir: string, options: TestContextOptions = {}): TestNodeContext {
  const root = join(dataDir, 'root');
  mkdirSync(root, { recursive: true });
  const controller = new AbortController();
  const ctx: TestNodeContext = {
    runId: 'test-run',
    nodeId: options.nodeId ?? 'node-1',
    signal: controller.signal,
    workDir: join(dataDir, 'work', String(Math.random()).slice(2)),
    stateDir: (key) => {
      const dir = join(dataDir, 'state', key);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    inputsKey: options.inputsKey ?? 'inputs',
    artifacts: createArtifactStore(join(dataDir, 'artifacts')),
    paths: createPathPolicy([root, ...(options.extraRoots ?? [])]),
    device: 'cpu',
    progress: (value, _max, metrics) => {
      ctx.progressCalls++;
      controller.signal.throwIfAborted();
      if (metrics) ctx.metrics.push({ step: value, metrics });
    },
    preview: (ref, label) => void ctx.previews.push({ ref, label }),
    checkpoint: (event) => void ctx.checkpoints.push(event),
    sample: (event) => void ctx.samples.push(event),
    log: (_level, message) => void ctx.logs.push(message),
    warn: (message) => void ctx.warnings.push(message),
    dataDir,
    root,
    logs: [],
    warnings: [],
    metrics: [],
    previews: [],
    checkpoints: [],
    samples: [],
    progressCalls: 0,
    cancel: () => controller.abort(new Error('cancelled by the test')),
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
  return ctx;
}

/** A context on a fresh temp data folder (`cleanup()` removes it). */
export function tempContext(prefix: string, options: TestContextOptions = {}): TestNodeContext {
  return nodeContext(tempDataDir(prefix), options);
}

/** Runs a node with partial params over its schema defaults. */
export async function runNode<P extends Params>(
  def: NodeDefinition<P>,
  params: Partial<P>,
  inputs: Inputs,
  ctx: NodeContext,
): Promise<NodeOutputs> {
  const defaults = Object.fromEntries(def.schema.params.map((p) => [p.name, p.default])) as P;
  return def.execute(inputs, { ...defaults, ...params } as P, ctx);
}
