/** The arithmetic behind the metric charts: smoothing, grouping of series onto shared axes, and scales. */
import type { CheckpointEvent } from '../../../protocol/values';
import type { SeriesPoint } from '../store/runs';

/** Exponential moving average with bias correction (as TensorBoard does), so the start is not dragged toward 0. */
export function smooth(values: readonly number[], weight: number): number[] {
  let avg = 0;
  let norm = 0;
  return values.map((v) => {
    avg = avg * weight + (1 - weight) * v;
    norm = norm * weight + (1 - weight);
    return norm > 0 ? avg / norm : v;
  });
}

export interface Series {
  name: string;
  steps: number[];
  values: number[];
  /** Fixed colour (compare: one per run) and dashes (compare: the second run). */
  color?: string;
  dashed?: boolean;
}

/** Every metric as its own series of (step, value), the checkpoints (the chart's markers) aside. */
export function splitSeries(points: readonly SeriesPoint[]): { series: Series[]; checkpoints: CheckpointEvent[] } {
  const byName = new Map<string, Series>();
  const checkpoints: CheckpointEvent[] = [];
  for (const p of points) {
    if (p.checkpoint) checkpoints.push(p.checkpoint);
    for (const [name, value] of Object.entries(p.metrics)) {
      if (!Number.isFinite(value)) continue;
      let s = byName.get(name);
      if (!s) byName.set(name, (s = { name, steps: [], values: [] }));
      s.steps.push(p.step);
      s.values.push(value);
    }
  }
  return { series: [...byName.values()], checkpoints };
}

/** Series that share one chart: all the losses together, every other metric on its own. */
export function groupSeries(series: readonly Series[]): Series[][] {
  const losses = series.filter((s) => /loss/i.test(s.name));
  const others = series.filter((s) => !/loss/i.test(s.name)).map((s) => [s]);
  return losses.length ? [losses, ...others] : others;
}

/** A linear map of [d0, d1] onto [r0, r1] (a flat domain maps to the middle). */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** An SVG polyline `points` attribute. */
export function polyline(
  xs: readonly number[],
  ys: readonly number[],
  sx: (v: number) => number,
  sy: (v: number) => number,
): string {
  return xs.map((x, i) => `${sx(x).toFixed(1)},${sy(ys[i] as number).toFixed(1)}`).join(' ');
}
