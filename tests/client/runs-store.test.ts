import { applyServerMessage, type RunsState } from '../../client/src/store/runs';
import type { ServerMessage } from '../../protocol/messages';
import { produce } from 'immer';

const fresh = (): RunsState => ({ runs: {}, queue: [], history: [], connected: true });
const play = (state: RunsState, msgs: ServerMessage[]) =>
  msgs.reduce((s, m) => produce(s, (d) => applyServerMessage(d, m)), state);
const run = { id: 'r1', status: 'running' as const, name: 'Quick start', createdAt: 1 };
const img = { $artifact: 'abc.png', mime: 'image/png', name: 'a.png', bytes: 10 };
const checkpoint = { step: 5, file: 'step-000005.safetensors', loss: 0.6 };

describe('live run state from server messages', () => {
  it('follows a node from started through progress with metrics to finished', () => {
    const s = play(fresh(), [
      { type: 'run.started', run },
      { type: 'node.started', runId: 'r1', nodeId: 'train', at: 2 },
      {
        type: 'node.progress',
        runId: 'r1',
        nodeId: 'train',
        progress: { value: 1, max: 10, metrics: { loss: 0.9 }, rate: 2, etaSeconds: 4.5 },
      },
      { type: 'node.metrics', runId: 'r1', nodeId: 'train', step: 1, metrics: { loss: 0.9 } },
      // Progress is throttled: step 3's metrics arrive only as a metrics message.
      { type: 'node.metrics', runId: 'r1', nodeId: 'train', step: 3, metrics: { loss: 0.7 } },
      { type: 'node.metrics', runId: 'r1', nodeId: 'train', step: 5, metrics: { loss: 0.5, val_loss: 0.6 } },
      {
        type: 'node.progress',
        runId: 'r1',
        nodeId: 'train',
        progress: { value: 5, max: 10, metrics: { loss: 0.5, val_loss: 0.6 } },
      },
      // A log line that speaks of a checkpoint is only a log line: markers come from checkpoint events.
      { type: 'node.log', runId: 'r1', nodeId: 'train', level: 'info', message: 'saved checkpoint step 3', at: 3 },
      { type: 'node.checkpoint', runId: 'r1', nodeId: 'train', checkpoint, at: 3 },
      { type: 'node.preview', runId: 'r1', nodeId: 'train', image: img, label: 'step 5' },
      { type: 'node.sample', runId: 'r1', nodeId: 'train', sample: { step: 5, images: [img] }, at: 3 },
      { type: 'node.finished', runId: 'r1', nodeId: 'train', outputs: { lora: img }, at: 4 },
      { type: 'run.finished', run: { ...run, status: 'succeeded' } },
    ]);
    const r = s.runs.r1!;
    expect(r.nodes.train).toMatchObject({
      status: 'succeeded',
      progress: { value: 5, max: 10 },
      outputs: { lora: img },
      lastPreview: img,
    });
    expect(r.metrics.train).toEqual([
      { step: 1, metrics: { loss: 0.9 } },
      { step: 3, metrics: { loss: 0.7 } },
      { step: 5, metrics: { loss: 0.5, val_loss: 0.6 }, checkpoint, sample: { step: 5, images: [img] } },
    ]);
    expect(r.previews.train).toEqual([{ image: img, label: 'step 5' }]);
    expect(s.history[0]?.status).toBe('succeeded');
  });

  it('a checkpoint event that arrives after later steps takes its place in step order', () => {
    const s = play(fresh(), [
      { type: 'node.metrics', runId: 'r1', nodeId: 'train', step: 4, metrics: { loss: 0.8 } },
      { type: 'node.metrics', runId: 'r1', nodeId: 'train', step: 6, metrics: { loss: 0.6 } },
      { type: 'node.checkpoint', runId: 'r1', nodeId: 'train', checkpoint, at: 3 },
    ]);
    expect(s.runs.r1?.metrics.train).toEqual([
      { step: 4, metrics: { loss: 0.8 } },
      { step: 5, metrics: {}, checkpoint },
      { step: 6, metrics: { loss: 0.6 } },
    ]);
  });

  it('a snapshot after a reconnect rebuilds running runs and the queue', () => {
    const s = play(fresh(), [
      {
        type: 'snapshot',
        queue: [{ id: 'r2', status: 'queued', name: 'next', createdAt: 5, queuePosition: 0 }],
        running: [
          {
            ...run,
            workflow: {
              format: 'loraflow.workflow',
              formatVersion: 1,
              appVersion: '',
              name: 'Quick start',
              nodes: [],
              edges: [],
              groups: [],
              notes: [],
            },
            nodes: { train: { nodeId: 'train', status: 'running', progress: { value: 3, max: 10 }, lastPreview: img } },
          },
        ],
      },
    ]);
    expect(s.queue.map((q) => q.id)).toEqual(['r2']);
    expect(s.runs.r1?.nodes.train?.progress?.value).toBe(3);
    expect(s.runs.r1?.previews.train?.[0]?.image).toEqual(img);
    expect(s.runs.r1?.workflow?.name).toBe('Quick start');
  });

  it('shows a failure with its hint, and skipped dependents with the reason', () => {
    const s = play(fresh(), [
      {
        type: 'node.failed',
        runId: 'r1',
        nodeId: 'train',
        error: { message: 'out of memory', hint: 'lower the batch size' },
        at: 1,
      },
      { type: 'node.skipped', runId: 'r1', nodeId: 'sample', reason: 'train failed' },
      { type: 'run.failed', run: { ...run, status: 'failed' }, error: 'train failed' },
    ]);
    expect(s.runs.r1?.nodes.train).toMatchObject({ status: 'failed', error: { hint: 'lower the batch size' } });
    expect(s.runs.r1?.nodes.sample).toMatchObject({ status: 'skipped', error: { message: 'train failed' } });
    expect(s.history[0]?.error).toBe('train failed');
  });
});
