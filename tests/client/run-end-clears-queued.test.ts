/** Nodes the editor marked "queued" at submission lose that badge when the run ends without running them. */
import { produce } from 'immer';
import { applyServerMessage, type RunsState } from '../../client/src/store/runs';
import type { ServerMessage } from '../../protocol/messages';

const run = { id: 'r1', status: 'running' as const, name: 'Quick start', createdAt: 1 };
/** What runActive leaves in the store right after submitting: every planned node "queued". */
const submitted = (): RunsState => ({
  runs: {
    r1: {
      summary: { ...run, status: 'queued' },
      nodes: {
        images: { nodeId: 'images', status: 'queued' },
        caption: { nodeId: 'caption', status: 'queued' },
      },
      metrics: {},
      previews: {},
      logs: {},
    },
  },
  queue: [],
  history: [],
  connected: true,
});
const play = (msgs: ServerMessage[]) => msgs.reduce((s, m) => produce(s, (d) => applyServerMessage(d, m)), submitted());

test.each(['succeeded', 'failed', 'cancelled'] as const)(
  'a run that %s without running some nodes leaves them without a "queued" badge',
  (status) => {
    const s = play([
      { type: 'run.started', run },
      { type: 'node.cached', runId: 'r1', nodeId: 'images', outputs: { images: [] } },
      status === 'cancelled'
        ? { type: 'run.cancelled', run: { ...run, status } }
        : status === 'failed'
          ? { type: 'run.failed', run: { ...run, status }, error: 'boom' }
          : { type: 'run.finished', run: { ...run, status } },
    ]);
    expect(s.runs.r1!.nodes.images?.status).toBe('cached');
    expect(s.runs.r1!.nodes.caption).toBeUndefined();
  },
);

test('while the run is still going the nodes it has not reached stay queued', () => {
  const s = play([{ type: 'run.started', run }]);
  expect(s.runs.r1!.nodes.caption?.status).toBe('queued');
});
