import { defineNode } from '../api';

/** A piece of text typed in by the user (a prompt, a trigger word, a caption prefix). */
export const textNode = defineNode<{ text: string }>({
  schema: {
    type: 'Text',
    version: 1,
    category: 'primitives',
    title: 'Text',
    description: 'Text you type in, to feed into other nodes.',
    inputs: [],
    outputs: [{ name: 'text', type: 'STRING' }],
    params: [{ name: 'text', kind: 'text', default: '' }],
    resource: 'cpu',
    cacheable: true,
  },
  execute: async (_inputs, params) => ({ text: params.text }),
});
