import '../ml/autodiff/ort-realm';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { gradients } from '../../ml/autodiff';
import { GraphBuilder } from '../../ml/graph';
import { createUnetLoraTask } from '../../ml/sd/train-step';
import { syntheticSdCheckpoint } from '../../ml/sd/tiny';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { CounterRng } from '../../ml/train';

// End-to-end check of the backward pass through every SD block (GroupNorm on groups, ResBlocks, chunked
// attention, GEGLU, upsampling, skip concats, the schedule's gathers): the LoRA gradient of the tiny UNet's loss
// against a central finite difference along a random direction, in float32.
const wave = (n: number, f: number, phase = 0): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * f + phase));

test('the UNet LoRA gradient matches a finite difference along a random direction', async () => {
  const task = createUnetLoraTask(syntheticSdCheckpoint(TINY_SD15_WIDTHS, 11), {
    ...{ rank: 2, alpha: 2, batch: 1, prediction: 'v', minSnrGamma: 5, checkpointing: true },
    ...{ latents: [wave(4 * 64, 0.3)], contexts: [wave(77 * 64, 0.05)], unet: { maxScores: 8 * 32 * 64 } },
    ...{ latentShape: [4, 8, 8], contextShape: [77, 64] },
  });
  const rng = new CounterRng(2);
  const init = task.initParams(rng);
  const names = Object.keys(init);
  const g = new GraphBuilder({ name: 'unet_fd' });
  const inputs = names.map((n, i) => g.input(`p${i}`, 'float32', init[n]!.shape));
  const batchSpec = Object.entries(task.batchSpec);
  const batch = Object.fromEntries(batchSpec.map(([k, v]) => [k, g.input(k, v.dtype, v.shape)]));
  const loss = task.buildLoss(g, Object.fromEntries(names.map((n, i) => [n, inputs[i]!])), batch);
  const grads = gradients(g, loss, inputs, { recompute: task.recompute?.(g) });
  g.output(loss, 'loss');
  // grad · d for a random direction d (the up matrices start at zero: give them values so every path is live).
  const dirs = names.map((n) => rng.fillNormal(new Float32Array(init[n]!.data.length)));
  const dot = g.sum(grads.map((d, i) => g.reduceSum(g.mul(d, g.constant(dirs[i]!, init[names[i]!]!.shape)))));
  g.output(dot, 'dot');
  const s = await g.createSession();
  const b = task.nextBatch(rng, 0);
  const base = names.map((n) => rng.fillNormal(new Float32Array(init[n]!.data.length), 0.05));
  const feeds = (h: number): Record<string, OrtTensor> => {
    const f: Record<string, OrtTensor> = {};
    names.forEach((n, i) => {
      const v = base[i]!.map((x, j) => x + h * dirs[i]![j]!);
      f[`p${i}`] = new OrtTensor('float32', v, [...init[n]!.shape]);
    });
    for (const [k, spec] of batchSpec)
      f[k] = new OrtTensor(spec.dtype as 'float32', b[k] as Float32Array, [...spec.shape]);
    return f;
  };
  const at = async (h: number) => {
    const r = await s.run(feeds(h));
    return { loss: Number(r.loss!.data[0]), dot: Number(r.dot!.data[0]) };
  };
  const h = 1e-3; // the loss is strongly curved along d: at 1e-2 the difference is 6% off, at 1e-3 0.1%
  const [plus, minus, zero] = [await at(h), await at(-h), await at(0)];
  const numeric = (plus.loss - minus.loss) / (2 * h);
  expect(Math.abs(zero.dot)).toBeGreaterThan(1e-3);
  expect(Math.abs(zero.dot - numeric) / Math.abs(numeric)).toBeLessThan(1e-2);
  await s.release();
}, 120_000);
