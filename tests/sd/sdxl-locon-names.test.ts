/**
 * LoCon (kohya's conv_dim) on SDXL as ComfyUI and A1111 load it. The expected module list is built here from the
 * architecture alone: ldm's UNetModel constructor loop for SDXL base (model channels 320, levels x1/x2/x4, two
 * ResBlocks a level, samplers between levels; SD-MODELS.md), with kohya's LoCon targets in each block
 * (networks/lora.py wraps every Linear and Conv2d of ResnetBlock2D, Downsample2D and Upsample2D; in kohya's
 * sdxl_original_unet these are `in_layers.2`, `emb_layers.1`, `out_layers.3`, `skip_connection`, `op`, `conv`), named
 * `lora_unet_` + the ldm path with `.` turned into `_`, 3x3 convs at the conv rank and the rest at the LoRA rank.
 * Every key must also find its weight through ComfyUI's own key map (built from the checkpoint's UNet keys).
 */
import { loraShapes } from '../../ml/sd/lora-names';
import { sdxlKeys } from '../../ml/sd/sdxl-keys';
import { sdxlLoraModules } from '../../ml/sd/sdxl-lora-names';
import { sdxlTrainedModules } from '../../ml/sd/sdxl-train-step';
import { SDXL_WIDTHS, TINY_SDXL_WIDTHS, type SdxlWidths } from '../../ml/sd/sdxl-widths';
import { moduleRank } from '../../ml/sd/train-step-te';

const RANK = { rank: 8, alpha: 4, conv: { rank: 4, alpha: 2 } };

/** kohya's LoCon modules of an SDXL UNet from its architecture: key, down and up shapes. */
function expectedLocon(mc: number, mults: readonly number[], res: number, timeDim: number): string[] {
  const out: string[] = [];
  const lin = (key: string, i: number, o: number) => out.push(`${key} [${RANK.rank},${i}] [${o},${RANK.rank}]`);
  const conv3 = (key: string, i: number, o: number) =>
    out.push(`${key} [${RANK.conv.rank},${i},3,3] [${o},${RANK.conv.rank},1,1]`);
  const resBlock = (at: string, i: number, o: number) => {
    conv3(`lora_unet_${at}_in_layers_2`, i, o);
    lin(`lora_unet_${at}_emb_layers_1`, timeDim, o);
    conv3(`lora_unet_${at}_out_layers_3`, o, o);
    if (i !== o) out.push(`lora_unet_${at}_skip_connection [${RANK.rank},${i},1,1] [${o},${RANK.rank},1,1]`);
  };
  const skips = [mc];
  let ch = mc;
  let n = 1;
  mults.forEach((m, level) => {
    for (let r = 0; r < res; r++) {
      resBlock(`input_blocks_${n++}_0`, ch, mc * m);
      ch = mc * m;
      skips.push(ch);
    }
    if (level < mults.length - 1) {
      conv3(`lora_unet_input_blocks_${n++}_0_op`, ch, ch);
      skips.push(ch);
    }
  });
  resBlock('middle_block_0', ch, ch);
  resBlock('middle_block_2', ch, ch);
  n = 0;
  [...mults].reverse().forEach((m, rl) => {
    const level = mults.length - 1 - rl;
    const attention = level > 0; // SDXL: transformers at the two lower resolutions (depth 2 and 10), none at x1
    for (let r = 0; r <= res; r++) {
      resBlock(`output_blocks_${n}_0`, ch + skips.pop()!, mc * m);
      ch = mc * m;
      if (level > 0 && r === res) conv3(`lora_unet_output_blocks_${n}_${attention ? 2 : 1}_conv`, ch, ch);
      n++;
    }
  });
  return out;
}

/** Our LoCon modules of `widths` in the same form. */
function ours(widths: SdxlWidths): string[] {
  return sdxlLoraModules(widths, { conv: true, textEncoder: false })
    .filter((m) => m.conv)
    .map((m) => {
      const { down, up } = loraShapes(m, moduleRank(m, RANK).rank);
      return `${m.key} [${down.join(',')}] [${up.join(',')}]`;
    });
}

describe('kohya LoCon modules on SDXL', () => {
  it('are the ResBlocks and samplers of the SDXL base architecture: 66 modules, names and shapes', () => {
    const expected = expectedLocon(320, [1, 2, 4], 2, 1280);
    expect(expected).toHaveLength(66);
    expect(ours(SDXL_WIDTHS).sort()).toEqual(expected.sort());
    expect(expected).toContain('lora_unet_input_blocks_1_0_in_layers_2 [4,320,3,3] [320,4,1,1]');
    expect(expected).toContain('lora_unet_output_blocks_0_0_skip_connection [8,2560,1,1] [1280,8,1,1]');
  });

  it('follow the widths of a tiny checkpoint the same way (32/64/128 channels)', () => {
    const u = TINY_SDXL_WIDTHS.unet;
    const expected = expectedLocon(u.modelChannels, u.channelMult, u.numResBlocks, u.timeEmbedDim);
    expect(ours(TINY_SDXL_WIDTHS).sort()).toEqual(expected.sort());
  });

  it("each find their checkpoint weight through ComfyUI's key map, of the shape the LoRA's product needs", () => {
    const shapes = new Map(sdxlKeys(SDXL_WIDTHS).map((s) => [s.name, s.shape]));
    // ComfyUI (model_lora_keys_unet): every `diffusion_model.X.weight` answers to `lora_unet_` + X with `.` -> `_`.
    const comfy = new Map<string, string>();
    for (const name of shapes.keys()) {
      const m = /^model\.diffusion_model\.(.+)\.weight$/.exec(name);
      if (m) comfy.set(`lora_unet_${m[1]!.replace(/\./g, '_')}`, name);
    }
    for (const m of sdxlLoraModules(SDXL_WIDTHS, { conv: true }).filter((x) => x.conv)) {
      const weight = comfy.get(m.key);
      expect([m.key, weight]).toEqual([m.key, m.target]);
      const { down, up } = loraShapes(m, 4);
      const [o, i, kh, kw] = shapes.get(weight!)!;
      expect([m.key, up[0], down.slice(1)]).toEqual([m.key, o, kh === undefined ? [i] : [i, kh, kw]]);
    }
  });

  it('are trained only with conv LoRA on, after the UNet modules, and off by default', () => {
    expect(sdxlLoraModules(SDXL_WIDTHS).some((m) => m.conv)).toBe(false);
    const plain = sdxlTrainedModules(SDXL_WIDTHS, { text: false });
    const locon = sdxlTrainedModules(SDXL_WIDTHS, { text: false, conv: true });
    expect([plain.length, locon.length]).toEqual([722, 722 + 66]);
    expect(locon.slice(0, 722)).toEqual(plain);
    expect(locon.slice(722).every((m) => m.conv)).toBe(true);
    expect(locon.find((m) => m.key === 'lora_unet_input_blocks_1_0_in_layers_2')?.diffusersPath).toBe(
      'down_blocks.0.resnets.0.conv1',
    );
  });
});
