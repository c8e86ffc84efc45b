/**
 * The canonical tensor names and shapes of an SD 1.5 checkpoint, generated from its widths. Canonical = the ldm
 * single-file layout that A1111 and ComfyUI load: `model.diffusion_model.*` (UNet), `first_stage_model.*` (VAE),
 * `cond_stage_model.transformer.text_model.*` (CLIP). The loader serves every layout under these names; the tiny
 * checkpoint generator and the LoRA module list are built from the same lists.
 */
import type { Sd15Widths } from './widths';
import { unetKeys } from './keys-unet';
import { textKeys } from './keys-text';
import { vaeKeys } from './keys-vae';
import type { TensorSpec } from './spec';

/** Every weight of an SD 1.5 model of these widths: UNet, then CLIP, then VAE. */
export function sd15Keys(w: Sd15Widths): TensorSpec[] {
  return [...unetKeys(w.unet), ...textKeys(w.clip), ...vaeKeys(w.vae)];
}
