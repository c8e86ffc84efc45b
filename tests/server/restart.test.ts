/**
 * The server dies mid-run (kill -9) and starts again on the same data folder: the history is there, the run
 * that was running is marked interrupted, and resuming it skips what had finished (from the cache).
 *
 *   a ──┐
 *       ├─> sum (slow) ──> rep
 *   b ──┘
 */
import { get, post, startServer, tempDir, workflow, WsRecorder } from './harness';

test('after a crash the history survives, the running run is interrupted, and resume skips cached nodes', async () => {
  const data = tempDir();
  const wf = (ms: number) =>
    workflow(
      'crash',
      [
        ['a', 'TestNumber', { value: 4 }],
        ['b', 'TestNumber', { value: 6 }],
        ['sum', 'TestSlowAdd', { ms, steps: 20, mode: 'add' }],
        ['rep', 'TestReport', { label: 'after crash' }],
      ],
      ['a.value->sum.a', 'b.value->sum.b', 'sum.sum->rep.value'],
    );

  const first = await startServer(data);
  const ws = await WsRecorder.connect(first.url);
  const done = (await post(`${first.url}/api/runs`, { workflow: wf(20) })).body.id as string;
  await ws.waitFor('run.finished', (m) => m.run.id === done);
  const crashed = (await post(`${first.url}/api/runs`, { workflow: wf(2000) })).body.id as string;
  await ws.waitFor('node.progress', (m) => m.runId === crashed && m.progress.value >= 1);
  ws.close();
  await first.kill();

  const second = await startServer(data);
  try {
    const history = (await get(`${second.url}/api/runs`)).body as { id: string; status: string }[];
    expect(history.map((r) => [r.id, r.status])).toEqual([
      [crashed, 'interrupted'],
      [done, 'succeeded'],
    ]);
    const interrupted = (await get(`${second.url}/api/runs/${crashed}`)).body;
    expect(interrupted.nodes.a.status).toBe('cached');
    expect(interrupted.nodes.sum.status).toBe('cancelled');

    const ws2 = await WsRecorder.connect(second.url);
    const resumed = await post(`${second.url}/api/runs/${crashed}/resume`, {});
    expect(resumed.status).toBe(200);
    expect(['queued', 'running']).toContain(resumed.body.status);
    const finished = await ws2.waitFor('run.finished', (m) => m.run.id === crashed);
    expect(finished.run.status).toBe('succeeded');
    const started = ws2
      .ofRun(crashed)
      .filter((m) => m.type === 'node.started')
      .map((m) => (m as { nodeId: string }).nodeId);
    const cached = ws2
      .ofRun(crashed)
      .filter((m) => m.type === 'node.cached')
      .map((m) => (m as { nodeId: string }).nodeId);
    expect(cached.sort()).toEqual(['a', 'b']);
    expect(started.sort()).toEqual(['rep', 'sum']);
    ws2.close();
  } finally {
    await second.stop();
  }
});
