/**
 * What the editor shows while an SD TrainLoRA works outside its steps (QA F6: it said only "running" for minutes):
 * the real engine's node.progress events carry each phase's label, in order, on a tiny generated checkpoint:
 *
 *   model(LoadModel sd15) ───────────────────────────────┐
 *   images(LoadImages) ─> cap(Caption) ─> res(Resize 64) ─> train(TrainLoRA, class prompts, samples at step 2)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { caption } from '../../nodes/dataset/caption';
import { loadImages } from '../../nodes/dataset/load-images';
import { resize } from '../../nodes/dataset/resize';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { loadModelNode } from '../../nodes/model/load-model';
import type { NodeDefinition } from '../../nodes/api';
import { writeTinySd15 } from '../../ml/sd/tiny';
import { graph, testEngine, type TestEngine } from '../engine/helpers';

jest.setTimeout(300_000);

let engine: TestEngine;
beforeAll(async () => {
  engine = testEngine([loadModelNode, loadImages, caption, resize, trainLoraNode] as NodeDefinition[]);
  await writeTinySd15(join(engine.dir, 'tiny.safetensors'), { dtype: 'F16' });
  mkdirSync(join(engine.dir, 'discs'));
  for (const i of [0, 1]) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="${20 + 16 * i}" cy="32" r="14" fill="#c33"/></svg>`;
    const png = await sharp(Buffer.from(svg)).flatten({ background: '#fff' }).png().toBuffer();
    writeFileSync(join(engine.dir, 'discs', `d${i}.png`), png);
    writeFileSync(join(engine.dir, 'discs', `d${i}.txt`), 'disc, circle\n');
  }
}, 120_000);
afterAll(() => engine.dispose());

test('an SD TrainLoRA names each phase as it starts: class images, latents, graphs, validation, sampling', async () => {
  const train = {
    steps: 2,
    rank: 4,
    alpha: 4,
    learningRate: 0.01,
    checkpointEvery: 2,
    stepsPerRun: 1,
    loraCheck: false,
    sampleEvery: 2,
    samplePrompts: ['xyz_disc, disc'],
    classPrompts: ['a circle'],
    classImages: 1,
  };
  const wf = graph(
    [
      'model:LoadModel{"family":"sd15","checkpoint":"tiny.safetensors"}',
      'images:LoadImages{"folder":"discs"}',
      'cap:Caption{"mode":"keep","trigger":"xyz_disc"}',
      'res:Resize{"resolution":64}',
      `train:TrainLoRA${JSON.stringify(train)}`,
    ],
    [
      'images.dataset -> cap.dataset',
      'cap.dataset -> res.dataset',
      'model.model -> train.model',
      'res.dataset -> train.dataset',
    ],
  );
  const run = await engine.run(wf);
  expect(run.events.find((e) => e.type === 'node.failed')).toBeUndefined();
  const progress = run.events.flatMap((e) => (e.type === 'node.progress' && e.nodeId === 'train' ? [e.progress] : []));
  const phases = progress.map((p) => p.label).filter((l, i, all) => l !== all[i - 1]);
  expect(phases).toEqual([
    'generating class images',
    'caching latents',
    'caching text embeddings',
    'building training graph',
    'building validation graph', // QA S5-F6: the validation session's build, not "validation loss" for 37 s
    'validation loss before training',
    undefined, // the steps themselves
    'checkpoint at step 2: validation loss',
    'sampling at step 2',
  ]);
  // Each phase counts its own units: 3 images' latents (2 training + 1 class), the sampler's 20 steps.
  expect(progress.filter((p) => p.label === 'caching latents').at(-1)).toMatchObject({ max: 3 });
  expect(progress.filter((p) => p.label === 'sampling at step 2').at(-1)).toMatchObject({ value: 20, max: 20 });
});
