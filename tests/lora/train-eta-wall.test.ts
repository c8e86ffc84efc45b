/**
 * TrainLoRA's ETA from wall time per step (QA S6-F11): SDXL tiny with a checkpoint and samples every 2 steps ran at
 * 0.73-1.04 steps/s inside session.run but 0.02 steps/s in all ("98% of the time outside session.run"), and the ETA
 * counted session.run time only ("ETA 4s" with 3 minutes left). The monitor is fed the worker's events as that run
 * sent them: each step report's wall time runs from the previous report, so it holds the samples in between.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMonitor } from '../../nodes/lora/train-monitor';
import { tempContext } from '../support/node-context';

const report = (step: number, stepsPerSecond: number) => ({
  step,
  losses: [0.2, 0.19],
  lrs: [1e-4, 1e-4],
  gradNorms: [1, 1],
  stepsPerSecond,
});

it('the ETA counts the sampling and checkpoints between steps, not only session.run', () => {
  const ctx = tempContext('eta-wall');
  try {
    const monitor = createMonitor(ctx, 8, 2, mkdtempSync(join(tmpdir(), 'eta-state-')), true);
    monitor.onEvent({ type: 'started', step: 0 });
    // Steps 1-2: 2.2 s in session.run, no sampling yet.
    monitor.onEvent({ type: 'progress', done: 2, total: 8, report: report(2, 0.9), runSeconds: 2.2, wallSeconds: 2.2 });
    // Steps 3-4: 2 s in session.run after a checkpoint and samples at step 2 that took 95 s.
    monitor.onEvent({ type: 'progress', done: 4, total: 8, report: report(4, 1), runSeconds: 2, wallSeconds: 97 });
    const at4 = ctx.metrics.find((m) => m.step === 4)!.metrics;
    expect(at4.it_s).toBe(1);
    // 4 steps in 99.2 s of wall time: 4 steps left take about 99 s, not 4.
    expect(at4.eta_s).toBeCloseTo(99.2, 0);
  } finally {
    ctx.cleanup();
  }
});
