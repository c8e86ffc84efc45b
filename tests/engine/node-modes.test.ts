/** Bypass and mute (the editor's Ctrl+B / Ctrl+M): what runs, and what a bypassed node passes on. */
import { planRun } from '../../server/engine/plan';
import { rerouteNode } from '../../nodes/primitives/reroute';
import { validateWorkflow } from '../../protocol/validate';
import { createRegistry } from '../../server/engine';
import { graph, testEngine, testNodes, type TestEngine } from './helpers';

const registry = createRegistry(testNodes);
let engine: TestEngine;
beforeEach(() => (engine = testEngine()));
afterEach(() => engine.dispose());

const withModes = (wf: ReturnType<typeof graph>, modes: Record<string, 'bypass' | 'mute'>) => {
  for (const n of wf.nodes) if (modes[n.id]) n.mode = modes[n.id];
  return wf;
};
const outputOf = (events: { type: string; nodeId?: string }[], id: string) =>
  (events.find((e) => e.type === 'node.finished' && e.nodeId === id) as { outputs?: { out?: unknown } } | undefined)
    ?.outputs?.out;

/*
 *   a(Const 5) ──> b(Add +10, bypassed) ──> c(Add +1)      c reads a's 5 through b: 6, and b never runs
 */
test('a bypassed node passes its input of the same type through to what it fed', async () => {
  const wf = withModes(
    graph(['a:Const{"value":5}', 'b:Add{"plus":10}', 'c:Add{"plus":1}'], ['a.out -> b.a', 'b.out -> c.a']),
    { b: 'bypass' },
  );
  const { outcome, ran, events } = await engine.run(wf);
  expect(outcome).toBe('succeeded');
  expect(ran).toEqual(['a', 'c']);
  expect(outputOf(events, 'c')).toBe(6);
});

/*
 *   a(Const) ──> b(Add, muted) ──> c(Add)        lone(Const)
 *   muted b does not run; c needs b, so it does not either; a ran only for b, so it stays idle too
 */
test('a muted node does not run, nor what needs it, nor what only it needed', async () => {
  const wf = withModes(graph(['a:Const', 'b:Add', 'c:Add', 'lone:Const'], ['a.out -> b.a', 'b.out -> c.a']), {
    b: 'mute',
  });
  const { outcome, ran } = await engine.run(wf);
  expect(outcome).toBe('succeeded');
  expect(ran).toEqual(['lone']);
  expect(planRun(wf, registry).nodes.map((n) => n.id)).toEqual(['lone']);
});

/*
 *   a(Const) ──> s(Sum.values) <── m(Const, muted)      an optional or list input just loses the muted source
 */
test('a list input keeps its other sources when one of them is muted', async () => {
  const wf = withModes(
    graph(['a:Const{"value":2}', 'm:Const{"value":40}', 's:Sum'], ['a.out -> s.values', 'm.out -> s.values']),
    { m: 'mute' },
  );
  const { ran, events } = await engine.run(wf);
  expect(ran).toEqual(['a', 's']);
  expect(outputOf(events, 's')).toBe(2);
});

/*
 *   a(Const) ──> c(Add)        half(Add, muted: input "a" unconnected, "plus" not a number)   ghost(Unknown, muted)
 */
test('a muted half-built node, or one of an unknown type, does not stop the rest from validating and running', async () => {
  const wf = withModes(graph(['a:Const', 'c:Add', 'half:Add{"plus":"x"}', 'ghost:Unknown'], ['a.out -> c.a']), {
    half: 'mute',
    ghost: 'mute',
  });
  expect(validateWorkflow(wf, registry.schemas())).toEqual([]);
  const { outcome, ran } = await engine.run(wf);
  expect(outcome).toBe('succeeded');
  expect(ran).toEqual(['a', 'c']);
  wf.nodes.find((n) => n.id === 'half')!.mode = undefined;
  expect(validateWorkflow(wf, registry.schemas()).map((e) => e.nodeId)).toContain('half');
});

/*
 *   a(Const 5) ──> r(Reroute) ──> c(Add +1)      a reroute dot passes the value on unchanged
 */
test('a reroute dot passes its value on unchanged', async () => {
  const reroute = testEngine([rerouteNode]);
  try {
    const wf = graph(['a:Const{"value":5}', 'r:Reroute', 'c:Add{"plus":1}'], ['a.out -> r.in', 'r.out -> c.a']);
    expect(
      validateWorkflow(
        wf,
        [...testNodes, rerouteNode].map((n) => n.schema),
      ),
    ).toEqual([]);
    const { events } = await reroute.run(wf);
    expect(outputOf(events, 'c')).toBe(6);
  } finally {
    reroute.dispose();
  }
});
