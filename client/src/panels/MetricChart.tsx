/** One SVG chart of series sharing an axis: raw lines faint, smoothed lines bold, checkpoints as dashed markers. */
import { memo } from 'react';
import { polyline, scale, smooth, type Series } from './chartMath';

const COLORS = ['#4fc3f7', '#ffb74d', '#81c784', '#f06292', '#ba68c8', '#e0e0e0'];
const W = 320;
const H = 150;
const PAD = { l: 42, r: 8, t: 8, b: 18 };

interface Props {
  series: Series[];
  checkpoints: number[];
  smoothing: number;
  testId?: string;
}

export const MetricChart = memo(function MetricChart({ series, checkpoints, smoothing, testId }: Props) {
  const allSteps = series.flatMap((s) => s.steps);
  const allValues = series.flatMap((s) => s.values);
  if (allValues.length === 0) return null;
  const sx = scale(Math.min(...allSteps), Math.max(...allSteps), PAD.l, W - PAD.r);
  const lo = Math.min(...allValues);
  const hi = Math.max(...allValues);
  const sy = scale(lo, hi, H - PAD.b, PAD.t);
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${W} ${H}`}
      data-testid={testId}
      role="img"
      aria-label={series.map((s) => s.name).join(', ')}
    >
      <rect x={PAD.l} y={PAD.t} width={W - PAD.l - PAD.r} height={H - PAD.t - PAD.b} className="chart-bg" />
      <text x={PAD.l - 4} y={PAD.t + 8} className="axis" textAnchor="end">
        {hi.toPrecision(3)}
      </text>
      <text x={PAD.l - 4} y={H - PAD.b} className="axis" textAnchor="end">
        {lo.toPrecision(3)}
      </text>
      <text x={PAD.l} y={H - 4} className="axis">
        {Math.min(...allSteps)}
      </text>
      <text x={W - PAD.r} y={H - 4} className="axis" textAnchor="end">
        {Math.max(...allSteps)}
      </text>
      {checkpoints.map((step) => (
        <line
          key={step}
          x1={sx(step)}
          x2={sx(step)}
          y1={PAD.t}
          y2={H - PAD.b}
          className="checkpoint"
          data-testid="checkpoint-marker"
        >
          <title>checkpoint at step {step}</title>
        </line>
      ))}
      {series.map((s, i) => {
        const color = COLORS[i % COLORS.length];
        const sparse = s.values.length < 40;
        return (
          <g key={s.name} data-series={s.name}>
            <polyline
              points={polyline(s.steps, s.values, sx, sy)}
              fill="none"
              stroke={color}
              strokeOpacity={smoothing > 0 ? 0.3 : 1}
              strokeWidth={1}
            />
            {smoothing > 0 && (
              <polyline
                points={polyline(s.steps, smooth(s.values, smoothing), sx, sy)}
                fill="none"
                stroke={color}
                strokeWidth={2}
              />
            )}
            {sparse &&
              s.steps.map((x, j) => <circle key={x} cx={sx(x)} cy={sy(s.values[j] as number)} r={2} fill={color} />)}
            <text x={PAD.l + 4 + (i % 3) * 90} y={PAD.t + 10 + Math.floor(i / 3) * 11} fill={color} className="legend">
              {s.name}
            </text>
          </g>
        );
      })}
    </svg>
  );
});
