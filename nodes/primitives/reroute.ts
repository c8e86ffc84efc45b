/**
 * Reroute: a dot on a wire that passes its value on unchanged, to route long wires tidily (ComfyUI's reroute).
 * Its sockets take any type; the wires on each side are still checked where they end.
 */
import { defineNode } from '../api';

export const rerouteNode = defineNode<Record<string, never>>({
  schema: {
    type: 'Reroute',
    version: 1,
    category: 'primitives',
    title: 'Reroute',
    description: 'A dot on a wire: passes its value on unchanged.',
    inputs: [{ name: 'in', type: '*' }],
    outputs: [{ name: 'out', type: '*' }],
    params: [],
    resource: 'cpu',
    cacheable: true,
  },
  execute: async (inputs) => ({ out: inputs.in ?? null }),
});
