import { defineNode } from '../api';

/** A number typed in by the user, for wiring into several nodes at once. */
export const numberNode = defineNode<{ value: number }>({
  schema: {
    type: 'Number',
    version: 1,
    category: 'primitives',
    title: 'Number',
    description: 'A number you type in, to feed into other nodes.',
    inputs: [],
    outputs: [{ name: 'value', type: 'NUMBER' }],
    params: [{ name: 'value', kind: 'number', default: 0 }],
    resource: 'cpu',
    cacheable: true,
  },
  execute: async (_inputs, params) => ({ value: params.value }),
});
