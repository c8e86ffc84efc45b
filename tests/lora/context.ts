/** A real NodeContext for LoRA tests that a test can cancel, recording logs, warnings, metrics and previews. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeContext } from '../../nodes/api';
import type { Metrics } from '../../protocol/values';
import { createArtifactStore } from '../../server/engine/artifacts';
import { createPathPolicy } from '../../server/engine/paths';

export type LoraTestContext = NodeContext & {
  logs: string[];
  warnings: string[];
  metrics: { step: number; metrics: Metrics }[];
  previews: string[];
  abort(): void;
};

/** A context on `dataDir` (its `root` is the allowed root); contexts on the same folder share state and artifacts. */
export function loraContext(dataDir: string, inputsKey = 'inputs'): LoraTestContext {
  const root = join(dataDir, 'root');
  mkdirSync(root, { recursive: true });
  const controller = new AbortController();
  const ctx: LoraTestContext = {
    runId: 'test-run',
    nodeId: 'train',
    signal: controller.signal,
    workDir: join(dataDir, 'work', String(Math.random()).slice(2)),
    stateDir: (key) => {
      const dir = join(dataDir, 'state', key);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    inputsKey,
    artifacts: createArtifactStore(join(dataDir, 'artifacts')),
    paths: createPathPolicy([root]),
    device: 'cpu',
    progress: (value, _max, metrics) => {
      controller.signal.throwIfAborted();
      if (metrics) ctx.metrics.push({ step: value, metrics });
    },
    preview: (_ref, label) => void ctx.previews.push(label ?? ''),
    log: (_level, message) => void ctx.logs.push(message),
    warn: (message) => void ctx.warnings.push(message),
    logs: [],
    warnings: [],
    metrics: [],
    previews: [],
    abort: () => controller.abort(),
  };
  return ctx;
}
