/**
 * The server tests' node types plus one device node for the cluster tests (through LORAFLOW_EXTRA_NODES):
 * TestDeviceEcho sleeps on whichever worker takes it and answers with that worker's device, so that a test sees
 * which device kind's queue the job went to.
 */
import { defineNode, type NodeDefinition } from '../../nodes/api';
import { nodes as serverTestNodes } from '../server/test-nodes';

const testDeviceEcho = defineNode<{ ms: number; seed: number }>({
  schema: {
    type: 'TestDeviceEcho',
    version: 1,
    category: 'test',
    title: 'Device echo',
    description: 'Sleeps on a worker and outputs the device it ran on.',
    inputs: [],
    outputs: [{ name: 'device', type: 'STRING' }],
    params: [
      { name: 'ms', kind: 'int', default: 200, min: 0, max: 60_000 },
      { name: 'seed', kind: 'int', default: 0, min: 0, max: 1_000_000 },
    ],
    resource: 'gpu',
    cacheable: false,
  },
  async execute(_inputs, params, ctx) {
    for (let i = 1; i <= 10; i++) {
      await new Promise((r) => setTimeout(r, params.ms / 10));
      ctx.progress(i, 10);
    }
    return { device: ctx.device };
  },
});

export const nodes: NodeDefinition[] = [...serverTestNodes, testDeviceEcho as unknown as NodeDefinition];
