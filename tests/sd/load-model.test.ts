/**
 * LoadModel with the SD 1.5 checkpoints users have, through the path policy; the MODEL value it gives, what the
 * emoji-only nodes say about it, and the SD 1.5 example workflows:
 *
 *   [LoadModel family=sd15 checkpoint=<tiny file or diffusers folder>] --model--> (Resize, TrainLoRA, Sample)
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelNode } from '../../nodes/model/load-model';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import { encodeKohya } from '../../ml/lora/file';
import { newSd15Adapters } from '../../ml/sd/lora-file';
import { sd15LoraModules } from '../../ml/sd/lora-names';
import { encodeSafetensors, type TensorToWrite } from '../../ml/safetensors';
import { sampleNode } from '../../nodes/model/sample';
import { readModel } from '../../nodes/model/model-value';
import { modelFamily, type Sd15ModelValue } from '../../nodes/model/sd-model-value';
import { NodeUserError } from '../../nodes/api';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { tempDir, tinyCheckpoint } from './fixtures';
import { expectValidOnceCheckpointChosen, loadModelRefusal, readExampleWorkflow } from './training-setup';

let ctx: TestNodeContext;
beforeAll(async () => {
  ctx = tempContext('sd-load');
  await tinyCheckpoint(ctx.root, 'tiny-f16.safetensors', { dtype: 'F16' });
  await tinyCheckpoint(ctx.root, 'tiny-diffusers', { layout: 'diffusers', dtype: 'BF16' });
}, 60_000);
afterAll(() => ctx.cleanup());

const load = async (checkpoint: string) =>
  (await runNode(loadModelNode, { family: 'sd15', checkpoint }, {}, ctx)).model as unknown as Sd15ModelValue;

const refusal = (params: Record<string, string>) => loadModelRefusal(ctx, params);

describe('LoadModel with an SD 1.5 checkpoint', () => {
  it('reports family, widths, dtype and the hashes A1111 shows, for a single file', async () => {
    const model = await load('tiny-f16.safetensors');
    const bytes = readFileSync(join(ctx.root, 'tiny-f16.safetensors'));
    expect(model).toMatchObject({ kind: 'sd15', family: 'sd15', layout: 'ldm', dtype: 'F16', resolution: 512 });
    expect(model.name).toBe('tiny-f16');
    expect(model.widths).toEqual(TINY_SD15_WIDTHS);
    expect(model.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(model.legacyHash).toMatch(/^[0-9a-f]{8}$/);
    expect(ctx.logs.join('\n')).toMatch(
      /SD 1\.5 \(ldm, F16\): UNet 32\/64\/128\/128, text encoder 64 x 12 layers, VAE 32/,
    );
  });

  it('loads a diffusers folder, and its fingerprint follows the weight files inside it', async () => {
    const model = await load('tiny-diffusers');
    expect(model).toMatchObject({ layout: 'diffusers', dtype: 'BF16', widths: TINY_SD15_WIDTHS });
    expect(model.files.map((f) => f.slice(model.path.length + 1))).toEqual([
      'unet/diffusion_pytorch_model.safetensors',
      'text_encoder/model.safetensors',
      'vae/diffusion_pytorch_model.safetensors',
    ]);
    const params = { family: 'sd15', file: '', checkpoint: 'tiny-diffusers' };
    const before = await loadModelNode.fingerprint!(params, { paths: ctx.paths, nodeId: 'model' });
    utimesSync(model.files[2]!, new Date(), new Date(Date.now() + 5000));
    expect(await loadModelNode.fingerprint!(params, { paths: ctx.paths, nodeId: 'model' })).not.toBe(before);
  });

  it('refuses pickles, truncated files, non-models and missing files, naming the file and the parameter', async () => {
    writeFileSync(join(ctx.root, 'old.ckpt'), 'PK pickle');
    const pickle = await refusal({ family: 'sd15', checkpoint: 'old.ckpt' });
    expect(pickle).toBeInstanceOf(NodeUserError);
    expect(pickle.param).toBe('checkpoint');
    expect(pickle.message).toMatch(/old\.ckpt: is a PyTorch pickle file.*arbitrary code/);
    expect(pickle.hint).toMatch(/safetensors/);
    copyFileSync(join(ctx.root, 'tiny-f16.safetensors'), join(ctx.root, 'cut.safetensors'));
    truncateSync(join(ctx.root, 'cut.safetensors'), 4_000_000);
    expect((await refusal({ family: 'sd15', checkpoint: 'cut.safetensors' })).message).toMatch(
      /cut\.safetensors: .*truncated/,
    );
    writeFileSync(join(ctx.root, 'readme.safetensors'), 'not a model');
    expect((await refusal({ family: 'sd15', checkpoint: 'readme.safetensors' })).message).toMatch(
      /readme\.safetensors: header length/,
    );
    expect((await refusal({ family: 'sd15', checkpoint: 'nowhere.safetensors' })).message).toMatch(/does not exist/);
  });

  it('resolves the checkpoint through the path policy: outside the allowed folders is refused, naming it', async () => {
    const outside = tempDir('sd-outside');
    await tinyCheckpoint(outside, 'x.safetensors', { dtype: 'F16', extras: false });
    const e = await refusal({ family: 'sd15', checkpoint: join(outside, 'x.safetensors') });
    expect(e.message).toMatch(/parameter "checkpoint": ".*x\.safetensors" is outside the allowed folders/);
    expect(ctx.logs.join('\n')).not.toMatch(/x\.safetensors/);
  });

  it('gives a MODEL that the emoji-only nodes refuse with what is missing, instead of failing oddly', async () => {
    const model = await load('tiny-f16.safetensors');
    const value = model as unknown as Parameters<typeof readModel>[0];
    expect(modelFamily(value)).toBe('sd15');
    expect(() => readModel(value)).toThrow(
      /SD 1\.5 checkpoint "tiny-f16": SD 1\.5 training and sampling need the SD 1\.5 graphs/,
    );
    // Sample runs SD 1.5 now (tests/sd/e2e.test.ts); the emoji model's own sampler is refused by name.
    await expect(runNode(sampleNode, { prompts: ['a cat'], sampler: 'heun' }, { model: value }, ctx)).rejects.toThrow(
      /sampler "heun" is not available for SD 1\.5/,
    );
  });
});

describe('the SD 1.5 example workflows', () => {
  it.each(['sd15-style-lora.json', 'sd15-character-lora.json'])(
    '%s fails validation only for the missing checkpoint, and passes once one is chosen',
    (name) => {
      expectValidOnceCheckpointChosen(readExampleWorkflow(name), 'models/v1-5-pruned-emaonly.safetensors');
    },
  );
});

describe('LoadLoRA on an SD 1.5 model', () => {
  const modules = sd15LoraModules(TINY_SD15_WIDTHS, { conv: true });
  const t = (shape: number[]): TensorToWrite => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

  it('maps a kohya LoCon file onto the model and says what it loaded', async () => {
    writeFileSync(join(ctx.root, 'style.safetensors'), encodeKohya(newSd15Adapters(modules, 4, 2, 1), {}, 'F16'));
    const model = await load('tiny-f16.safetensors');
    const out = await runNode(
      loadLoraNode,
      { file: 'style.safetensors', strength: 0.8 },
      { model: model as never },
      ctx,
    );
    expect(out.lora).toMatchObject({
      kind: 'loraflow.lora',
      family: 'sd15',
      rank: 4,
      alpha: 2,
      modules: 350,
      strength: 0.8,
    });
    expect(ctx.logs.join('\n')).toMatch(/kohya SD 1\.5 LoRA: 278 UNet modules \(86 conv\), 72 text-encoder modules/);
  });

  it('warns about adapters no module matches, and refuses a file none of whose adapters match', async () => {
    const model = await load('tiny-f16.safetensors');
    writeFileSync(
      join(ctx.root, 'mixed.safetensors'),
      encodeSafetensors({
        'lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight': t([2, 32, 1, 1]),
        'lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight': t([32, 2, 1, 1]),
        'lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight': t([2, 8]),
        'lora_unet_double_blocks_0_img_attn_qkv.lora_up.weight': t([24, 2]),
      }),
    );
    await runNode(loadLoraNode, { file: 'mixed.safetensors' }, { model: model as never }, ctx);
    expect(ctx.warnings.join('\n')).toMatch(
      /1 adapters of mixed\.safetensors match no SD 1\.5 module .*double_blocks_0/,
    );
    writeFileSync(
      join(ctx.root, 'flux-lora.safetensors'),
      encodeSafetensors({
        'lora_unet_double_blocks_0_img_attn_qkv.lora_down.weight': t([2, 8]),
        'lora_unet_double_blocks_0_img_attn_qkv.lora_up.weight': t([24, 2]),
      }),
    );
    await expect(
      runNode(loadLoraNode, { file: 'flux-lora.safetensors' }, { model: model as never }, ctx),
    ).rejects.toThrow(/flux-lora\.safetensors: none of its 1 adapters matches a module of SD 1\.5/);
  });
});
