/** A real NodeContext for model tests: the engine's artifact store and path policy on a temp data folder. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inputs, NodeContext, NodeDefinition, Params } from '../../nodes/api';
import type { ArtifactRef, NodeOutputs } from '../../protocol/values';
import { createArtifactStore } from '../../server/engine/artifacts';
import { createPathPolicy } from '../../server/engine/paths';

export type ModelTestContext = NodeContext & {
  root: string;
  progressCalls: number;
  previews: { ref: ArtifactRef; label?: string }[];
  warnings: string[];
  /** Cancels the run: the signal aborts and the next progress call throws. */
  cancel(): void;
  cleanup(): void;
};

/** A temp data folder whose `root` is the allowed root, artifacts and state inside. */
export function makeContext(): ModelTestContext {
  const dataDir = mkdtempSync(join(tmpdir(), 'loraflow-model-'));
  const root = join(dataDir, 'root');
  mkdirSync(root, { recursive: true });
  const controller = new AbortController();
  const ctx: ModelTestContext = {
    runId: 'test-run',
    nodeId: 'node-1',
    signal: controller.signal,
    workDir: join(dataDir, 'work'),
    stateDir: (key) => join(dataDir, 'state', key),
    inputsKey: 'inputs',
    artifacts: createArtifactStore(join(dataDir, 'artifacts')),
    paths: createPathPolicy([root]),
    device: 'cpu',
    progress: () => {
      ctx.progressCalls++;
      controller.signal.throwIfAborted();
    },
    preview: (ref, label) => void ctx.previews.push({ ref, label }),
    log: () => undefined,
    warn: (m) => void ctx.warnings.push(m),
    root,
    progressCalls: 0,
    previews: [],
    warnings: [],
    cancel: () => controller.abort(new Error('cancelled by the test')),
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
  return ctx;
}

/** Runs a node with partial params over its schema defaults. */
export async function runNode<P extends Params>(def: NodeDefinition<P>, params: Partial<P>, inputs: Inputs, ctx: NodeContext): Promise<NodeOutputs> {
  const defaults = Object.fromEntries(def.schema.params.map((p) => [p.name, p.default])) as P;
  return def.execute(inputs, { ...defaults, ...params } as P, ctx);
}
