/**
 * TrainLoRA on an SDXL checkpoint through the real nodes, on a generated tiny SDXL file (ml/sd/sdxl-tiny.ts):
 *
 *   LoadModel(sdxl) ───────────────────────────────────────┐
 *   LoadImages ─> Caption ─> Resize(64, center-crop) ─> TrainLoRA ─> SaveCheckpoint
 *
 * The validation loss falls; a cancelled run resumes with its step count; latents, both encoders' contexts and the
 * pooled embedding are encoded once and served from the cache on the next run; each image's size/crop conditioning
 * follows its original size and crop; the saved file has kohya's SDXL names and shapes (SD-MODELS.md) and
 * `ss_base_model_version` sdxl_base_v1-0; in-training samples are drawn with the SDXL sampler.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resize } from '../../nodes/dataset/resize';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { saveCheckpointNode } from '../../nodes/lora/save-checkpoint';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { readSafetensors } from '../../ml/safetensors';
import { sdxlLoraModules } from '../../ml/sd/sdxl-lora-names';
import { TINY_SDXL_WIDTHS } from '../../ml/sd/sdxl-widths';
import type { JsonValue } from '../../protocol/values';
import { nodeContext, runNode, tempDataDir } from '../support/node-context';
import { tinySdxlCheckpoint } from './fixtures';
import { cancelAtStep, prepareTraining, QUICK_SD_TRAIN, writeDisc } from './training-setup';

jest.setTimeout(900_000);

let dataDir: string;
let model: JsonValue;
let dataset: JsonValue;

/**
 * Four images with mixed-style captions: two square 64 px, two 96x64 landscapes that Resize centre-crops to 64 px
 * (16 px cut on the left).
 */
async function writeDataset(dir: string): Promise<void> {
  for (const [i, colour] of ['#d22', '#2a2', '#22d', '#dd2'].entries()) {
    const disc = { w: i < 2 ? 64 : 96, h: 64, r: 18, colour };
    await writeDisc(dir, `disc${i}`, disc, `a flat disc of colour ${i}, simple, centred`);
  }
}

const TRAIN = {
  ...QUICK_SD_TRAIN,
  steps: 6,
  checkpointEvery: 2,
  keepLast: 3,
  stepsPerRun: 2,
  samplePrompts: ['xyz_disc a flat disc'],
};

beforeAll(async () => {
  dataDir = tempDataDir('sdxl-train');
  const ctx = nodeContext(dataDir);
  await tinySdxlCheckpoint(ctx.root, 'tiny-sdxl.safetensors', { dtype: 'F16' });
  await writeDataset(join(ctx.root, 'discs'));
  ({ model, dataset } = await prepareTraining(ctx, {
    family: 'sdxl',
    checkpoint: 'tiny-sdxl.safetensors',
    folder: 'discs',
    trigger: 'xyz_disc',
    resize: { resolution: 64, mode: 'center-crop' },
  }));
}, 180_000);

describe('TrainLoRA on an SDXL model', () => {
  let lora: LoraValue;

  it('trains, resumes a cancelled run with its step count, caches latents and both encoders, samples', async () => {
    const first = cancelAtStep(nodeContext(dataDir), 2);
    await expect(runNode(trainLoraNode, TRAIN, { model, dataset }, first)).rejects.toThrow();
    const logs1 = first.logs.join('\n');
    expect(logs1).toMatch(/SDXL LoRA: 722 UNet modules, rank 4/);
    expect(logs1).toMatch(/latent cache: 0 hit\(s\), 9 encoded/); // 4 latents, 4 captions, the empty caption
    expect(logs1).toMatch(
      /SDXL size conditioning, target 64x64: original 64x64, crop top 0 left 0 \(2\); original 96x64, crop top 0 left 16 \(2\)/,
    );
    expect(readdirSync(join(dataDir, 'state', 'sd-latent-cache')).filter((f) => f.endsWith('.f32'))).toHaveLength(9);

    const second = nodeContext(dataDir);
    const out = await runNode(trainLoraNode, TRAIN, { model, dataset }, second);
    const logs = second.logs.join('\n');
    expect(logs).toMatch(/latent cache: 9 hit\(s\), 0 encoded/);
    expect(logs).toMatch(/resumed from the checkpoint at step (2|4) of 6/);
    expect(second.metrics[0]!.step).toBeGreaterThan(2);
    expect(second.metrics.at(-1)!.step).toBe(6);
    lora = out.lora as unknown as LoraValue;
    expect(lora).toMatchObject({ family: 'sdxl', step: 6, rank: 4, modules: 722 });
    // Validation uses fixed noise and timesteps, so it moves only when the LoRA does.
    const val = [...first.metrics, ...second.metrics].map((m) => m.metrics.val_loss).filter(Number.isFinite);
    expect(val.length).toBeGreaterThanOrEqual(2);
    expect(val.at(-1)!).toBeLessThan(val[0]!);
    await new Promise((r) => setTimeout(r, 500)); // the sample grid's PNG is stored asynchronously
    expect(second.previews.find((p) => p.label === 'step 6')).toBeDefined();
  });

  it("saves a file with kohya's SDXL names and shapes and SDXL's metadata", async () => {
    const ctx = nodeContext(dataDir);
    const saved = await runNode(saveCheckpointNode, { folder: 'loras', name: 'discs' }, { lora: lora as never }, ctx);
    const { tensors, metadata } = await readSafetensors((saved.file as { path: string }).path);
    const expected = sdxlLoraModules(TINY_SDXL_WIDTHS).filter((m) => m.part === 'unet');
    const names = new Set(
      [...tensors.keys()].map((k) => k.replace(/\.(lora_down\.weight|lora_up\.weight|alpha)$/, '')),
    );
    expect([...names].sort()).toEqual(expected.map((m) => m.key).sort());
    // SD-MODELS.md: ldm/SAI paths, all 2-D (proj_in/proj_out are Linear in SDXL), alpha 0-dim.
    const q = 'lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q';
    expect(tensors.get(`${q}.lora_down.weight`)!.shape).toEqual([4, 64]);
    expect(tensors.get(`${q}.lora_up.weight`)!.shape).toEqual([64, 4]);
    expect(tensors.get('lora_unet_middle_block_1_transformer_blocks_9_attn2_to_k.lora_down.weight')!.shape).toEqual([
      4, 128,
    ]);
    expect(tensors.get('lora_unet_output_blocks_5_1_proj_out.lora_up.weight')!.shape).toEqual([64, 4]);
    expect(tensors.get(`${q}.alpha`)!.shape).toEqual([]);
    expect(metadata).toMatchObject({
      ss_base_model_version: 'sdxl_base_v1-0',
      'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora',
      ss_network_dim: '4',
      ss_network_train_unet_only: 'True',
    });
    expect(metadata.ss_sd_model_hash).toMatch(/^[0-9a-f]{8}$/);
  });

  it("trains both text encoders when asked: kohya's te1 and te2 modules in the file, at their own rate", async () => {
    const ctx = nodeContext(dataDir);
    const te = { ...TRAIN, steps: 2, samplePrompts: [], targets: 'attention+mlp+text', textEncoderLr: 0.005 };
    const out = (await runNode(trainLoraNode, te, { model, dataset }, ctx)).lora as unknown as LoraValue;
    expect(ctx.logs.join('\n')).toMatch(/SDXL LoRA: 722 UNet \+ 264 text-encoder \(lr 0\.005\) modules/);
    // Only the 4 latents are cached: with the text encoders trained, captions go through the step.
    const [, hits, encoded] = /latent cache: (\d+) hit\(s\), (\d+) encoded/.exec(ctx.logs.join('\n'))!;
    expect(Number(hits) + Number(encoded)).toBe(4);
    expect(out).toMatchObject({ family: 'sdxl', step: 2, modules: 722 + 72 + 192 });
    const { tensors, metadata } = await readSafetensors(ctx.artifacts.pathOf(out.artifact));
    const te1 = 'lora_te1_text_model_encoder_layers_11_mlp_fc2';
    const te2q = 'lora_te2_text_model_encoder_layers_31_self_attn_q_proj';
    expect(tensors.get(`${te1}.lora_down.weight`)!.shape).toEqual([4, 256]);
    expect(tensors.get(`${te2q}.lora_up.weight`)!.shape).toEqual([64, 4]); // one third of the fused [192, 64]
    expect([...tensors.keys()].filter((k) => k.startsWith('lora_te2_') && k.endsWith('.alpha'))).toHaveLength(192);
    expect(metadata).toMatchObject({ ss_network_train_unet_only: 'False', ss_text_encoder_lr: '0.005' });
  });

  it('trains at 512 px too (users do, to save time): the bucket and the size conditioning follow', async () => {
    const ctx = nodeContext(dataDir);
    const at512 = (await runNode(resize, { resolution: 512, mode: 'center-crop' }, { dataset }, ctx)).dataset!;
    const run = { ...TRAIN, steps: 1, checkpointEvery: 1, stepsPerRun: 1, samplePrompts: [] };
    const out = (await runNode(trainLoraNode, run, { model, dataset: at512 }, ctx)).lora as unknown as LoraValue;
    const logs = ctx.logs.join('\n');
    expect(logs).toMatch(/4 training images at 512x512/);
    expect(logs).toMatch(
      /SDXL size conditioning, target 512x512: original 64x64, crop top 0 left 0 \(2\); original 96x64, crop top 0 left 128 \(2\)/,
    );
    expect(out).toMatchObject({ family: 'sdxl', step: 1, modules: 722 });
    expect(ctx.metrics.map((m) => m.metrics.loss).every(Number.isFinite)).toBe(true);
  });
});
