/**
 * Parameters converted to inputs (protocol/param-inputs.ts): a value that arrives on a wire replaces the typed one,
 * reruns the node when it changes, and gets exactly the checks a typed value gets (range, kind, path policy).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineNode } from '../../nodes/api';
import { primitivesNodes } from '../../nodes/primitives';
import { applyOverrides } from '../../protocol/overrides';
import { paramSocketName } from '../../protocol/param-inputs';
import { validateWorkflow } from '../../protocol/validate';
import type { WorkflowFile } from '../../protocol/workflow';
import { executed, graph, testEngine, type TestEngine } from './helpers';

/** Like TrainLoRA's steps: an int with a range. Like SaveDataset: a folder it writes into. */
const testNodes = [
  defineNode({
    schema: {
      type: 'Steps',
      version: 1,
      category: 'test',
      title: 'Steps',
      description: 'doubles its steps',
      resource: 'cpu',
      cacheable: true,
      inputs: [],
      outputs: [{ name: 'out', type: 'NUMBER' }],
      params: [{ name: 'steps', kind: 'int', default: 10, min: 1, max: 100 }],
    },
    execute: async (_i, p, ctx) => (executed.push(ctx.nodeId), { out: (p.steps as number) * 2 }),
  }),
  defineNode({
    schema: {
      type: 'WriteNote',
      version: 1,
      category: 'test',
      title: 'Write note',
      description: 'writes note.txt into a folder',
      resource: 'cpu',
      cacheable: true,
      inputs: [],
      outputs: [{ name: 'out', type: 'STRING' }],
      params: [{ name: 'folder', kind: 'path', default: 'notes', pathKind: 'folder', access: 'write' }],
    },
    execute: async (_i, p, ctx) => {
      executed.push(ctx.nodeId);
      const file = ctx.paths.resolve(join(p.folder as string, 'note.txt'), 'write', 'folder');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, 'hello');
      return { out: file };
    },
  }),
  defineNode({
    schema: {
      type: 'Prompts',
      version: 1,
      category: 'test',
      title: 'Prompts',
      description: 'like Sample: prompts whose <lora:name:w> tags name files',
      resource: 'cpu',
      cacheable: true,
      inputs: [],
      outputs: [{ name: 'out', type: 'STRING' }],
      params: [{ name: 'prompts', kind: 'list', default: ['a cat'], pathPart: 'lora-tags' }],
    },
    execute: async (_i, p, ctx) => (executed.push(ctx.nodeId), { out: (p.prompts as string[]).join(' | ') }),
  }),
];

let engine: TestEngine;
beforeEach(() => (engine = testEngine([...primitivesNodes, ...testNodes])));
afterEach(() => engine.dispose());

/** `from.out -> to.param:<param>`, with `param` converted on `to`. */
function wire(wf: WorkflowFile, from: string, out: string, to: string, param: string): WorkflowFile {
  wf.nodes.find((n) => n.id === to)!.paramInputs = [param];
  wf.edges.push({
    id: `w-${param}`,
    from: { node: from, socket: out },
    to: { node: to, socket: paramSocketName(param) },
  });
  return wf;
}

/*
 *   n(Number{value}) ──value──▶ s(Steps).param:steps        (s's typed steps: 10, unused)
 */
const driven = (value: number) =>
  wire(graph([`n:Number{"value":${value}}`, 's:Steps{"steps":10}']), 'n', 'value', 's', 'steps');

function errorOf(events: { type: string; nodeId: string }[], id: string): string {
  const e = events.find((x) => x.type === 'node.failed' && x.nodeId === id) as
    { error: { message: string } } | undefined;
  return e?.error.message ?? 'no failure';
}

test('a Number wired into a parameter drives it, and a new number reruns the node', async () => {
  expect(validateWorkflow(driven(7), engine.env.registry.schemas())).toEqual([]);
  const first = await engine.run(driven(7));
  expect(first.outcome).toBe('succeeded');
  expect(first.events.find((e) => e.type === 'node.finished' && e.nodeId === 's')).toMatchObject({
    outputs: { out: 14 },
  });
  expect((await engine.run(driven(7))).ran).toEqual([]); // same number: cached
  const changed = await engine.run(driven(8));
  expect(changed.ran).toEqual(['s']); // (primitives do not log into `executed`)
  expect(changed.events.find((e) => e.type === 'node.finished' && e.nodeId === 's')).toMatchObject({
    outputs: { out: 16 },
  });
});

test('the typed value of a converted parameter is unused: changing it neither reruns nor errors', async () => {
  await engine.run(driven(7));
  const wf = driven(7);
  wf.nodes[1]!.params.steps = 5000; // out of range, but the wire decides
  expect(validateWorkflow(wf, engine.env.registry.schemas())).toEqual([]);
  expect((await engine.run(wf)).ran).toEqual([]);
});

test('an out-of-range wired value fails the node, naming node and parameter, before it runs', async () => {
  const { outcome, ran, events } = await engine.run(driven(0));
  expect(outcome).toBe('failed');
  expect(ran).toEqual([]); // Steps never ran
  expect(errorOf(events, 's')).toBe(
    'Node "s" (Steps), parameter "steps" (from its input): expected between 1 and 100, received 0.',
  );
  expect(errorOf((await engine.run(driven(2.5))).events, 's')).toContain(
    'expected a whole number, received number 2.5',
  );
});

test('a wrong kind of value on a wire that accepts anything is refused the same way', async () => {
  // A Reroute is `*`, so validation lets Text through; the check at run time still refuses the string.
  const wf = wire(graph(['t:Text{"text":"many"}', 'r:Reroute', 's:Steps']), 'r', 'out', 's', 'steps');
  wf.edges.push({ id: 'tr', from: { node: 't', socket: 'text' }, to: { node: 'r', socket: 'in' } });
  const { events } = await engine.run(wf);
  expect(errorOf(events, 's')).toBe(
    'Node "s" (Steps), parameter "steps" (from its input): expected a whole number, received "many".',
  );
});

/*
 *   t(Text{"../../etc"}) ──text──▶ w(WriteNote).param:folder
 */
test('a Text wiring ../../etc into a path parameter is refused before the node runs; nothing outside changes', async () => {
  const outsideDir = dirname(engine.dir);
  const before = readdirSync(outsideDir).length;
  for (const trick of ['../../etc', '../escaped', '/etc']) {
    const wf = wire(graph([`t:Text{"text":${JSON.stringify(trick)}}`, 'w:WriteNote']), 't', 'text', 'w', 'folder');
    const { outcome, ran, events } = await engine.run(wf);
    expect(outcome).toBe('failed');
    expect(ran).toEqual([]); // WriteNote never ran
    expect(errorOf(events, 'w')).toMatch(/^Node "w" \(WriteNote\), parameter "folder" \(from its input\): /);
    expect(events.find((e) => e.type === 'node.failed' && e.nodeId === 'w')).toMatchObject({
      error: { param: 'folder', hint: expect.stringContaining('allowed folders') },
    });
  }
  expect(existsSync(join(outsideDir, 'escaped'))).toBe(false);
  expect(readdirSync(outsideDir).length).toBe(before);
  // The same wire with a folder inside the data folder writes there.
  const ok = wire(graph(['t:Text{"text":"mine"}', 'w:WriteNote']), 't', 'text', 'w', 'folder');
  expect((await engine.run(ok)).outcome).toBe('succeeded');
  expect(existsSync(join(engine.dir, 'mine', 'note.txt'))).toBe(true);
});

test('a built-in node: Text drives ListFiles.folder, an escape is refused, and a wired folder is listed afresh', async () => {
  mkdirSync(join(engine.dir, 'pics'));
  writeFileSync(join(engine.dir, 'pics', 'a.png'), 'x');
  const list = (folder: string) =>
    wire(graph([`t:Text{"text":${JSON.stringify(folder)}}`, 'l:ListFiles']), 't', 'text', 'l', 'folder');
  const refused = await engine.run(list('../../etc'));
  expect(errorOf(refused.events, 'l')).toContain('parameter "folder" (from its input)');
  const first = await engine.run(list('pics'));
  expect(first.events.find((e) => e.type === 'node.finished' && e.nodeId === 'l')).toMatchObject({
    outputs: { count: 1 },
  });
  // Its fingerprint cannot see the wired folder before the run, so it lists it again rather than trust the cache.
  writeFileSync(join(engine.dir, 'pics', 'b.png'), 'y');
  const second = await engine.run(list('pics'));
  expect(second.events.find((e) => e.type === 'node.finished' && e.nodeId === 'l')).toMatchObject({
    outputs: { count: 2 },
  });
});

test('validation: a converted parameter with no wire is an error on that parameter; a wrong type too', () => {
  const schemas = engine.env.registry.schemas();
  const unwired = graph(['s:Steps']);
  unwired.nodes[0]!.paramInputs = ['steps'];
  expect(validateWorkflow(unwired, schemas)).toEqual([
    expect.objectContaining({
      kind: 'missing-input',
      nodeId: 's',
      param: 'steps',
      message:
        'node "s" (Steps), parameter "steps" (an input now): expected a connection of type NUMBER, received nothing connected.',
    }),
  ]);
  const wrongType = wire(graph(['t:Text', 's:Steps']), 't', 'text', 's', 'steps');
  expect(validateWorkflow(wrongType, schemas)).toEqual([
    expect.objectContaining({ kind: 'socket-type-mismatch', nodeId: 's', param: 'steps', expected: 'NUMBER' }),
  ]);
  // Not converted: a wire into param:steps names a socket the node does not have.
  const stray = wire(graph(['n:Number', 's:Steps']), 'n', 'value', 's', 'steps');
  stray.nodes[1]!.paramInputs = [];
  expect(validateWorkflow(stray, schemas).map((e) => e.kind)).toEqual(['edge-missing-socket']);
});

test('--set on a converted parameter says it is an input now instead of setting a value nobody reads', () => {
  expect(() => applyOverrides(driven(7), engine.env.registry.schemas(), ['s.steps=50'])).toThrow(
    '--set s.steps: that parameter is an input of node "s" now (a wire drives it); set the node wired into it',
  );
  expect(applyOverrides(driven(7), engine.env.registry.schemas(), ['n.value=50']).nodes[0]!.params.value).toBe(50);
});

test('a Text driving a list of prompts is its one prompt, and its <lora:…> names are checked like typed ones', async () => {
  const prompts = (text: string) =>
    wire(graph([`t:Text{"text":${JSON.stringify(text)}}`, 'p:Prompts']), 't', 'text', 'p', 'prompts');
  const ok = await engine.run(prompts('a dog <lora:ink:0.7>'));
  expect(ok.events.find((e) => e.type === 'node.finished' && e.nodeId === 'p')).toMatchObject({
    outputs: { out: 'a dog <lora:ink:0.7>' },
  });
  const refused = await engine.run(prompts('a dog <lora:../../secret:1>'));
  expect(refused.ran).toEqual([]);
  expect(errorOf(refused.events, 'p')).toMatch(/^Node "p" \(Prompts\), parameter "prompts" \(from its input\): /);
});
