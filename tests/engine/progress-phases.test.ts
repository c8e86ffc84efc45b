/**
 * Progress phases: a node that names what it is doing ("caching latents 3/12", "building training graph") has each
 * phase shown, in order, even a short one inside the throttle's 100 ms, and each phase's rate is its own.
 */
import { createProgressThrottle } from '../../server/engine/progress';
import { LiveRun } from '../../server/queue/live-run';
import type { NodeProgress } from '../../protocol/messages';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('every phase is sent when it starts, in order, and a new phase measures its rate afresh', () => {
  let clock = 0;
  const sent: NodeProgress[] = [];
  const throttle = createProgressThrottle({ progress: (p) => sent.push(p), metrics: () => {} }, 100, () => clock);
  for (let i = 1; i <= 12; i++) {
    clock = i * 2; // 12 latents in 24 ms: one report makes it through the throttle, the first
    throttle.report(i, 12, undefined, 'caching latents');
  }
  clock = 30;
  throttle.report(0, 1, undefined, 'building training graph');
  clock = 3000;
  throttle.report(1, 100, { loss: 1 }); // training: the node's own work, no label
  clock = 3100;
  throttle.report(2, 100, { loss: 1 });
  throttle.flush();
  const phases = sent.map((p) => p.label).filter((l, i, all) => l !== all[i - 1]);
  expect(phases).toEqual(['caching latents', 'building training graph', undefined]);
  expect(sent.find((p) => p.label === 'caching latents')).toMatchObject({ value: 1, max: 12 });
  // 1 step in 100 ms since training began, not 2 steps since the latents started 3 s before.
  expect(sent.at(-1)!.rate).toBeCloseTo(10, 0);
});

test('the live run broadcasts a new phase at once, however soon after the last progress message', () => {
  const live = new LiveRun('r1');
  const sent: (string | undefined)[] = [];
  const report = (value: number, max: number, at: number, label?: string) => {
    const m = live.apply(
      { type: 'node.progress', nodeId: 'train', progress: { value, max, ...(label ? { label } : {}) } },
      at,
    );
    if (m.message?.type === 'node.progress') sent.push(m.message.progress.label);
  };
  live.apply({ type: 'node.started', nodeId: 'train', at: 0, cacheKey: 'k' }, 0);
  report(1, 12, 1000, 'caching latents');
  report(0, 1, 1010, 'building training graph'); // 10 ms later: inside the 100 ms between two messages
  report(1, 100, 1020);
  expect(sent).toEqual(['caching latents', 'building training graph', undefined]);
  expect(live.nodes.get('train')!.progress).toMatchObject({ value: 1, max: 100 });
});
