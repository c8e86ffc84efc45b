/**
 * What the engine's path-escape tests share: a sandbox with files outside its data folder (scripts/path-escape) and
 * a real engine whose one allowed folder is that data folder, and one escape attempt through it, judged as the
 * sweep judges it (refused before the node runs, naming the parameter, nothing outside changed).
 */
import { join } from 'node:path';
import { builtinNodes } from '../../nodes';
import type { WorkflowFile } from '../../protocol/workflow';
import {
  createArtifactStore,
  createMemoryCache,
  createPathPolicy,
  createRegistry,
  executeWorkflow,
} from '../../server/engine';
import type { EngineEnv, ExecutorEvent } from '../../server/engine/types';
import { changedPaths, createSandbox, snapshotOutside, type Sandbox } from '../../scripts/path-escape/sandbox';
import { namesParam, TARGET_ID, type Target } from '../../scripts/path-escape/targets';

export interface EscapeEngine {
  readonly box: Sandbox;
  readonly env: EngineEnv;
}

/** A sandbox and an engine on it, made before this file's tests and removed after them. */
export function useEscapeEngine(): EscapeEngine {
  let box: Sandbox | undefined;
  let env: EngineEnv | undefined;
  beforeAll(() => {
    box = createSandbox();
    env = {
      registry: createRegistry(builtinNodes),
      cache: createMemoryCache(),
      artifacts: createArtifactStore(join(box.data, 'artifacts')),
      paths: createPathPolicy([box.data]),
      workRoot: join(box.data, 'work'),
      cpuSlots: 2,
      gpuDevices: [],
    };
  });
  afterAll(() => box?.dispose());
  return {
    get box() {
      return box!;
    },
    get env() {
      return env!;
    },
  };
}

/** Runs `workflow` (the trick `trickId` on `target`); returns "<trickId>: refused", or what went wrong instead. */
export async function attemptEscape(
  engine: EscapeEngine,
  target: Target,
  trickId: string,
  runId: string,
  workflow: WorkflowFile,
): Promise<string> {
  const before = snapshotOutside(engine.box);
  const events: ExecutorEvent[] = [];
  await executeWorkflow(engine.env, {
    runId,
    workflow,
    signal: new AbortController().signal,
    onEvent: (e) => events.push(e),
  });
  const failed = events.find((e) => e.type === 'node.failed' && e.nodeId === TARGET_ID);
  const ran = events.some((e) => e.type === 'node.started' && e.nodeId === TARGET_ID);
  const error = failed?.type === 'node.failed' ? failed.error : undefined;
  const changed = changedPaths(before, snapshotOutside(engine.box));
  const ok = namesParam(error, target.param.name) && !ran && changed.length === 0;
  return `${trickId}: ${ok ? 'refused' : `NOT REFUSED (${error?.message ?? 'no error'}; changed ${changed})`}`;
}
