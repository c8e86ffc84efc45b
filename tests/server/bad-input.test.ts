/**
 * What the server answers to broken or hostile input: malformed JSON, huge bodies, invalid graphs (every error
 * kind at once, keyed by node), and paths that try to leave the allowed folders through `..` or a symlink.
 */
import fs from 'node:fs';
import path from 'node:path';
import { get, post, startServer, tempDir, workflow, WsRecorder, type ServerProcess } from './harness';

let server: ServerProcess;
let data: string;
let outside: string;

beforeAll(async () => {
  data = tempDir();
  outside = tempDir('loraflow-outside-');
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  fs.mkdirSync(path.join(data, 'images'));
  fs.writeFileSync(path.join(data, 'images', 'one.png'), 'x');
  fs.symlinkSync(outside, path.join(data, 'escape'));
  server = await startServer(data);
});

afterAll(async () => {
  await server.stop();
});

test('malformed JSON is answered 400 bad-json', async () => {
  const res = await post(`${server.url}/api/runs`, '{"workflow": {', { raw: true });
  expect(res.status).toBe(400);
  expect(res.body.error).toBe('bad-json');
  expect(res.body.message).toMatch(/not valid JSON/);
});

test('a 50 MB body is refused with 413 and a message naming the limit', async () => {
  const huge = `{"workflow": "${'x'.repeat(50 * 1024 * 1024)}"}`;
  const res = await post(`${server.url}/api/runs`, huge, { raw: true });
  expect(res.status).toBe(413);
  expect(res.body).toMatchObject({ error: 'too-large' });
  expect(res.body.message).toMatch(/over the limit of 10\.0 MB/);
  expect((await get(`${server.url}/api/health`)).body.ok).toBe(true);
});

test('a body that is not a workflow is refused with a message saying where', async () => {
  const res = await post(`${server.url}/api/runs`, { workflow: { format: 'loraflow.workflow', nodes: 3 } });
  expect(res.status).toBe(400);
  expect(res.body.error).toBe('bad-workflow');
});

test('a cycle is refused as a validation error on the nodes of the cycle', async () => {
  const wf = workflow(
    'cycle',
    [
      ['x', 'TestSlowAdd'],
      ['y', 'TestSlowAdd'],
    ],
    ['x.sum->y.a', 'y.sum->x.a'],
  );
  const res = await post(`${server.url}/api/runs`, { workflow: wf });
  expect(res.status).toBe(400);
  expect(res.body.error).toBe('validation');
  expect(res.body.errors.map((e: { kind: string }) => e.kind)).toContain('cycle');
  expect(Object.keys(res.body.byNode).sort()).toEqual(['x', 'y']);
});

test('every kind of validation error is reported at once, keyed by node', async () => {
  //  n1 (TestNumber, value "ten")     ──> s1.a      s1: mode "zzz", no b (optional)
  //  n2 (TestNumber, value 5000)      ──> s1.a (second edge into a)
  //  r1 (TestReport, label "")        ──> s2.b (FILE into NUMBER); s2.a unconnected
  //  ghost ──> s2 (no such node); n1.nope ──> r1 (no such socket); u1 unknown type; n1 twice
  //  c1 <──> c2 cycle
  const wf = workflow(
    'broken',
    [
      ['n1', 'TestNumber', { value: 'ten' }],
      ['n2', 'TestNumber', { value: 5000 }],
      ['s1', 'TestSlowAdd', { mode: 'zzz' }],
      ['r1', 'TestReport', { label: '' }],
      ['s2', 'TestSlowAdd'],
      ['u1', 'NoSuchType'],
      ['c1', 'TestSlowAdd'],
      ['c2', 'TestSlowAdd'],
      ['n1', 'TestNumber'],
    ],
    [
      'n1.value->s1.a',
      'n2.value->s1.a',
      'r1.report->s2.b',
      'ghost.value->s2.b',
      'n1.nope->r1.value',
      'c1.sum->c2.a',
      'c2.sum->c1.a',
    ],
  );
  const res = await post(`${server.url}/api/runs`, { workflow: wf });
  expect(res.status).toBe(400);
  const kinds = new Set(res.body.errors.map((e: { kind: string }) => e.kind));
  expect([...kinds].sort()).toEqual(
    [
      'cycle',
      'duplicate-node-id',
      'edge-missing-node',
      'edge-missing-socket',
      'input-multiple-edges',
      'missing-input',
      'param-kind',
      'param-missing',
      'param-option',
      'param-range',
      'socket-type-mismatch',
      'unknown-node-type',
    ].sort(),
  );
  expect(res.body.byNode.s1.map((e: { kind: string }) => e.kind)).toEqual(
    expect.arrayContaining(['param-option', 'input-multiple-edges']),
  );
  expect(res.body.byNode.u1[0]).toMatchObject({ kind: 'unknown-node-type', received: 'NoSuchType' });
  for (const e of res.body.errors) expect(e.message.length).toBeGreaterThan(10);
  expect((await get(`${server.url}/api/queue`)).body).toEqual([]);
});

test('the folder browser stays inside the allowed folders, through .. and through a symlink', async () => {
  const inside = await get(`${server.url}/api/files?path=images`);
  expect(inside.status).toBe(200);
  expect(inside.body.entries).toEqual([{ name: 'one.png', kind: 'file', bytes: 1 }]);
  for (const p of ['..', '../..', 'images/../../', outside, 'escape', 'escape/secret.txt', '/etc']) {
    const res = await get(`${server.url}/api/files?path=${encodeURIComponent(p)}`);
    expect([p, res.status]).toEqual([p, 403]);
    expect(res.body.message).toMatch(/outside the allowed folders/);
  }
});

test('a folder inside the allowed folders is listed by ListFiles', async () => {
  const ws = await WsRecorder.connect(server.url);
  const res = await post(`${server.url}/api/runs`, {
    workflow: workflow('inside', [['list', 'ListFiles', { folder: 'images' }]]),
  });
  expect(res.status).toBe(201);
  await ws.waitFor('run.finished', (m) => m.run.id === res.body.id);
  const detail = (await get(`${server.url}/api/runs/${res.body.id}`)).body;
  expect(detail.nodes.list.outputs.count).toBe(1);
  ws.close();
});

test('a path parameter that leaves the allowed folders is refused at submit with a message naming node and parameter', async () => {
  const attempts: [string, string][] = [
    ['TestCountFiles', '../..'],
    ['TestCountFiles', 'escape'],
    ['ListFiles', '../..'],
    ['ListFiles', 'escape/'],
  ];
  for (const [type, folder] of attempts) {
    const wf = workflow('escape', [['count', type, { folder }]]);
    const res = await post(`${server.url}/api/runs`, { workflow: wf });
    // Refused before it is queued (QA S5-F10), as `loraflow validate` does, not when the node runs.
    expect([type, res.status]).toEqual([type, 400]);
    expect(res.body.errors[0]).toMatchObject({ nodeId: 'count', param: 'folder', kind: 'param-path' });
    expect(res.body.errors[0].message).toMatch(/node "count".*parameter "folder".*outside the allowed folders/);
  }
});

test('workflow names cannot leave the library folder; artifacts ids are checked', async () => {
  for (const name of ['..%2F..%2Fetc%2Fpasswd', '..', '.hidden']) {
    expect((await get(`${server.url}/api/workflows/${name}`)).status).toBeGreaterThanOrEqual(400);
  }
  const wf = workflow('Saved one', [['n', 'TestNumber']]);
  const put = await fetch(`${server.url}/api/workflows/..%2Fescape`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(wf),
  });
  expect(put.status).toBe(400);
  expect(fs.existsSync(path.join(data, 'escape.json'))).toBe(false);
  expect((await get(`${server.url}/api/artifacts/..%2F..%2Floraflow.db`)).status).toBe(400);
  expect((await get(`${server.url}/api/artifacts/${'a'.repeat(64)}.png`)).status).toBe(404);
});
