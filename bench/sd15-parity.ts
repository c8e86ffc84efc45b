// parity:sd15 — our CLIP, UNet and VAE graphs against an independent PyTorch reference (bench/sd15_reference.py,
// float64) on the same tiny random SD 1.5 weights and inputs. Prints max |ours - ref| and the error relative to the
// largest reference value, per model part; exits 1 when a relative error passes 1e-4.
// Usage: npm run parity:sd15 [-- --seed N]   (needs Debian's python3-torch at /usr/bin/python3)
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from '../ml/graph';
import type { TensorToWrite } from '../ml/safetensors';
import { compareWithReference, parseSeed, wave as waveOf } from './parity-report';
import { frozenCtx } from '../ml/sd/blocks';
import { buildClipText } from '../ml/sd/clip';
import { buildUnet } from '../ml/sd/unet';
import { buildVaeDecoder, buildVaeEncoder } from '../ml/sd/vae';
import { syntheticSdCheckpoint } from '../ml/sd/tiny';
import { TINY_SD15_WIDTHS } from '../ml/sd/widths';

const seed = parseSeed();
const wave = (n: number, f: number, scale = 1): Float32Array => waveOf(n, f, seed, scale);

async function main(): Promise<void> {
  const ckpt = syntheticSdCheckpoint(TINY_SD15_WIDTHS, seed);
  const ids = Int32Array.from({ length: 2 * 77 }, (_, i) => {
    const p = i % 77;
    if (p === 0) return 49406;
    if (p > 6 + (i >= 77 ? 3 : 0)) return 49407;
    return (i * 7919 + seed) % 49406;
  });
  const inputs: Record<string, TensorToWrite> = {
    ids: { shape: [2, 77], data: ids },
    t: { shape: [2], data: Float32Array.of(999, 37) },
    latents: { shape: [2, 4, 16, 16], data: wave(2 * 4 * 256, 0.37) },
    context: { shape: [2, 77, 64], data: wave(2 * 77 * 64, 0.11) },
    image: { shape: [1, 3, 64, 64], data: wave(3 * 64 * 64, 0.05, 0.9) },
    z: { shape: [1, 4, 8, 8], data: wave(4 * 64, 0.3, 0.8) },
  };
  const g = new GraphBuilder({ name: 'sd15_parity' });
  const ctx = frozenCtx(g, ckpt);
  const inp = (n: string, dtype: 'float32' | 'int64' = 'float32') => g.input(n, dtype, inputs[n]!.shape);
  const idsT = inp('ids', 'int64');
  g.output(buildClipText(ctx, idsT), 'clip');
  g.output(buildClipText(ctx, idsT, { clipSkip: 2 }), 'clip_skip2');
  g.output(buildUnet(ctx, { x: inp('latents'), t: inp('t'), context: inp('context') }), 'unet');
  const post = buildVaeEncoder(ctx, inp('image'));
  g.output(post.mean, 'vae_mean');
  g.output(post.logvar, 'vae_logvar');
  g.output(buildVaeDecoder(ctx, inp('z')), 'vae_decode');
  const session = await g.createSession();
  const feeds: Record<string, OrtTensor> = {};
  for (const [n, t] of Object.entries(inputs))
    feeds[n] =
      n === 'ids'
        ? new OrtTensor(
            'int64',
            BigInt64Array.from(t.data as Int32Array, (v) => BigInt(v)),
            [...t.shape],
          )
        : new OrtTensor('float32', t.data as Float32Array, [...t.shape]);
  const res = await session.run(feeds);
  const ours: Record<string, TensorToWrite> = {};
  for (const [n, v] of Object.entries(res)) ours[n] = { shape: [...v.dims], data: v.data as Float32Array };

  try {
    const ok = await compareWithReference(
      'sd15_reference.py',
      (torch) =>
        `SD 1.5 parity, tiny random weights (seed ${seed}), ours (fp32, onnxruntime) vs PyTorch ${torch} (fp64)`,
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
