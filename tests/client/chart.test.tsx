import { render } from '@testing-library/react';
import { groupSeries, smooth, splitSeries } from '../../client/src/panels/chartMath';
import { MetricsPanel } from '../../client/src/panels/MetricsPanel';
import type { SeriesPoint } from '../../client/src/store/runs';

describe('metric charts', () => {
  it('smooths with bias correction: a constant stays constant', () => {
    expect(smooth([2, 2, 2], 0.9).map((v) => +v.toFixed(6))).toEqual([2, 2, 2]);
    expect(smooth([0, 10], 0)).toEqual([0, 10]);
  });

  it('plots every metric; losses share a chart, checkpoints become markers', () => {
    const checkpoint = { step: 2, file: 'step-000002.safetensors', loss: 0.7 };
    const points: SeriesPoint[] = [
      { step: 1, metrics: { loss: 1, lr: 0.1 } },
      { step: 2, metrics: { loss: 0.5, val_loss: 0.7 }, checkpoint },
    ];
    const { series, checkpoints } = splitSeries(points);
    expect(series.map((s) => s.name)).toEqual(['loss', 'lr', 'val_loss']);
    expect(checkpoints).toEqual([checkpoint]);
    expect(groupSeries(series).map((g) => g.map((s) => s.name))).toEqual([['loss', 'val_loss'], ['lr']]);
    const { container, getAllByTestId } = render(<MetricsPanel points={points} />);
    expect(container.querySelectorAll('svg.chart')).toHaveLength(2);
    expect(container.querySelector('[data-series="val_loss"]')).not.toBeNull();
    const markers = getAllByTestId('checkpoint-marker');
    expect(markers).toHaveLength(2);
    expect(markers[0]?.textContent).toBe('checkpoint at step 2: step-000002.safetensors, loss 0.7');
  });
});
