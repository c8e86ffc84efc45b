/**
 * Sampling the base model, the way the Sample node does it:
 *
 *   [LoadModel file=tiny.safetensors] --model--> [Sample prompts, seed] --images--> grid.png
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { TINY_CONFIG } from '../../ml/dit/config';
import { initParams } from '../../ml/dit/params';
import { DiTSampler } from '../../ml/dit/sampler';
import { loadModel, roundToF16, saveModel } from '../../ml/dit/weights';
import { loadModelNode } from '../../nodes/model/load-model';
import { sampleNode } from '../../nodes/model/sample';
import { SHIPPED_WEIGHTS, type ImagesValue } from '../../nodes/model/model-value';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';

/** Random weights with the zero-initialised layers filled, so outputs depend on prompt and noise. */
function randomWeights(seed: number) {
  const w = initParams(TINY_CONFIG, seed);
  for (const data of w.values())
    for (let i = 0; i < data.length; i++) if (data[i] === 0) data[i] = 0.05 * Math.sin(i + seed);
  return w;
}

const prompts = ['red apple, noto style', 'grinning face, fluent style', 'cat'];

describe('sampling', () => {
  let ctx: TestNodeContext;
  let file: string;
  beforeAll(async () => {
    ctx = tempContext('model');
    file = path.join(ctx.root, 'tiny.safetensors');
    await saveModel(file, { config: TINY_CONFIG, weights: randomWeights(1) }, { 'modelspec.title': 'tiny test model' });
  });
  afterAll(() => ctx.cleanup());

  it('gives the same images for the same seed, whatever the batch size, and others for another seed', async () => {
    const sampler = new DiTSampler(TINY_CONFIG, randomWeights(1));
    const opts = { prompts, seed: 7, steps: 4, guidance: 3 };
    const a = await sampler.sample({ ...opts, batch: 3 });
    const b = await sampler.sample({ ...opts, batch: 2 });
    const c = await sampler.sample({ ...opts, seed: 8 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
    const heun = await sampler.sample({ ...opts, sampler: 'heun' });
    expect(heun.length).toBe(a.length);
    await sampler.release();
  });

  it('samples identically from weights saved as fp16 and loaded back', async () => {
    const loaded = await loadModel(file);
    expect(loaded.config).toEqual(TINY_CONFIG);
    expect(loaded.metadata['modelspec.title']).toBe('tiny test model');
    const before = new DiTSampler(TINY_CONFIG, roundToF16(randomWeights(1)));
    const after = new DiTSampler(loaded.config, loaded.weights);
    const opts = { prompts, seed: 3, steps: 3, guidance: 2 };
    expect(Buffer.from(await before.sample(opts)).equals(Buffer.from(await after.sample(opts)))).toBe(true);
  });

  it('LoadModel -> Sample produces a grid of 32x32 images with progress and previews, deterministic for a seed', async () => {
    const { model } = await runNode(loadModelNode, { file: 'tiny.safetensors' }, {}, ctx);
    const run = () => runNode(sampleNode, { prompts, seed: 11, steps: 4, previewEvery: 2 }, { model }, ctx);
    const first = (await run()).images as unknown as ImagesValue;
    expect(first.items).toHaveLength(3);
    expect(first.items[0]?.caption).toBe('red apple, noto style');
    const meta = await sharp(ctx.artifacts.pathOf(first.items[0]!.image)).metadata();
    expect([meta.width, meta.height]).toEqual([32, 32]);
    const grid = await sharp(ctx.artifacts.pathOf(first.grid)).metadata();
    expect(grid.width).toBeGreaterThanOrEqual(64);
    expect(ctx.progressCalls).toBeGreaterThanOrEqual(4);
    expect(ctx.previews.some((p) => p.label === 'samples')).toBe(true);
    const second = (await run()).images as unknown as ImagesValue;
    expect(second.grid.$artifact).toBe(first.grid.$artifact);
  });

  it('refuses a file that is not a model, naming it', async () => {
    const bad = path.join(ctx.root, 'bad.safetensors');
    fs.writeFileSync(bad, 'not a safetensors file at all');
    await expect(runNode(loadModelNode, { file: 'bad.safetensors' }, {}, ctx)).rejects.toThrow(/bad\.safetensors/);
    await expect(runNode(sampleNode, {}, { model: { kind: 'other' } }, ctx)).rejects.toThrow(/not a MODEL value/);
  });

  it('LoadModel without a file gives the shipped emoji model, which samples 32x32 images', async () => {
    expect(fs.existsSync(SHIPPED_WEIGHTS)).toBe(true);
    const { model } = await runNode(loadModelNode, {}, {}, ctx);
    const out = (await runNode(sampleNode, { prompts: ['red apple, noto style'], steps: 2 }, { model }, ctx))
      .images as unknown as ImagesValue;
    const meta = await sharp(ctx.artifacts.pathOf(out.items[0]!.image)).metadata();
    expect([meta.width, meta.height]).toEqual([32, 32]);
  });

  it('stops sampling when the run is cancelled', async () => {
    const { model } = await runNode(loadModelNode, { file: 'tiny.safetensors' }, {}, ctx);
    const c2 = tempContext('model');
    const progress = c2.progress;
    c2.progress = (v, m, x) => {
      c2.cancel();
      progress(v, m, x);
    };
    try {
      await expect(runNode(sampleNode, { prompts, steps: 200, batch: 1 }, { model }, c2)).rejects.toThrow(/cancelled/);
    } finally {
      c2.cleanup();
    }
  });
});
