/**
 * The node `npm run bench:workers` simulates many GPU workers with (through LORAFLOW_EXTRA_NODES): a device node
 * that only sleeps, so that 50 workers on a 2-core machine measure the queue, the events and the transfers,
 * not the CPU.
 */
import { defineNode, type NodeDefinition } from '../nodes/api';

const simDevice = defineNode<{ ms: number; seed: number }>({
  schema: {
    type: 'SimDevice',
    version: 1,
    category: 'bench',
    title: 'Simulated device job',
    description: 'Sleeps on a worker, reporting progress ten times.',
    inputs: [],
    outputs: [{ name: 'value', type: 'NUMBER' }],
    params: [
      { name: 'ms', kind: 'int', default: 200, min: 0, max: 60_000 },
      { name: 'seed', kind: 'int', default: 0, min: 0, max: 1_000_000 },
    ],
    resource: 'gpu',
    cacheable: true,
  },
  async execute(_inputs, params, ctx) {
    for (let i = 1; i <= 10; i++) {
      await new Promise((r) => setTimeout(r, params.ms / 10));
      ctx.progress(i, 10);
    }
    return { value: params.seed };
  },
});

export const nodes: NodeDefinition[] = [simDevice as unknown as NodeDefinition];
