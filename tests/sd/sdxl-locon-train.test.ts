/**
 * LoCon on SDXL through the real nodes, on a generated tiny SDXL checkpoint:
 *
 *   LoadModel(sdxl) ───────────────────────────────────────────┐
 *   LoadImages ─> Caption ─> Resize(64) ─> TrainLoRA(convRank 4) ─> SaveCheckpoint ─> LoadLoRA ─> Sample
 *
 * The loss falls; the file holds kohya's SDXL UNet modules plus the 66 LoCon modules (3x3 convs 4-D at the conv
 * rank, `ss_network_args` conv_dim / conv_alpha); LoadLoRA reads it back onto the model, and Sample applies the
 * conv adapters: the LoCon modules alone change the image at strength 1 and not at 0.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeSafetensors, readSafetensors, type TensorToWrite } from '../../ml/safetensors';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { saveCheckpointNode } from '../../nodes/lora/save-checkpoint';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import type { ImagesValue } from '../../nodes/model/model-value';
import { sampleNode } from '../../nodes/model/sample';
import type { JsonValue } from '../../protocol/values';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { tinySdxlCheckpoint } from './fixtures';
import { prepareTraining, writeThreeDiscs } from './training-setup';

jest.setTimeout(900_000);

let ctx: TestNodeContext;
let model: JsonValue;
let dataset: JsonValue;

const TRAIN = {
  steps: 8,
  batch: 1,
  rank: 4,
  alpha: 4,
  convRank: 4,
  convAlpha: 2,
  learningRate: 0.01,
  checkpointEvery: 4,
  keepLast: 2,
  sampleEvery: 0,
  stepsPerRun: 4,
  validationImages: 0,
  loraCheck: false,
  captionDropout: 0,
  shuffleTags: false,
  samplePrompts: [],
};
const SAMPLE = { prompts: ['xyz_disc, a flat disc'], steps: 3, guidance: 5, width: 64, height: 64, seed: 3 };

const pixels = (images: JsonValue): Promise<Buffer[]> =>
  Promise.all(
    (images as unknown as ImagesValue).items.map((it) => sharp(ctx.artifacts.pathOf(it.image)).raw().toBuffer()),
  );

beforeAll(async () => {
  ctx = tempContext('sdxl-locon');
  await tinySdxlCheckpoint(ctx.root, 'tiny-xl.safetensors', { dtype: 'F16' });
  await writeThreeDiscs(join(ctx.root, 'discs'));
  ({ model, dataset } = await prepareTraining(ctx, {
    family: 'sdxl',
    checkpoint: 'tiny-xl.safetensors',
    folder: 'discs',
    trigger: 'xyz_disc',
    resize: { resolution: 64, mode: 'center-crop' },
  }));
}, 300_000);
afterAll(() => ctx.cleanup());

it('trains LoCon on SDXL: the loss falls, the file has the conv modules, LoadLoRA and Sample use them', async () => {
  const out = await runNode(trainLoraNode, TRAIN, { model, dataset }, ctx);
  expect(ctx.logs.join('\n')).toMatch(/SDXL LoRA: 722 UNet \+ 66 LoCon \(conv rank 4, alpha 2\) modules, rank 4/);
  const val = ctx.metrics.map((m) => m.metrics.val_loss).filter(Number.isFinite);
  expect(val.length).toBeGreaterThanOrEqual(2);
  expect(val.at(-1)!).toBeLessThan(val[0]!);
  const lora = out.lora as unknown as LoraValue;
  expect(lora).toMatchObject({ family: 'sdxl', step: 8, modules: 722 + 66 });

  const saved = await runNode(saveCheckpointNode, { folder: 'loras', name: 'discs' }, { lora: lora as never }, ctx);
  const file = (saved.file as { path: string }).path;
  const { tensors, metadata } = await readSafetensors(file);
  const c1 = 'lora_unet_input_blocks_1_0_in_layers_2';
  expect(tensors.get(`${c1}.lora_down.weight`)!.shape).toEqual([4, 32, 3, 3]);
  expect(tensors.get(`${c1}.lora_up.weight`)!.shape).toEqual([32, 4, 1, 1]);
  expect(tensors.get('lora_unet_input_blocks_4_0_skip_connection.lora_down.weight')!.shape).toEqual([4, 32, 1, 1]);
  expect(tensors.get('lora_unet_output_blocks_2_2_conv.lora_down.weight')!.shape).toEqual([4, 128, 3, 3]);
  expect(Number(tensors.get(`${c1}.alpha`)!.data[0])).toBe(2);
  expect(JSON.parse(metadata.ss_network_args!)).toEqual({ conv_dim: '4', conv_alpha: '2' });

  const reloaded = await runNode(loadLoraNode, { file: 'loras/discs.safetensors', strength: 1 }, { model }, ctx);
  expect(reloaded.lora).toMatchObject({ family: 'sdxl', modules: 722 + 66 });
  expect(ctx.logs.join('\n')).toMatch(/kohya SDXL LoRA: 788 UNet modules \(66 conv\), 0 text-encoder modules/);

  // The LoCon modules alone, as a file of their own: Sample must merge them into the convs to change anything.
  const conv: Record<string, TensorToWrite> = {};
  for (const [k, t] of tensors)
    if (/_(in_layers_2|out_layers_3|emb_layers_1|skip_connection|op|conv)\./.test(k))
      conv[k] = { shape: t.shape, data: Float32Array.from(t.data as Float32Array), dtype: 'F32' };
  expect(Object.keys(conv)).toHaveLength(66 * 3);
  writeFileSync(join(ctx.root, 'loras', 'convs.safetensors'), encodeSafetensors(conv, metadata));
  const convOnly = await runNode(loadLoraNode, { file: 'loras/convs.safetensors', strength: 1 }, { model }, ctx);
  const [base] = await pixels((await runNode(sampleNode, SAMPLE, { model }, ctx)).images!);
  const rows = await runNode(
    sampleNode,
    { ...SAMPLE, loraStrengths: ['1', '0'] },
    { model, loras: [convOnly.lora!] },
    ctx,
  );
  const [at1, at0] = await pixels(rows.images!);
  expect(at1!.equals(base!)).toBe(false);
  expect(at0!.equals(base!)).toBe(true);
});
