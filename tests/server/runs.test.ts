/**
 * A user submits workflows to a real server and watches them over the WebSocket.
 *
 *   a (TestNumber) ──┐
 *                    ├─> sum (TestSlowAdd) ──> rep (TestReport, output)
 *   b (TestNumber) ──┘
 */
import { del, get, post, startServer, tempDir, workflow, WsRecorder, type ServerProcess } from './harness';
import type { ServerMessage } from '../../protocol/messages';

const chain = (name: string, a: number, opts: { ms?: number; steps?: number; label?: string } = {}) =>
  workflow(
    name,
    [
      ['a', 'TestNumber', { value: a }],
      ['b', 'TestNumber', { value: a + 1 }],
      ['sum', 'TestSlowAdd', { ms: opts.ms ?? 200, steps: opts.steps ?? 4, mode: 'add' }, 'Add them'],
      ['rep', 'TestReport', { label: opts.label ?? 'total' }],
    ],
    ['a.value->sum.a', 'b.value->sum.b', 'sum.sum->rep.value'],
  );

let server: ServerProcess;
let ws: WsRecorder;

beforeAll(async () => {
  server = await startServer(tempDir());
  ws = await WsRecorder.connect(server.url);
});

afterAll(async () => {
  ws.close();
  await server.stop();
});

const executed = (messages: ServerMessage[]) =>
  messages
    .filter((m) => m.type === 'node.started')
    .map((m) => (m as { nodeId: string }).nodeId)
    .sort();
const cached = (messages: ServerMessage[]) =>
  messages
    .filter((m) => m.type === 'node.cached')
    .map((m) => (m as { nodeId: string }).nodeId)
    .sort();

test('a client first receives a snapshot, then every message of a run in order, and can fetch the outputs', async () => {
  await ws.waitFor('snapshot');
  expect(ws.messages[0]?.type).toBe('snapshot');
  const { status, body } = await post(`${server.url}/api/runs`, { workflow: chain('ordered', 2) });
  expect(status).toBe(201);
  const id = body.id as string;
  await ws.waitFor('run.finished', (m) => m.run.id === id);

  const types = ws.ofRun(id).map((m) => ('nodeId' in m ? `${m.type}:${m.nodeId}` : m.type));
  expect(types[0]).toBe('run.queued');
  expect(types[1]).toBe('run.started');
  expect(types[types.length - 1]).toBe('run.finished');
  const at = (t: string) => types.indexOf(t);
  expect(at('node.started:sum')).toBeGreaterThan(Math.max(at('node.finished:a'), at('node.finished:b')));
  expect(at('node.progress:sum')).toBeGreaterThan(at('node.started:sum'));
  expect(at('node.finished:sum')).toBeGreaterThan(at('node.progress:sum'));
  expect(at('node.finished:rep')).toBeGreaterThan(at('node.finished:sum'));
  const progress = ws.ofRun(id).filter((m) => m.type === 'node.progress');
  expect(progress.at(-1)).toMatchObject({ progress: { value: 4, max: 4, metrics: { loss: 0.25 } } });
  // Progress is throttled, but a live loss chart gets every step's metrics.
  const metricSteps = ws
    .ofRun(id)
    .filter((m) => m.type === 'node.metrics' && m.nodeId === 'sum')
    .map((m) => (m as { step: number }).step);
  expect(metricSteps).toEqual([1, 2, 3, 4]);

  const detail = (await get(`${server.url}/api/runs/${id}`)).body;
  expect(detail.status).toBe('succeeded');
  expect(Object.values(detail.nodes).map((n: any) => n.status)).toEqual([
    'succeeded',
    'succeeded',
    'succeeded',
    'succeeded',
  ]);
  expect(detail.nodes.sum.outputs).toEqual({ sum: 5 });
  const report = detail.nodes.rep.outputs.report;
  const artifact = await fetch(`${server.url}/api/artifacts/${report.$artifact}`);
  expect(artifact.status).toBe(200);
  expect(artifact.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(await artifact.text()).toBe('total: 5\n');

  const logs = (await get(`${server.url}/api/runs/${id}/logs?node=sum`)).body;
  expect(logs).toEqual([expect.objectContaining({ nodeId: 'sum', level: 'info', message: 'added after 4 steps' })]);
  const history = (await get(`${server.url}/api/runs`)).body;
  expect(history[0]).toMatchObject({ id, status: 'succeeded', name: 'ordered' });
});

test('a rerun with one parameter changed executes only that node; the others report cached', async () => {
  const first = (await post(`${server.url}/api/runs`, { workflow: chain('rerun', 10) })).body.id as string;
  await ws.waitFor('run.finished', (m) => m.run.id === first);
  expect(executed(ws.ofRun(first))).toEqual(['a', 'b', 'rep', 'sum']);

  const second = (await post(`${server.url}/api/runs`, { workflow: chain('rerun', 10, { label: 'changed' }) })).body
    .id as string;
  await ws.waitFor('run.finished', (m) => m.run.id === second);
  expect(executed(ws.ofRun(second))).toEqual(['rep']);
  expect(cached(ws.ofRun(second))).toEqual(['a', 'b', 'sum']);
  const detail = (await get(`${server.url}/api/runs/${second}`)).body;
  expect(detail.nodes.sum.status).toBe('cached');
  expect(detail.nodes.sum.outputs).toEqual({ sum: 21 });
});

test('cancelling a running run stops its node; a reconnecting client sees the running node in its snapshot', async () => {
  const id = (await post(`${server.url}/api/runs`, { workflow: chain('long', 20, { ms: 30000, steps: 300 }) })).body
    .id as string;
  await ws.waitFor('node.progress', (m) => m.runId === id && m.progress.value >= 2);

  const late = await WsRecorder.connect(server.url);
  const snapshot = await late.waitFor('snapshot');
  late.close();
  expect(snapshot.running.map((r) => r.id)).toEqual([id]);
  const sum = snapshot.running[0]?.nodes.sum;
  expect(sum?.status).toBe('running');
  expect(sum?.progress?.value).toBeGreaterThanOrEqual(2);
  expect(sum?.progress?.max).toBe(300);
  expect(snapshot.running[0]?.nodes.a?.status).toBe('succeeded');

  const cancelledAt = Date.now();
  expect((await post(`${server.url}/api/runs/${id}/cancel`, {})).status).toBe(200);
  await ws.waitFor('run.cancelled', (m) => m.run.id === id);
  expect(Date.now() - cancelledAt).toBeLessThan(5000);
  expect(ws.ofRun(id).some((m) => m.type === 'node.cancelled' && m.nodeId === 'sum')).toBe(true);
  const detail = (await get(`${server.url}/api/runs/${id}`)).body;
  expect(detail.status).toBe('cancelled');
  expect(detail.nodes.sum.status).toBe('cancelled');
  expect(detail.nodes.rep?.status ?? 'not run').not.toBe('succeeded');
});

test('runs wait in a queue that can be reordered and edited; queued runs can be cancelled', async () => {
  const long = (await post(`${server.url}/api/runs`, { workflow: chain('blocker', 30, { ms: 30000, steps: 300 }) }))
    .body.id as string;
  await ws.waitFor('run.started', (m) => m.run.id === long);
  const x = (await post(`${server.url}/api/runs`, { workflow: chain('x', 31) })).body.id as string;
  const y = (await post(`${server.url}/api/runs`, { workflow: chain('y', 32) })).body.id as string;
  const z = (await post(`${server.url}/api/runs`, { workflow: chain('z', 33) })).body.id as string;
  const ids = async () => ((await get(`${server.url}/api/queue`)).body as { id: string }[]).map((r) => r.id);
  expect(await ids()).toEqual([x, y, z]);

  const reordered = await fetch(`${server.url}/api/queue`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order: [z, x] }),
  });
  expect(
    ((await reordered.json()) as { id: string; queuePosition: number }[]).map((r) => [r.id, r.queuePosition]),
  ).toEqual([
    [z, 0],
    [x, 1],
    [y, 2],
  ]);
  expect(await del(`${server.url}/api/queue/${y}`)).toBe(204);
  expect((await post(`${server.url}/api/runs/${x}/cancel`, {})).body.status).toBe('cancelled');
  expect(await ids()).toEqual([z]);
  expect((await get(`${server.url}/api/runs/${y}`)).status).toBe(404);
  expect(await del(`${server.url}/api/runs/${z}`)).toBe(409);

  await post(`${server.url}/api/runs/${long}/cancel`, {});
  const done = await ws.waitFor('run.finished', (m) => m.run.id === z);
  expect(done.run.status).toBe('succeeded');
  expect(await del(`${server.url}/api/runs/${z}`)).toBe(204);
  expect((await get(`${server.url}/api/runs/${z}`)).status).toBe(404);
});

test('a failing node fails the run with its error and hint, over the WebSocket and in the history', async () => {
  const wf = chain('fails', 40);
  const sum = wf.nodes.find((n) => n.id === 'sum');
  if (sum) sum.params.mode = 'fail';
  const id = (await post(`${server.url}/api/runs`, { workflow: wf })).body.id as string;
  const failed = await ws.waitFor('run.failed', (m) => m.run.id === id);
  expect(failed.error).toContain('asked to fail');
  const nodeFailed = await ws.waitFor('node.failed', (m) => m.runId === id);
  expect(nodeFailed).toMatchObject({ nodeId: 'sum', error: { message: 'asked to fail', hint: 'set mode to add' } });
  const detail = (await get(`${server.url}/api/runs/${id}`)).body;
  expect(detail.nodes.rep?.status).toBe('skipped');
});

test('a client that does not read its socket misses log lines but never the final states, and does not slow the run', async () => {
  const slow = await WsRecorder.connect(server.url);
  await slow.waitFor('snapshot');
  slow.ws.pause();
  const lines = 4000;
  const id = (
    await post(`${server.url}/api/runs`, {
      workflow: workflow('chatty', [['talk', 'TestChatty', { lines, bytes: 4000 }]]),
    })
  ).body.id as string;
  await ws.waitFor('run.finished', (m) => m.run.id === id, 30000);
  slow.ws.resume();
  await slow.waitFor('run.finished', (m) => m.run.id === id, 30000);
  const logsToSlow = slow.ofRun(id).filter((m) => m.type === 'node.log').length;
  expect(logsToSlow).toBeLessThan(lines);
  expect(slow.ofRun(id).map((m) => m.type)).toEqual(
    expect.arrayContaining(['run.started', 'node.started', 'node.finished', 'run.finished']),
  );
  slow.close();
});
