/**
 * TrainLoRA as a user meets it:
 *
 *   tiny model ─┐
 *   dataset ────┴─> TrainLoRA ─> lora, best, checkpoints
 *
 * metrics and checkpoints while training, resume after an interruption continuing the step count, raising the
 * steps continues from the last checkpoint, and impossible settings refused with messages naming the parameter.
 */
import { rmSync } from 'node:fs';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { nodeContext } from '../support/node-context';
import { prepare, runNode, TINY_TRAIN, type Prepared } from './setup';

jest.setTimeout(120_000);

let p: Prepared;
beforeAll(async () => {
  p = await prepare(10);
});
afterAll(() => rmSync(p.dataDir, { recursive: true, force: true }));

const inputs = () => ({ model: p.model, dataset: p.dataset });

describe('TrainLoRA', () => {
  it('streams per-step metrics, warns before starting, keeps the last checkpoints plus the best, resumes after a cancel', async () => {
    const first = nodeContext(p.dataDir);
    let cancelledAt = 0;
    const progress = first.progress.bind(first);
    first.progress = (value, max, metrics) => {
      progress(value, max, metrics);
      if (value >= 10 && cancelledAt === 0) {
        cancelledAt = value;
        first.cancel(); // the worker checkpoints and stops after its current run
      }
    };
    await expect(runNode(trainLoraNode, TINY_TRAIN, inputs(), first)).rejects.toThrow();
    expect(first.metrics[0]!.step).toBe(1);
    expect(Object.keys(first.metrics[0]!.metrics).sort()).toEqual([
      'eta_s',
      'it_s',
      'loss',
      'loss_smooth',
      'lr',
      'val_loss',
    ]);
    // 10 images is the style minimum; the trigger is in every caption: no warning about either.
    expect(first.warnings.join('\n')).not.toMatch(/at least|trigger/);
    expect(first.logs.join('\n')).toMatch(/20 steps at batch 2 = 4\.0 epochs of 10 image\(s\)/);

    const second = nodeContext(p.dataDir);
    const out = await runNode(trainLoraNode, TINY_TRAIN, inputs(), second);
    expect(second.logs.join('\n')).toMatch(/resumed from the checkpoint at step (10|15) of 20/);
    expect(second.metrics[0]!.step).toBeGreaterThan(10); // the step count continues, it does not restart at 1
    expect(second.metrics.at(-1)!.step).toBe(20);
    const lora = out.lora as LoraValue;
    expect(lora.step).toBe(20);
    const steps = (out.checkpoints as LoraValue[]).map((c) => c.step);
    expect(steps.slice(-2)).toEqual([15, 20]); // the last two, plus the best when it is older
    expect(steps.length).toBeLessThanOrEqual(3);
    // The LoRA check ran at the end and chose the best of the kept checkpoints, at a strength it checked.
    const best = out.best as LoraValue;
    expect(steps).toContain(best.step);
    expect([0.7, 1]).toContain(best.strength);
    expect(second.logs.join('\n')).toMatch(/LoRA check \(\d+ images in \d+ s\) on 8 prompts/);
    expect(second.logs.join('\n')).toMatch(/step 20 @ 1: effect [\d.]+ .*bleeding [\d.]+ .*subject survival \d+%/);
    expect(second.previews.some((p) => p.label?.startsWith('LoRA check'))).toBe(true);
    expect(second.previews.some((p) => p.label === 'step 20')).toBe(true);
    expect([...second.logs, ...second.warnings].join('\n')).toMatch(/loss curve: .*Suggested action: /);
  });

  it('raising only the steps continues from the last checkpoint', async () => {
    const ctx = nodeContext(p.dataDir);
    const out = await runNode(trainLoraNode, { ...TINY_TRAIN, steps: 30, loraCheck: false }, inputs(), ctx);
    expect(ctx.logs.join('\n')).toMatch(/resumed from the checkpoint at step 20 of 30/);
    expect(ctx.metrics[0]!.step).toBe(21);
    expect((out.lora as LoraValue).step).toBe(30);
    // Without the check the best is the lowest validation loss.
    const losses = (out.checkpoints as LoraValue[]).map((c) => c.valLoss!);
    expect((out.best as LoraValue).valLoss).toBe(Math.min(...losses));
    expect(ctx.logs.join('\n')).not.toMatch(/LoRA check \(\d+ images/);
  });

  it('warns when the dataset is too small, the trigger is missing, or the steps are far beyond the guide', async () => {
    const small = await prepare(4, '');
    const ctx = nodeContext(small.dataDir);
    try {
      const stopAtOnce = { ...ctx, progress: () => ctx.cancel() };
      await expect(
        runNode(
          trainLoraNode,
          { ...TINY_TRAIN, steps: 5000 },
          { model: small.model, dataset: small.dataset },
          stopAtOnce,
        ),
      ).rejects.toThrow();
    } finally {
      rmSync(small.dataDir, { recursive: true, force: true });
    }
    const text = ctx.warnings.join('\n');
    expect(text).toMatch(/only 4 image\(s\): a style LoRA needs at least 10/);
    expect(text).toMatch(/no trigger word/);
    expect(text).toMatch(/5000 steps is far beyond the guide's/);
  });

  it.each([
    [{ steps: -5 }, 'steps', /steps must be 0 .* or a positive whole number, got -5/],
    [{ rank: 0 }, 'rank', /rank must be a whole number of at least 1, got 0/],
    [{ alpha: 0 }, 'alpha', /alpha must be greater than 0/],
    [{ learningRate: -1 }, 'learningRate', /learning rate must be a positive number/],
  ])('refuses %j naming the parameter', async (params, param, message) => {
    const ctx = nodeContext(p.dataDir);
    await expect(runNode(trainLoraNode, { ...TINY_TRAIN, ...params }, inputs(), ctx)).rejects.toMatchObject({
      param,
      message: expect.stringMatching(message),
    });
  });
});
