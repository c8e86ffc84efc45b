/** Comparing two runs served from the cache: the Metrics section says why it has no curves instead of being blank. */
import { render, screen } from '@testing-library/react';
import { ComparePanel } from '../../client/src/panels/ComparePanel';
import { runsStore, type RunView } from '../../client/src/store/runs';
import { uiStore } from '../../client/src/store/ui';
import { quickStart } from './fixtures';

const run = (id: string, status: 'cached' | 'succeeded', metrics: RunView['metrics'] = {}): RunView => ({
  summary: { id, status: 'succeeded', name: 'Quick start', createdAt: 1 },
  workflow: quickStart(),
  nodes: { train: { nodeId: 'train', status }, load: { nodeId: 'load', status } },
  metrics,
  previews: {},
  logs: {},
});

function show(a: RunView, b: RunView) {
  runsStore.update((s) => {
    s.runs = { [a.summary.id]: a, [b.summary.id]: b };
  });
  uiStore.update((s) => void (s.compare = [a.summary.id, b.summary.id]));
  render(<ComparePanel />);
}

test('two cached reruns: the Metrics section says "cached: no new metrics" for each', () => {
  show(run('run-a', 'cached'), run('run-b', 'cached'));
  const text = screen.getByTestId('compare-no-metrics').textContent ?? '';
  expect(text).toContain('A: cached: no new metrics');
  expect(text).toContain('B: cached: no new metrics');
});

test('runs with curves show charts and no such note', () => {
  const loss = {
    train: [
      { step: 1, metrics: { loss: 1 } },
      { step: 2, metrics: { loss: 0.5 } },
    ],
  };
  show(run('run-c', 'succeeded', loss), run('run-d', 'succeeded', loss));
  expect(screen.queryByTestId('compare-no-metrics')).toBeNull();
  expect(screen.getByTestId('compare-chart-train · loss')).toBeTruthy();
});
