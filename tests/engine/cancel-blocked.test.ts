/**
 * Cancelling a run whose node is blocked in I/O that ignores the signal (a read from a FIFO nobody writes to): the
 * run still ends as cancelled once the grace period is over, so the queue behind it is not held forever.
 *
 *   read:BlockedRead   (reads <data>/pipe, a real FIFO, without looking at ctx.signal)
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineNode } from '../../nodes/api';
import { createLocalPool, executeWorkflow } from '../../server/engine';
import type { ExecutorEvent } from '../../server/engine/types';
import { graph, testEngine, type TestEngine } from './helpers';

const blockedRead = defineNode({
  schema: {
    type: 'BlockedRead',
    version: 1,
    category: 'test',
    title: 'Blocked read',
    description: 'reads a FIFO',
    inputs: [],
    outputs: [{ name: 'out', type: 'STRING' }],
    params: [],
    resource: 'cpu',
    cacheable: false,
  },
  async execute(_inputs, _params, ctx) {
    return { out: (await readFile(join(ctx.paths.roots[0]!, 'pipe'))).toString() };
  },
});

let engine: TestEngine;
beforeEach(() => (engine = testEngine([blockedRead])));
afterEach(() => engine.dispose());

test('a node blocked in a read that ignores cancel is abandoned after the grace period; the run ends cancelled', async () => {
  const fifo = join(engine.env.paths.roots[0]!, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const controller = new AbortController();
  const events: ExecutorEvent[] = [];
  const run = executeWorkflow(
    engine.env,
    {
      runId: 'blocked',
      workflow: graph(['read:BlockedRead']),
      signal: controller.signal,
      onEvent: (e) => events.push(e),
    },
    createLocalPool(engine.env, 300),
  );
  await new Promise((r) => setTimeout(r, 200));
  const cancelledAt = Date.now();
  controller.abort();
  let outcome: unknown;
  try {
    outcome = await Promise.race([run, new Promise((r) => setTimeout(() => r('still running after 5 s'), 5000))]);
  } finally {
    closeSync(openSync(fifo, 'w')); // let the abandoned read finish (a blocked pool thread would hold the exit)
  }
  expect(outcome).toBe('cancelled'); // before: the run waited for the pipe forever
  expect(Date.now() - cancelledAt).toBeLessThan(2000);
  expect(events.map((e) => `${e.type}:${e.nodeId}`)).toEqual(['node.started:read', 'node.cancelled:read']);
  await run;
});
