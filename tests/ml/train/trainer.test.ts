import './ort-realm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainInWorker, loadCheckpoint, type StepReport, type TrainConfig, type TrainJob } from '../../../ml/train';

const MLP = join(__dirname, '../../../ml/train/tasks/mlp.ts');
const TRANSFORMER = join(__dirname, '../../../ml/train/tasks/transformer-stack.ts');
const dir = mkdtempSync(join(tmpdir(), 'trainer-test-'));

async function train(
  job: TrainJob,
): Promise<{ reports: StepReport[]; losses: number[]; step: number; cancelled: boolean }> {
  const reports: StepReport[] = [];
  const r = await trainInWorker(job, { onProgress: (p) => reports.push(p) }).done;
  return { reports, losses: reports.flatMap((p) => p.losses), step: r.step, cancelled: r.cancelled };
}

const adamw = (lr: number, steps: number, extra: Partial<TrainConfig> = {}): TrainConfig => ({
  seed: 1,
  optimizer: { kind: 'adamw', weightDecay: 0 },
  schedule: { kind: 'constant', lr, totalSteps: steps },
  stepsPerRun: 10,
  threads: 1,
  ...extra,
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('training in a worker thread', () => {
  it('a small MLP learns a teacher network: loss falls from ~1.2 to below 0.05 in 200 steps', async () => {
    const { losses, reports, step } = await train({ taskModule: MLP, config: adamw(0.01, 200), steps: 200 });
    expect(step).toBe(200);
    expect(losses).toHaveLength(200);
    expect(losses[0]).toBeGreaterThan(0.8);
    expect(mean(losses.slice(-10))).toBeLessThan(0.05);
    expect(reports).toHaveLength(20); // 10 steps per session.run
    expect(
      reports.every((r) => r.stepsPerSecond > 0 && r.lrs.every((lr) => lr === 0.01) && r.gradNorms.length === 10),
    ).toBe(true);
  });

  it('a small transformer (2 blocks, LoRA rank 4) learns the token-mean task: loss below 50% of the start in 60 steps', async () => {
    const { losses } = await train({
      taskModule: TRANSFORMER,
      taskOptions: { target: 'mean', rank: 4 },
      config: adamw(0.02, 60),
      steps: 60,
    });
    expect(mean(losses.slice(-5))).toBeLessThan(0.5 * losses[0]!);
  });

  it('is deterministic for a seed and the schedule reaches the graph (warmup + cosine)', async () => {
    const config = adamw(0.01, 30, {
      schedule: { kind: 'cosine', lr: 0.01, totalSteps: 30, warmupSteps: 5 },
      stepsPerRun: 7,
    });
    const a = await train({ taskModule: MLP, config, steps: 30 });
    const b = await train({ taskModule: MLP, config, steps: 30 });
    expect(b.losses).toEqual(a.losses);
    const lrs = a.reports.flatMap((r) => r.lrs);
    expect(lrs[0]).toBeCloseTo(0.002, 8);
    expect(lrs[4]).toBeCloseTo(0.01, 8);
    expect(lrs[29]).toBeLessThan(0.0001);
    const other = await train({ taskModule: MLP, config: { ...config, seed: 2 }, steps: 30 });
    expect(other.losses).not.toEqual(a.losses);
  });

  it('resuming from a checkpoint gives the same step count and exactly the same next losses', async () => {
    const config = adamw(0.01, 24, {
      optimizer: { kind: 'prodigy' },
      schedule: { kind: 'linear', lr: 1, totalSteps: 24 },
      stepsPerRun: 4,
      clipNorm: 1,
    });
    const straight = await train({ taskModule: MLP, config, steps: 24 });
    const ckpt = join(dir, 'resume.safetensors');
    const first = await train({ taskModule: MLP, config, steps: 12, checkpoint: { path: ckpt } });
    expect(first.losses).toEqual(straight.losses.slice(0, 12));
    expect((await loadCheckpoint(ckpt)).step).toBe(12);
    const resumed = await train({ taskModule: MLP, config, steps: 24, resumeFrom: ckpt });
    expect(resumed.step).toBe(24);
    expect(resumed.reports[0]!.step).toBe(16);
    expect(resumed.losses).toEqual(straight.losses.slice(12));
  });

  it('keeps a moving average of the weights that follows the trained weights, lags them, and survives a resume', async () => {
    const config = adamw(0.01, 40, { stepsPerRun: 5, ema: 0.9 });
    const straight = await trainInWorker({ taskModule: MLP, config, steps: 40 }).done;
    const ema = straight.ema!;
    expect(Object.keys(ema).sort()).toEqual(Object.keys(straight.params).sort());
    const start = await trainInWorker({ taskModule: MLP, config, steps: 0 }).done;
    const dist = (a: typeof ema, b: typeof ema) =>
      Math.sqrt(
        Object.keys(a).reduce((s, k) => s + a[k]!.data.reduce((t, v, i) => t + (v - b[k]!.data[i]!) ** 2, 0), 0),
      );
    // Between the start and the end, much nearer the end: the average moved with training but smooths the last steps.
    expect(dist(ema, straight.params)).toBeGreaterThan(0);
    expect(dist(ema, straight.params)).toBeLessThan(0.5 * dist(start.params, straight.params));
    const ckpt = join(dir, 'ema.safetensors');
    await trainInWorker({ taskModule: MLP, config, steps: 20, checkpoint: { path: ckpt } }).done;
    expect(Object.keys((await loadCheckpoint(ckpt)).ema ?? {})).toHaveLength(4);
    const resumed = await trainInWorker({ taskModule: MLP, config, steps: 40, resumeFrom: ckpt }).done;
    for (const k of Object.keys(ema)) expect(Array.from(resumed.ema![k]!.data)).toEqual(Array.from(ema[k]!.data));
    const plain = await trainInWorker({ taskModule: MLP, config: adamw(0.01, 40, { stepsPerRun: 5 }), steps: 40 }).done;
    expect(plain.ema).toBeUndefined();
  });

  it('cancels between runs and leaves a checkpoint to resume from', async () => {
    const ckpt = join(dir, 'cancel.safetensors');
    let seen = 0;
    const handle = trainInWorker(
      { taskModule: MLP, config: adamw(0.01, 100000, { stepsPerRun: 5 }), steps: 100000, checkpoint: { path: ckpt } },
      {
        onProgress: () => {
          if (++seen === 3) handle.cancel();
        },
      },
    );
    const r = await handle.done;
    expect(r.cancelled).toBe(true);
    expect(r.step).toBeGreaterThanOrEqual(15);
    expect(r.step).toBeLessThan(100);
    expect((await loadCheckpoint(ckpt)).step).toBe(r.step);
    expect(Object.keys(r.params).sort()).toEqual(['b1', 'b2', 'w1', 'w2']);
  });

  it('names the missing piece when an execution provider is unavailable', async () => {
    // The CUDA provider is an optional install; on a machine that has it this test trains instead.
    const job = { taskModule: MLP, config: adamw(0.01, 10, { provider: 'cuda' as const }), steps: 10 };
    const outcome = await train(job).then(
      () => 'trained',
      (e: Error) => e.message,
    );
    if (outcome !== 'trained')
      expect(outcome).toMatch(/execution provider 'cuda' is unavailable: .*--onnxruntime-node-install=cuda12/);
  });

  it('reports a bad task module clearly', async () => {
    await expect(
      train({ taskModule: join(__dirname, 'ort-realm.ts'), config: adamw(0.01, 10), steps: 10 }),
    ).rejects.toThrow(/does not export createTask/);
  });
});
