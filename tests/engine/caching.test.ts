/** Incremental reruns: only nodes whose cache key changed execute; the others report "cached". */
import type { ArtifactRef } from '../../protocol/values';
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineNode } from '../../nodes/api';
import { writtenFileStillThere } from '../../nodes/output-file';
import { graph, nodesWith, outside, testEngine, type TestEngine } from './helpers';

let engine: TestEngine;
beforeEach(() => (engine = testEngine()));
afterEach(() => engine.dispose());

/*
 *   one(Const) ──> plus(Add) ──> last(Add)
 */
const chain = (lastPlus: number) =>
  graph(
    ['one:Const{"value":1}', 'plus:Add{"plus":10}', `last:Add{"plus":${lastPlus}}`],
    ['one.out -> plus.a', 'plus.out -> last.a'],
  );

test('a first run executes every node in topological order and passes outputs along', async () => {
  const { outcome, ran, events } = await engine.run(chain(100));
  expect(outcome).toBe('succeeded');
  expect(ran).toEqual(['one', 'plus', 'last']);
  const last = events.find((e) => e.type === 'node.finished' && e.nodeId === 'last');
  expect(last).toMatchObject({ outputs: { out: 111 } });
});

test('an unchanged rerun executes nothing and reports every node cached with its outputs', async () => {
  await engine.run(chain(100));
  const { outcome, ran, events } = await engine.run(chain(100));
  expect(outcome).toBe('succeeded');
  expect(ran).toEqual([]);
  expect(nodesWith(events, 'node.cached')).toEqual(['one', 'plus', 'last']);
  expect(events.find((e) => e.nodeId === 'last')).toMatchObject({ type: 'node.cached', outputs: { out: 111 } });
});

test('changing a parameter of the last node reruns only that node', async () => {
  await engine.run(chain(100));
  const { ran, events } = await engine.run(chain(200));
  expect(ran).toEqual(['last']);
  expect(nodesWith(events, 'node.cached')).toEqual(['one', 'plus']);
  expect(events.find((e) => e.type === 'node.finished')).toMatchObject({ nodeId: 'last', outputs: { out: 211 } });
});

test('changing a parameter of the first node reruns it and everything downstream', async () => {
  await engine.run(chain(100));
  const wf = chain(100);
  wf.nodes[0]!.params.value = 2;
  expect((await engine.run(wf)).ran).toEqual(['one', 'plus', 'last']);
});

test('an explicit default and a missing parameter give the same key (defaults are filled in)', async () => {
  await engine.run(graph(['c:Const']));
  expect((await engine.run(graph(['c:Const{"value":1}']))).ran).toEqual([]);
});

/*
 *   watch(Watch, fingerprint = outside.version) ──> use(Work) ──> after(Work)        other(Const)
 */
test('a changed fingerprint of outside state reruns the node and its dependents', async () => {
  const wf = graph(
    ['watch:Watch', 'use:Work{"ms":1}', 'after:Work{"ms":1}', 'other:Const'],
    ['watch.out -> use.after', 'use.out -> after.after'],
  );
  outside.version = 'v1';
  await engine.run(wf);
  expect((await engine.run(wf)).ran).toEqual([]);
  outside.version = 'v2';
  const { ran, events } = await engine.run(wf);
  expect(ran.sort()).toEqual(['after', 'use', 'watch']);
  expect(nodesWith(events, 'node.cached')).toEqual(['other']);
});

/*
 *   noise(Noise, cacheable: false) ──> add(Add)      c(Const)
 */
test('a non-cacheable node always runs, and so do its dependents; the rest is cached', async () => {
  const wf = graph(['noise:Noise', 'add:Add', 'c:Const'], ['noise.out -> add.a']);
  await engine.run(wf);
  const { ran, events } = await engine.run(wf);
  expect(ran).toEqual(['noise', 'add']);
  expect(nodesWith(events, 'node.cached')).toEqual(['c']);
});

/*
 *   a(Const) ──> sum(Sum.values) <── b(Const)       (list input, edge order matters)
 */
test('a list input receives every connected value in edge order, and reordering edges changes the key', async () => {
  const wf = graph(
    ['a:Const{"value":1}', 'b:Const{"value":2}', 'sum:Sum'],
    ['a.out -> sum.values', 'b.out -> sum.values'],
  );
  const first = await engine.run(wf);
  expect(first.events.find((e) => e.nodeId === 'sum' && e.type === 'node.finished')).toMatchObject({
    outputs: { out: 3 },
  });
  wf.edges.reverse();
  expect((await engine.run(wf)).ran).toEqual(['sum']);
});

/*
 *   a(Const) ──> b(Add) ──> c(Add)     targets = [b]
 */
test('targets run only what they need', async () => {
  const wf = graph(['a:Const', 'b:Add', 'c:Add'], ['a.out -> b.a', 'b.out -> c.a']);
  const { ran, events } = await engine.run(wf, { targets: ['b'] });
  expect(ran).toEqual(['a', 'b']);
  expect(events.some((e) => e.nodeId === 'c')).toBe(false);
});

/*
 *   a(Const) ──> b(Add)      a's cache entry is lost, b's is not: a need not run at all
 */
test('a node whose dependents are all cached is not run even when its own entry is gone', async () => {
  const wf = graph(['a:Const', 'b:Add'], ['a.out -> b.a']);
  const first = await engine.run(wf);
  const cache = engine.cache;
  const kept = first.events.find((e) => e.type === 'node.finished' && e.nodeId === 'b');
  cache.clear();
  if (kept?.type === 'node.finished') cache.put(kept.cacheKey, 'Add', kept.outputs);
  const { ran, events } = await engine.run(wf);
  expect(ran).toEqual([]);
  expect(events.map((e) => `${e.type} ${e.nodeId}`)).toEqual(['node.cached b', 'node.skipped a']);
});

/*
 *   a(Const) ──> img(Artifact)    the stored image is deleted: the cached result is stale
 */
test('a cached result whose artifact file was deleted runs again', async () => {
  const { defineNode } = await import('../../nodes/api');
  const { rmSync } = await import('node:fs');
  const artifactNode = defineNode({
    schema: {
      type: 'Artifact',
      version: 1,
      category: 'test',
      title: 'Artifact',
      description: '',
      inputs: [],
      outputs: [{ name: 'image', type: 'IMAGES' }],
      params: [],
      resource: 'cpu',
      cacheable: true,
    },
    execute: async (_i, _p, ctx) => ({
      image: await ctx.artifacts.put(new TextEncoder().encode('pixels'), 'image/png', 'x.png'),
    }),
  });
  engine.dispose();
  engine = testEngine([artifactNode]);
  const wf = graph(['img:Artifact']);
  const first = await engine.run(wf);
  const out = first.events.find((e) => e.type === 'node.finished');
  expect((await engine.run(wf)).events[0]?.type).toBe('node.cached');
  if (out?.type !== 'node.finished') throw new Error('no output');
  rmSync(engine.env.artifacts.pathOf(out.outputs.image as ArtifactRef));
  expect((await engine.run(wf)).events.map((e) => e.type)).toContain('node.finished');
});

test('a save node whose file was deleted by hand runs again instead of reporting the missing file as cached', async () => {
  const save = defineNode({
    schema: {
      type: 'SaveText',
      version: 1,
      category: 'test',
      title: 'Save text',
      description: 'writes a file',
      resource: 'cpu',
      cacheable: true,
      output: true,
      inputs: [{ name: 'value', type: 'NUMBER' }],
      outputs: [{ name: 'file', type: 'FILE' }],
      params: [],
    },
    cacheStillValid: writtenFileStillThere,
    execute: async (i) => {
      const path = join(engine.dir, 'out.txt'); // the engine made below
      writeFileSync(path, String(i.value));
      return { file: { path, bytes: String(i.value).length } };
    },
  });
  engine.dispose();
  engine = testEngine([save]);
  const wf = graph(['one:Const{"value":42}', 'save:SaveText'], ['one.out -> save.value']);
  const path = join(engine.dir, 'out.txt');
  await engine.run(wf);
  expect(existsSync(path)).toBe(true);
  const again = await engine.run(wf);
  expect(nodesWith(again.events, 'node.cached')).toEqual(['one', 'save']);
  unlinkSync(path);
  const rerun = await engine.run(wf);
  expect(nodesWith(rerun.events, 'node.cached')).toEqual(['one']);
  expect(existsSync(path)).toBe(true);
});
