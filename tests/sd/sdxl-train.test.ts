/**
 * SDXL UNet LoRA training on the tiny SDXL model: kohya's 722-module set, the loss falling over AdamW steps with
 * each image's own size/crop conditioning in the batch, and the trained parameters named by kohya key.
 */
import '../ml/autodiff/ort-realm';
import { Trainer } from '../../ml/train';
import { syntheticSdxlCheckpoint } from '../../ml/sd/sdxl-tiny';
import { SDXL_WIDTHS, TINY_SDXL_WIDTHS } from '../../ml/sd/sdxl-widths';
import { createSdxlLoraTask, sdxlUnetLoraModules, type SdxlLoraOptions } from '../../ml/sd/sdxl-train-step';
import { sizeEmbedding } from '../../ml/sd/sdxl-cond';
import { CounterRng } from '../../ml/train/rng';

const w = TINY_SDXL_WIDTHS;
const lookup = syntheticSdxlCheckpoint(w, 3);
const wave = (n: number, f: number, phase = 0): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * f + phase));

const options = (o: Partial<SdxlLoraOptions> = {}): SdxlLoraOptions => ({
  rank: 4,
  alpha: 4,
  batch: 2,
  prediction: 'epsilon',
  latents: [wave(4 * 64, 0.3), wave(4 * 64, 0.17, 1)],
  contexts: [wave(77 * w.unet.contextDim, 0.05), wave(77 * w.unet.contextDim, 0.07, 2)],
  pooled: [wave(w.clipG.projectionDim, 0.2), wave(w.clipG.projectionDim, 0.3, 1)],
  sizes: [
    { original: [96, 64], crop: [16, 0], target: [64, 64] }, // a portrait image centre-cropped into a square bucket
    { original: [64, 64], crop: [0, 0], target: [64, 64] },
  ],
  latentShape: [4, 8, 8],
  contextShape: [77, w.unet.contextDim],
  ...o,
});

describe('SDXL UNet LoRA', () => {
  test("adapts kohya's 722 UNet modules at full size, all Linear", () => {
    const mods = sdxlUnetLoraModules(SDXL_WIDTHS);
    expect(mods).toHaveLength(722);
    expect(mods.every((m) => m.kernel === undefined)).toBe(true);
  });

  test("each batch row carries its own image's pooled embedding and size/crop sinusoids", () => {
    const o = options({ batch: 4 });
    const task = createSdxlLoraTask(lookup, o);
    const batch = task.nextBatch(new CounterRng(1), 0);
    const y = batch.y as Float32Array;
    const x0 = batch.x0 as Float32Array;
    const dim = w.unet.admInChannels;
    for (let i = 0; i < 4; i++) {
      const k = x0[i * 256] === o.latents[0]![0] && x0[i * 256 + 1] === o.latents[0]![1] ? 0 : 1;
      expect(Array.from(y.subarray(i * dim, i * dim + 64))).toEqual(Array.from(o.pooled![k]!));
      expect(Array.from(y.subarray(i * dim + 64, (i + 1) * dim))).toEqual(Array.from(sizeEmbedding(o.sizes[k]!)));
    }
  });

  test("the loss falls below the frozen model's on the same noise and timesteps", async () => {
    // The same seed draws the same batches, noise and timesteps whatever the rate: lr 0 is the frozen model.
    const losses = async (lr: number): Promise<number[]> => {
      const t = await Trainer.create(createSdxlLoraTask(lookup, options()), {
        seed: 5,
        optimizer: { kind: 'adamw', weightDecay: 0 },
        schedule: { kind: 'constant', lr, totalSteps: 100 },
        stepsPerRun: 4,
      });
      const out = (await t.train(16)).flatMap((r) => r.losses);
      await t.release();
      return out;
    };
    const trained = await losses(3e-2);
    const frozen = await losses(0);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(trained.every(Number.isFinite)).toBe(true);
    expect(trained[0]).toBeCloseTo(frozen[0]!, 5); // zero-initialised up: the first step is the base model's
    expect(mean(trained.slice(-6))).toBeLessThan(0.9 * mean(frozen.slice(-6)));
  }, 600_000);
});
