/** A real NodeContext for dataset tests: the engine's artifact store and path policy on a temp data folder. */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inputs, NodeContext, NodeDefinition, Params } from '../../nodes/api';
import type { NodeOutputs } from '../../protocol/values';
import { createArtifactStore } from '../../server/engine/artifacts';
import { createPathPolicy } from '../../server/engine/paths';

export type TestContext = NodeContext & { warnings: string[]; logs: string[]; dataDir: string; cleanup(): void };

/** A data folder under the system temp dir, with `root` (the allowed root) and `store` (artifacts) inside. */
export function makeContext(extraRoots: string[] = []): TestContext {
  const dataDir = mkdtempSync(join(tmpdir(), 'loraflow-dataset-'));
  const root = join(dataDir, 'root');
  mkdirSync(root, { recursive: true });
  const warnings: string[] = [];
  const logs: string[] = [];
  const controller = new AbortController();
  return {
    runId: 'test-run',
    nodeId: 'node-1',
    signal: controller.signal,
    workDir: join(dataDir, 'work'),
    stateDir: (key) => join(dataDir, 'state', key),
    inputsKey: 'inputs',
    artifacts: createArtifactStore(join(dataDir, 'artifacts')),
    paths: createPathPolicy([root, ...extraRoots]),
    device: 'cpu',
    progress: () => controller.signal.throwIfAborted(),
    preview: () => undefined,
    log: (_level, message) => void logs.push(message),
    warn: (message) => void warnings.push(message),
    warnings,
    logs,
    dataDir,
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** The allowed root of a test context (where tests put their dataset folders). */
export function rootOf(ctx: TestContext): string {
  return ctx.paths.roots[0] as string;
}

/** Runs a node with partial params over its schema defaults. */
export async function runNode<P extends Params>(def: NodeDefinition<P>, params: Partial<P>, inputs: Inputs, ctx: NodeContext): Promise<NodeOutputs> {
  const defaults = Object.fromEntries(def.schema.params.map((p) => [p.name, p.default])) as P;
  return def.execute(inputs, { ...defaults, ...params } as P, ctx);
}
