/**
 * A rerun served from the cache trains nothing, so it has no curves of its own: its metrics are those of the run
 * that computed the cached node (what Compare overlays), under this run's node id.
 *
 *   n(TestNumber) ──> add(TestSlowAdd: 5 steps, loss 1/step)
 */
import { get, post, useServer, workflow } from './harness';

const server = useServer();

const wf = workflow(
  'cached metrics',
  [
    ['n', 'TestNumber', { value: 1 }],
    ['add', 'TestSlowAdd', { ms: 20, steps: 5 }],
  ],
  ['n.value->add.a'],
);

async function runToEnd(): Promise<string> {
  const { body } = await post(`${server.url}/api/runs`, { workflow: wf });
  for (let i = 0; i < 200; i++) {
    const run = (await get(`${server.url}/api/runs/${body.id}`)).body;
    if (run.status === 'succeeded') return body.id as string;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('run did not finish');
}

test("a cached rerun's metrics are the computing run's, under its own node id", async () => {
  const first = await runToEnd();
  const second = await runToEnd();
  expect((await get(`${server.url}/api/runs/${second}`)).body.nodes.add.status).toBe('cached');
  const losses = (id: string, query = '') =>
    get(`${server.url}/api/runs/${id}/metrics${query}`).then((r) =>
      (r.body as { nodeId: string; step: number; metrics: { loss?: number } }[]).map((p) => [
        p.nodeId,
        p.step,
        p.metrics.loss,
      ]),
    );
  const computed = await losses(first);
  expect(computed.length).toBeGreaterThan(0);
  expect(await losses(second)).toEqual(computed);
  expect(await losses(second, '?node=add')).toEqual(computed);
  expect(await losses(second, '?node=n')).toEqual([]);
});
