/** Converting a parameter to an input in the editor: the socket it gets, the wires it takes, and converting back. */
import { produce } from 'immer';
import { checkConnection } from '../../client/src/graph/compat';
import { setParamInput } from '../../client/src/graph/edits';
import { inputSocketsOf } from '../../protocol/param-inputs';
import { quickStart, schemaMap } from './fixtures';

const trainSchema = schemaMap.get('TrainLoRA')!;
const converted = () => produce(quickStart(), setParamInput('train', 'steps', true));
const intoSteps = { source: 'sample', sourceHandle: 'out:images', target: 'train', targetHandle: 'in:param:steps' };

test('a converted parameter gets a socket of its type; every kind maps to NUMBER, STRING or BOOLEAN', () => {
  const doc = produce(quickStart(), (d) => {
    for (const p of ['steps', 'lr', 'seed', 'optimizer', 'prompts', 'notes', 'ema']) setParamInput('train', p, true)(d);
  });
  const train = doc.nodes.find((n) => n.id === 'train')!;
  expect(train.paramInputs).toEqual(['steps', 'lr', 'seed', 'optimizer', 'prompts', 'notes', 'ema']);
  expect(inputSocketsOf(trainSchema, train).map((s) => `${s.name}:${s.type}`)).toEqual([
    'dataset:DATASET',
    'param:steps:NUMBER',
    'param:lr:NUMBER',
    'param:seed:NUMBER',
    'param:optimizer:STRING',
    'param:prompts:STRING',
    'param:notes:STRING',
    'param:ema:BOOLEAN',
  ]);
});

test('a wire into a parameter is refused until it is converted, then checked by type like any input', () => {
  expect(checkConnection(quickStart(), schemaMap, intoSteps)).toEqual({
    ok: false,
    reason: 'Unknown input socket "param:steps".',
  });
  expect(checkConnection(converted(), schemaMap, intoSteps)).toEqual({
    ok: false,
    reason: 'Sample.images gives IMAGES, but Train.steps expects NUMBER.',
  });
});

test('converting back to a widget removes the wire into it and the field, keeping the typed value', () => {
  const wired = produce(converted(), (d) => {
    d.edges.push({ id: 'w', from: { node: 'load', socket: 'n' }, to: { node: 'train', socket: 'param:steps' } });
  });
  const back = produce(wired, setParamInput('train', 'steps', false));
  const train = back.nodes.find((n) => n.id === 'train')!;
  expect(train.paramInputs).toBeUndefined();
  expect(train.params.steps).toBe(100);
  expect(back.edges.map((e) => e.id)).toEqual(['e1', 'e2']);
});
