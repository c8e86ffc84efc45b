/**
 * `npx tsx scripts/make-tiny-sd15.ts <out-dir> [--widths tiny|full] [--seed N]`: writes tiny random SD 1.5
 * checkpoints with the full key set of a real one (ml/sd/tiny.ts) for tests, parity checks and benches:
 *   tiny-sd15-{f32,f16,bf16}.safetensors     ldm single files with schedule buffers, position_ids and model_ema.*
 *   tiny-sd15-bare-clip.safetensors          CLIP keys without `text_model.`, no extras
 *   tiny-sd15-diffusers-{f32,f16}/           diffusers folders (model_index.json, unet/, text_encoder/, vae/)
 * `--widths full` writes one full-size random F16 model instead (≈2 GB; for timing, no download needed).
 * Generated, never committed.
 */
import { openSdCheckpoint } from '../ml/sd/checkpoint';
import { writeTinySd15, type TinyOptions } from '../ml/sd/tiny';
import { SD15_WIDTHS } from '../ml/sd/widths';
import { runTinyCheckpointCommand } from './tiny-checkpoint-command';

runTinyCheckpointCommand<TinyOptions>({
  script: 'make-tiny-sd15.ts',
  variants: (full) =>
    full
      ? [['full-random-sd15-f16.safetensors', { dtype: 'F16', widths: SD15_WIDTHS, extras: false }]]
      : [
          ['tiny-sd15-f32.safetensors', { dtype: 'F32' }],
          ['tiny-sd15-f16.safetensors', { dtype: 'F16' }],
          ['tiny-sd15-bf16.safetensors', { dtype: 'BF16' }],
          ['tiny-sd15-bare-clip.safetensors', { dtype: 'F16', extras: false, withoutTextModelLevel: true }],
          ['tiny-sd15-diffusers-f32', { layout: 'diffusers', dtype: 'F32' }],
          ['tiny-sd15-diffusers-f16', { layout: 'diffusers', dtype: 'F16' }],
        ],
  write: writeTinySd15,
  open: openSdCheckpoint,
});
