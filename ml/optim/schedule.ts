// Learning-rate schedules, computed in JS and fed to the graph as a per-step input ([K] for K steps per run).

export type ScheduleKind = 'constant' | 'linear' | 'cosine';

export interface ScheduleConfig {
  readonly kind: ScheduleKind;
  /** Peak learning rate (Prodigy: 1.0, a multiplier on its own estimate). */
  readonly lr: number;
  /** Total optimizer steps; linear and cosine reach `minLr` at this step. */
  readonly totalSteps: number;
  /** Steps of linear warmup from 0 to `lr`. */
  readonly warmupSteps?: number;
  /** The floor linear and cosine decay to (default 0). */
  readonly minLr?: number;
}

/** Learning rate for 0-based optimizer step `step`. Warmup ramps (step+1)/warmup so the first step is not 0. */
export function lrAt(s: ScheduleConfig, step: number): number {
  const warmup = s.warmupSteps ?? 0;
  const minLr = s.minLr ?? 0;
  if (step < warmup) return (s.lr * (step + 1)) / warmup;
  if (s.kind === 'constant') return s.lr;
  const span = Math.max(1, s.totalSteps - warmup);
  const t = Math.min(1, (step - warmup) / span);
  if (s.kind === 'linear') return minLr + (s.lr - minLr) * (1 - t);
  return minLr + (s.lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
}

/** The learning rates of steps first..first+count-1, as a [count] tensor for one multi-step run. */
export function lrRange(s: ScheduleConfig, first: number, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = lrAt(s, first + i);
  return out;
}

/** Checks a schedule, naming the bad field. */
export function validateSchedule(s: ScheduleConfig): void {
  if (!(s.lr >= 0) || !Number.isFinite(s.lr)) throw new Error(`schedule: lr must be a finite number >= 0, got ${s.lr}`);
  if (!Number.isInteger(s.totalSteps) || s.totalSteps < 1)
    throw new Error(`schedule: totalSteps must be an integer >= 1, got ${s.totalSteps}`);
  const w = s.warmupSteps ?? 0;
  if (!Number.isInteger(w) || w < 0) throw new Error(`schedule: warmupSteps must be an integer >= 0, got ${w}`);
}
