/**
 * `npx tsx scripts/make-tiny-sdxl.ts <out-dir> [--widths tiny|full] [--seed N]`: writes tiny random SDXL base
 * checkpoints with the full key set of sd_xl_base_1.0 (ml/sd/sdxl-tiny.ts) for tests, parity checks and benches:
 *   tiny-sdxl-{f32,f16,bf16}.safetensors     ldm/SAI single files (fused bigG in_proj, position_ids, logit_scale)
 *   tiny-sdxl-diffusers-{f32,f16}/           diffusers folders (unet/, text_encoder/, text_encoder_2/, vae/)
 * `--widths full` writes one full-size random F16 model instead (≈7 GB; for timing, no download needed).
 * Generated, never committed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openAnySdCheckpoint } from '../ml/sd/checkpoint';
import { writeTinySdxl, type TinySdxlOptions } from '../ml/sd/sdxl-tiny';
import { SDXL_WIDTHS } from '../ml/sd/sdxl-widths';

const say = (s: string) => process.stdout.write(`${s}\n`);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out || out.startsWith('--'))
    throw new Error('usage: make-tiny-sdxl.ts <out-dir> [--widths tiny|full] [--seed N]');
  mkdirSync(out, { recursive: true });
  const seed = Number(arg('seed') ?? 0);
  const variants: [string, TinySdxlOptions][] =
    arg('widths') === 'full'
      ? [['full-random-sdxl-f16.safetensors', { dtype: 'F16', widths: SDXL_WIDTHS, extras: false }]]
      : [
          ['tiny-sdxl-f32.safetensors', { dtype: 'F32' }],
          ['tiny-sdxl-f16.safetensors', { dtype: 'F16' }],
          ['tiny-sdxl-bf16.safetensors', { dtype: 'BF16' }],
          ['tiny-sdxl-diffusers-f32', { layout: 'diffusers', dtype: 'F32' }],
          ['tiny-sdxl-diffusers-f16', { layout: 'diffusers', dtype: 'F16' }],
        ];
  for (const [name, options] of variants) {
    const path = await writeTinySdxl(join(out, name), { seed, ...options });
    const ckpt = openAnySdCheckpoint(path); // every file written is checked by the loader that will read it
    say(
      `${path}: ${ckpt.family} ${ckpt.layout} ${ckpt.dtype}, ${ckpt.names.length} weights, ` +
        `${(ckpt.bytes / 2 ** 20).toFixed(1)} MiB`,
    );
    ckpt.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
