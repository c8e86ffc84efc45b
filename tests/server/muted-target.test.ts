/**
 * Running a muted (or bypassed) node as the target: it never runs, so the server refuses the run with a message
 * naming the node instead of answering 201 and a "succeeded" run that did nothing.
 *
 *   n(TestNumber) ──> report(TestReport, muted)
 */
import { post, useServer, workflow } from './harness';

const server = useServer();

function graphWith(mode: 'mute' | 'bypass' | undefined) {
  const wf = workflow(
    'muted target',
    [
      ['n', 'TestNumber', { value: 3 }],
      ['report', 'TestReport'],
    ],
    ['n.value->report.value'],
  );
  if (mode) wf.nodes[1]!.mode = mode;
  return wf;
}

test('POST /api/runs with a muted target is refused with 400 naming the node', async () => {
  const res = await post(`${server.url}/api/runs`, { workflow: graphWith('mute'), targets: ['report'] });
  expect(res.status).toBe(400);
  expect(res.body.message).toBe('report is muted: unmute it to run it');
});

test('a bypassed target is refused the same way', async () => {
  const res = await post(`${server.url}/api/runs`, { workflow: graphWith('bypass'), targets: ['report'] });
  expect(res.status).toBe(400);
  expect(res.body.message).toBe('report is bypassed: un-bypass it to run it');
});

test('the same target unmuted is queued, and a muted node that is not a target does not block the run', async () => {
  expect((await post(`${server.url}/api/runs`, { workflow: graphWith(undefined), targets: ['report'] })).status).toBe(
    201,
  );
  expect((await post(`${server.url}/api/runs`, { workflow: graphWith('mute'), targets: ['n'] })).status).toBe(201);
});
