/** Planning, steps 1 and 2 as pure functions: which nodes, in which order, with which cache keys. */
import { computeKeys } from '../../server/engine/keys';
import { planRun } from '../../server/engine/plan';
import { createPathPolicy, createRegistry } from '../../server/engine';
import { graph, testNodes } from './helpers';
import { tmpdir } from 'node:os';

const registry = createRegistry(testNodes);
const paths = createPathPolicy([tmpdir()]);
const ids = (wf: ReturnType<typeof graph>, targets?: string[]) => planRun(wf, registry, targets).nodes.map((n) => n.id);

/*
 *   c(Add) <── b(Add) <── a(Const)      (listed in the file in reverse order)
 */
test('nodes are ordered so that every node comes after what it reads from', () => {
  expect(ids(graph(['c:Add', 'b:Add', 'a:Const'], ['a.out -> b.a', 'b.out -> c.a']))).toEqual(['a', 'b', 'c']);
});

/*
 *   a(Const) ──> b(Add) ──> c(Add)
 *        └─────> d(Add)                 targets = [c]
 */
test('targets bring in only what they depend on', () => {
  const wf = graph(['a:Const', 'b:Add', 'c:Add', 'd:Add'], ['a.out -> b.a', 'b.out -> c.a', 'a.out -> d.a']);
  expect(ids(wf, ['c'])).toEqual(['a', 'b', 'c']);
  expect(() => planRun(wf, registry, ['zzz'])).toThrow(/target node "zzz" is not in the workflow/);
});

/*
 *   a(Const) ──> b(Add)        ghost(Unknown)   (not needed by anything: ignored)
 */
test('a node of an unknown type that nothing needs is left out of the plan', () => {
  expect(ids(graph(['a:Const', 'b:Add', 'ghost:Unknown'], ['a.out -> b.a']))).toEqual(['a', 'b']);
});

/*
 *   a(Const) ──> b(Add)    by default only sinks are targets; everything they read from is planned
 */
test('by default the sinks are the targets and every node is planned', () => {
  const plan = planRun(graph(['a:Const', 'b:Add', 'lone:Const'], ['a.out -> b.a']), registry);
  expect(plan.nodes.map((n) => n.id)).toEqual(['a', 'lone', 'b']);
  expect([...plan.targets].map((i) => plan.nodes[i]!.id).sort()).toEqual(['b', 'lone']);
});

/*
 *   x(Const) ──> s(Sum.values) <── y(Const)     one key per (node, params, inputs)
 */
test('keys change with params and with the order of a list input, not with positions or titles', async () => {
  const keysOf = async (wf: ReturnType<typeof graph>) =>
    (await computeKeys(planRun(wf, registry), paths, 'run')).map((k) => (k.ok ? k.key : 'broken'));
  const base = graph(['x:Const{"value":1}', 'y:Const{"value":2}', 's:Sum'], ['x.out -> s.values', 'y.out -> s.values']);
  const [x, y, s] = await keysOf(base);
  const moved = graph(
    ['x:Const{"value":1}', 'y:Const{"value":2}', 's:Sum'],
    ['x.out -> s.values', 'y.out -> s.values'],
  );
  moved.nodes[2]!.position = { x: 500, y: 500 };
  moved.nodes[2]!.title = 'renamed';
  expect(await keysOf(moved)).toEqual([x, y, s]);
  const swapped = graph(
    ['x:Const{"value":1}', 'y:Const{"value":2}', 's:Sum'],
    ['y.out -> s.values', 'x.out -> s.values'],
  );
  expect((await keysOf(swapped))[2]).not.toBe(s);
  const changed = graph(
    ['x:Const{"value":5}', 'y:Const{"value":2}', 's:Sum'],
    ['x.out -> s.values', 'y.out -> s.values'],
  );
  const [x2, y2, s2] = await keysOf(changed);
  expect([x2 !== x, y2 === y, s2 !== s]).toEqual([true, true, true]);
});

test('a non-cacheable node gets a new key in every run', async () => {
  const plan = planRun(graph(['n:Noise']), registry);
  const [a] = await computeKeys(plan, paths, 'run1');
  const [b] = await computeKeys(plan, paths, 'run2');
  expect(a).toMatchObject({ ok: true });
  expect(a).not.toEqual(b);
});
