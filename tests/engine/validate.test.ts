/** Validation: every error kind, all errors at once, each naming the node, the input or parameter, expected and received. */
import { errorsByNode, validateParamValue, validateWorkflow } from '../../protocol/validate';
import type { NodeSchema } from '../../protocol/schema';
import type { ValidationErrorKind } from '../../protocol/validation-types';
import { graph, testNodes } from './helpers';

const schemas: NodeSchema[] = [
  ...testNodes.map((d) => d.schema),
  {
    type: 'Train',
    version: 1,
    category: 'test',
    title: 'Train',
    description: '',
    resource: 'gpu',
    cacheable: true,
    inputs: [
      { name: 'dataset', type: 'DATASET' },
      { name: 'base', type: 'MODEL', optional: true },
    ],
    outputs: [{ name: 'lora', type: 'LORA' }],
    params: [
      { name: 'steps', kind: 'int', default: 100, min: 1, max: 10000 },
      { name: 'lr', kind: 'number', default: 1e-4, min: 0 },
      { name: 'seed', kind: 'seed', default: 0 },
      { name: 'optimizer', kind: 'enum', default: 'adamw', options: ['adamw', 'prodigy'] },
      { name: 'folder', kind: 'path', default: '' },
      { name: 'captions', kind: 'boolean', default: true },
      { name: 'prompts', kind: 'list', default: [] },
      { name: 'trigger', kind: 'string', default: 'x', optional: true },
    ],
  },
  {
    type: 'Data',
    version: 1,
    category: 'test',
    title: 'Data',
    description: '',
    resource: 'cpu',
    cacheable: true,
    inputs: [],
    outputs: [
      { name: 'dataset', type: 'DATASET' },
      { name: 'any', type: '*' },
    ],
    params: [],
  },
];

const kinds = (wf: Parameters<typeof validateWorkflow>[0]) => validateWorkflow(wf, schemas).map((e) => e.kind);
const one = (wf: Parameters<typeof validateWorkflow>[0], kind: ValidationErrorKind) =>
  validateWorkflow(wf, schemas).find((e) => e.kind === kind)!;

/*   d(Data).dataset ──> t(Train)   */
const trainGraph = (params: string) => graph(['d:Data', `t:Train${params}`], ['d.dataset -> t.dataset']);

test('a valid graph has no errors; an optional input may stay unconnected or be connected', () => {
  expect(validateWorkflow(trainGraph('{"folder":"x"}'), schemas)).toEqual([]);
  const wf = trainGraph('{"folder":"x"}');
  wf.edges.push({ id: 'm', from: { node: 'd', socket: 'any' }, to: { node: 't', socket: 'base' } });
  expect(validateWorkflow(wf, schemas)).toEqual([]);
});

test('unknown node type names the node and its type', () => {
  const e = one(graph(['x:Mystery']), 'unknown-node-type');
  expect(e).toMatchObject({ nodeId: 'x', nodeType: 'Mystery', received: 'Mystery' });
  expect(e.message).toContain('"x"');
  expect(e.message).toContain('Mystery');
});

/*   t(Train) with nothing on "dataset"   */
test('missing required input names the input and the expected socket type', () => {
  const e = one(graph(['t:Train{"folder":"x"}']), 'missing-input');
  expect(e).toMatchObject({
    nodeId: 't',
    input: 'dataset',
    expected: 'a connection of type DATASET',
    received: 'nothing connected',
  });
});

/*   c(Const).out:NUMBER ──> t(Train).dataset:DATASET   */
test('socket type mismatch names the input, expected and received types', () => {
  const e = one(graph(['c:Const', 't:Train{"folder":"x"}'], ['c.out -> t.dataset']), 'socket-type-mismatch');
  expect(e).toMatchObject({ nodeId: 't', input: 'dataset', expected: 'DATASET', received: 'NUMBER' });
  expect(e.message).toMatch(/input "dataset": expected DATASET, received NUMBER/);
});

test('"*" sockets connect to anything', () => {
  expect(kinds(graph(['d:Data', 't:Train{"folder":"x"}'], ['d.any -> t.dataset']))).toEqual([]);
});

test.each([
  ['param-kind', '{"steps":"many","folder":"x"}', 'steps', 'a whole number', '"many"'],
  ['param-kind', '{"steps":1.5,"folder":"x"}', 'steps', 'a whole number', 'number 1.5'],
  ['param-kind', '{"captions":"yes","folder":"x"}', 'captions', 'true or false', '"yes"'],
  ['param-kind', '{"prompts":[1],"folder":"x"}', 'prompts', 'a list of strings', 'an array of 1'],
  ['param-range', '{"steps":0,"folder":"x"}', 'steps', 'between 1 and 10000', '0'],
  ['param-range', '{"lr":-1,"folder":"x"}', 'lr', 'at least 0', '-1'],
  ['param-range', '{"seed":-5,"folder":"x"}', 'seed', 'at least 0', '-5'],
  ['param-option', '{"optimizer":"sgd","folder":"x"}', 'optimizer', 'one of "adamw", "prodigy"', '"sgd"'],
  ['param-missing', '{}', 'folder', 'a path', 'an empty string'],
  ['param-missing', '{"steps":null,"folder":"x"}', 'steps', 'a value (int)', 'null'],
] as const)('%s: %s names parameter %s, expected %s, received %s', (kind, params, param, expected, received) => {
  const e = one(trainGraph(params), kind);
  expect(e).toMatchObject({ nodeId: 't', param, expected, received });
  expect(e.message).toContain(`parameter "${param}": expected ${expected}, received ${received}`);
});

test('an optional string may be empty', () => {
  expect(kinds(trainGraph('{"trigger":"","folder":"x"}'))).toEqual([]);
});

/*   c(Const) ──> gone.a   and   nowhere.out ──> a(Add).a   */
test('edges to missing nodes name the missing node and the edge', () => {
  const wf = graph(['c:Const', 'a:Add'], ['c.out -> gone.a', 'nowhere.out -> a.a']);
  const errors = validateWorkflow(wf, schemas).filter((e) => e.kind === 'edge-missing-node');
  expect(errors.map((e) => [e.nodeId, e.edgeId])).toEqual([
    ['gone', 'e0'],
    ['nowhere', 'e1'],
  ]);
});

/*   c(Const).nope ──> a(Add).zzz   */
test('edges to missing sockets name the socket and list the real ones', () => {
  const errors = validateWorkflow(graph(['c:Const', 'a:Add'], ['c.nope -> a.zzz', 'c.out -> a.a']), schemas).filter(
    (e) => e.kind === 'edge-missing-socket',
  );
  expect(errors).toHaveLength(2);
  expect(errors[0]).toMatchObject({ nodeId: 'c', received: '"nope"', expected: 'an output among: out' });
  expect(errors[1]).toMatchObject({ nodeId: 'a', input: 'zzz', expected: 'an input among: a, b' });
});

/*   c1(Const) ──> a(Add).a <── c2(Const)   (not a list input)   c1 ──> s(Sum).values <── c2  (a list input)   */
test('a non-list input accepts one edge, a list input several', () => {
  const wf = graph(
    ['c1:Const', 'c2:Const', 'a:Add', 's:Sum'],
    ['c1.out -> a.a', 'c2.out -> a.a', 'c1.out -> s.values', 'c2.out -> s.values'],
  );
  const errors = validateWorkflow(wf, schemas);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ kind: 'input-multiple-edges', nodeId: 'a', input: 'a', received: '2 connections' });
});

test('duplicate node ids are reported', () => {
  expect(one(graph(['x:Const', 'x:Add']), 'duplicate-node-id')).toMatchObject({ nodeId: 'x' });
});

/*
 *   a(Add) ──> b(Add) ──> c(Add) ──┐      d(Add) ──> d (self loop)
 *     ^────────────────────────────┘
 */
test('every node of a cycle is reported, with the cycle path', () => {
  const wf = graph(
    ['a:Add', 'b:Add', 'c:Add', 'd:Add', 'x:Const', 'y:Add'],
    ['a.out -> b.a', 'b.out -> c.a', 'c.out -> a.a', 'd.out -> d.a', 'x.out -> y.a'],
  );
  const cycles = validateWorkflow(wf, schemas).filter((e) => e.kind === 'cycle');
  expect(cycles.map((e) => e.nodeId).sort()).toEqual(['a', 'b', 'c', 'd']);
  expect(cycles.find((e) => e.nodeId === 'a')!.message).toContain('a -> b -> c -> a');
});

test('all errors are reported at once, and grouped by node', () => {
  const wf = graph(['t:Train{"steps":0,"optimizer":"sgd"}', 'x:Mystery', 'c:Const', 'a:Add'], ['c.out -> t.dataset']);
  const errors = validateWorkflow(wf, schemas);
  expect(new Set(errors.map((e) => e.kind))).toEqual(
    new Set([
      'param-range',
      'param-option',
      'param-missing',
      'unknown-node-type',
      'socket-type-mismatch',
      'missing-input',
    ]),
  );
  const byNode = errorsByNode(errors);
  expect(Object.keys(byNode).sort()).toEqual(['a', 't', 'x']);
  expect(byNode.t).toHaveLength(4);
});

test('a parameter hidden by visibleWhen is not checked', () => {
  const schema: NodeSchema = {
    type: 'Resize',
    version: 1,
    category: 'test',
    title: 'Resize',
    description: '',
    resource: 'cpu',
    cacheable: true,
    inputs: [],
    outputs: [],
    params: [
      { name: 'mode', kind: 'enum', default: 'crop', options: ['crop', 'pad'] },
      { name: 'padColor', kind: 'string', default: '', visibleWhen: { param: 'mode', equals: ['pad'] } },
    ],
  };
  expect(validateWorkflow(graph(['r:Resize']), [schema])).toEqual([]);
  expect(validateWorkflow(graph(['r:Resize{"mode":"pad"}']), [schema]).map((e) => [e.kind, e.param])).toEqual([
    ['param-missing', 'padColor'],
  ]);
});

test('validateParamValue treats undefined as the default', () => {
  expect(validateParamValue({ name: 'n', kind: 'int', default: 3, min: 1 }, undefined)).toBeNull();
  expect(validateParamValue({ name: 'n', kind: 'int', default: 3, min: 5 }, undefined)).toMatchObject({
    kind: 'param-range',
  });
});

test('a 10,000-node chain validates without overflowing the stack', () => {
  const ids = Array.from({ length: 10_000 }, (_, i) => `n${i}`);
  const wf = graph(
    ['n0:Const', ...ids.slice(1).map((id) => `${id}:Add`)],
    ids.slice(1).map((id, i) => `${ids[i]}.out -> ${id}.a`),
  );
  expect(validateWorkflow(wf, schemas)).toEqual([]);
});
