/**
 * Gradient checkpointing of SDXL's multi-layer transformers (depths 2 and 10) one layer at a time: each layer is a
 * recompute scope of its own, listed before its block (as a 10-layer transformer recomputed whole held ten layers'
 * activations at once, most of a 1024 px step's memory), and the step's loss and gradient are those of the step
 * without checkpointing.
 */
import '../ml/autodiff/ort-realm';
import { GraphBuilder, type Tensor } from '../../ml/graph';
import { syntheticSdxlCheckpoint } from '../../ml/sd/sdxl-tiny';
import { TINY_SDXL_WIDTHS } from '../../ml/sd/sdxl-widths';
import { createSdxlLoraTask, type SdxlLoraOptions } from '../../ml/sd/sdxl-train-step';
import { recomputeScopes } from '../../ml/sd/train-step';
import { CounterRng, Trainer } from '../../ml/train';

const w = TINY_SDXL_WIDTHS;
const lookup = syntheticSdxlCheckpoint(w, 3);
const wave = (n: number, f: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f));
const options = (o: Partial<SdxlLoraOptions> = {}): SdxlLoraOptions => ({
  rank: 4,
  alpha: 4,
  batch: 1,
  prediction: 'epsilon',
  latents: [wave(4 * 64, 0.3)],
  contexts: [wave(77 * w.unet.contextDim, 0.05)],
  pooled: [wave(w.clipG.projectionDim, 0.2)],
  sizes: [{ original: [64, 64], crop: [0, 0], target: [64, 64] }],
  latentShape: [4, 8, 8],
  contextShape: [77, w.unet.contextDim],
  ...o,
});

describe('SDXL transformer layers checkpointed one at a time', () => {
  test('each layer of a multi-layer transformer is a recompute scope, listed before its block', () => {
    const task = createSdxlLoraTask(lookup, options({ checkpointing: true }));
    const g = new GraphBuilder();
    const params: Record<string, Tensor> = {};
    for (const [name, p] of Object.entries(task.initParams(new CounterRng(1))))
      params[name] = g.input(name, 'float32', p.shape);
    const batch: Record<string, Tensor> = {};
    for (const [name, s] of Object.entries(task.batchSpec)) batch[name] = g.input(name, s.dtype, s.shape);
    task.buildLoss(g, params, batch);
    const scopes = recomputeScopes(g, 0);
    const layersOf = (block: string): string[] =>
      scopes.filter((s) => s.startsWith(`${block}/tb`)).map((s) => s.slice(block.length + 1));
    expect(layersOf('unet/input_blocks_4_1')).toEqual(['tb0', 'tb1']);
    expect(layersOf('unet/middle_block_1')).toEqual(Array.from({ length: 10 }, (_, i) => `tb${i}`));
    expect(scopes.indexOf('unet/middle_block_1/tb9')).toBeLessThan(scopes.indexOf('unet/middle_block_1'));
    expect(layersOf('unet/input_blocks_1_0')).toEqual([]); // ResBlocks have no layers
  });

  test('gives the loss and gradient of the step without checkpointing', async () => {
    const step = async (checkpointing: boolean) => {
      const t = await Trainer.create(createSdxlLoraTask(lookup, options({ checkpointing, checkpointMinValues: 0 })), {
        seed: 5,
        optimizer: { kind: 'adamw', weightDecay: 0 },
        schedule: { kind: 'constant', lr: 1e-2, totalSteps: 10 },
      });
      const r = await t.train(2);
      await t.release();
      return { losses: r.flatMap((x) => x.losses), norms: r.flatMap((x) => x.gradNorms) };
    };
    const [kept, recomputed] = [await step(false), await step(true)];
    for (let i = 0; i < 2; i++) {
      expect(recomputed.losses[i]).toBeCloseTo(kept.losses[i]!, 5);
      expect(Math.abs(recomputed.norms[i]! - kept.norms[i]!) / kept.norms[i]!).toBeLessThan(1e-4);
    }
  }, 600_000);
});
