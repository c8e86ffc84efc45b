/**
 * Several aspect-ratio buckets in one SD 1.5 run, through the real nodes on a generated tiny checkpoint:
 *
 *   LoadModel(sd15) ──────────────────────────────────────┐
 *   LoadImages ─> Caption ─> Resize(128, buckets) ─> TrainLoRA
 *
 * Two square images land in the 128x128 bucket and two 3:1 landscapes in 192x64. Both shapes are trained (each
 * batch from one bucket, latents encoded at each bucket's size), the validation loss over both falls, and a
 * cancelled run resumes with its step count and the bucket schedule where it stopped.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { segmentAt } from '../../ml/sd/train-buckets';
import { writeTinySd15 } from '../../ml/sd/tiny';
import type { JsonValue } from '../../protocol/values';
import { nodeContext, runNode, tempDataDir } from '../support/node-context';
import { cancelAtStep, prepareTraining, QUICK_SD_TRAIN, writeDisc } from './training-setup';

jest.setTimeout(900_000);

describe('the bucket schedule', () => {
  const buckets = (counts: number[], batch: number, steps: number) =>
    Array.from({ length: steps }, (_, s) => segmentAt(counts, batch, s).bucket);

  it("runs each bucket's batches of an epoch back to back, snaking so that n buckets rebuild n - 1 times an epoch", () => {
    // Batch 2: bucket 0's 3 images make 2 batches, bucket 1's 4 make 2, bucket 2's 1 makes 1; an epoch is 5 steps.
    const order = buckets([3, 4, 1], 2, 20);
    expect(order.slice(0, 5)).toEqual([0, 0, 1, 1, 2]);
    expect(order.slice(5, 10)).toEqual([2, 1, 1, 0, 0]); // the next epoch runs backwards
    expect(order.slice(10, 20)).toEqual(order.slice(0, 10));
    const rebuilds = order.slice(1).filter((b, i) => b !== order[i]).length;
    expect(rebuilds).toBe(4 * 2); // four epochs, n - 1 = 2 each
  });

  it('skips buckets without training images and says where a segment ends', () => {
    expect(segmentAt([0, 2], 1, 0)).toEqual({ bucket: 1, start: 0, end: 2 });
    expect(segmentAt([2, 1], 1, 2)).toEqual({ bucket: 1, start: 2, end: 3 });
    expect(segmentAt([2, 1], 1, 3)).toEqual({ bucket: 1, start: 3, end: 4 });
    expect(() => segmentAt([0, 0], 1, 0)).toThrow(/no bucket has training images/);
  });
});

describe('TrainLoRA on SD 1.5 with two buckets', () => {
  let dataDir: string;
  let model: JsonValue;
  let dataset: JsonValue;

  beforeAll(async () => {
    dataDir = tempDataDir('sd-buckets');
    const ctx = nodeContext(dataDir);
    await writeTinySd15(join(ctx.root, 'tiny.safetensors'), { dtype: 'F16' });
    const shapes: [number, number][] = [
      [128, 128],
      [128, 128],
      [192, 64],
      [192, 64],
    ];
    for (const [i, [w, h]] of shapes.entries()) {
      const colour = ['#c33', '#3c3', '#33c', '#cc3'][i]!;
      await writeDisc(join(ctx.root, 'shapes'), `s${i}`, { w, h, r: h / 3, colour }, `a disc ${i}`);
    }
    ({ model, dataset } = await prepareTraining(ctx, {
      family: 'sd15',
      checkpoint: 'tiny.safetensors',
      folder: 'shapes',
      trigger: 'xyz',
      resize: { resolution: 128, mode: 'buckets' },
    }));
  }, 300_000);

  const TRAIN = { ...QUICK_SD_TRAIN, steps: 6, checkpointEvery: 2, keepLast: 3, stepsPerRun: 1 };

  /** Steps trained per bucket, summed over the runs' "steps per bucket" lines. */
  const stepsPerBucket = (logs: string[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const line of logs.filter((l) => l.includes('steps per bucket:')))
      for (const [, name, n] of line.matchAll(/(\d+x\d+) (\d+)/g)) out[name!] = (out[name!] ?? 0) + Number(n);
    return out;
  };

  it('trains both bucket shapes, the loss falls, and a cancelled run resumes with its step count', async () => {
    const first = cancelAtStep(nodeContext(dataDir), 3);
    await expect(runNode(trainLoraNode, TRAIN, { model, dataset }, first)).rejects.toThrow();
    const logs1 = first.logs.join('\n');
    expect(logs1).toMatch(/4 training images at 128x128 \(2\), 192x64 \(2\)/);
    expect(logs1).toMatch(/2 buckets: 128x128 \(2 training images\), 192x64 \(2 training images\)/);
    expect(first.warnings.join('\n')).not.toMatch(/fitted/);
    // Each image's latent is encoded at its own bucket: 4x16x16 and 4x8x24 float32 values.
    const cacheDir = join(dataDir, 'state', 'sd-latent-cache');
    const sizes = readdirSync(cacheDir).map((f) => statSync(join(cacheDir, f)).size);
    expect(sizes.filter((s) => s === 4 * 16 * 16 * 4)).toHaveLength(2);
    expect(sizes.filter((s) => s === 4 * 8 * 24 * 4)).toHaveLength(2);

    const second = nodeContext(dataDir);
    const out = (await runNode(trainLoraNode, TRAIN, { model, dataset }, second)).lora as unknown as LoraValue;
    expect(second.logs.join('\n')).toMatch(/resumed from the checkpoint at step [2-5] of 6/);
    expect(second.metrics[0]!.step).toBeGreaterThan(2);
    expect(second.metrics.at(-1)!.step).toBe(6);
    expect(out).toMatchObject({ family: 'sd15', step: 6 });
    // Epoch 1: 128x128 for steps 1-2, 192x64 for 3-4; epoch 2 snakes back: 192x64 for 5-6.
    expect(stepsPerBucket([...first.logs, ...second.logs])).toEqual({ '128x128': 2, '192x64': 4 });
    const losses = [...first.metrics, ...second.metrics].map((m) => m.metrics.loss).filter(Number.isFinite);
    expect(losses.length).toBeGreaterThanOrEqual(4); // the step that saw the cancel may not report
    const val = [...first.metrics, ...second.metrics].map((m) => m.metrics.val_loss).filter(Number.isFinite);
    expect(val.length).toBeGreaterThanOrEqual(2);
    expect(val.at(-1)!).toBeLessThan(val[0]!);
  });
});
