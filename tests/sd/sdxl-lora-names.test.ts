/**
 * SDXL LoRA files as ComfyUI and A1111 load them: kohya's module list for the real SDXL base against SD-MODELS.md
 * (722 UNet modules with ldm paths, 72 lora_te1_ + 192 lora_te2_), every key mapped by an independent re-implementation
 * of the loaders' key map onto a checkpoint weight of the right shape, and bigG's q/k/v changing only their third
 * of the fused in_proj weight, exactly as a split q/k/v model would.
 */
import { loraShapes } from '../../ml/sd/lora-names';
import { sdxlKeys } from '../../ml/sd/sdxl-keys';
import { mergeSdxlLora, sdxlLoraModules } from '../../ml/sd/sdxl-lora-names';
import { sdxlLoraMetadata } from '../../ml/sd/sdxl-lora-metadata';
import { SDXL_WIDTHS, TINY_SDXL_WIDTHS } from '../../ml/sd/sdxl-widths';
import { syntheticTensor } from '../../ml/sd/tiny';
import { Rng } from '../../ml/dit/rng';

const modules = sdxlLoraModules(SDXL_WIDTHS);
const byKey = new Map(modules.map((m) => [m.key, m]));
const shapes = new Map(sdxlKeys(SDXL_WIDTHS).map((s) => [s.name, s.shape]));

/** The loaders' map from a kohya SDXL key to the checkpoint weight and row offset, written from their docs. */
function loaderTarget(key: string): { weight: string; rowOffset: number; rows?: number } | undefined {
  let m: RegExpMatchArray | null;
  if ((m = key.match(/^lora_unet_(.+)$/))) {
    const path = m[1]!
      .replace(/^(input_blocks|output_blocks)_(\d+)_(\d+)_/, '$1.$2.$3.')
      .replace(/^middle_block_1_/, 'middle_block.1.')
      .replace(/transformer_blocks_(\d+)_/, 'transformer_blocks.$1.')
      .replace(/(attn[12])_(to_[qkv]|to_out_0)$/, '$1.$2')
      .replace(/to_out_0$/, 'to_out.0')
      .replace(/ff_net_0_proj$/, 'ff.net.0.proj')
      .replace(/ff_net_2$/, 'ff.net.2');
    return { weight: `model.diffusion_model.${path}.weight`, rowOffset: 0 };
  }
  if ((m = key.match(/^lora_te1_text_model_encoder_layers_(\d+)_(self_attn_(q|k|v|out)_proj|mlp_fc[12])$/))) {
    const mod = m[2]!.replace(/^self_attn_/, 'self_attn.').replace(/^mlp_/, 'mlp.');
    return {
      weight: `conditioner.embedders.0.transformer.text_model.encoder.layers.${m[1]}.${mod}.weight`,
      rowOffset: 0,
    };
  }
  if ((m = key.match(/^lora_te2_text_model_encoder_layers_(\d+)_(.+)$/))) {
    const p = `conditioner.embedders.1.model.transformer.resblocks.${m[1]}`;
    const qkv = ['self_attn_q_proj', 'self_attn_k_proj', 'self_attn_v_proj'].indexOf(m[2]!);
    if (qkv >= 0) return { weight: `${p}.attn.in_proj_weight`, rowOffset: qkv * 1280, rows: 1280 };
    const other: Record<string, string> = {
      self_attn_out_proj: 'attn.out_proj',
      mlp_fc1: 'mlp.c_fc',
      mlp_fc2: 'mlp.c_proj',
    };
    return other[m[2]!] ? { weight: `${p}.${other[m[2]!]}.weight`, rowOffset: 0 } : undefined;
  }
  return undefined;
}

describe('kohya SDXL LoRA modules', () => {
  it('has 722 UNet, 72 lora_te1_ and 192 lora_te2_ modules with unique keys, all 2-D', () => {
    expect(modules.filter((m) => m.key.startsWith('lora_unet_'))).toHaveLength(722);
    expect(modules.filter((m) => m.key.startsWith('lora_te1_'))).toHaveLength(72);
    expect(modules.filter((m) => m.key.startsWith('lora_te2_'))).toHaveLength(192);
    expect(byKey.size).toBe(modules.length);
    expect(modules.every((m) => m.kernel === undefined)).toBe(true);
    expect(sdxlLoraModules(SDXL_WIDTHS, { textEncoder: false })).toHaveLength(722);
  });

  it('uses the sites and names SD-MODELS.md lists', () => {
    const sites = new Set(
      modules.filter((m) => m.part === 'unet').map((m) => m.key.match(/^lora_unet_(.+?_\d+_1|middle_block_1)_/)?.[1]),
    );
    expect([...sites].sort()).toEqual(
      [4, 5, 7, 8]
        .map((i) => `input_blocks_${i}`)
        .concat(
          'middle_block',
          [0, 1, 2, 3, 4, 5].map((i) => `output_blocks_${i}`),
        )
        .map((s) => (s === 'middle_block' ? 'middle_block_1' : `${s}_1`))
        .sort(),
    );
    const q = byKey.get('lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q')!;
    expect(q.target).toBe('model.diffusion_model.input_blocks.4.1.transformer_blocks.0.attn1.to_q.weight');
    expect(loraShapes(q, 8)).toEqual({ down: [8, 640], up: [640, 8] });
    expect(byKey.has('lora_unet_input_blocks_4_1_transformer_blocks_1_attn1_to_q')).toBe(true);
    expect(byKey.has('lora_unet_input_blocks_4_1_transformer_blocks_2_attn1_to_q')).toBe(false);
    expect(byKey.has('lora_unet_input_blocks_7_1_transformer_blocks_9_ff_net_2')).toBe(true);
    expect(byKey.has('lora_unet_input_blocks_7_1_transformer_blocks_10_ff_net_2')).toBe(false);
    expect(loraShapes(byKey.get('lora_unet_output_blocks_0_1_proj_in')!, 4)).toEqual({
      down: [4, 1280],
      up: [1280, 4],
    });
    expect(loraShapes(byKey.get('lora_unet_middle_block_1_transformer_blocks_9_attn2_to_k')!, 4)).toEqual({
      down: [4, 2048],
      up: [1280, 4],
    });
    expect(loraShapes(byKey.get('lora_te1_text_model_encoder_layers_11_mlp_fc1')!, 4)).toEqual({
      down: [4, 768],
      up: [3072, 4],
    });
    const g = byKey.get('lora_te2_text_model_encoder_layers_31_self_attn_v_proj')!;
    expect(loraShapes(g, 4)).toEqual({ down: [4, 1280], up: [1280, 4] });
    expect(g.rows).toEqual({ start: 2560, count: 1280 });
  });

  it("maps every key, through the loaders' own key map, onto a checkpoint weight of compatible shape", () => {
    for (const m of modules) {
      const t = loaderTarget(m.key);
      expect([m.key, t?.weight]).toEqual([m.key, m.target]);
      const [out = 0, inF = 0] = shapes.get(m.target) ?? [];
      expect([m.key, inF, t?.rows ?? out, t?.rowOffset]).toEqual([m.key, m.in, m.out, m.rows?.start ?? 0]);
    }
  });

  it('puts bigG q/k/v LoRAs on their thirds of the fused in_proj, as on a split q/k/v model', () => {
    const tiny = sdxlLoraModules(TINY_SDXL_WIDTHS);
    const name = 'conditioner.embedders.1.model.transformer.resblocks.7.attn.in_proj_weight';
    const spec = sdxlKeys(TINY_SDXL_WIDTHS).find((s) => s.name === name)!;
    const fused = syntheticTensor(spec, 3);
    const c = TINY_SDXL_WIDTHS.clipG.width;
    const split = [0, 1, 2].map((i) => fused.slice(i * c * c, (i + 1) * c * c));
    const rng = new Rng(9);
    const rank = 4;
    const merged = fused.slice();
    ['q', 'k', 'v'].forEach((x, i) => {
      const m = tiny.find((t) => t.key === `lora_te2_text_model_encoder_layers_7_self_attn_${x}_proj`)!;
      const up = rng.fillNormal(new Float32Array(c * rank), 0.1);
      const down = rng.fillNormal(new Float32Array(rank * c), 0.1);
      mergeSdxlLora(merged, m, up, down, rank, 0.5 * (i + 1));
      const w = split[i]!; // the split model's own weight: W += s · up @ down
      for (let o = 0; o < c; o++)
        for (let j = 0; j < c; j++) {
          let d = 0;
          for (let r = 0; r < rank; r++) d += up[o * rank + r]! * down[r * c + j]!;
          w[o * c + j]! += 0.5 * (i + 1) * d;
        }
    });
    const refused = new Float32Array(3 * c * c);
    split.forEach((w, i) => refused.set(w, i * c * c));
    let worst = 0;
    for (let i = 0; i < merged.length; i++) worst = Math.max(worst, Math.abs(merged[i]! - refused[i]!));
    expect(worst).toBeLessThan(1e-6);
    expect(merged.slice(0, c * c)).not.toEqual(fused.slice(0, c * c));
  });

  it('marks the file as SDXL base for kohya, A1111 and ComfyUI', () => {
    const md = sdxlLoraMetadata({
      base: { name: 'sd_xl_base_1.0', hashes: { sha256: 'ab'.repeat(32), autoV2: 'abababab', legacy: '12345678' } },
      title: 'my style',
      resolution: 1024,
      rank: 16,
      alpha: 8,
      textEncoder: false,
    });
    expect(md).toMatchObject({
      ss_base_model_version: 'sdxl_base_v1-0',
      'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora',
      'modelspec.resolution': '1024x1024',
      ss_resolution: '(1024, 1024)',
      ss_network_dim: '16',
      ss_network_alpha: '8',
      ss_network_train_unet_only: 'True',
    });
    expect(md.ss_v2).toBeUndefined();
  });
});
