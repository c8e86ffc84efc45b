/**
 * Sample and LoadLoRA on an SDXL MODEL, through the real nodes on a generated tiny SDXL checkpoint (fp16 file):
 *
 *   LoadModel(sdxl) ──┬───────────────────────────────────────────> Sample (base / LoRA @1 / @0 / <lora:…> tag)
 *                     └─> LoadLoRA(kohya SDXL file: lora_unet_, lora_te1_, lora_te2_) ─┘
 *   LoadLoRA(an SD 1.5 LoRA) on the SDXL MODEL -> refused, naming the file
 *
 * The same parameters as on SD 1.5; a seed repeats; a LoRA changes the image at strength 1, not at 0, the same
 * LoRA as a prompt tag gives the same image; width and height 0 mean SDXL's own 1024.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeSafetensors, type TensorToWrite } from '../../ml/safetensors';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { loadModelNode } from '../../nodes/model/load-model';
import type { ImagesValue } from '../../nodes/model/model-value';
import { sampleNode } from '../../nodes/model/sample';
import { exportWorkflow } from '../../protocol/interop';
import { parseWorkflow } from '../../protocol/workflow-io';
import type { JsonValue } from '../../protocol/values';
import { schemas } from '../interop/fixtures';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { tinySdxlCheckpoint } from './fixtures';

jest.setTimeout(600_000);

let ctx: TestNodeContext;
let model: JsonValue;
const SAMPLE = { prompts: ['a photo of a cat', 'a red apple'], steps: 3, guidance: 5, width: 64, height: 64, seed: 3 };

const wave = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f + 1) / 2);
/** A kohya LoRA file of `modules` (key -> [in, out]) at rank 4, alpha 4, with the metadata kohya writes for SDXL. */
function writeKohyaLora(name: string, modules: Record<string, [number, number]>, version: string): string {
  const tensors: Record<string, TensorToWrite> = {};
  Object.entries(modules).forEach(([key, [inF, out]], i) => {
    tensors[`${key}.lora_down.weight`] = { shape: [4, inF], data: wave(4 * inF, 0.3 + i / 7), dtype: 'F16' };
    tensors[`${key}.lora_up.weight`] = { shape: [out, 4], data: wave(out * 4, 0.9 + i / 7), dtype: 'F16' };
    tensors[`${key}.alpha`] = { shape: [], data: Float32Array.of(4), dtype: 'F16' };
  });
  mkdirSync(join(ctx.root, 'loras'), { recursive: true });
  writeFileSync(join(ctx.root, 'loras', name), encodeSafetensors(tensors, { ss_base_model_version: version }));
  return `loras/${name}`;
}

const pixels = (images: JsonValue): Promise<Buffer[]> =>
  Promise.all(
    (images as unknown as ImagesValue).items.map((it) => sharp(ctx.artifacts.pathOf(it.image)).raw().toBuffer()),
  );

beforeAll(async () => {
  ctx = tempContext('sdxl-sample-node');
  await tinySdxlCheckpoint(ctx.root, 'tiny-xl.safetensors', { dtype: 'F16' });
  model = (await runNode(loadModelNode, { family: 'sdxl', checkpoint: 'tiny-xl.safetensors' }, {}, ctx)).model!;
  const attn2 = 'lora_unet_input_blocks_7_1_transformer_blocks_0_attn2';
  writeKohyaLora(
    'xl_style.safetensors',
    {
      [`${attn2}_to_k`]: [128, 128],
      [`${attn2}_to_v`]: [128, 128],
      lora_unet_middle_block_1_transformer_blocks_4_attn1_to_q: [128, 128],
      lora_te1_text_model_encoder_layers_3_self_attn_q_proj: [64, 64],
      lora_te2_text_model_encoder_layers_20_self_attn_k_proj: [64, 64],
    },
    'sdxl_base_v1-0',
  );
  writeKohyaLora(
    'sd15_style.safetensors',
    {
      lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q: [32, 32],
      lora_te_text_model_encoder_layers_0_self_attn_q_proj: [64, 64],
    },
    'sd_v1',
  );
}, 300_000);
afterAll(() => ctx.cleanup());

describe('Sample and LoadLoRA on an SDXL MODEL', () => {
  let lora: LoraValue;

  it('LoadLoRA reads a kohya SDXL file (UNet, CLIP-L and bigG modules) onto the model', async () => {
    const out = await runNode(loadLoraNode, { file: 'loras/xl_style.safetensors', strength: 1 }, { model }, ctx);
    lora = out.lora as unknown as LoraValue;
    expect(lora).toMatchObject({ family: 'sdxl', modules: 5, rank: 4, alpha: 4, strength: 1 });
    expect(ctx.logs.join('\n')).toMatch(/kohya SDXL LoRA: 3 UNet modules, 2 text-encoder modules, rank 4, alpha 4/);
  });

  it('refuses an SD 1.5 LoRA on SDXL, naming the file and both families', async () => {
    await expect(
      runNode(loadLoraNode, { file: 'loras/sd15_style.safetensors', strength: 1 }, { model }, ctx),
    ).rejects.toMatchObject({
      param: 'file',
      message: expect.stringMatching(/sd15_style\.safetensors is an SD 1\.5 LoRA .* and the model is SDXL/),
    });
  });

  it('samples: a seed repeats, the LoRA changes the images at 1 and not at 0, a <lora:> tag is the same LoRA', async () => {
    const base = await pixels((await runNode(sampleNode, SAMPLE, { model }, ctx)).images!);
    expect(base).toHaveLength(2);
    expect((await pixels((await runNode(sampleNode, SAMPLE, { model }, ctx)).images!))[0]!.equals(base[0]!)).toBe(true);
    const rows = await runNode(sampleNode, { ...SAMPLE, loraStrengths: ['1', '0'] }, { model, loras: [lora] }, ctx);
    const [at1a, at1b, at0a, at0b] = await pixels(rows.images!);
    expect(at1a!.equals(base[0]!) || at1b!.equals(base[1]!)).toBe(false);
    expect(at0a!.equals(base[0]!) && at0b!.equals(base[1]!)).toBe(true);
    const tagged = await runNode(
      sampleNode,
      { ...SAMPLE, prompts: ['a photo of a cat <lora:xl_style:1>'] },
      { model },
      ctx,
    );
    expect((await pixels(tagged.images!))[0]!.equals(at1a!)).toBe(true);
    expect(ctx.logs.join('\n')).toMatch(/SDXL: 2 image\(s\) at 64x64, 3 euler steps/);
    expect(ctx.previews.some((p) => /step \d+\/\d+ \(approximate colours\)/.test(p.label ?? ''))).toBe(true);
  });

  it('refuses LoRAs of another family on its input and in <lora:> tags, naming them', async () => {
    const sd15Lora = { ...lora, family: 'sd15', name: 'old_style' } as unknown as JsonValue;
    await expect(runNode(sampleNode, SAMPLE, { model, loras: [sd15Lora] }, ctx)).rejects.toMatchObject({
      param: 'loras',
      message: expect.stringMatching(/"old_style" is an SD 1\.5 LoRA, and the model is SDXL/),
    });
    const tag = { ...SAMPLE, prompts: ['a cat <lora:sd15_style:0.8>'] };
    await expect(runNode(sampleNode, tag, { model }, ctx)).rejects.toThrow(
      /sd15_style\.safetensors is an SD 1\.5 LoRA .*and the model is SDXL/,
    );
  });

  it("exports of a Sample at the model's own size leave the size out (kohya --w/--h, ai-toolkit width/height)", () => {
    const file = join(__dirname, '..', '..', 'workflows', 'sd15-style-lora.json');
    const wf = parseWorkflow(readFileSync(file, 'utf8')).workflow;
    const kohya = exportWorkflow(wf, 'kohya', schemas)
      .files.map((f) => f.text)
      .join('\n');
    expect(kohya).toMatch(/xyz_style, a lighthouse on a cliff --n lowres, blurry, bad anatomy --s 20/);
    expect(kohya).not.toMatch(/--[wh] 0/);
    expect(exportWorkflow(wf, 'ai-toolkit', schemas).files[0]!.text).not.toMatch(/(width|height): 0/);
  });

  it("takes SD samplers only, sizes in multiples of 64, and 0 as SDXL's own 1024", async () => {
    await expect(runNode(sampleNode, { ...SAMPLE, sampler: 'heun' }, { model }, ctx)).rejects.toMatchObject({
      param: 'sampler',
      message: expect.stringMatching(/not available for SDXL/),
    });
    await expect(runNode(sampleNode, { ...SAMPLE, height: 1000 }, { model }, ctx)).rejects.toMatchObject({
      param: 'height',
      message: expect.stringMatching(/multiple of 64 for SDXL, got 1000/),
    });
    const own = await runNode(
      sampleNode,
      { ...SAMPLE, prompts: ['a cat'], steps: 1, width: 0, height: 0, clipSkip: 2, previewEvery: 0 },
      { model },
      ctx,
    );
    const first = (own.images as unknown as ImagesValue).items[0]!;
    expect(await sharp(ctx.artifacts.pathOf(first.image)).metadata()).toMatchObject({ width: 1024, height: 1024 });
    expect(ctx.warnings.join('\n')).toMatch(/clip skip 2 is ignored for SDXL/);
  });
});
