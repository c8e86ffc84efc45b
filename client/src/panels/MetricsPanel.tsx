/** Every metric series a node reported (loss, val_loss, lr...) as charts, with a smoothing slider. */
import { memo, useMemo, useState } from 'react';
import type { SeriesPoint } from '../store/runs';
import { groupSeries, splitSeries } from './chartMath';
import { MetricChart } from './MetricChart';

export const MetricsPanel = memo(function MetricsPanel({
  points,
  compact,
}: {
  points: readonly SeriesPoint[];
  compact?: boolean;
}) {
  const [smoothing, setSmoothing] = useState(0.6);
  const { groups, checkpoints } = useMemo(() => {
    const split = splitSeries(points);
    return { groups: groupSeries(split.series), checkpoints: split.checkpoints };
  }, [points]);
  if (groups.length === 0) return null;
  const shown = compact ? groups.slice(0, 1) : groups;
  return (
    <div className="metrics nodrag" data-testid="metrics">
      {shown.map((g) => (
        <MetricChart
          key={g.map((s) => s.name).join()}
          series={g}
          checkpoints={checkpoints}
          smoothing={smoothing}
          testId={`chart-${g[0]?.name ?? ''}`}
        />
      ))}
      {!compact && (
        <label className="smoothing">
          smoothing {smoothing.toFixed(2)}
          <input
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            onChange={(e) => setSmoothing(Number(e.target.value))}
            data-testid="smoothing"
          />
        </label>
      )}
    </div>
  );
});
