/** A node's status bar reads as counts and a bar, whatever numbers the node reports. */
import { render, screen } from '@testing-library/react';
import { NodeStatusBar } from '../../client/src/canvas/NodeStatusBar';

test('fractional progress shows as a whole count, and the bar is filled by that fraction', () => {
  render(
    <NodeStatusBar
      nodeId="check"
      state={{ nodeId: 'check', status: 'running', progress: { value: 16.666666666666668, max: 120 } }}
    />,
  );
  expect(screen.getByTestId('progress-text-check').textContent).toBe('16/120');
  expect(screen.getByTestId('progress-check').firstElementChild?.getAttribute('data-fraction')).toBe('0.139');
});

test('a queued node keeps an empty track where its bar will be, so it does not grow when it starts', () => {
  const { container } = render(<NodeStatusBar nodeId="t" state={{ nodeId: 't', status: 'queued' }} />);
  expect(container.querySelectorAll('.progress')).toHaveLength(1);
  expect(screen.queryByTestId('progress-t')).toBeNull();
});

test('a phase the node names is shown before its counts (QA F6: not only "running" for minutes)', () => {
  const progress = { value: 3, max: 12, label: 'caching latents' };
  render(<NodeStatusBar nodeId="train" state={{ nodeId: 'train', status: 'running', progress }} />);
  expect(screen.getByTestId('progress-text-train').textContent).toBe('caching latents · 3/12');
});
