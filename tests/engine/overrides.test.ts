/** `--set <nodeId|title>.<param>=<value>`: coerced by the parameter's kind, clear errors otherwise. */
import { applyOverrides, OverrideError } from '../../protocol/overrides';
import type { NodeSchema } from '../../protocol/schema';
import { graph } from './helpers';

const schemas: NodeSchema[] = [
  {
    type: 'Train',
    version: 1,
    category: 't',
    title: 'Train',
    description: '',
    resource: 'gpu',
    cacheable: true,
    inputs: [],
    outputs: [],
    params: [
      { name: 'steps', kind: 'int', default: 100, min: 1 },
      { name: 'lr', kind: 'number', default: 0.0001 },
      { name: 'captions', kind: 'boolean', default: true },
      { name: 'optimizer', kind: 'enum', default: 'adamw', options: ['adamw', 'prodigy'] },
      { name: 'prompts', kind: 'list', default: [] },
      { name: 'name', kind: 'string', default: 'lora' },
    ],
  },
];

function workflow() {
  const wf = graph(['train:Train', 'second:Train', 'third:Train', 'odd:Plugin']);
  wf.nodes[1]!.title = 'Fine tune';
  wf.nodes[2]!.title = 'Twin';
  wf.nodes[3]!.title = 'Twin';
  return wf;
}

test('values are coerced by kind and set by node id or title, without touching the original', () => {
  const original = workflow();
  const wf = applyOverrides(original, schemas, [
    'train.steps=200',
    'train.lr=3e-4',
    'train.captions=no',
    'Fine tune.optimizer=prodigy',
    'fine tune.prompts=["a cat, sitting","a dog"]',
    'train.name=v2.1',
  ]);
  expect(wf.nodes[0]!.params).toEqual({ steps: 200, lr: 0.0003, captions: false, name: 'v2.1' });
  expect(wf.nodes[1]!.params).toEqual({ optimizer: 'prodigy', prompts: ['a cat, sitting', 'a dog'] });
  expect(original.nodes[0]!.params).toEqual({});
});

test('a list value without brackets is one item (prompts contain commas)', () => {
  expect(applyOverrides(workflow(), schemas, ['train.prompts=a cat, sitting']).nodes[0]!.params.prompts).toEqual([
    'a cat, sitting',
  ]);
});

test('a node of an unknown type takes JSON-looking values as such, the rest as text', () => {
  const wf = applyOverrides(workflow(), schemas, ['odd.n=5', 'odd.s=hello']);
  expect(wf.nodes[3]!.params).toEqual({ n: 5, s: 'hello' });
});

test.each([
  ['nobody.steps=1', /no node has the id or title "nobody"; nodes: train, second \(Fine tune\)/],
  ['Twin.steps=1', /"Twin" is the title of 2 nodes \(third, odd\); use the node id/],
  [
    'train.stepz=1',
    /node "train" \(Train\) has no parameter "stepz" \(did you mean steps\?\); its parameters: steps, lr/,
  ],
  ['train.steps=lots', /train\.steps: expected a whole number, received "lots"/],
  ['train.steps=0', /train\.steps: expected at least 1, received 0/],
  ['train.optimizer=sgd', /expected one of "adamw", "prodigy", received "sgd"/],
  ['train.captions=maybe', /expected true or false/],
  ['trainsteps=1', /expected <nodeId\|title>\.<param>=<value>/],
  ['train.steps', /expected <nodeId\|title>\.<param>=<value>/],
])('%s is refused with a clear error', (set, message) => {
  expect(() => applyOverrides(workflow(), schemas, [set])).toThrow(OverrideError);
  expect(() => applyOverrides(workflow(), schemas, [set])).toThrow(message);
});
