/**
 * `npx tsx scripts/make-tiny-sdxl.ts <out-dir> [--widths tiny|full] [--seed N]`: writes tiny random SDXL base
 * checkpoints with the full key set of sd_xl_base_1.0 (ml/sd/sdxl-tiny.ts) for tests, parity checks and benches:
 *   tiny-sdxl-{f32,f16,bf16}.safetensors     ldm/SAI single files (fused bigG in_proj, position_ids, logit_scale)
 *   tiny-sdxl-diffusers-{f32,f16}/           diffusers folders (unet/, text_encoder/, text_encoder_2/, vae/)
 * `--widths full` writes one full-size random F16 model instead (≈7 GB; for timing, no download needed).
 * Generated, never committed.
 */
import { openSdxlCheckpoint } from '../ml/sd/checkpoint';
import { writeTinySdxl, type TinySdxlOptions } from '../ml/sd/sdxl-tiny';
import { SDXL_WIDTHS } from '../ml/sd/sdxl-widths';
import { runTinyCheckpointCommand } from './tiny-checkpoint-command';

runTinyCheckpointCommand<TinySdxlOptions>({
  script: 'make-tiny-sdxl.ts',
  variants: (full) =>
    full
      ? [['full-random-sdxl-f16.safetensors', { dtype: 'F16', widths: SDXL_WIDTHS, extras: false }]]
      : [
          ['tiny-sdxl-f32.safetensors', { dtype: 'F32' }],
          ['tiny-sdxl-f16.safetensors', { dtype: 'F16' }],
          ['tiny-sdxl-bf16.safetensors', { dtype: 'BF16' }],
          ['tiny-sdxl-diffusers-f32', { layout: 'diffusers', dtype: 'F32' }],
          ['tiny-sdxl-diffusers-f16', { layout: 'diffusers', dtype: 'F16' }],
        ],
  write: writeTinySdxl,
  open: openSdxlCheckpoint,
});
