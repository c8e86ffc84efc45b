/**
 * SD 1.5 end to end, through the real nodes on a generated tiny checkpoint (ml/sd/tiny.ts, in a temp folder):
 *
 *   LoadModel(sd15) ──────────────────────────────┬──────────────┬──> Sample (base / LoRA @1 / @0)
 *   LoadImages ─> Caption ─> Resize(64) ─> TrainLoRA ─> SaveCheckpoint ─> LoadLoRA ─┘
 *
 * The loss falls; a cancelled run resumes with its step count; the saved file has kohya's SD 1.5 names, `.alpha`
 * and ss_* metadata; the latents are encoded once and served from the cache on the next run; samples with the
 * LoRA differ from the base at strength 1 and equal it at 0; a seed gives the same image twice.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { caption } from '../../nodes/dataset/caption';
import { loadImages } from '../../nodes/dataset/load-images';
import { resize } from '../../nodes/dataset/resize';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { saveCheckpointNode } from '../../nodes/lora/save-checkpoint';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { loadModelNode } from '../../nodes/model/load-model';
import type { ImagesValue } from '../../nodes/model/model-value';
import { sampleNode } from '../../nodes/model/sample';
import { readLora } from '../../ml/lora/file';
import { readSafetensors } from '../../ml/safetensors';
import type { JsonValue } from '../../protocol/values';
import { nodeContext, runNode, tempDataDir, type TestNodeContext } from '../support/node-context';
import { tinyCheckpoint } from './fixtures';

jest.setTimeout(600_000);

let dataDir: string;
let model: JsonValue;
let dataset: JsonValue;

/** Six 64 px images: a coloured disc on a contrasting background, with tag captions. */
async function writeDataset(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const colours = ['#d22', '#2a2', '#22d', '#dd2', '#d2d', '#2dd'];
  for (const [i, c] of colours.entries()) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#fff"/><circle cx="${20 + 4 * i}" cy="32" r="18" fill="${c}"/></svg>`;
    writeFileSync(join(dir, `disc${i}.png`), await sharp(Buffer.from(svg)).png().toBuffer());
    writeFileSync(join(dir, `disc${i}.txt`), `disc, circle, colour ${i}\n`);
  }
}

const TRAIN = {
  steps: 12,
  batch: 1,
  rank: 4,
  alpha: 4,
  learningRate: 0.01,
  checkpointEvery: 4,
  keepLast: 3,
  sampleEvery: 0,
  stepsPerRun: 2,
  loraCheck: false,
  captionDropout: 0,
  samplePrompts: ['xyz_disc, disc'],
};
const SAMPLE = { prompts: ['xyz_disc, disc', 'a circle'], steps: 4, guidance: 5, width: 64, height: 64, seed: 3 };

beforeAll(async () => {
  dataDir = tempDataDir('sd-e2e');
  const ctx = nodeContext(dataDir);
  await tinyCheckpoint(ctx.root, 'tiny-sd15.safetensors', { dtype: 'F16' });
  await writeDataset(join(ctx.root, 'discs'));
  model = (await runNode(loadModelNode, { family: 'sd15', checkpoint: 'tiny-sd15.safetensors' }, {}, ctx)).model!;
  const loaded = await runNode(loadImages, { folder: 'discs' }, {}, ctx);
  const captioned = await runNode(caption, { mode: 'keep', trigger: 'xyz_disc' }, { dataset: loaded.dataset }, ctx);
  dataset = (await runNode(resize, { resolution: 64 }, { dataset: captioned.dataset }, ctx)).dataset!;
}, 120_000);

const pixels = async (ctx: TestNodeContext, images: JsonValue): Promise<Buffer[]> =>
  Promise.all(
    (images as unknown as ImagesValue).items.map((it) => sharp(ctx.artifacts.pathOf(it.image)).raw().toBuffer()),
  );
const meanAbsDiff = (a: Buffer, b: Buffer): number => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('SD 1.5 end to end', () => {
  let lora: LoraValue;
  let savedFile: string;
  let trainingSample: string | undefined;

  it('trains a UNet LoRA whose loss falls, resumes a cancelled run with its step count, and caches the latents', async () => {
    const first = nodeContext(dataDir);
    const progress = first.progress.bind(first);
    let cancelled = false;
    first.progress = (value, max, metrics) => {
      progress(value, max, metrics);
      // Training steps (with their metrics), not a phase such as caching latents 6/6.
      if (metrics && value >= 6 && !cancelled) {
        cancelled = true;
        first.cancel();
      }
    };
    await expect(runNode(trainLoraNode, TRAIN, { model, dataset }, first)).rejects.toThrow();
    expect(first.logs.join('\n')).toMatch(/latent cache: 0 hit\(s\), 13 encoded/); // 6 images, 6 captions, empty
    const cacheDir = join(dataDir, 'state', 'sd-latent-cache');
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.f32'))).toHaveLength(13);

    const second = nodeContext(dataDir);
    const out = await runNode(trainLoraNode, TRAIN, { model, dataset }, second);
    const logs = second.logs.join('\n');
    expect(logs).toMatch(/latent cache: 13 hit\(s\), 0 encoded/);
    expect(logs).toMatch(/resumed from the checkpoint at step (6|8) of 12/);
    expect(second.metrics[0]!.step).toBeGreaterThan(6);
    expect(second.metrics.at(-1)!.step).toBe(12);
    await new Promise((r) => setTimeout(r, 500)); // the sample grid's PNG is stored asynchronously
    const sampled = second.previews.find((p) => p.label === 'step 12');
    trainingSample = sampled && second.artifacts.pathOf(sampled.ref);
    expect(trainingSample).toBeDefined();
    lora = out.lora as unknown as LoraValue;
    expect(lora).toMatchObject({ family: 'sd15', step: 12, rank: 4, modules: 192 }); // kohya's 192: the tiny model keeps every site
    const losses = [...first.metrics, ...second.metrics].map((m) => m.metrics.loss!).filter(Number.isFinite);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-4))).toBeLessThan(mean(losses.slice(0, 4)));
  });

  it('saves a kohya SD 1.5 file that LoadLoRA reads back onto the model', async () => {
    const ctx = nodeContext(dataDir);
    const saved = await runNode(saveCheckpointNode, { folder: 'loras', name: 'discs' }, { lora: lora as never }, ctx);
    savedFile = (saved.file as { path: string }).path;
    expect(existsSync(savedFile)).toBe(true);
    const { tensors, metadata } = await readSafetensors(savedFile);
    const names = [...tensors.keys()];
    expect(names).toContain('lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight');
    expect(tensors.get('lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight')!.shape).toHaveLength(4);
    expect(tensors.get('lora_unet_mid_block_attentions_0_proj_out.alpha')!.shape).toEqual([]);
    expect(metadata).toMatchObject({
      ss_base_model_version: 'sd_v1',
      'modelspec.architecture': 'stable-diffusion-v1/lora',
      ss_network_dim: '4',
      ss_output_name: 'discs',
    });
    expect(metadata.ss_sd_model_hash).toMatch(/^[0-9a-f]{8}$/);
    expect((await readLora(savedFile)).adapters).toHaveLength(192);
    const loaded = await runNode(loadLoraNode, { file: 'loras/discs.safetensors', strength: 1 }, { model }, ctx);
    expect(loaded.lora).toMatchObject({ modules: 192, rank: 4 });
    lora = loaded.lora as unknown as LoraValue;
  });

  it('samples: the LoRA changes the images at strength 1, not at 0, <lora:> tags work, and a seed repeats', async () => {
    const ctx = nodeContext(dataDir);
    const base = await pixels(ctx, (await runNode(sampleNode, SAMPLE, { model }, ctx)).images!);
    const rows = await runNode(sampleNode, { ...SAMPLE, loraStrengths: ['1', '0'] }, { model, loras: [lora] }, ctx);
    const [at1a, at1b, at0a, at0b] = await pixels(ctx, rows.images!);
    expect(meanAbsDiff(at1a!, base[0]!)).toBeGreaterThan(0.5);
    expect(meanAbsDiff(at1b!, base[1]!)).toBeGreaterThan(0.5);
    expect(at0a!.equals(base[0]!)).toBe(true);
    expect(at0b!.equals(base[1]!)).toBe(true);
    const tagged = await runNode(sampleNode, { ...SAMPLE, prompts: ['xyz_disc, disc <lora:discs:1>'] }, { model }, ctx);
    const [viaTag] = await pixels(ctx, tagged.images!);
    expect(viaTag!.equals(at1a!)).toBe(true); // the saved fp16 file gives the in-memory fp32 LoRA's image: to the byte
    // In-training samples see the LoRA as the saved fp16 file gives it to a loader: the same image, to the byte.
    const asTrained = { ...SAMPLE, prompts: ['xyz_disc, disc'], steps: 20, guidance: 7, seed: 0, loraStrengths: ['1'] };
    const [fromFile] = await pixels(ctx, (await runNode(sampleNode, asTrained, { model, loras: [lora] }, ctx)).images!);
    const grid = await sharp(trainingSample!).resize(64, 64, { kernel: 'nearest' }).raw().toBuffer();
    expect(grid.equals(fromFile!)).toBe(true);
    const again = await pixels(ctx, (await runNode(sampleNode, SAMPLE, { model }, ctx)).images!);
    expect(again[0]!.equals(base[0]!)).toBe(true);
    for (const sampler of ['euler_ancestral', 'dpmpp_2m_karras']) {
      const imgs = await pixels(ctx, (await runNode(sampleNode, { ...SAMPLE, sampler }, { model }, ctx)).images!);
      expect(meanAbsDiff(imgs[0]!, base[0]!)).toBeGreaterThan(0); // another sampler, another path to an image
    }
    expect(ctx.previews.some((p) => /step \d+\/\d+/.test(p.label ?? ''))).toBe(true);
    const wide = await runNode(sampleNode, { ...SAMPLE, prompts: ['a disc'], width: 128 }, { model }, ctx);
    expect(
      await sharp(ctx.artifacts.pathOf((wide.images as unknown as ImagesValue).items[0]!.image)).metadata(),
    ).toMatchObject({ width: 128, height: 64 });
    await expect(runNode(sampleNode, { ...SAMPLE, width: 96 }, { model }, ctx)).rejects.toMatchObject({
      param: 'width',
      message: expect.stringMatching(/multiple of 64/),
    });
  });

  it('trains the text encoder (own learning rate) and the convs (LoCon, own rank) when asked', async () => {
    const ctx = nodeContext(dataDir);
    const te = { ...TRAIN, steps: 4, checkpointEvery: 4, samplePrompts: [], targets: 'attention+mlp+text' };
    const withConv = { ...te, textEncoderLr: 0.02, convRank: 2, convAlpha: 1 };
    const out = await runNode(trainLoraNode, withConv, { model, dataset }, ctx);
    const value = out.lora as unknown as LoraValue;
    expect(value.modules).toBe(192 + 72 + 86);
    const file = await readLora(ctx.artifacts.pathOf(value.artifact));
    const text = file.adapters.filter((a) => a.module.startsWith('lora_te_text_model_encoder_layers_'));
    expect(text).toHaveLength(72);
    expect(text.every((a) => a.up.some((v) => v !== 0))).toBe(true); // trained: up starts at zero
    expect(file.metadata).toMatchObject({ ss_network_train_unet_only: 'False', ss_text_encoder_lr: '0.02' });
    expect(JSON.parse(file.metadata.ss_network_args!)).toEqual({ conv_dim: '2', conv_alpha: '1' });
    const conv = file.adapters.find((a) => a.module === 'lora_unet_down_blocks_0_resnets_0_conv1')!;
    expect(conv).toMatchObject({ rank: 2, alpha: 1, kernel: 3 });
    expect(conv.up.some((v) => v !== 0)).toBe(true);
    const base = await pixels(ctx, (await runNode(sampleNode, SAMPLE, { model }, ctx)).images!);
    const withLora = { ...SAMPLE, loraStrengths: ['1'] };
    const [changed] = await pixels(ctx, (await runNode(sampleNode, withLora, { model, loras: [value] }, ctx)).images!);
    expect(meanAbsDiff(changed!, base[0]!)).toBeGreaterThan(0.5);
  });
});
