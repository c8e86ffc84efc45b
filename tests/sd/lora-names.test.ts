/**
 * SD 1.5 LoRA files as ComfyUI and A1111 load them: kohya's module list for the real model against SD-MODELS.md
 * (counts, sites, names, shapes), every key of a written file mapped by a re-implementation of the loaders' key map
 * onto a checkpoint weight of compatible shape, and files of kohya, ldm-style and PEFT naming read back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeKohya } from '../../ml/lora/file';
import { toDiffusers } from '../../ml/sd/diffusers-names';
import { sd15Keys } from '../../ml/sd/keys';
import { loraShapes, sd15LoraModules } from '../../ml/sd/lora-names';
import { newSd15Adapters, readSd15Lora } from '../../ml/sd/lora-file';
import { encodeSafetensors, type TensorToWrite } from '../../ml/safetensors';
import { SD15_WIDTHS, TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { tempDir } from './fixtures';

const dir = tempDir('sd-lora');
const all = sd15LoraModules(SD15_WIDTHS, { conv: true });
const byKey = new Map(all.map((m) => [m.key, m]));
const unet = all.filter((m) => m.part === 'unet' && !m.conv);
const ATTN_SUFFIXES = [
  'proj_in',
  'transformer_blocks_0_attn1_to_q',
  'transformer_blocks_0_attn1_to_k',
  'transformer_blocks_0_attn1_to_v',
  'transformer_blocks_0_attn1_to_out_0',
  'transformer_blocks_0_attn2_to_q',
  'transformer_blocks_0_attn2_to_k',
  'transformer_blocks_0_attn2_to_v',
  'transformer_blocks_0_attn2_to_out_0',
  'transformer_blocks_0_ff_net_0_proj',
  'transformer_blocks_0_ff_net_2',
  'proj_out',
];

describe("kohya's SD 1.5 modules", () => {
  it('counts 192 UNet, 72 text-encoder and 86 conv (LoCon) modules', () => {
    expect(unet).toHaveLength(192);
    expect(all.filter((m) => m.part === 'text_encoder')).toHaveLength(72);
    expect(all.filter((m) => m.conv)).toHaveLength(86);
    expect(sd15LoraModules(SD15_WIDTHS)).toHaveLength(264); // conv LoRA is off by default
    expect(new Set(all.map((m) => m.key)).size).toBe(all.length);
  });

  it('has the 16 transformer sites of the table, 12 modules each, at their widths', () => {
    const sites: [string, string, number][] = [];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 2; j++)
        sites.push([`down_blocks_${i}_attentions_${j}`, `input_blocks.${1 + 3 * i + j}.1`, 320 << i]);
    sites.push(['mid_block_attentions_0', 'middle_block.1', 1280]);
    for (let i = 1; i < 4; i++)
      for (let j = 0; j < 3; j++)
        sites.push([`up_blocks_${i}_attentions_${j}`, `output_blocks.${3 * i + j}.1`, 2560 >> i]);
    expect(sites).toHaveLength(16);
    const listed: string[] = [];
    for (const [site, ldm, c] of sites)
      for (const suffix of ATTN_SUFFIXES) {
        const m = byKey.get(`lora_unet_${site}_${suffix}`);
        expect(m?.target.startsWith(`model.diffusion_model.${ldm}.`)).toBe(true);
        const cross = /attn2_to_[kv]$/.test(suffix);
        const expected = suffix.endsWith('ff_net_0_proj')
          ? [8 * c, c] // GEGLU: value and gate
          : suffix.endsWith('ff_net_2')
            ? [c, 4 * c]
            : [c, cross ? 768 : c];
        expect([m!.out, m!.in]).toEqual(expected);
        listed.push(m!.key);
      }
    expect(listed.sort()).toEqual(unet.map((m) => m.key).sort());
  });

  it('writes proj_in/proj_out as 4-D 1x1 convs and the example module at [320, 320]', () => {
    const m = byKey.get('lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q')!;
    expect(m.target).toBe('model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn1.to_q.weight');
    expect(loraShapes(m, 8)).toEqual({ down: [8, 320], up: [320, 8] });
    const p = byKey.get('lora_unet_up_blocks_1_attentions_2_proj_out')!;
    expect(loraShapes(p, 8)).toEqual({ down: [8, 1280, 1, 1], up: [1280, 8, 1, 1] });
    const te = all.filter((x) => x.part === 'text_encoder').map((x) => x.key);
    expect(te.slice(0, 6)).toEqual(
      ['self_attn_k_proj', 'self_attn_v_proj', 'self_attn_q_proj', 'self_attn_out_proj', 'mlp_fc1', 'mlp_fc2'].map(
        (s) => `lora_te_text_model_encoder_layers_0_${s}`,
      ),
    );
    expect(te[71]).toBe('lora_te_text_model_encoder_layers_11_mlp_fc2');
  });

  it("LoCon adds the ResBlocks' convs, time projections, width-changing shortcuts and the 6 samplers", () => {
    const conv = all.filter((m) => m.conv);
    const kind = (re: RegExp) => conv.filter((m) => re.test(m.target)).length;
    expect(kind(/\.in_layers\.2\.weight$/)).toBe(22);
    expect(kind(/\.out_layers\.3\.weight$/)).toBe(22);
    expect(kind(/\.emb_layers\.1\.weight$/)).toBe(22);
    expect(kind(/\.skip_connection\.weight$/)).toBe(14);
    expect(conv.filter((m) => /(\.op|\.conv)\.weight$/.test(m.target)).map((m) => m.target.slice(22))).toEqual([
      'input_blocks.3.0.op.weight',
      'input_blocks.6.0.op.weight',
      'input_blocks.9.0.op.weight',
      'output_blocks.2.1.conv.weight',
      'output_blocks.5.2.conv.weight',
      'output_blocks.8.2.conv.weight',
    ]);
    const c1 = byKey.get('lora_unet_down_blocks_0_resnets_0_conv1')!;
    expect(loraShapes(c1, 4)).toEqual({ down: [4, 320, 3, 3], up: [320, 4, 1, 1] });
    expect(byKey.get('lora_unet_up_blocks_0_upsamplers_0_conv')?.target).toBe(
      'model.diffusion_model.output_blocks.2.1.conv.weight',
    );
  });

  it('makes a dim-8 fp16 LoRA of about 9 MiB (1.13 MiB per unit of rank)', () => {
    const bytes = encodeKohya(newSd15Adapters(sd15LoraModules(SD15_WIDTHS), 8, 8, 1), {}, 'F16');
    expect(bytes.byteLength / 2 ** 20).toBeGreaterThan(8.7);
    expect(bytes.byteLength / 2 ** 20).toBeLessThan(9.3);
  });
});

/** ComfyUI's SD1 key map, re-implemented: lora_unet_<diffusers path> and lora_te_<HF CLIP path> -> checkpoint weight. */
function loaderKeyMap(): Map<string, readonly number[]> {
  const map = new Map<string, readonly number[]>();
  for (const w of sd15Keys(SD15_WIDTHS)) {
    if (!w.name.endsWith('.weight')) continue;
    const d = toDiffusers(w.name, 4)!;
    const prefix = { unet: 'lora_unet_', text_encoder: 'lora_te_', vae: '' }[d.component];
    if (prefix) map.set(prefix + d.name.slice(0, -'.weight'.length).replace(/\./g, '_'), w.shape);
  }
  return map;
}

describe('a written SD 1.5 LoRA, as a loader maps it', () => {
  it('maps every key to a checkpoint weight of compatible shape, with a 0-dim alpha per module', () => {
    const bytes = encodeKohya(newSd15Adapters(all, 2, 1, 7), { ss_base_model_version: 'sd_v1' }, 'F16');
    const n = Number(Buffer.from(bytes.buffer, bytes.byteOffset, 8).readBigUInt64LE(0));
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString()) as Record<string, { shape: number[] }>;
    const keys = Object.keys(header).filter((k) => k !== '__metadata__');
    expect(keys).toHaveLength(3 * 350);
    const map = loaderKeyMap();
    const problems: string[] = [];
    for (const k of keys) {
      const [module = '', part = ''] = k.split(/\.(?=lora_down|lora_up|alpha)/);
      const w = map.get(module);
      const s = header[k]!.shape;
      if (!w) problems.push(`${k}: not loaded`);
      else if (part === 'alpha' && s.length !== 0) problems.push(`${k}: alpha is not 0-dim`);
      else if (part === 'lora_up.weight' && (s[0] !== w[0] || s.slice(2).some((x) => x !== 1)))
        problems.push(`${k}: up ${s} vs ${w}`);
      else if (
        part === 'lora_down.weight' &&
        s.slice(1).reduce((a, b) => a * b, 1) !== w.slice(1).reduce((a, b) => a * b, 1)
      )
        problems.push(`${k}: down ${s} vs ${w}`);
      else if (part === 'lora_down.weight' && s.length !== w.length)
        problems.push(`${k}: rank ${s.length} vs ${w.length}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('reading SD 1.5 LoRAs', () => {
  const tiny = sd15LoraModules(TINY_SD15_WIDTHS, { conv: true });

  it('reads a kohya file back onto the same modules, conv kernels kept', async () => {
    const path = join(dir, 'kohya.safetensors');
    writeFileSync(path, encodeKohya(newSd15Adapters(tiny, 4, 2, 3), {}, 'F32'));
    const lora = await readSd15Lora(path, TINY_SD15_WIDTHS);
    expect(lora.unmatched).toEqual([]);
    expect(lora.adapters.map((a) => a.module.key)).toEqual(tiny.map((m) => m.key));
    const conv1 = lora.adapters.find((a) => a.module.key === 'lora_unet_down_blocks_0_resnets_0_conv1')!;
    expect([conv1.adapter.kernel, conv1.adapter.rank, conv1.adapter.alpha]).toEqual([3, 4, 2]);
  });

  it('maps PEFT/diffusers names and ldm-path kohya keys onto the same modules, and lists the rest', async () => {
    const t = (shape: number[]): TensorToWrite => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    const path = join(dir, 'peft.safetensors');
    writeFileSync(
      path,
      encodeSafetensors({
        'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_A.weight': t([4, 32]),
        'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_B.weight': t([32, 4]),
        'text_encoder.text_model.encoder.layers.3.mlp.fc1.lora_A.weight': t([4, 64]),
        'text_encoder.text_model.encoder.layers.3.mlp.fc1.lora_B.weight': t([256, 4]),
        'unet.some_adapter_we_do_not_have.lora_A.weight': t([4, 8]),
        'unet.some_adapter_we_do_not_have.lora_B.weight': t([8, 4]),
      }),
    );
    const peft = await readSd15Lora(path, TINY_SD15_WIDTHS);
    expect(peft.adapters.map((a) => a.module.key)).toEqual([
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q',
      'lora_te_text_model_encoder_layers_3_mlp_fc1',
    ]);
    expect(peft.adapters[0]!.adapter.alpha).toBe(4); // no alpha: alpha = rank
    expect(peft.unmatched).toEqual(['some_adapter_we_do_not_have']);
    const ldm = join(dir, 'ldm-keys.safetensors');
    writeFileSync(
      ldm,
      encodeSafetensors({
        'lora_unet_input_blocks_1_1_proj_in.lora_down.weight': t([4, 32, 1, 1]),
        'lora_unet_input_blocks_1_1_proj_in.lora_up.weight': t([32, 4, 1, 1]),
      }),
    );
    expect((await readSd15Lora(ldm, TINY_SD15_WIDTHS)).adapters[0]!.module.key).toBe(
      'lora_unet_down_blocks_0_attentions_0_proj_in',
    );
  });

  it('refuses a LoRA made for another model, naming the file', async () => {
    const path = join(dir, 'sdxl-shaped.safetensors');
    const t = (shape: number[]): TensorToWrite => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    writeFileSync(
      path,
      encodeSafetensors({
        'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_down.weight': t([4, 2048]),
        'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k.lora_up.weight': t([32, 4]),
      }),
    );
    await expect(readSd15Lora(path, TINY_SD15_WIDTHS)).rejects.toThrow(
      /sdxl-shaped\.safetensors: 1 adapters do not fit .* 32x2048, the model's 32x64.*another model family/,
    );
  });
});
