/**
 * Loading SDXL LoRA files onto an SDXL model as ComfyUI and A1111 do: a hand-written kohya SDXL file (ldm-path UNet
 * keys, lora_te1_ / lora_te2_) merges onto exactly the weights it names, bigG's q/k/v onto their third of the fused
 * in_proj; PEFT/diffusers names (`unet.`, `text_encoder.`, `text_encoder_2.`) land on the same modules; LoRAs of
 * the other family are refused naming the file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors, type TensorToWrite } from '../../ml/safetensors';
import { readSdLora } from '../../ml/sd/lora-file';
import { mergedWeights } from '../../ml/sd/merge-lora';
import { syntheticSdxlCheckpoint } from '../../ml/sd/sdxl-tiny';
import { TINY_SDXL_WIDTHS } from '../../ml/sd/sdxl-widths';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { tempDir } from './fixtures';

const dir = tempDir('sdxl-lora-load');
const sdxl = { family: 'sdxl', widths: TINY_SDXL_WIDTHS } as const;
const sd15 = { family: 'sd15', widths: TINY_SD15_WIDTHS } as const;
const ckpt = syntheticSdxlCheckpoint(TINY_SDXL_WIDTHS, 4);
const C = TINY_SDXL_WIDTHS.clipG.width; // 64: bigG's in_proj is [192, 64]
const wave = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f + 1) / 4);
const t = (shape: number[], f = 0.3): TensorToWrite => ({
  shape,
  data: wave(
    shape.reduce((a, b) => a * b, 1),
    f,
  ),
});

/** A file of LoRA tensors `name -> [down shape, up shape]` (kohya: lora_down/up; PEFT: lora_A/B), alpha optional. */
function writeLora(
  name: string,
  modules: Record<string, [number[], number[], number?]>,
  o: { peft?: boolean; metadata?: Record<string, string> } = {},
): string {
  const tensors: Record<string, TensorToWrite> = {};
  Object.entries(modules).forEach(([m, [down, up, alpha]], i) => {
    tensors[`${m}.${o.peft ? 'lora_A' : 'lora_down'}.weight`] = t(down, 0.3 + i / 10);
    tensors[`${m}.${o.peft ? 'lora_B' : 'lora_up'}.weight`] = t(up, 0.7 + i / 10);
    if (alpha !== undefined) tensors[`${m}.alpha`] = { shape: [], data: Float32Array.of(alpha) };
  });
  const path = join(dir, name);
  writeFileSync(path, encodeSafetensors(tensors, o.metadata));
  return path;
}

const IN_PROJ = 'conditioner.embedders.1.model.transformer.resblocks.5.attn.in_proj_weight';
const TO_K = 'model.diffusion_model.input_blocks.7.1.transformer_blocks.3.attn2.to_k.weight';
const FC1 = 'conditioner.embedders.0.transformer.text_model.encoder.layers.2.mlp.fc1.weight';

/** How much each row block [from, to) of a weight changed under the LoRA. */
function changed(name: string, lora: Awaited<ReturnType<typeof readSdLora>>, strength: number, rows: number[]) {
  const before = ckpt.get(name)!.data;
  const after = mergedWeights(ckpt, [{ adapters: lora.adapters, strength }]).get(name)!.data;
  const cols = before.length / rows[rows.length - 1]!;
  return rows.slice(0, -1).map((from, i) => {
    let d = 0;
    for (let j = from * cols; j < rows[i + 1]! * cols; j++) d = Math.max(d, Math.abs(after[j]! - before[j]!));
    return d;
  });
}

test('a kohya SDXL file merges onto the weights it names: W + strength · alpha/rank · up @ down', async () => {
  const file = writeLora('kohya-sdxl.safetensors', {
    lora_unet_input_blocks_7_1_transformer_blocks_3_attn2_to_k: [[4, 128], [128, 4], 2],
    lora_te1_text_model_encoder_layers_2_mlp_fc1: [
      [2, 64],
      [256, 2],
    ],
    lora_te2_text_model_encoder_layers_5_self_attn_q_proj: [[4, C], [C, 4], 4],
  });
  const lora = await readSdLora(file, sdxl);
  expect(lora.unmatched).toEqual([]);
  expect(lora.madeFor).toBe('SDXL');
  expect(lora.adapters.map((a) => [a.module.key, a.module.target])).toEqual([
    ['lora_unet_input_blocks_7_1_transformer_blocks_3_attn2_to_k', TO_K],
    ['lora_te1_text_model_encoder_layers_2_mlp_fc1', FC1],
    ['lora_te2_text_model_encoder_layers_5_self_attn_q_proj', IN_PROJ],
  ]);
  const a = lora.adapters[0]!.adapter;
  const before = ckpt.get(TO_K)!.data;
  const after = mergedWeights(ckpt, [{ adapters: lora.adapters, strength: 0.6 }]).get(TO_K)!.data;
  for (const [o, i] of [
    [0, 0],
    [127, 127],
    [5, 77],
  ] as const) {
    let d = 0;
    for (let r = 0; r < 4; r++) d += a.up[o * 4 + r]! * a.down[r * 128 + i]!;
    expect(after[o * 128 + i]).toBeCloseTo(before[o * 128 + i]! + 0.6 * (2 / 4) * d, 6);
  }
  expect(changed(FC1, lora, 1, [0, 256])[0]).toBeGreaterThan(0); // no alpha: alpha = rank
});

test("a te2 q LoRA changes only the first third of bigG's fused in_proj, a v LoRA only the last", async () => {
  const q = await readSdLora(
    writeLora('te2-q.safetensors', {
      lora_te2_text_model_encoder_layers_5_self_attn_q_proj: [
        [4, C],
        [C, 4],
      ],
    }),
    sdxl,
  );
  const [first, second, third] = changed(IN_PROJ, q, 1, [0, C, 2 * C, 3 * C]);
  expect(first).toBeGreaterThan(1e-3);
  expect([second, third]).toEqual([0, 0]);
  const v = await readSdLora(
    writeLora('te2-v.safetensors', {
      lora_te2_text_model_encoder_layers_5_self_attn_v_proj: [
        [4, C],
        [C, 4],
      ],
    }),
    sdxl,
  );
  const thirds = changed(IN_PROJ, v, 1, [0, C, 2 * C, 3 * C]);
  expect(thirds.slice(0, 2)).toEqual([0, 0]);
  expect(thirds[2]).toBeGreaterThan(1e-3);
});

test('PEFT/diffusers names and diffusers-path kohya keys land on the same modules; unknown keys are listed', async () => {
  const peft = await readSdLora(
    writeLora(
      'peft-sdxl.safetensors',
      {
        'unet.down_blocks.2.attentions.0.transformer_blocks.3.attn2.to_k': [
          [4, 128],
          [128, 4],
        ],
        'text_encoder.text_model.encoder.layers.2.mlp.fc1': [
          [4, 64],
          [256, 4],
        ],
        'text_encoder_2.text_model.encoder.layers.5.self_attn.q_proj': [
          [4, C],
          [C, 4],
        ],
        'unet.not_a_module_of_sdxl': [
          [4, 8],
          [8, 4],
        ],
      },
      { peft: true },
    ),
    sdxl,
  );
  expect(peft.format).toBe('peft');
  expect(peft.adapters.map((a) => a.module.key)).toEqual([
    'lora_unet_input_blocks_7_1_transformer_blocks_3_attn2_to_k',
    'lora_te1_text_model_encoder_layers_2_mlp_fc1',
    'lora_te2_text_model_encoder_layers_5_self_attn_q_proj',
  ]);
  expect(peft.unmatched).toEqual(['not_a_module_of_sdxl']);
  expect(changed(IN_PROJ, peft, 1, [0, C, 3 * C])[1]).toBe(0);
  const diffusersKohya = await readSdLora(
    writeLora('kohya-diffusers-paths.safetensors', {
      lora_unet_down_blocks_2_attentions_0_transformer_blocks_3_attn2_to_k: [
        [4, 128],
        [128, 4],
      ],
    }),
    sdxl,
  );
  expect(diffusersKohya.adapters[0]!.module.target).toBe(TO_K);
});

test('an SD 1.5 LoRA on SDXL and an SDXL LoRA on SD 1.5 are refused, naming the file and both families', async () => {
  const sd15File = writeLora('an-sd15-lora.safetensors', {
    lora_unet_down_blocks_0_attentions_0_proj_in: [
      [4, 32, 1, 1],
      [32, 4, 1, 1],
    ],
    lora_te_text_model_encoder_layers_0_mlp_fc1: [
      [4, 64],
      [256, 4],
    ],
  });
  await expect(readSdLora(sd15File, sdxl)).rejects.toThrow(
    /an-sd15-lora\.safetensors is an SD 1\.5 LoRA \(its keys are SD 1\.5 module names, such as "lora_unet_down_blocks_0.*"\), and the model is SDXL/,
  );
  const sdxlFile = writeLora('an-sdxl-lora.safetensors', {
    lora_unet_input_blocks_4_1_transformer_blocks_1_attn1_to_q: [
      [4, 64],
      [64, 4],
    ],
  });
  await expect(readSdLora(sdxlFile, sd15)).rejects.toThrow(
    /an-sdxl-lora\.safetensors is an SDXL LoRA .*transformer_blocks_1.*and the model is SD 1\.5/,
  );
  // Keys that say nothing, shapes of full-size SDXL on this model, metadata naming the family: named in the refusal.
  const bigOne = writeLora(
    'full-size.safetensors',
    {
      lora_unet_middle_block_1_transformer_blocks_0_attn2_to_k: [
        [4, 2048],
        [1280, 4],
      ],
    },
    { metadata: { ss_base_model_version: 'sdxl_base_v1-0' } },
  );
  await expect(readSdLora(bigOne, sd15)).rejects.toThrow(
    /full-size\.safetensors: 1 adapters do not fit this SD 1\.5 model .*1280x2048.*trained for SDXL, another model family/,
  );
});
