/**
 * The canonical SD 1.5 weight list generated from widths matches the real model (tensor and parameter counts
 * published for v1-5, shapes from SD-MODELS.md), and the diffusers name map is its own inverse on every weight.
 */
import { sd15Keys } from '../../ml/sd/keys';
import { elementCount } from '../../ml/sd/spec';
import { SD15_WIDTHS, TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { textNameToCanonical, toDiffusers, unetNameToCanonical, vaeNameToCanonical } from '../../ml/sd/diffusers-names';

const real = sd15Keys(SD15_WIDTHS);
const part = (prefix: string) => real.filter((s) => s.name.startsWith(prefix));
const params = (specs: typeof real) => specs.reduce((a, s) => a + elementCount(s.shape), 0);
const shapeOf = (name: string) => real.find((s) => s.name === name)?.shape;

describe('SD 1.5 canonical weights', () => {
  it('has the real UNet: 686 tensors, 859,520,964 parameters', () => {
    expect(part('model.diffusion_model.')).toHaveLength(686);
    expect(params(part('model.diffusion_model.'))).toBe(859_520_964);
  });

  it('has the real CLIP ViT-L/14 text encoder (123,060,480) and VAE (83,653,863)', () => {
    expect(params(part('cond_stage_model.transformer.text_model.'))).toBe(123_060_480);
    expect(params(part('first_stage_model.'))).toBe(83_653_863);
  });

  it('gives the shapes SD-MODELS.md lists', () => {
    expect(shapeOf('model.diffusion_model.input_blocks.0.0.weight')).toEqual([320, 4, 3, 3]);
    expect(shapeOf('model.diffusion_model.input_blocks.1.1.proj_in.weight')).toEqual([320, 320, 1, 1]);
    expect(shapeOf('model.diffusion_model.input_blocks.4.0.skip_connection.weight')).toEqual([640, 320, 1, 1]);
    expect(shapeOf('model.diffusion_model.input_blocks.7.1.transformer_blocks.0.attn2.to_k.weight')).toEqual([
      1280, 768,
    ]);
    expect(shapeOf('model.diffusion_model.middle_block.1.transformer_blocks.0.ff.net.0.proj.weight')).toEqual([
      10240, 1280,
    ]);
    expect(shapeOf('model.diffusion_model.output_blocks.0.0.in_layers.2.weight')).toEqual([1280, 2560, 3, 3]);
    expect(shapeOf('model.diffusion_model.output_blocks.2.1.conv.weight')).toEqual([1280, 1280, 3, 3]);
    expect(shapeOf('model.diffusion_model.output_blocks.8.2.conv.weight')).toEqual([640, 640, 3, 3]);
    expect(shapeOf('model.diffusion_model.out.2.weight')).toEqual([4, 320, 3, 3]);
    expect(shapeOf('cond_stage_model.transformer.text_model.embeddings.token_embedding.weight')).toEqual([49408, 768]);
    expect(shapeOf('first_stage_model.quant_conv.weight')).toEqual([8, 8, 1, 1]);
    expect(shapeOf('first_stage_model.decoder.up.1.block.0.nin_shortcut.weight')).toEqual([256, 512, 1, 1]);
    expect(shapeOf('first_stage_model.encoder.mid.attn_1.q.weight')).toEqual([512, 512, 1, 1]);
  });

  it('keeps the key set at tiny widths, only narrower', () => {
    const tiny = sd15Keys(TINY_SD15_WIDTHS);
    expect(tiny.map((s) => s.name)).toEqual(real.map((s) => s.name));
    expect(tiny.find((s) => s.name.endsWith('input_blocks.1.1.proj_in.weight'))?.shape).toEqual([32, 32, 1, 1]);
  });
});

describe('diffusers names', () => {
  const unetKeys = real.map((s) => toDiffusers(s.name, 4)).filter((d) => d?.component === 'unet');
  const upHasAttention = (i: number) => unetKeys.some((d) => d!.name.startsWith(`up_blocks.${i}.attentions.`));
  const back = (name: string): string | undefined => {
    const d = toDiffusers(name, 4);
    if (!d) return undefined;
    if (d.component === 'unet') return unetNameToCanonical(d.name, upHasAttention);
    if (d.component === 'text_encoder') return textNameToCanonical(d.name);
    return vaeNameToCanonical(d.name, 4)?.name;
  };

  it('maps every canonical weight to a distinct diffusers name and back', () => {
    const names = real.map((s) => toDiffusers(s.name, 4));
    expect(names.filter((d) => !d)).toHaveLength(0);
    expect(new Set(names.map((d) => `${d!.component}/${d!.name}`)).size).toBe(real.length);
    expect(real.filter((s) => back(s.name) !== s.name).map((s) => s.name)).toEqual([]);
  });

  it('uses the diffusers names of the published SD 1.5 folders', () => {
    const d = (n: string) => toDiffusers(n, 4)?.name;
    expect(d('model.diffusion_model.input_blocks.4.0.skip_connection.weight')).toBe(
      'down_blocks.1.resnets.0.conv_shortcut.weight',
    );
    expect(d('model.diffusion_model.input_blocks.9.0.op.weight')).toBe('down_blocks.2.downsamplers.0.conv.weight');
    expect(d('model.diffusion_model.output_blocks.2.1.conv.bias')).toBe('up_blocks.0.upsamplers.0.conv.bias');
    expect(d('model.diffusion_model.output_blocks.5.2.conv.weight')).toBe('up_blocks.1.upsamplers.0.conv.weight');
    expect(d('model.diffusion_model.output_blocks.11.1.proj_out.weight')).toBe(
      'up_blocks.3.attentions.2.proj_out.weight',
    );
    expect(d('model.diffusion_model.time_embed.2.weight')).toBe('time_embedding.linear_2.weight');
    expect(d('first_stage_model.decoder.up.3.block.0.conv1.weight')).toBe('decoder.up_blocks.0.resnets.0.conv1.weight');
    expect(d('first_stage_model.encoder.mid.attn_1.proj_out.weight')).toBe(
      'encoder.mid_block.attentions.0.to_out.0.weight',
    );
    expect(vaeNameToCanonical('decoder.mid_block.attentions.0.proj_attn.weight', 4)).toEqual({
      name: 'first_stage_model.decoder.mid.attn_1.proj_out.weight',
      linearized: true,
    });
  });
});
