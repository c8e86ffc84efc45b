/**
 * A WebSocket client that stops reading. Progress and logs to it are dropped, final messages never are, so
 * those used to pile up in the server's memory without end. Now it is disconnected once its unsent bytes pass
 * the cap, while a client that reads gets every final state of every run.
 *
 *   chatty (16 MB of log lines: fills the socket buffers)   then   wide: 600 × TestNumber, three times
 */
import { startServer, post, tempDir, workflow, WsRecorder, type ServerProcess } from './harness';

const SLOW_CLIENT_BYTES = 1 << 20;
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer(tempDir(), [], { LORAFLOW_WS_MAX_BUFFER: String(SLOW_CLIENT_BYTES + 100_000) });
});

afterAll(async () => {
  await server.stop();
});

test('a client that never reads is disconnected at the cap; a client that reads loses no final state', async () => {
  const reader = await WsRecorder.connect(server.url);
  const stalled = await WsRecorder.connect(server.url);
  await stalled.waitFor('snapshot');
  stalled.ws.pause();
  let closed = false;
  stalled.ws.once('close', () => (closed = true));

  const chatty = workflow('chatty', [['talk', 'TestChatty', { lines: 4000, bytes: 4000 }]]);
  const wide = (i: number) =>
    workflow(
      `wide ${i}`,
      Array.from({ length: 600 }, (_, n): [string, string, Record<string, number>] => [
        `n${n}`,
        'TestNumber',
        { value: n },
      ]),
    );
  const ids: string[] = [];
  for (const wf of [chatty, wide(1), wide(2), wide(3)]) {
    const res = await post(`${server.url}/api/runs`, { workflow: wf });
    expect(res.status).toBe(201);
    ids.push(res.body.id as string);
  }
  for (const id of ids) await reader.waitFor('run.finished', (m) => m.run.id === id, 60000);
  for (const id of ids.slice(1)) {
    const finished = reader.ofRun(id).filter((m) => m.type === 'node.finished' || m.type === 'node.cached');
    expect(finished.length).toBe(600); // every node's final state, run or served from the cache
  }

  stalled.ws.resume();
  for (let i = 0; i < 200 && !closed; i++) await new Promise((r) => setTimeout(r, 50));
  expect(closed).toBe(true);
  expect(server.output()).toMatch(/disconnected a WebSocket client that stopped reading/);
  // It can come back: a new connection starts with a snapshot.
  const again = await WsRecorder.connect(server.url);
  await again.waitFor('snapshot');
  again.close();
  reader.close();
}, 120000);
