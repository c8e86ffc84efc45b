// parity:sdxl — our SDXL text encoders (CLIP-L penultimate, OpenCLIP bigG penultimate and pooled), UNet (with the
// adm vector) and VAE decode against an independent PyTorch reference (bench/sdxl_reference.py, float64) on the
// same tiny random SDXL weights (every key of sd_xl_base_1.0, narrow widths) and inputs. Prints max |ours - ref|
// and the error relative to the largest reference value per part; exits 1 when a relative error passes 1e-4.
// Usage: npm run parity:sdxl [-- --seed N]   (needs Debian's python3-torch at /usr/bin/python3)
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from '../ml/graph';
import type { TensorToWrite } from '../ml/safetensors';
import { compareWithReference, parseSeed, wave as waveOf } from './parity-report';
import { frozenCtx } from '../ml/sd/blocks';
import { buildClipText } from '../ml/sd/clip';
import { buildOpenClipText, eosRows } from '../ml/sd/openclip';
import { admVectors, SDXL_VAE_SCALE } from '../ml/sd/sdxl-cond';
import { SDXL_CLIP_L_PREFIX } from '../ml/sd/sdxl-keys';
import { syntheticSdxlCheckpoint } from '../ml/sd/sdxl-tiny';
import { TINY_SDXL_WIDTHS } from '../ml/sd/sdxl-widths';
import { buildUnet } from '../ml/sd/unet';
import { buildVaeDecoder } from '../ml/sd/vae';

const seed = parseSeed();
const wave = (n: number, f: number, scale = 1): Float32Array => waveOf(n, f, seed, scale);

/** Two prompts of different lengths, BOS … EOS then padding (EOS for CLIP-L, 0 for bigG, as SDXL tokenizes). */
function tokenIds(pad: number): Int32Array {
  return Int32Array.from({ length: 2 * 77 }, (_, i) => {
    const p = i % 77;
    const end = 7 + (i >= 77 ? 3 : 0);
    if (p === 0) return 49406;
    if (p === end) return 49407;
    if (p > end) return pad;
    return (i * 7919 + seed) % 49406;
  });
}

const int64 = (t: TensorToWrite) =>
  new OrtTensor(
    'int64',
    BigInt64Array.from(t.data as Int32Array, (v) => BigInt(v)),
    [...t.shape],
  );

async function main(): Promise<void> {
  const w = TINY_SDXL_WIDTHS;
  const ckpt = syntheticSdxlCheckpoint(w, seed);
  const idsG = tokenIds(0);
  const pooledIn = wave(2 * w.clipG.projectionDim, 0.21);
  const sizes = [
    { original: [1024, 768], crop: [0, 64], target: [1024, 1024] },
    { original: [512, 512], crop: [0, 0], target: [512, 512] },
  ] as const;
  const inputs: Record<string, TensorToWrite> = {
    ids_l: { shape: [2, 77], data: tokenIds(49407) },
    ids_g: { shape: [2, 77], data: idsG },
    t: { shape: [2], data: Float32Array.of(999, 37) },
    latents: { shape: [2, 4, 16, 16], data: wave(2 * 4 * 256, 0.37) },
    context: { shape: [2, 77, w.unet.contextDim], data: wave(2 * 77 * w.unet.contextDim, 0.11) },
    y: { shape: [2, w.unet.admInChannels], data: admVectors(pooledIn, sizes) },
    z: { shape: [1, 4, 8, 8], data: wave(4 * 64, 0.3, 0.8) },
  };
  const g = new GraphBuilder({ name: 'sdxl_parity' });
  const ctx = frozenCtx(g, ckpt);
  const inp = (n: string, dtype: 'float32' | 'int64' = 'float32') => g.input(n, dtype, inputs[n]!.shape);
  g.output(
    buildClipText(ctx, inp('ids_l', 'int64'), { prefix: SDXL_CLIP_L_PREFIX, clipSkip: 2, finalNorm: false }),
    'clip_l',
  );
  const eos = g.input('eos', 'int64', [2]);
  const bigG = buildOpenClipText(ctx, inp('ids_g', 'int64'), eos);
  g.output(bigG.penultimate, 'bigG');
  g.output(bigG.pooled, 'pooled');
  const unet = buildUnet(
    ctx,
    { x: inp('latents'), t: inp('t'), context: inp('context'), y: inp('y') },
    { headDim: w.unet.headDim },
  );
  g.output(unet, 'unet');
  g.output(buildVaeDecoder(ctx, inp('z'), SDXL_VAE_SCALE), 'vae_decode');
  const session = await g.createSession();
  const feeds: Record<string, OrtTensor> = { eos: new OrtTensor('int64', eosRows(idsG, 77), [2]) };
  for (const [n, t] of Object.entries(inputs))
    feeds[n] = n.startsWith('ids') ? int64(t) : new OrtTensor('float32', t.data as Float32Array, [...t.shape]);
  const res = await session.run(feeds);
  const ours: Record<string, TensorToWrite> = {};
  for (const [n, v] of Object.entries(res)) ours[n] = { shape: [...v.dims], data: v.data as Float32Array };

  try {
    const ok = await compareWithReference(
      'sdxl_reference.py',
      (torch) => `SDXL parity, tiny random weights (seed ${seed}), ours (fp32, onnxruntime) vs PyTorch ${torch} (fp64)`,
      ckpt,
      inputs,
      ours,
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    await session.release();
  }
}

void main();
