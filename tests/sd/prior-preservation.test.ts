/**
 * Prior preservation on SD 1.5 and SDXL, as a user wires it, through the real nodes on generated tiny checkpoints:
 *
 *   LoadModel(sd15 | sdxl) ─────────────────────────────────────────────┐
 *   LoadImages ─> Caption ─> Resize(128, buckets) ─> TrainLoRA (classPrompts | regularization: LoadImages on
 *                                                    kohya's reg/2_cat/)
 *
 * The dataset has two buckets (128x128 and 192x64). Class images from kohya's reg folder are captioned with their
 * folder's class, counted with their repeats in the run and in the file (ss_num_reg_images), and change the
 * training loss against the same run without them; the square class images train in the square bucket and the
 * landscape bucket borrows them. Class images the base model draws from class prompts are drawn at the training
 * buckets' sizes (one for each bucket here), cached, and a second run reuses them without drawing again; a resumed run mixes the same batches. A reg folder whose images have no class
 * is refused naming the parameter. On SDXL both sources train together.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readSafetensors } from '../../ml/safetensors';
import { examplePicker } from '../../ml/sd/prior-mix';
import { writeTinySd15 } from '../../ml/sd/tiny';
import { writeTinySdxl } from '../../ml/sd/sdxl-tiny';
import { CounterRng } from '../../ml/train/rng';
import { caption } from '../../nodes/dataset/caption';
import { loadImages } from '../../nodes/dataset/load-images';
import { resize } from '../../nodes/dataset/resize';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import type { JsonValue } from '../../protocol/values';
import { datasetValue, readDataset } from '../../nodes/dataset/dataset-value';
import { nodeContext, runNode, tempDataDir, type TestNodeContext } from '../support/node-context';
import { prepareTraining, QUICK_SD_TRAIN, writeDisc } from './training-setup';

jest.setTimeout(600_000);

const TRAIN = { ...QUICK_SD_TRAIN, steps: 3, batch: 2, checkpointEvery: 3, keepLast: 1, stepsPerRun: 1 };

/** A data folder with a tiny checkpoint, a two-bucket dataset (2 squares, 2 landscapes) and kohya reg folders. */
async function setup(family: 'sd15' | 'sdxl') {
  const dataDir = tempDataDir(`sd-prior-${family}`);
  const ctx = nodeContext(dataDir);
  const file = join(ctx.root, 'tiny.safetensors');
  await (family === 'sd15' ? writeTinySd15(file, { dtype: 'F16' }) : writeTinySdxl(file, { dtype: 'F16' }));
  const shapes: [number, number][] =
    family === 'sd15'
      ? [
          [128, 128],
          [128, 128],
          [192, 64],
          [192, 64],
        ]
      : [
          [128, 128],
          [128, 128],
        ];
  for (const [i, [w, h]] of shapes.entries()) {
    const colour = ['#c33', '#3c3', '#33c', '#cc3'][i]!;
    await writeDisc(join(ctx.root, 'shapes'), `s${i}`, { w, h, r: h / 3, colour }, `xyz, a disc ${i}`);
  }
  const square = (colour: string) => ({ w: 128, h: 128, r: 128 / 3, colour });
  for (const [i, fill] of ['#888', '#444'].entries())
    await writeDisc(join(ctx.root, 'reg', '2_cat'), `c${i}`, square(fill));
  await writeDisc(join(ctx.root, 'badreg'), 'loose', square('#000'));
  const { model, dataset } = await prepareTraining(ctx, {
    family,
    checkpoint: 'tiny.safetensors',
    folder: 'shapes',
    trigger: 'xyz',
    resize: { resolution: 128, mode: 'buckets' },
  });
  const loaded = await runNode(loadImages, { folder: 'shapes' }, {}, ctx);
  const captioned = await runNode(caption, { mode: 'keep', trigger: 'xyz' }, { dataset: loaded.dataset }, ctx);
  const regSet = (await runNode(loadImages, { folder: 'reg' }, {}, ctx)).dataset!;
  const badSet = (await runNode(loadImages, { folder: 'badreg' }, {}, ctx)).dataset!;
  // The squares alone: one bucket, for the runs that need no second one.
  const squares = (
    await runNode(resize, { resolution: 128, mode: 'buckets' }, { dataset: only(captioned.dataset!, 2) }, ctx)
  ).dataset!;
  return { dataDir, model, dataset, squares, regSet, badSet };
}

/** The dataset's first n items. */
function only(dataset: JsonValue, n: number): JsonValue {
  const ds = readDataset(dataset);
  return datasetValue({ ...ds, items: ds.items.slice(0, n) });
}

/** A run's training losses and first validation loss. */
const losses = (ctx: TestNodeContext) => ({
  train: ctx.metrics.map((m) => m.metrics.loss).filter((x): x is number => Number.isFinite(x)),
  // The validation loss before the first step rides on the first step's metrics.
  val0: ctx.metrics[0]?.metrics.val_loss,
});

describe('the mix of class examples in a batch', () => {
  it('draws about half of the slots from the class examples, weighted, the same for the same rng state', () => {
    const draw = (seed: number) => {
      const rng = new CounterRng(seed);
      const pick = examplePicker(10, 400, { regFrom: 6, weight: 0.25 });
      const ks = Array.from({ length: 400 }, () => pick.draw(rng));
      return { ks, w: pick.weights().w! };
    };
    const { ks, w } = draw(7);
    const reg = ks.filter((k) => k >= 6).length;
    expect(reg).toBeGreaterThan(160);
    expect(reg).toBeLessThan(240);
    expect(ks.every((k, i) => (k >= 6 ? w[i] === 0.25 : w[i] === 1))).toBe(true);
    expect(draw(7).ks).toEqual(ks);
    // Without class examples the draws are exactly the plain ones (runs without prior preservation are unchanged).
    const plain = examplePicker(10, 5, undefined);
    const a = new CounterRng(3);
    const b = new CounterRng(3);
    expect(Array.from({ length: 5 }, () => plain.draw(a))).toEqual(Array.from({ length: 5 }, () => b.int(10)));
    expect(plain.weights()).toEqual({});
  });
});

describe('TrainLoRA on SD 1.5 with prior preservation, two buckets', () => {
  let s: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    s = await setup('sd15');
  }, 300_000);

  it("trains kohya's reg folder beside the dataset: counted with repeats, borrowed by the other bucket, the loss differs", async () => {
    const plain = nodeContext(s.dataDir, { inputsKey: 'plain' });
    await runNode(trainLoraNode, TRAIN, { model: s.model, dataset: s.dataset }, plain);
    const withReg = nodeContext(s.dataDir, { inputsKey: 'with-reg' });
    const out = await runNode(
      trainLoraNode,
      TRAIN,
      { model: s.model, dataset: s.dataset, regularization: s.regSet },
      withReg,
    );
    const logs = withReg.logs.join('\n');
    expect(logs).toMatch(
      /prior preservation: 2 class image\(s\) \(4 with repeats\), prior-loss weight 1, about half of each batch; 192x64 had none of its own and borrow them all/,
    );
    // 4 training images + 2 class images in 128x128 + the same 2 fitted into 192x64, and 4 + 1 ("cat") captions.
    expect(logs).toMatch(/latent cache: \d+ hit\(s\), \d+ encoded \(8 images, 8 captions\)/);
    expect(withReg.warnings.join('\n')).not.toMatch(/not available|not used/);
    const file = await readSafetensors(withReg.artifacts.pathOf((out.lora as unknown as LoraValue).artifact));
    expect(file.metadata).toMatchObject({
      ss_num_reg_images: '4',
      ss_prior_loss_weight: '1',
      ss_num_train_images: '4',
    });
    // The same start (validation on the same training images) and different training batches.
    const a = losses(plain);
    const b = losses(withReg);
    expect(b.val0).toBeCloseTo(a.val0!, 5);
    expect(b.train).toHaveLength(3);
    expect(b.train).not.toEqual(a.train);
  });

  it('draws class images from class prompts with the base model once, and a second run reuses them', async () => {
    const params = { ...TRAIN, steps: 2, classPrompts: ['a photo of a cat'], classImages: 2 };
    const first = nodeContext(s.dataDir, { inputsKey: 'drawn' });
    await runNode(trainLoraNode, params, { model: s.model, dataset: s.squares }, first);
    expect(first.logs.join('\n')).toMatch(/generating 2 class image\(s\) at 128x128 with the base model/);
    const dir = join(s.dataDir, 'state', 'sd-class-images');
    const pngs = readdirSync(dir).filter((f) => f.endsWith('.png'));
    expect(pngs).toHaveLength(2);
    const mtimes = pngs.map((f) => statSync(join(dir, f)).mtimeMs);
    const meta = await sharp(join(dir, pngs[0]!)).metadata();
    expect([meta.width, meta.height]).toEqual([128, 128]);

    const second = nodeContext(s.dataDir, { inputsKey: 'drawn-again' });
    await runNode(trainLoraNode, { ...params, priorLossWeight: 0.5 }, { model: s.model, dataset: s.squares }, second);
    const logs = second.logs.join('\n');
    expect(logs).not.toMatch(/generating/);
    expect(logs).toMatch(
      /prior preservation: 2 class image\(s\) \(2 with repeats, 2 drawn by the base model\), prior-loss weight 0.5/,
    );
    // Nothing was drawn or encoded again: the PNGs are untouched and every latent and caption came from the cache.
    expect(readdirSync(dir).filter((f) => f.endsWith('.png'))).toEqual(pngs);
    expect(pngs.map((f) => statSync(join(dir, f)).mtimeMs)).toEqual(mtimes);
    expect(logs).toMatch(/latent cache: \d+ hit\(s\), 0 encoded/);
  });

  it("draws class images at the training buckets' sizes, spread as the training images are: no bucket borrows", async () => {
    const dir = join(s.dataDir, 'state', 'sd-class-images');
    const before = new Set(existsSync(dir) ? readdirSync(dir) : []);
    const ctx = nodeContext(s.dataDir, { inputsKey: 'drawn-buckets' });
    const params = { ...TRAIN, steps: 2, classPrompts: ['a photo of a dog'], classImages: 2 };
    await runNode(trainLoraNode, params, { model: s.model, dataset: s.dataset }, ctx);
    const logs = ctx.logs.join('\n');
    // 2 squares and 2 landscapes in training: one class image drawn for each bucket, at its own size.
    expect(logs).toMatch(/generating 2 class image\(s\) at 128x128 \(1\), 192x64 \(1\) with the base model/);
    expect(logs).toMatch(/prior preservation: 2 class image\(s\) \(2 with repeats, 2 drawn by the base model\)/);
    expect(logs).not.toMatch(/borrow/);
    const drawn = readdirSync(dir).filter((f) => f.endsWith('.png') && !before.has(f));
    const sizes = await Promise.all(drawn.map(async (f) => (await sharp(join(dir, f)).metadata()).width));
    expect(sizes.sort()).toEqual([128, 192]);
    // 4 training images + one class image in each bucket, each with its caption.
    expect(logs).toMatch(/latent cache: \d+ hit\(s\), \d+ encoded \(6 images, 6 captions\)/);
  });

  it("a resumed run mixes the same batches: raising the steps gives the uninterrupted run's LoRA", async () => {
    const params = { ...TRAIN, steps: 4, checkpointEvery: 2, keepLast: 2, schedule: 'constant' };
    const inputs = { model: s.model, dataset: s.squares, regularization: s.regSet };
    const whole = nodeContext(s.dataDir, { inputsKey: 'resume-whole' });
    const a = (await runNode(trainLoraNode, params, inputs, whole)).lora as unknown as LoraValue;
    await runNode(
      trainLoraNode,
      { ...params, steps: 2 },
      inputs,
      nodeContext(s.dataDir, { inputsKey: 'resume-split' }),
    );
    const rest = nodeContext(s.dataDir, { inputsKey: 'resume-split' });
    const b = (await runNode(trainLoraNode, params, inputs, rest)).lora as unknown as LoraValue;
    expect(rest.logs.join('\n')).toMatch(/resumed from the checkpoint at step 2 of 4/);
    expect(rest.metrics.map((m) => m.metrics.loss)).toEqual(whole.metrics.slice(2).map((m) => m.metrics.loss));
    const ta = (await readSafetensors(whole.artifacts.pathOf(a.artifact))).tensors;
    const tb = (await readSafetensors(rest.artifacts.pathOf(b.artifact))).tensors;
    let diff = 0;
    let norm = 0;
    for (const [name, t] of ta) {
      const u = tb.get(name)!.data as Float32Array;
      (t.data as Float32Array).forEach((v, i) => {
        diff = Math.max(diff, Math.abs(v - u[i]!));
        norm = Math.max(norm, Math.abs(v));
      });
    }
    expect(norm).toBeGreaterThan(0);
    expect(diff).toBeLessThanOrEqual(1e-6 * norm);
  });

  it('refuses a reg folder whose images have no class, naming the parameter and the file', async () => {
    const ctx = nodeContext(s.dataDir, { inputsKey: 'bad' });
    const run = runNode(trainLoraNode, TRAIN, { model: s.model, dataset: s.dataset, regularization: s.badSet }, ctx);
    await expect(run).rejects.toMatchObject({
      name: 'NodeUserError',
      param: 'regularization',
      message: expect.stringMatching(/no caption and are not in a kohya <repeats>_<class>\/ folder.*loose\.png/),
    });
    const distill = runNode(
      trainLoraNode,
      { ...TRAIN, priorTarget: 'base model' },
      { model: s.model, dataset: s.dataset, regularization: s.regSet },
      ctx,
    );
    await expect(distill).rejects.toMatchObject({
      param: 'priorTarget',
      message: expect.stringMatching(/built-in emoji model only, not for SD 1\.5/),
    });
  });
});

describe('TrainLoRA on SDXL with prior preservation', () => {
  let s: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    s = await setup('sdxl');
  }, 300_000);

  it("trains kohya's reg folder and the base model's class images beside the dataset", async () => {
    const ctx = nodeContext(s.dataDir, { inputsKey: 'sdxl-reg' });
    const out = await runNode(
      trainLoraNode,
      { ...TRAIN, steps: 2, classPrompts: ['a photo of a dog'], classImages: 1 },
      { model: s.model as JsonValue, dataset: s.dataset, regularization: s.regSet },
      ctx,
    );
    const logs = ctx.logs.join('\n');
    expect(logs).toMatch(/generating 1 class image\(s\) at 128x128 with the base model/);
    expect(logs).toMatch(/prior preservation: 3 class image\(s\) \(5 with repeats, 1 drawn by the base model\)/);
    expect(logs).toMatch(/latent cache: \d+ hit\(s\), \d+ encoded \(5 images, 5 captions\)/);
    const lora = out.lora as unknown as LoraValue;
    expect(lora).toMatchObject({ family: 'sdxl', step: 2 });
    const file = await readSafetensors(ctx.artifacts.pathOf(lora.artifact));
    expect(file.metadata).toMatchObject({ ss_num_reg_images: '5', ss_base_model_version: 'sdxl_base_v1-0' });
    expect(losses(ctx).train.every(Number.isFinite)).toBe(true);
  });
});
