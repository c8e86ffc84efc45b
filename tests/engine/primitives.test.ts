/** The primitive nodes, run through the real executor with the real registry of primitives. */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { primitivesNodes } from '../../nodes/primitives';
import { validateWorkflow } from '../../protocol/validate';
import type { ExecutorEvent } from '../../server/engine/types';
import { graph, testEngine, type TestEngine } from './helpers';

let engine: TestEngine;
beforeEach(() => (engine = testEngine(primitivesNodes)));
afterEach(() => engine.dispose());

const outputOf = (events: ExecutorEvent[], id: string) => {
  const e = events.find((x) => (x.type === 'node.finished' || x.type === 'node.cached') && x.nodeId === id);
  return e && 'outputs' in e ? e.outputs : undefined;
};

/*
 *   n(Number 3) ──> tpl(TextTemplate "{a} cats named {b}, {{literal}}") <── t(Text "Tom")
 */
test('TextTemplate fills {name} placeholders from its inputs', async () => {
  const wf = graph(
    ['n:Number{"value":3}', 't:Text{"text":"Tom"}', 'tpl:TextTemplate{"template":"{a} cats named {b}, {{literal}}"}'],
    ['n.value -> tpl.a', 't.text -> tpl.b'],
  );
  expect(
    validateWorkflow(
      wf,
      primitivesNodes.map((d) => d.schema),
    ),
  ).toEqual([]);
  const { events } = await engine.run(wf);
  expect(outputOf(events, 'tpl')).toEqual({ text: '3 cats named Tom, {literal}' });
});

test('TextTemplate names a placeholder that has no input', async () => {
  const { events } = await engine.run(graph(['tpl:TextTemplate{"template":"hi {c}"}']));
  expect(events.find((e) => e.type === 'node.failed')).toMatchObject({
    error: { message: 'placeholder {c} has no value', param: 'template' },
  });
});

/*
 *   files(ListFiles folder="photos" extensions="png")
 */
test('ListFiles lists matching files sorted, and reruns when a file is added or edited', async () => {
  const folder = join(engine.dir, 'photos');
  mkdirSync(folder);
  writeFileSync(join(folder, 'b.png'), 'b');
  writeFileSync(join(folder, 'a.PNG'), 'a');
  writeFileSync(join(folder, 'notes.txt'), 'n');
  const wf = graph(['files:ListFiles{"folder":"photos","extensions":"png"}']);
  const first = await engine.run(wf);
  expect(outputOf(first.events, 'files')).toEqual({
    files: [join(folder, 'a.PNG'), join(folder, 'b.png')].map((p) => p.replace(engine.dir, engine.env.paths.roots[0]!)),
    count: 2,
  });
  expect((await engine.run(wf)).events[0]?.type).toBe('node.cached');
  writeFileSync(join(folder, 'c.png'), 'c');
  expect((await engine.run(wf)).events.map((e) => e.type)).toContain('node.finished');
  utimesSync(join(folder, 'c.png'), new Date(), new Date(Date.now() + 5000));
  expect((await engine.run(wf)).events.map((e) => e.type)).toContain('node.finished');
});

test('ListFiles refuses a folder outside the allowed roots, naming the parameter', async () => {
  const { events } = await engine.run(graph(['files:ListFiles{"folder":"../../etc"}']));
  expect(events.find((e) => e.type === 'node.failed')).toMatchObject({
    error: { message: expect.stringMatching(/parameter "folder".*outside the allowed folders/), param: 'folder' },
  });
});

test('RandomNumber with a seed is reproducible and cached; with seed -1 it is new on every run', async () => {
  const seeded = graph(['r:RandomNumber{"seed":42,"min":1,"max":6,"integer":true}']);
  const a = outputOf((await engine.run(seeded)).events, 'r');
  const again = await engine.run(seeded);
  expect(again.events[0]).toMatchObject({ type: 'node.cached', outputs: a });
  expect(Number.isInteger(a?.value) && (a?.value as number) >= 1 && (a?.value as number) <= 6).toBe(true);
  const unseeded = graph(['r:RandomNumber']);
  const values = new Set<unknown>();
  for (let i = 0; i < 3; i++) {
    const { events } = await engine.run(unseeded);
    expect(events.map((e) => e.type)).toEqual(['node.started', 'node.finished']);
    values.add(outputOf(events, 'r')?.value);
  }
  expect(values.size).toBe(3);
});

/*
 *   n(Number 5) ──> wait(Delay 100 ms) ──> passes 5 through
 */
test('Delay reports progress and passes its input through', async () => {
  const { events } = await engine.run(
    graph(['n:Number{"value":5}', 'wait:Delay{"ms":100,"steps":4}'], ['n.value -> wait.value']),
  );
  expect(outputOf(events, 'wait')).toEqual({ value: 5 });
  expect(events.filter((e) => e.type === 'node.progress').at(-1)).toMatchObject({ progress: { value: 4, max: 4 } });
});
