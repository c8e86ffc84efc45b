/** The context a node gets from the local pool: its own work folder, a persistent state folder, its device. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineNode } from '../../nodes/api';
import { graph, testEngine, type TestEngine } from './helpers';

const seen: { workDir: string; stateDir: string; inputsKey: string; device: string }[] = [];

/** A node that counts its executions in a state folder keyed by its inputs, as a resumable trainer would. */
const counter = defineNode({
  schema: {
    type: 'Counter',
    version: 1,
    category: 'test',
    title: 'Counter',
    description: '',
    inputs: [{ name: 'a', type: 'NUMBER' }],
    outputs: [{ name: 'runs', type: 'NUMBER' }],
    params: [],
    resource: 'gpu',
    cacheable: false,
  },
  async execute(_inputs, _params, ctx) {
    const stateDir = ctx.stateDir(ctx.inputsKey);
    const file = join(stateDir, 'count.txt');
    const runs = (existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0) + 1;
    writeFileSync(file, String(runs));
    writeFileSync(join(ctx.workDir, 'log.txt'), `run ${runs}`);
    seen.push({ workDir: ctx.workDir, stateDir, inputsKey: ctx.inputsKey, device: ctx.device });
    return { runs };
  },
});

let engine: TestEngine;
beforeEach(() => (engine = testEngine([counter], { gpuDevices: ['cuda:0'] })));
afterEach(() => engine.dispose());

/*
 *   c(Const) ──> n(Counter, gpu, not cacheable)      run twice
 */
test('the state folder outlives a run, the work folder is per run, the device is the slot it got', async () => {
  const wf = graph(['c:Const', 'n:Counter'], ['c.out -> n.a']);
  await engine.run(wf, { runId: 'first' });
  const { events } = await engine.run(wf, { runId: 'second' });
  expect(events.find((e) => e.type === 'node.finished')).toMatchObject({ outputs: { runs: 2 } });
  expect(seen[0]!.stateDir).toBe(seen[1]!.stateDir);
  expect(seen[0]!.inputsKey).toBe(seen[1]!.inputsKey);
  expect(seen[0]!.workDir).not.toBe(seen[1]!.workDir);
  expect(seen[1]!.workDir.startsWith(engine.env.workRoot)).toBe(true);
  expect(seen[1]!.device).toBe('cuda:0');
});
