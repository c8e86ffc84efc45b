/** A failing node fails its dependents only; cancelling stops running nodes at their next progress point. */
import { graph, nodesWith, testEngine, type TestEngine } from './helpers';

let engine: TestEngine;
beforeEach(() => (engine = testEngine()));
afterEach(() => engine.dispose());

/*
 *   a(Const) ──> bad(Fail) ──> after(Add) ──> end(Add)
 *        └─────> ok(Add) ──> okEnd(Add)
 */
test('a failing node skips its dependents with its error; the independent branch still finishes', async () => {
  const wf = graph(
    ['a:Const', 'bad:Fail', 'after:Add', 'end:Add', 'ok:Add', 'okEnd:Add'],
    ['a.out -> bad.a', 'bad.out -> after.a', 'after.out -> end.a', 'a.out -> ok.a', 'ok.out -> okEnd.a'],
  );
  const { outcome, events } = await engine.run(wf);
  expect(outcome).toBe('failed');
  expect(events.find((e) => e.type === 'node.failed')).toMatchObject({
    nodeId: 'bad',
    error: { message: 'the test node failed on purpose', hint: 'do not use Fail nodes' },
  });
  expect(nodesWith(events, 'node.skipped').sort()).toEqual(['after', 'end']);
  expect(events.find((e) => e.nodeId === 'end')).toMatchObject({ reason: '"bad" failed' });
  expect(nodesWith(events, 'node.finished').sort()).toEqual(['a', 'ok', 'okEnd']);
});

test('a failed node runs again on the next run while the finished ones are cached', async () => {
  const wf = graph(['a:Const', 'bad:Fail'], ['a.out -> bad.a']);
  await engine.run(wf);
  const { ran, events } = await engine.run(wf);
  expect(ran).toEqual(['bad']);
  expect(nodesWith(events, 'node.cached')).toEqual(['a']);
});

/*
 *   a(Const) ──> ghost(NoSuchType) ──> b(Add)          c(Const)
 */
test('a node of an unknown type fails by name, its dependents are skipped, what only fed it is not run, the rest runs', async () => {
  const wf = graph(['a:Const', 'ghost:NoSuchType', 'b:Add', 'c:Const'], ['a.out -> ghost.x', 'ghost.y -> b.a']);
  const { outcome, events, ran } = await engine.run(wf);
  expect(outcome).toBe('failed');
  expect(events.find((e) => e.type === 'node.failed')?.nodeId).toBe('ghost');
  expect(events.find((e) => e.type === 'node.failed')).toMatchObject({
    error: { message: expect.stringContaining('unknown type "NoSuchType"') },
  });
  expect(events.find((e) => e.nodeId === 'b')).toMatchObject({ type: 'node.skipped', reason: '"ghost" failed' });
  expect(events.find((e) => e.nodeId === 'a')).toMatchObject({
    type: 'node.skipped',
    reason: expect.stringContaining('not needed'),
  });
  expect(ran).toEqual(['c']);
});

test('errors without a hint get one for common causes (missing file)', async () => {
  const { defineNode } = await import('../../nodes/api');
  const { readFile } = await import('node:fs/promises');
  const reader = defineNode({
    schema: {
      type: 'Read',
      version: 1,
      category: 'test',
      title: 'Read',
      description: '',
      inputs: [],
      outputs: [],
      params: [],
      resource: 'cpu',
      cacheable: true,
    },
    execute: async () => ({ text: await readFile('/definitely/not/here.txt', 'utf8') }),
  });
  engine.dispose();
  engine = testEngine([reader]);
  const { events } = await engine.run(graph(['r:Read']));
  expect(events.find((e) => e.type === 'node.failed')).toMatchObject({
    error: { hint: expect.stringContaining('does not exist') },
  });
});

test('a node that returns something other than an outputs object fails with a clear message', async () => {
  const { defineNode } = await import('../../nodes/api');
  const broken = defineNode({
    schema: {
      type: 'Broken',
      version: 1,
      category: 'test',
      title: 'Broken',
      description: '',
      inputs: [],
      outputs: [],
      params: [],
      resource: 'cpu',
      cacheable: true,
    },
    execute: async () => undefined as never,
  });
  engine.dispose();
  engine = testEngine([broken]);
  const { events } = await engine.run(graph(['b:Broken']));
  expect(events.find((e) => e.type === 'node.failed')).toMatchObject({
    error: { message: 'node type "Broken" returned undefined instead of its outputs (an object)' },
  });
});

/*
 *   slow(Work, 2 s) ──> after(Add)        quick(Const)
 *   cancel after 100 ms
 */
test('cancel: the running node stops at its next progress point, pending nodes are skipped', async () => {
  const wf = graph(['slow:Work{"ms":2000}', 'after:Work', 'quick:Const'], ['slow.out -> after.after']);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const started = performance.now();
  const { outcome, events } = await engine.run(wf, { signal: controller.signal });
  expect(outcome).toBe('cancelled');
  expect(performance.now() - started).toBeLessThan(1500);
  expect(nodesWith(events, 'node.cancelled')).toEqual(['slow']);
  expect(events.find((e) => e.nodeId === 'after')).toMatchObject({ type: 'node.skipped', reason: 'run cancelled' });
  expect(nodesWith(events, 'node.finished')).toEqual(['quick']);
});

test('a run cancelled before it starts runs nothing', async () => {
  const controller = new AbortController();
  controller.abort();
  const { outcome, ran, events } = await engine.run(graph(['a:Const', 'b:Add'], ['a.out -> b.a']), {
    signal: controller.signal,
  });
  expect(outcome).toBe('cancelled');
  expect(ran).toEqual([]);
  expect(nodesWith(events, 'node.skipped')).toEqual(['a', 'b']);
});

test('the Delay primitive honours cancel within one step', async () => {
  const { primitivesNodes } = await import('../../nodes/primitives');
  engine.dispose();
  engine = testEngine(primitivesNodes);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const started = performance.now();
  const { outcome, events } = await engine.run(graph(['wait:Delay{"ms":5000,"steps":10}']), {
    signal: controller.signal,
  });
  expect(outcome).toBe('cancelled');
  expect(performance.now() - started).toBeLessThan(1000);
  expect(nodesWith(events, 'node.cancelled')).toEqual(['wait']);
});
