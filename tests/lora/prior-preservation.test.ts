/**
 * Prior preservation and the text-encoder rate, as a user sets them on TrainLoRA:
 *
 *   tiny model ─┬─────────────────────────────┐
 *   dataset ────┴─> TrainLoRA (classPrompts ["[captions]"] | regularization: LoadImages on kohya's reg/1_cat/)
 *
 * class images generated once by the base model and then served from their cache; kohya's reg layout read (the
 * folder's class as the caption); batches mixing them with their loss weight; the trigger word dropped from a share
 * of captions; the text encoder's adapters moving faster with their own learning rate.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../ml/train/checkpoint';
import { Trainer } from '../../ml/train/trainer';
import { createLoraTask } from '../../ml/lora/task';
import { loadModel } from '../../ml/dit/weights';
import { linearModules } from '../../ml/dit/params';
import { CounterRng } from '../../ml/train/rng';
import { drawBatch, withoutWord, type FeedSpec } from '../../ml/lora/feed';
import { loadImages } from '../../nodes/dataset/load-images';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { expandClassPrompts, regCaption } from '../../nodes/lora/reg-images';
import { listCheckpoints } from '../../ml/lora/checkpoints';
import { TINY_CONFIG } from '../../ml/dit/config';
import { readLora } from '../../ml/lora/file';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { renderExample } from '../../scripts/examples/emoji-examples';
import { nodeContext } from '../support/node-context';
import { prepare, runNode, TINY_TRAIN, type Prepared } from './setup';

jest.setTimeout(120_000);

let p: Prepared;
beforeAll(async () => {
  p = await prepare(10);
});
afterAll(() => rmSync(p.dataDir, { recursive: true, force: true }));

const quick = { ...TINY_TRAIN, steps: 10, sampleEvery: 0, checkpointEvery: 10, loraCheck: false };

describe('prior preservation', () => {
  it('generates class images from the captions without the trigger once, then reuses them from the cache', async () => {
    const first = nodeContext(p.dataDir);
    await runNode(
      trainLoraNode,
      { ...quick, classPrompts: ['[captions]'] },
      { model: p.model, dataset: p.dataset },
      first,
    );
    expect(first.logs.join('\n')).toMatch(/generating 10 class image\(s\) with the base model/);
    expect(first.logs.join('\n')).toMatch(/prior preservation: 10 class image\(s\) .*prior-loss weight 1/);
    const again = nodeContext(p.dataDir);
    const params = { ...quick, classPrompts: ['[captions]'], priorLossWeight: 0.5 };
    await runNode(trainLoraNode, params, { model: p.model, dataset: p.dataset }, again);
    expect(again.logs.join('\n')).not.toMatch(/generating/);
    expect(again.logs.join('\n')).toMatch(/prior-loss weight 0.5/);
  });

  it("reads kohya's reg folder: <repeats>_<class>/ images without captions are captioned with the class", async () => {
    const dir = join(p.dataDir, 'root', 'reg', '2_cat');
    mkdirSync(dir, { recursive: true });
    for (const cp of ['1f431', '1f408'])
      writeFileSync(join(dir, `${cp}.png`), (await renderExample('noto', cp, 64)).png);
    const ctx = nodeContext(p.dataDir);
    const reg = await runNode(loadImages, { folder: 'reg' }, {}, ctx);
    await runNode(trainLoraNode, quick, { model: p.model, dataset: p.dataset, regularization: reg.dataset }, ctx);
    expect(ctx.logs.join('\n')).toMatch(/prior preservation: 2 class image\(s\) \(4 with repeats\)/);
    expect(regCaption({ id: '2_cat/1f431.png', caption: '' })).toBe('cat');
    expect(regCaption({ id: '2_cat/1f431.png', caption: 'a cat' })).toBe('a cat');
  });

  it('class prompts: "[captions]" stands for the training captions without the trigger', () => {
    expect(
      expandClassPrompts(['[captions]', 'xyz_style, dog'], ['xyz_style, red apple', 'xyz_style, cat'], 'xyz_style'),
    ).toEqual(['red apple', 'cat', 'dog']);
  });

  it('mixes about half of each batch from the class images, with their loss weight; trigger dropout drops only the word', () => {
    const px = 32 * 32 * 3;
    const feed: FeedSpec = {
      images: new Uint8Array(4 * px),
      size: 32,
      captions: ['xyz_style, red apple', 'xyz_style, cat', 'apple', 'cat'],
      indices: [0, 1],
      regIndices: [2, 3],
      priorWeight: 0.25,
      batch: 60,
      textLength: 24,
      captionDropout: 0,
      triggerDropout: 0.5,
      trigger: 'xyz_style',
      shuffleTags: false,
      keepTokens: 1,
      dropout: 0,
    };
    const b = drawBatch(feed, new CounterRng(3));
    const reg = [...b.w!].filter((w) => w === 0.25).length;
    expect(reg).toBeGreaterThan(18);
    expect(reg).toBeLessThan(42);
    expect([...b.w!].every((w) => w === 1 || w === 0.25)).toBe(true);
    expect(withoutWord('xyz_style, red apple', 'xyz_style')).toBe('red apple');
    expect(withoutWord('red apple, xyz_style style', 'xyz_style')).toBe('red apple, style');
  });
});

describe('prior target "base model" (distillation)', () => {
  // A fresh LoRA changes nothing, so with the base model's own prediction as their target the regularisation slots
  // add no loss at the first step: the loss is the one without them (prior weight 0); with their images as the
  // target (kohya) they add their own error.
  it('holds regularisation samples to the base model: at a fresh LoRA they add no loss', async () => {
    const model = await loadModel(join(p.dataDir, 'root', 'tiny.safetensors'));
    const px = 32 * 32 * 3;
    const images = new Uint8Array(4 * px);
    for (let i = 0; i < images.length; i++) images[i] = (i * 37 + (i >> 7)) % 256;
    const firstLoss = async (priorWeight: number, priorTarget: 'images' | 'base model') => {
      const task = createLoraTask(
        {
          targets: linearModules(model.config)
            .filter((m) => /cross\.(k|v)$/.test(m.name))
            .map((m) => m.name),
          rank: 2,
          alpha: 2,
          dropout: 0,
          images,
          captions: ['xyz_style, red apple', 'xyz_style, cat', 'red apple', 'cat'],
          trainIndices: [0, 1],
          regIndices: [2, 3],
          priorWeight,
          priorTarget,
          batch: 8,
          captionDropout: 0,
          shuffleTags: false,
          keepTokens: 1,
        },
        model,
      );
      const trainer = await Trainer.create(task, {
        seed: 1,
        optimizer: { kind: 'adamw' },
        schedule: { kind: 'constant', lr: 0.001, totalSteps: 1 },
        stepsPerRun: 1,
        threads: 1,
      });
      const [r] = await trainer.train(1);
      await trainer.release();
      return r!.losses[0]!;
    };
    const without = await firstLoss(0, 'images');
    expect(await firstLoss(5, 'base model')).toBeCloseTo(without, 5);
    expect(await firstLoss(5, 'images')).toBeGreaterThan(1.5 * without);
  });

  it('"base model, training images" holds the training images under their captions without the trigger to the base model', async () => {
    const ctx = nodeContext(p.dataDir);
    const params = { ...quick, priorTarget: 'base model, training images' };
    await runNode(trainLoraNode, params, { model: p.model, dataset: p.dataset }, ctx);
    expect(ctx.logs.join('\n')).toMatch(
      /prior preservation: 10 class image\(s\) .*target: base model, training images/,
    );
  });
});

describe('text-encoder LoRA', () => {
  const teNorm = async (dir: string) => {
    const last = listCheckpoints(dir).at(-1)!;
    const data = await loadCheckpoint(last.path);
    let s = 0;
    for (const [name, t] of Object.entries(data.params))
      if (name.startsWith('text.') && name.endsWith('lora_up')) for (const v of t.data) s += v * v;
    return Math.sqrt(s);
  };

  it('its own learning rate moves the text encoder adapters faster, and the file records it', async () => {
    const run = async (textEncoderLr: number) => {
      const ctx = nodeContext(p.dataDir);
      const out = await runNode(
        trainLoraNode,
        { ...quick, targets: 'attention+mlp+text', textEncoderLr, learningRate: 0.001 },
        { model: p.model, dataset: p.dataset },
        ctx,
      );
      const dir = /state in (\S+)/.exec(ctx.logs.join('\n'))![1]!;
      const lora = await readLora(ctx.artifacts.pathOf((out.lora as LoraValue).artifact), TINY_CONFIG);
      return { dir, recorded: lora.metadata.ss_text_encoder_lr };
    };
    const same = await run(0);
    const faster = await run(0.01);
    // The trained parameters are (down, up) / 10 for the text encoder: compare what the model uses, 10x them.
    expect((await teNorm(faster.dir)) * 10).toBeGreaterThan(3 * (await teNorm(same.dir)));
    expect([same.recorded, faster.recorded]).toEqual(['0.001', '0.01']);
  });
});
