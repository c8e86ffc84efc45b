/**
 * One SVG chart of series sharing an axis: raw lines faint, smoothed lines bold, checkpoints as dashed markers.
 * The legend is HTML under the chart (it wraps instead of overlapping), each name with its colour key.
 */
import { memo } from 'react';
import type { CheckpointEvent } from '../../../protocol/values';
import { polyline, scale, smooth, type Series } from './chartMath';

const COLORS = ['#4fc3f7', '#ffb74d', '#81c784', '#f06292', '#ba68c8', '#e0e0e0'];
const W = 320;
const H = 150;
const PAD = { l: 50, r: 8, t: 8, b: 18 };

/** An axis figure that fits the margin: 1.0e-4 rather than 0.000100 (learning rates are tiny). */
export function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1e5)) return v.toExponential(1);
  return a >= 100 ? Math.round(v).toString() : Number(v.toPrecision(3)).toString();
}

/** What a checkpoint marker's tooltip says: the step, the file and the loss measured there. */
export function checkpointTitle(c: CheckpointEvent): string {
  const loss = c.loss === undefined ? '' : `, loss ${formatTick(c.loss)}`;
  return `checkpoint at step ${c.step}: ${c.file}${loss}`;
}

interface Props {
  series: Series[];
  checkpoints: readonly CheckpointEvent[];
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
  const colorOf = (s: Series, i: number): string => s.color ?? (COLORS[i % COLORS.length] as string);
  return (
    <div className="chart-box">
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H}`}
        data-testid={testId}
        role="img"
        aria-label={series.map((s) => s.name).join(', ')}
      >
        <rect x={PAD.l} y={PAD.t} width={W - PAD.l - PAD.r} height={H - PAD.t - PAD.b} className="chart-bg" />
        <text x={PAD.l - 4} y={PAD.t + 8} className="axis" textAnchor="end">
          {formatTick(hi)}
        </text>
        <text x={PAD.l - 4} y={H - PAD.b} className="axis" textAnchor="end">
          {formatTick(lo)}
        </text>
        <text x={PAD.l} y={H - 4} className="axis">
          {Math.min(...allSteps)}
        </text>
        <text x={W - PAD.r} y={H - 4} className="axis" textAnchor="end">
          {Math.max(...allSteps)}
        </text>
        {checkpoints.map((c) => (
          <line
            key={c.step}
            x1={sx(c.step)}
            x2={sx(c.step)}
            y1={PAD.t}
            y2={H - PAD.b}
            className="checkpoint"
            data-testid="checkpoint-marker"
            data-step={c.step}
          >
            <title>{checkpointTitle(c)}</title>
          </line>
        ))}
        {series.map((s, i) => {
          const color = colorOf(s, i);
          const sparse = s.values.length < 40;
          return (
            <g key={s.name} data-series={s.name}>
              <polyline
                points={polyline(s.steps, s.values, sx, sy)}
                fill="none"
                stroke={color}
                strokeOpacity={smoothing > 0 ? 0.3 : 1}
                strokeWidth={1}
                strokeDasharray={s.dashed ? '4 3' : undefined}
              />
              {smoothing > 0 && (
                <polyline
                  points={polyline(s.steps, smooth(s.values, smoothing), sx, sy)}
                  fill="none"
                  stroke={color}
                  strokeWidth={2}
                  strokeDasharray={s.dashed ? '5 3' : undefined}
                />
              )}
              {sparse &&
                s.steps.map((x, j) => <circle key={x} cx={sx(x)} cy={sy(s.values[j] as number)} r={2} fill={color} />)}
            </g>
          );
        })}
      </svg>
      <ul className="legend" data-testid="chart-legend">
        {series.map((s, i) => (
          <li key={s.name} title={s.name}>
            <svg width="18" height="8" aria-hidden="true">
              <line
                x1="0"
                x2="18"
                y1="4"
                y2="4"
                stroke={colorOf(s, i)}
                strokeWidth="3"
                strokeDasharray={s.dashed ? '4 2' : undefined}
              />
            </svg>
            {s.name}
          </li>
        ))}
      </ul>
    </div>
  );
});
