/**
 * SDXL base checkpoints: the canonical key list matches sd_xl_base_1.0's published counts; tiny random files in the
 * ldm/SAI and diffusers layouts (F32/F16/BF16) open as family 'sdxl' with the widths they were written with, the
 * diffusers folder's split bigG q/k/v served as the fused in_proj; broken or other files are refused by name.
 */
import { copyFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAnySdCheckpoint, openSdCheckpoint, SdCheckpointError } from '../../ml/sd/checkpoint';
import { encodeSafetensors, writeSafetensors } from '../../ml/safetensors';
import { sdxlKeys } from '../../ml/sd/sdxl-keys';
import { syntheticSdxlCheckpoint, writeTinySdxl } from '../../ml/sd/sdxl-tiny';
import { SDXL_WIDTHS, TINY_SDXL_WIDTHS } from '../../ml/sd/sdxl-widths';
import { elementCount } from '../../ml/sd/spec';
import { syntheticTensor } from '../../ml/sd/tiny';
import type { SdxlCheckpoint } from '../../ml/sd/sdxl-checkpoint';
import { tempDir } from './fixtures';

const real = sdxlKeys(SDXL_WIDTHS);
const part = (prefix: string) => real.filter((s) => s.name.startsWith(prefix));
const params = (specs: typeof real) => specs.reduce((a, s) => a + elementCount(s.shape), 0);
const shapeOf = (name: string) => real.find((s) => s.name === name)?.shape;
const IN_PROJ = 'conditioner.embedders.1.model.transformer.resblocks.3.attn.in_proj_weight';

describe('SDXL canonical weights', () => {
  it('has the real UNet: 1,680 tensors, 2,567,463,684 parameters', () => {
    expect(part('model.diffusion_model.')).toHaveLength(1680);
    expect(params(part('model.diffusion_model.'))).toBe(2_567_463_684);
  });

  it('has CLIP-L (123,060,480), OpenCLIP bigG with its projection (694,659,840) and the VAE (83,653,863)', () => {
    expect(params(part('conditioner.embedders.0.transformer.text_model.'))).toBe(123_060_480);
    expect(params(part('conditioner.embedders.1.model.'))).toBe(694_659_840);
    expect(part('conditioner.embedders.1.model.transformer.resblocks.31.')).toHaveLength(12);
    expect(params(part('first_stage_model.'))).toBe(83_653_863);
  });

  it('gives the shapes SD-MODELS.md lists', () => {
    const U = 'model.diffusion_model.';
    expect(shapeOf(`${U}label_emb.0.0.weight`)).toEqual([1280, 2816]);
    expect(shapeOf(`${U}input_blocks.4.1.proj_in.weight`)).toEqual([640, 640]);
    expect(shapeOf(`${U}input_blocks.8.1.transformer_blocks.9.attn2.to_k.weight`)).toEqual([1280, 2048]);
    expect(shapeOf(`${U}input_blocks.8.1.transformer_blocks.10.norm1.weight`)).toBeUndefined();
    expect(shapeOf(`${U}input_blocks.1.1.norm.weight`)).toBeUndefined(); // no attention at the highest resolution
    expect(shapeOf(`${U}input_blocks.9.0.in_layers.0.weight`)).toBeUndefined();
    expect(shapeOf(`${U}middle_block.1.transformer_blocks.9.ff.net.0.proj.weight`)).toEqual([10240, 1280]);
    expect(shapeOf(`${U}output_blocks.2.2.conv.weight`)).toEqual([1280, 1280, 3, 3]);
    expect(shapeOf(`${U}output_blocks.5.2.conv.weight`)).toEqual([640, 640, 3, 3]);
    expect(shapeOf(`${U}output_blocks.8.0.in_layers.2.weight`)).toEqual([320, 640, 3, 3]);
    expect(shapeOf(`${U}output_blocks.8.1.norm.weight`)).toBeUndefined();
    expect(shapeOf(IN_PROJ)).toEqual([3840, 1280]);
    expect(shapeOf('conditioner.embedders.1.model.text_projection')).toEqual([1280, 1280]);
    expect(shapeOf('conditioner.embedders.0.transformer.text_model.encoder.layers.11.mlp.fc2.weight')).toEqual([
      768, 3072,
    ]);
  });
});

describe('opening SDXL checkpoints', () => {
  const dir = tempDir('sdxl');
  let f32 = '';
  beforeAll(async () => {
    f32 = await writeTinySdxl(join(dir, 'xl-f32.safetensors'), { seed: 5 });
  }, 60_000);
  const refusal = (path: string): string => {
    try {
      openAnySdCheckpoint(path).close();
    } catch (e) {
      if (e instanceof SdCheckpointError) return `${e.message} | ${e.hint ?? ''}`;
      throw e;
    }
    return 'opened';
  };

  it('reads family, widths and values of an ldm file; position_ids and logit_scale are ignored extras', () => {
    const ckpt = openAnySdCheckpoint(f32) as SdxlCheckpoint;
    try {
      expect(ckpt.family).toBe('sdxl');
      expect(ckpt.layout).toBe('ldm');
      expect(ckpt.widths).toEqual(TINY_SDXL_WIDTHS);
      expect(ckpt.names).toHaveLength(sdxlKeys(TINY_SDXL_WIDTHS).length);
      expect([...ckpt.ignored].sort()).toEqual([
        'conditioner.embedders.0.transformer.text_model.embeddings.position_ids',
        'conditioner.embedders.1.model.logit_scale',
      ]);
      const spec = sdxlKeys(TINY_SDXL_WIDTHS).find((s) => s.name === IN_PROJ)!;
      expect(ckpt.tensor(IN_PROJ).data).toEqual(syntheticTensor(spec, 5));
    } finally {
      ckpt.close();
    }
  });

  it.each(['F16', 'BF16'] as const)('opens a %s file and reports its dtype per part', async (dtype) => {
    const path = await writeTinySdxl(join(dir, `xl-${dtype}.safetensors`), { dtype, seed: 5, extras: false });
    const ckpt = openAnySdCheckpoint(path) as SdxlCheckpoint;
    try {
      expect(ckpt.dtypes).toEqual({ unet: dtype, textEncoder: dtype, textEncoder2: dtype, vae: dtype });
      const a = ckpt.tensor(IN_PROJ).data;
      const b = syntheticTensor(
        sdxlKeys(TINY_SDXL_WIDTHS).find((s) => s.name === IN_PROJ)!,
        5,
      );
      const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!) / (Math.abs(b[i]!) + 1e-3)), 0);
      expect(worst).toBeLessThan(dtype === 'F16' ? 2e-3 : 1e-2);
    } finally {
      ckpt.close();
    }
  });

  it('serves a diffusers folder under the same names and values (split q/k/v fused, projection transposed back)', async () => {
    const folder = await writeTinySdxl(join(dir, 'xl-diffusers'), { layout: 'diffusers', seed: 5 });
    const ckpt = openAnySdCheckpoint(folder);
    const ref = syntheticSdxlCheckpoint(TINY_SDXL_WIDTHS, 5);
    try {
      expect(ckpt.family).toBe('sdxl');
      expect(ckpt.layout).toBe('diffusers');
      expect(ckpt.widths).toEqual(TINY_SDXL_WIDTHS);
      expect([...ckpt.names].sort()).toEqual([...ref.names].sort());
      for (const name of ref.names) expect([name, ckpt.shape(name)]).toEqual([name, ref.shape(name)]);
      for (const name of [
        IN_PROJ,
        'conditioner.embedders.1.model.transformer.resblocks.0.attn.in_proj_bias',
        'conditioner.embedders.1.model.text_projection',
        'model.diffusion_model.label_emb.0.2.weight',
        'first_stage_model.decoder.mid.attn_1.q.weight',
      ])
        expect([name, ckpt.tensor(name).data]).toEqual([name, ref.tensor(name).data]);
    } finally {
      ckpt.close();
    }
  }, 60_000);

  it('is named as SDXL, not opened, by the SD 1.5-only API', () => {
    expect(() => openSdCheckpoint(f32)).toThrow(/detected SDXL base .*not SD 1\.5/);
  });

  it('refuses a truncated file, a missing weight, a refiner and a UNet-only file, naming what it found', async () => {
    const cut = join(dir, 'cut.safetensors');
    copyFileSync(f32, cut);
    truncateSync(cut, 30_000_000);
    expect(refusal(cut)).toMatch(/cut\.safetensors: .*truncated/);
    const specs = sdxlKeys(TINY_SDXL_WIDTHS);
    const holey = join(dir, 'holey.safetensors');
    const tensors = Object.fromEntries(
      specs
        .filter((s) => s.name !== IN_PROJ)
        .map((s) => [s.name, { shape: s.shape, data: new Float32Array(elementCount(s.shape)) }]),
    );
    writeFileSync(holey, encodeSafetensors(tensors));
    expect(refusal(holey)).toMatch(
      new RegExp(`1 of its ${specs.length} weights .*"${IN_PROJ.replace(/\./g, '\\.')}" is missing`),
    );
    const one = { shape: [1], data: new Float32Array(1) };
    const refiner = join(dir, 'refiner.safetensors');
    await writeSafetensors(refiner, {
      'model.diffusion_model.input_blocks.0.0.weight': one,
      'conditioner.embedders.0.model.ln_final.weight': one,
    });
    expect(refusal(refiner)).toMatch(/detected SDXL refiner; not supported yet/);
    const unetOnly = join(dir, 'unet-only.safetensors');
    await writeSafetensors(unetOnly, {
      'model.diffusion_model.input_blocks.0.0.weight': one,
      'conditioner.embedders.1.model.ln_final.weight': one,
    });
    expect(refusal(unetOnly)).toMatch(/lacks the CLIP-L text encoder .* and the VAE/);
  }, 60_000);
});
