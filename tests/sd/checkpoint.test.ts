/**
 * Opening SD 1.5 checkpoints the way users have them: ldm single files in F32/F16/BF16 with the extras real files
 * carry, CLIP without `text_model.`, diffusers folders; and refusing what is not one, with what was found.
 */
import { closeSync, copyFileSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openSdCheckpoint, SdCheckpointError } from '../../ml/sd/checkpoint';
import { sd15Keys } from '../../ml/sd/keys';
import { syntheticSdCheckpoint, syntheticTensor } from '../../ml/sd/tiny';
import { SD15_WIDTHS, TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { encodeSafetensors, writeSafetensors } from '../../ml/safetensors';
import { tempDir, tinyCheckpoint } from './fixtures';

const dir = tempDir('sd-ckpt');
const specs = sd15Keys(TINY_SD15_WIDTHS);
const spec = (name: string) => specs.find((s) => s.name === name)!;
const PROJ_IN = 'model.diffusion_model.input_blocks.1.1.proj_in.weight';
const VAE_Q = 'first_stage_model.decoder.mid.attn_1.q.weight';
const TOKENS = 'cond_stage_model.transformer.text_model.embeddings.token_embedding.weight';

/** Largest relative error (no Math.* in the loop: a global lookup costs ~1 us per call under Jest). */
function maxRelErr(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    const ref = b[i]! < 0 ? -b[i]! : b[i]!;
    const e = (d < 0 ? -d : d) / (ref > 1e-3 ? ref : 1e-3);
    if (e > m) m = e;
  }
  return m;
}

function refusal(path: string): string {
  try {
    openSdCheckpoint(path).close();
  } catch (e) {
    expect(e).toBeInstanceOf(SdCheckpointError);
    return `${(e as Error).message} | ${(e as SdCheckpointError).hint ?? ''}`;
  }
  throw new Error(`${path} was accepted`);
}

let f32: string;
let f16: string;
let bf16: string;
let diffusers: string;
beforeAll(async () => {
  f32 = await tinyCheckpoint(dir, 'f32.safetensors', { dtype: 'F32' });
  f16 = await tinyCheckpoint(dir, 'f16.safetensors', { dtype: 'F16', extras: false, withoutTextModelLevel: true });
  bf16 = await tinyCheckpoint(dir, 'bf16.safetensors', { dtype: 'BF16', extras: false });
  diffusers = await tinyCheckpoint(dir, 'diffusers', { layout: 'diffusers', dtype: 'F16', legacyVaeAttention: true });
}, 60_000);

describe('openSdCheckpoint', () => {
  it('reads an ldm F32 file: family, every width from the shapes, the exact values', () => {
    const ckpt = openSdCheckpoint(f32);
    expect(ckpt.family).toBe('sd15');
    expect(ckpt.layout).toBe('ldm');
    expect(ckpt.dtype).toBe('F32');
    expect(ckpt.widths).toEqual(TINY_SD15_WIDTHS);
    expect(ckpt.names).toHaveLength(1130);
    const t = ckpt.tensor(PROJ_IN);
    expect(t.shape).toEqual([32, 32, 1, 1]);
    expect(t.data).toEqual(syntheticTensor(spec(PROJ_IN)));
    ckpt.close();
  });

  it('ignores schedule buffers, int64 position_ids and the model_ema.* copy', () => {
    const ckpt = openSdCheckpoint(f32);
    expect(ckpt.ignored).toEqual(
      expect.arrayContaining([
        'alphas_cumprod',
        'betas',
        'model_ema.decay',
        'model_ema.diffusion_modelinput_blocks00weight',
        'cond_stage_model.transformer.text_model.embeddings.position_ids',
      ]),
    );
    expect(ckpt.has('betas')).toBe(false);
    expect(ckpt.get('model_ema.decay')).toBeUndefined();
    ckpt.close();
  });

  it('converts F16 and BF16 files to float32 on read, and maps CLIP keys lacking text_model.', () => {
    for (const [path, dtype, tol] of [
      [f16, 'F16', 1e-3],
      [bf16, 'BF16', 8e-3],
    ] as const) {
      const ckpt = openSdCheckpoint(path);
      expect(ckpt.dtype).toBe(dtype);
      expect(ckpt.dtypes).toEqual({ unet: dtype, textEncoder: dtype, vae: dtype });
      expect(ckpt.widths).toEqual(TINY_SD15_WIDTHS);
      const t = ckpt.tensor(TOKENS);
      expect(t.data).toBeInstanceOf(Float32Array);
      expect(maxRelErr(t.data, syntheticTensor(spec(TOKENS)))).toBeLessThan(tol);
      ckpt.close();
    }
  });

  it('serves a diffusers folder under the canonical names, VAE attention as 1x1 convs', () => {
    const ckpt = openSdCheckpoint(diffusers);
    expect(ckpt.layout).toBe('diffusers');
    expect(ckpt.widths).toEqual(TINY_SD15_WIDTHS);
    expect(ckpt.names).toEqual(specs.map((s) => s.name));
    const q = ckpt.tensor(VAE_Q);
    expect(q.shape).toEqual([128, 128, 1, 1]);
    expect(maxRelErr(q.data, syntheticTensor(spec(VAE_Q)))).toBeLessThan(1e-3);
    const up = 'model.diffusion_model.output_blocks.5.2.conv.weight';
    expect(maxRelErr(ckpt.tensor(up).data, syntheticTensor(spec(up)))).toBeLessThan(1e-3);
    ckpt.close();
  });

  it('reads tensors when asked, not when opened (the file is read lazily)', () => {
    const path = join(dir, 'lazy.safetensors');
    copyFileSync(bf16, path);
    const ckpt = openSdCheckpoint(path);
    // Overwrite the first bytes of the data section after opening: the next read must see them.
    const bytes = readFileSync(path);
    const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, headerEnd).toString()) as Record<string, { data_offsets: number[] }>;
    const [begin = 0] = header[PROJ_IN]!.data_offsets;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.from([0x80, 0x3f]), 0, 2, headerEnd + begin); // bf16 1.0
    closeSync(fd);
    expect(ckpt.tensor(PROJ_IN).data[0]).toBe(1);
    ckpt.close();
  });

  it('refuses a pickle checkpoint, saying why and how to convert', () => {
    const path = join(dir, 'model.ckpt');
    writeFileSync(path, Buffer.from('PK\x03\x04 pickle'));
    const msg = refusal(path);
    expect(msg).toContain('model.ckpt');
    expect(msg).toMatch(/can run arbitrary code/);
    expect(msg).toMatch(/safetensors/);
  });

  it('refuses a truncated file and one that is not safetensors, naming the file', () => {
    const cut = join(dir, 'cut.safetensors');
    copyFileSync(bf16, cut);
    truncateSync(cut, 20_000_000);
    expect(refusal(cut)).toMatch(/cut\.safetensors: .*truncated/);
    const text = join(dir, 'notes.safetensors');
    writeFileSync(text, 'these are my notes, not a model at all');
    expect(refusal(text)).toMatch(/notes\.safetensors: header length \d+ exceeds/);
  });

  it('names the other families and LoRAs instead of failing the SD 1.5 checks', async () => {
    const one = { shape: [1], data: new Float32Array(1) };
    const file = async (name: string, keys: string[]) => {
      const path = join(dir, name);
      await writeSafetensors(path, Object.fromEntries(keys.map((k) => [k, one])));
      return path;
    };
    expect(
      refusal(
        await file('xl.safetensors', [
          'model.diffusion_model.input_blocks.0.0.weight',
          'conditioner.embedders.0.transformer.text_model.final_layer_norm.weight',
          'conditioner.embedders.1.model.ln_final.weight',
        ]),
      ),
    ).toMatch(/xl\.safetensors: detected SDXL base .*, not SD 1\.5 \| choose the SDXL model family/);
    expect(
      refusal(await file('flux.safetensors', ['double_blocks.0.img_attn.qkv.weight', 'guidance_in.in_layer.weight'])),
    ).toMatch(/detected FLUX\.1 dev; not supported yet/);
    expect(
      refusal(await file('lora.safetensors', ['lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight'])),
    ).toMatch(/is a LoRA .* not a base model \| .*LoadLoRA/);
    expect(refusal(await file('unet.safetensors', ['model.diffusion_model.input_blocks.0.0.weight']))).toMatch(
      /lacks the text encoder .* and the VAE/,
    );
    expect(refusal(await file('other.safetensors', ['encoder.weight', 'decoder.weight']))).toMatch(
      /not a Stable Diffusion checkpoint: no UNet .* 2 tensors \("encoder.weight"/,
    );
  });

  it('refuses a model with a weight missing, naming the weight', async () => {
    const tensors = Object.fromEntries(
      specs
        .filter((s) => s.name !== PROJ_IN)
        .map((s) => [s.name, { shape: s.shape, data: new Float32Array(s.shape.reduce((a, b) => a * b, 1)) }]),
    );
    const path = join(dir, 'holey.safetensors');
    writeFileSync(path, encodeSafetensors(tensors));
    expect(refusal(path)).toMatch(new RegExp(`1 of its 1130 weights .*"${PROJ_IN.replace(/\./g, '\\.')}" is missing`));
  });

  it('refuses folders that are not SD 1.5 diffusers models', () => {
    expect(refusal(dir)).toMatch(/without model_index\.json/);
    const xl = tempDir('sdxl-folder');
    writeFileSync(join(xl, 'model_index.json'), JSON.stringify({ _class_name: 'StableDiffusionXLPipeline' }));
    expect(refusal(xl)).toMatch(/not a diffusers SD folder: unet\/diffusion_pytorch_model\.safetensors is missing/);
  });
});

describe('syntheticSdCheckpoint', () => {
  it('serves the same weights as a tiny file written with the same seed, without a file', () => {
    const mem = syntheticSdCheckpoint();
    const file = openSdCheckpoint(f32);
    expect(mem.names).toEqual(file.names);
    expect(mem.tensor(VAE_Q).data).toEqual(file.tensor(VAE_Q).data);
    file.close();
    expect(syntheticSdCheckpoint(SD15_WIDTHS).shape(TOKENS)).toEqual([49408, 768]);
  });
});

describe('fp8 files', () => {
  it('names a FLUX file stored in F8_E4M3 instead of failing on its dtype', () => {
    const header = JSON.stringify({
      'model.diffusion_model.double_blocks.0.img_attn.qkv.weight': {
        dtype: 'F8_E4M3',
        shape: [2],
        data_offsets: [0, 2],
      },
    });
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(Buffer.byteLength(header)));
    const path = join(dir, 'flux-fp8.safetensors');
    writeFileSync(path, Buffer.concat([prefix, Buffer.from(header), Buffer.from([1, 2])]));
    expect(refusal(path)).toMatch(
      /flux-fp8\.safetensors: detected FLUX\.1 \(schnell or a distilled variant\); not supported yet/,
    );
  });
});
