/**
 * `npx tsx scripts/make-tiny-sd15.ts <out-dir> [--widths tiny|full] [--seed N]`: writes tiny random SD 1.5
 * checkpoints with the full key set of a real one (ml/sd/tiny.ts) for tests, parity checks and benches:
 *   tiny-sd15-{f32,f16,bf16}.safetensors     ldm single files with schedule buffers, position_ids and model_ema.*
 *   tiny-sd15-bare-clip.safetensors          CLIP keys without `text_model.`, no extras
 *   tiny-sd15-diffusers-{f32,f16}/           diffusers folders (model_index.json, unet/, text_encoder/, vae/)
 * `--widths full` writes one full-size random F16 model instead (≈2 GB; for timing, no download needed).
 * Generated, never committed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openSdCheckpoint } from '../ml/sd/checkpoint';
import { writeTinySd15, type TinyOptions } from '../ml/sd/tiny';
import { SD15_WIDTHS } from '../ml/sd/widths';

const say = (s: string) => process.stdout.write(`${s}\n`);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out || out.startsWith('--'))
    throw new Error('usage: make-tiny-sd15.ts <out-dir> [--widths tiny|full] [--seed N]');
  mkdirSync(out, { recursive: true });
  const seed = Number(arg('seed') ?? 0);
  const variants: [string, TinyOptions][] =
    arg('widths') === 'full'
      ? [['full-random-sd15-f16.safetensors', { dtype: 'F16', widths: SD15_WIDTHS, extras: false }]]
      : [
          ['tiny-sd15-f32.safetensors', { dtype: 'F32' }],
          ['tiny-sd15-f16.safetensors', { dtype: 'F16' }],
          ['tiny-sd15-bf16.safetensors', { dtype: 'BF16' }],
          ['tiny-sd15-bare-clip.safetensors', { dtype: 'F16', extras: false, withoutTextModelLevel: true }],
          ['tiny-sd15-diffusers-f32', { layout: 'diffusers', dtype: 'F32' }],
          ['tiny-sd15-diffusers-f16', { layout: 'diffusers', dtype: 'F16' }],
        ];
  for (const [name, options] of variants) {
    const path = await writeTinySd15(join(out, name), { seed, ...options });
    const ckpt = openSdCheckpoint(path); // every file written is checked by the loader that will read it
    say(
      `${path}: ${ckpt.layout} ${ckpt.dtype}, ${ckpt.names.length} weights, ${(ckpt.bytes / 2 ** 20).toFixed(1)} MiB`,
    );
    ckpt.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
