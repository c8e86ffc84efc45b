/**
 * A node that logged when it computed its result says the same when a rerun serves it from the cache: its warnings
 * (the badge's count) and its info lines (what it loaded, a training's loss diagnosis), in the order it said them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode } from '../../nodes/api';
import { openDatabase } from '../../server/db';
import type { ExecutorEvent } from '../../server/engine/types';
import { graph, testEngine, type TestEngine } from './helpers';

/** Like LoadImages on a folder with unreadable files: a result plus one warning per skipped file. */
const warner = defineNode({
  schema: {
    type: 'Warner',
    version: 1,
    category: 'test',
    title: 'Warner',
    description: 'warns twice',
    inputs: [],
    outputs: [{ name: 'out', type: 'NUMBER' }],
    params: [],
    resource: 'cpu',
    cacheable: true,
  },
  execute: async (_i, _p, ctx) => {
    ctx.warn('skipped broken.png: not an image');
    ctx.log('info', 'loaded 3 images');
    ctx.warn('skipped empty.jpg: empty file');
    return { out: 3 };
  },
});

const warningsOf = (events: ExecutorEvent[]) =>
  events.flatMap((e) => (e.type === 'node.log' && e.level === 'warn' ? [`${e.nodeId}: ${e.message}`] : []));

let engine: TestEngine;
afterEach(() => engine.dispose());

/*
 *   load(Warner) ──> plus(Add)
 */
const wf = () => graph(['load:Warner', 'plus:Add{"plus":1}'], ['load.out -> plus.a']);

test('a cached rerun reports the warnings and info lines the node logged when it ran', async () => {
  engine = testEngine([warner]);
  const first = await engine.run(wf());
  expect(warningsOf(first.events)).toEqual([
    'load: skipped broken.png: not an image',
    'load: skipped empty.jpg: empty file',
  ]);
  const rerun = await engine.run(wf());
  expect(rerun.ran).toEqual([]);
  expect(warningsOf(rerun.events)).toEqual(warningsOf(first.events));
  const lines = (events: ExecutorEvent[]) =>
    events.flatMap((e) => (e.type === 'node.log' ? [`${e.level} ${e.message}`] : []));
  expect(lines(rerun.events)).toEqual([
    'warn skipped broken.png: not an image',
    'info loaded 3 images',
    'warn skipped empty.jpg: empty file',
  ]);
});

test('the warnings are kept with the result in the SQLite cache, across a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loraflow-cached-warnings-'));
  try {
    const file = join(dir, 'loraflow.db');
    engine = testEngine([warner]);
    const first = openDatabase(file);
    engine.env.cache = first.cache;
    await engine.run(wf());
    first.close();
    const reopened = openDatabase(file);
    engine.env.cache = reopened.cache;
    const rerun = await engine.run(wf());
    reopened.close();
    expect(rerun.ran).toEqual([]);
    expect(warningsOf(rerun.events)).toEqual([
      'load: skipped broken.png: not an image',
      'load: skipped empty.jpg: empty file',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
