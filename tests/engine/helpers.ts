/** Test-only node types, a tiny graph builder and an engine environment in a temporary folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode, NodeUserError, type NodeDefinition } from '../../nodes/api';
import type { ParamValue } from '../../protocol/schema';
import type { WorkflowFile } from '../../protocol/workflow';
import { emptyWorkflow } from '../../protocol/workflow-io';
import {
  createArtifactStore,
  createMemoryCache,
  createPathPolicy,
  createRegistry,
  executeWorkflow,
} from '../../server/engine';
import type { EngineEnv, ExecutorEvent, RunOutcome } from '../../server/engine/types';

const base = { version: 1, category: 'test', description: 'test node', resource: 'cpu' as const, cacheable: true };

/** Every execution of a test node, in order, so tests can say exactly which nodes ran. */
export const executed: string[] = [];
/** Outside state read by the Watch node's fingerprint. */
export const outside = { version: 'v1' };

export const testNodes: NodeDefinition[] = [
  defineNode({
    schema: {
      ...base,
      type: 'Const',
      title: 'Const',
      inputs: [],
      outputs: [{ name: 'out', type: 'NUMBER' }],
      params: [{ name: 'value', kind: 'number', default: 1 }],
    },
    execute: async (_i, p, ctx) => (executed.push(ctx.nodeId), { out: p.value as number }),
  }),
  defineNode({
    schema: {
      ...base,
      type: 'Add',
      title: 'Add',
      inputs: [
        { name: 'a', type: 'NUMBER' },
        { name: 'b', type: 'NUMBER', optional: true },
      ],
      outputs: [{ name: 'out', type: 'NUMBER' }],
      params: [{ name: 'plus', kind: 'number', default: 0 }],
    },
    execute: async (i, p, ctx) => (
      executed.push(ctx.nodeId),
      { out: (i.a as number) + ((i.b as number | undefined) ?? 0) + (p.plus as number) }
    ),
  }),
  defineNode({
    schema: {
      ...base,
      type: 'Sum',
      title: 'Sum',
      inputs: [{ name: 'values', type: 'NUMBER', list: true }],
      outputs: [{ name: 'out', type: 'NUMBER' }],
      params: [],
    },
    execute: async (i, _p, ctx) => (
      executed.push(ctx.nodeId),
      { out: (i.values as number[]).reduce((a, b) => a + b, 0) }
    ),
  }),
  defineNode({
    schema: {
      ...base,
      type: 'Fail',
      title: 'Fail',
      inputs: [{ name: 'a', type: 'NUMBER', optional: true }],
      outputs: [{ name: 'out', type: 'NUMBER' }],
      params: [],
    },
    execute: async (_i, _p, ctx) => {
      executed.push(ctx.nodeId);
      throw new NodeUserError('the test node failed on purpose', 'do not use Fail nodes');
    },
  }),
  defineNode({
    schema: {
      ...base,
      type: 'Noise',
      title: 'Noise',
      cacheable: false,
      inputs: [],
      outputs: [{ name: 'out', type: 'NUMBER' }],
      params: [],
    },
    execute: async (_i, _p, ctx) => (executed.push(ctx.nodeId), { out: Math.random() }),
  }),
  defineNode({
    schema: {
      ...base,
      type: 'Watch',
      title: 'Watch',
      inputs: [],
      outputs: [{ name: 'out', type: 'STRING' }],
      params: [],
    },
    fingerprint: async () => outside.version,
    execute: async (_i, _p, ctx) => (executed.push(ctx.nodeId), { out: outside.version }),
  }),
  ...(['cpu', 'gpu'] as const).map((resource) =>
    defineNode({
      schema: {
        ...base,
        resource,
        type: resource === 'cpu' ? 'Work' : 'Train',
        title: resource,
        inputs: [{ name: 'after', type: '*', optional: true }],
        outputs: [{ name: 'out', type: '*' }],
        params: [{ name: 'ms', kind: 'int', default: 50 }],
      },
      async execute(_i, p, ctx) {
        executed.push(ctx.nodeId);
        intervals.push({ id: ctx.nodeId, resource, device: ctx.device, start: performance.now(), end: Infinity });
        const me = intervals[intervals.length - 1]!;
        const steps = 5;
        for (let s = 1; s <= steps; s++) {
          await new Promise((r) => setTimeout(r, (p.ms as number) / steps));
          ctx.progress(s, steps, { loss: 1 / s });
        }
        me.end = performance.now();
        return { out: ctx.nodeId };
      },
    }),
  ),
];

/** When each Work/Train node ran: tests check overlaps. */
export const intervals: { id: string; resource: string; device: string; start: number; end: number }[] = [];

export function overlap(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** The most intervals running at the same instant. */
export function maxConcurrent(spans: readonly { start: number; end: number }[]): number {
  const points = spans
    .flatMap((s) => [[s.start, 1] as const, [s.end, -1] as const])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of points) most = Math.max(most, (now += delta));
  return most;
}

/**
 * Builds a workflow from `id:Type` or `id:Type{"param":1}` node specs and `a.out -> b.in` edge specs.
 */
export function graph(nodes: string[], edges: string[] = []): WorkflowFile {
  const wf = emptyWorkflow('test');
  for (const spec of nodes) {
    const m = /^([^:]+):(\w+)(\{.*\})?$/.exec(spec);
    if (!m) throw new Error(`bad node spec ${spec}`);
    wf.nodes.push({
      id: m[1]!,
      type: m[2]!,
      params: m[3] ? (JSON.parse(m[3]) as Record<string, ParamValue>) : {},
      position: { x: 0, y: 0 },
    });
  }
  edges.forEach((spec, i) => {
    const m = /^(\S+)\.(\w+)\s*->\s*(\S+)\.(\w+)$/.exec(spec);
    if (!m) throw new Error(`bad edge spec ${spec}`);
    wf.edges.push({ id: `e${i}`, from: { node: m[1]!, socket: m[2]! }, to: { node: m[3]!, socket: m[4]! } });
  });
  return wf;
}

export interface TestEngine {
  env: EngineEnv;
  cache: ReturnType<typeof createMemoryCache>;
  dir: string;
  run(
    wf: WorkflowFile,
    opts?: { signal?: AbortSignal; targets?: string[]; runId?: string },
  ): Promise<{ outcome: RunOutcome; events: ExecutorEvent[]; ran: string[] }>;
  dispose(): void;
}

let runCounter = 0;

/** An engine over the test nodes (plus `extra`), with a memory cache and a temporary data folder. */
export function testEngine(
  extra: NodeDefinition[] = [],
  slots: { cpuSlots?: number; gpuDevices?: string[] } = {},
): TestEngine {
  const dir = mkdtempSync(join(tmpdir(), 'loraflow-engine-'));
  const cache = createMemoryCache();
  const env: EngineEnv = {
    registry: createRegistry([...testNodes, ...extra]),
    cache,
    artifacts: createArtifactStore(join(dir, 'artifacts')),
    paths: createPathPolicy([dir]),
    workRoot: join(dir, 'work'),
    cpuSlots: slots.cpuSlots ?? 4,
    gpuDevices: slots.gpuDevices ?? [],
  };
  return {
    env,
    cache,
    dir,
    async run(wf, opts = {}) {
      const events: ExecutorEvent[] = [];
      executed.length = 0;
      const outcome = await executeWorkflow(env, {
        runId: opts.runId ?? `run${++runCounter}`,
        workflow: wf,
        targets: opts.targets,
        signal: opts.signal ?? new AbortController().signal,
        onEvent: (e) => events.push(e),
      });
      return { outcome, events, ran: [...executed] };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The ids of the nodes that got an event of this type, in order. */
export function nodesWith(events: ExecutorEvent[], type: ExecutorEvent['type']): string[] {
  return events.filter((e) => e.type === type).map((e) => e.nodeId);
}
