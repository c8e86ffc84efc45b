/**
 * Workflows built to break the server, as a fuzzer found them: bodies that used to freeze it (quadratic edge ids,
 * targets × nodes), ids that are names of Object.prototype, odd format versions, deep nesting, values the schema
 * let through. Each is answered with a 4xx that says what is wrong, and the server keeps answering.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, get, post, startServer, tempDir, TEST_NODES, workflow, WsRecorder, type ServerProcess } from './harness';
import type { WorkflowFile } from '../../protocol/workflow';

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer(tempDir());
});

afterAll(async () => {
  await server.stop();
});

/**
 * `n` TestNumber nodes and `edges` edges to a socket they lack. The first half are named e<half>, e<half+1>, …,
 * the second half have no id: the ids generated for those (e<index>, the next free one) all collide with the first
 * half, which made assigning them quadratic (15k + 15k took 15-34 s).
 */
function manyEdges(n: number, edges: number): WorkflowFile {
  const wf = workflow(
    'big',
    Array.from({ length: n }, (_, i): [string, string] => [`n${i}`, 'TestNumber']),
  );
  const half = Math.floor(edges / 2);
  for (let i = 0; i < edges; i++) {
    const from = { node: `n${i % n}`, socket: 'value' };
    const to = { node: `n${(i + 1) % n}`, socket: 'nope' };
    wf.edges.push(i < half ? { id: `e${half + i}`, from, to } : ({ from, to } as WorkflowFile['edges'][number]));
  }
  return wf;
}

test('a 45,000-edge workflow is refused with 413 naming the edge limit, while /api/health keeps answering', async () => {
  let healthAnswers = 0;
  let stop = false;
  const probe = (async () => {
    while (!stop) {
      if ((await get(`${server.url}/api/health`)).status === 200) healthAnswers++;
    }
  })();
  const res = await post(`${server.url}/api/runs`, { workflow: manyEdges(100, 45000) });
  stop = true;
  await probe;
  expect(res.status).toBe(413);
  expect(res.body).toMatchObject({ error: 'too-large' });
  expect(res.body.message).toMatch(/45,000 edges, over the limit of 40,000 edges/);
  expect(healthAnswers).toBeGreaterThan(0);
  const put = await fetch(`${server.url}/api/workflows/too-big`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(manyEdges(100, 45000)),
  });
  expect(put.status).toBe(413);
});

test('a workflow at the edge limit whose generated edge ids collide is answered, each edge with its own id', async () => {
  const started = Date.now();
  const wf = manyEdges(100, 40000);
  const res = await post(`${server.url}/api/runs`, { workflow: wf });
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ error: 'validation', truncated: true });
  expect(res.body.errors).toHaveLength(1000); // the first 1,000 of 80,000: validation stops there
  const put = await fetch(`${server.url}/api/workflows/big`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(wf),
  });
  expect(put.status).toBe(200);
  const saved = (await get(`${server.url}/api/workflows/big`)).body as WorkflowFile;
  expect(new Set(saved.edges.map((e) => e.id)).size).toBe(40000);
  // Generous: assigning the ids alone took 15-34 s for 30,000 such edges when it was quadratic.
  expect(Date.now() - started).toBeLessThan(15000);
});

test('20,001 targets are refused naming the limit; 10,000 targets over 10,000 nodes are checked at once', async () => {
  const nodes = Array.from({ length: 10000 }, (_, i): [string, string] => [`t${i}`, 'TestNumber']);
  const wf = workflow('targets', nodes);
  const over = await post(`${server.url}/api/runs`, {
    workflow: wf,
    targets: Array.from({ length: 20001 }, (_, i) => `t${i}`),
  });
  expect(over.status).toBe(413);
  expect(over.body.message).toMatch(/targets: 20001 node ids, over the limit of 10,000/);
  const missing = await post(`${server.url}/api/runs`, { workflow: wf, targets: ['t1', 'ghost'] });
  expect(missing.status).toBe(400);
  expect(missing.body.message).toMatch(/targets name nodes not in the workflow: ghost/);
  const badTargets = await post(`${server.url}/api/runs`, { workflow: wf, targets: [1] });
  expect(badTargets.status).toBe(400);
  expect(badTargets.body.message).toMatch(/targets\[0\]: Invalid input: expected string/);
});

test('node ids named like Object.prototype members are ids like any other', async () => {
  const ids = ['toString', 'constructor', '__proto__', 'hasOwnProperty'];
  const broken = workflow(
    'proto',
    ids.map((id): [string, string, Record<string, number>] => [id, 'TestNumber', { value: 5000 }]),
  );
  const res = await post(`${server.url}/api/runs`, { workflow: broken });
  expect(res.status).toBe(400);
  for (const id of ids) expect([id, res.body.byNode[id]?.[0]?.param]).toEqual([id, 'value']);

  const ws = await WsRecorder.connect(server.url);
  const ok = await post(`${server.url}/api/runs`, {
    workflow: JSON.parse(JSON.stringify(workflow('proto-ok', [['__proto__', 'TestNumber', { value: 3 }]]))),
  });
  expect(ok.status).toBe(201);
  await ws.waitFor('run.finished', (m) => m.run.id === ok.body.id);
  ws.close();
  const detailText = await (await fetch(`${server.url}/api/runs/${ok.body.id}`)).text();
  const detail = JSON.parse(detailText) as { nodes: Record<string, { outputs?: { value?: number } }> };
  expect(Object.keys(detail.nodes)).toEqual(['__proto__']);
  expect(Object.getOwnPropertyDescriptor(detail.nodes, '__proto__')?.value.outputs).toEqual({ value: 3 });
});

test('formatVersion -1, 0.5 and "1" are refused naming formatVersion', async () => {
  for (const formatVersion of [-1, 0.5, '1', 1e300]) {
    const wf = { ...workflow('v', [['n', 'TestNumber']]), formatVersion };
    const res = await post(`${server.url}/api/runs`, { workflow: wf });
    expect([formatVersion, res.status]).toEqual([formatVersion, 400]);
    expect(res.body.message).toMatch(/^formatVersion: expected a whole number/);
  }
});

test('`loraflow validate` prints the formatVersion problem without a stack trace', async () => {
  const file = path.join(tempDir(), 'bad-version.json');
  fs.writeFileSync(file, JSON.stringify({ ...workflow('v', [['n', 'TestNumber']]), formatVersion: 0.5 }));
  const child = spawn(process.execPath, [BIN, 'validate', file], {
    env: { ...process.env, LORAFLOW_EXTRA_NODES: TEST_NODES },
  });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(text).toMatch(/formatVersion: expected a whole number >= 0, got number 0\.5/);
  expect(text).not.toMatch(/\n\s+at /);
});

test('5,000-deep nesting in an unknown field is refused with 400 naming the depth limit', async () => {
  const deep = '['.repeat(5000) + ']'.repeat(5000);
  const body = `{"workflow": {"format":"loraflow.workflow","formatVersion":1,"nodes":[],"edges":[],"extra":${deep}}}`;
  const res = await post(`${server.url}/api/runs`, body, { raw: true });
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ error: 'too-deep' });
  expect(res.body.message).toMatch(/more than 65 levels deep/);
  // Through PUT of the library too, and a depth just over the workflow's own limit inside the workflow.
  const nested = JSON.parse('{"a":'.repeat(64) + '1' + '}'.repeat(64)) as unknown;
  const wf = { ...workflow('deep', [['n', 'TestNumber']]), extra: nested };
  const put = await fetch(`${server.url}/api/workflows/deep`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(wf),
  });
  expect(put.status).toBe(400);
  expect(((await put.json()) as { message: string }).message).toMatch(/^extra\.a\.a.*: nested more than 64 levels/);
  expect((await get(`${server.url}/api/health`)).status).toBe(200);
});

test('a learning rate of 0, a NUL in a name and a 300-character node id are validation errors, not run-time ones', async () => {
  const zero = workflow('lr', [['train', 'TrainLoRA', { learningRate: 0 }]]);
  const res = await post(`${server.url}/api/runs`, { workflow: zero });
  expect(res.status).toBe(400);
  expect(res.body.byNode.train).toContainEqual(
    expect.objectContaining({ kind: 'param-range', param: 'learningRate', expected: 'more than 0 and at most 1' }),
  );
  const nul = workflow('nul', [['r', 'TestReport', { label: 'a\u0000b' }]]);
  const nulRes = await post(`${server.url}/api/runs`, { workflow: nul });
  expect(nulRes.status).toBe(400);
  expect(nulRes.body.byNode.r).toContainEqual(expect.objectContaining({ param: 'label', received: 'a NUL character' }));
  const longId = workflow('long', [['x'.repeat(300), 'TestNumber']]);
  const longRes = await post(`${server.url}/api/runs`, { workflow: longId });
  expect(longRes.status).toBe(400);
  expect(longRes.body.message).toMatch(/^nodes\[0\]\.id: expected an id of at most 200 characters/);
});

test('REST bodies of the wrong shape are refused naming the field', async () => {
  const res = await post(`${server.url}/api/runs`, { targets: [] });
  expect(res.status).toBe(400);
  expect(res.body.message).toMatch(/workflow: a workflow is required/);
  const queue = await fetch(`${server.url}/api/queue`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order: 'x' }),
  });
  expect(queue.status).toBe(400);
  expect(((await queue.json()) as { message: string }).message).toMatch(/order: Invalid input: expected array/);
});
