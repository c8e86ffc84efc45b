/**
 * The metadata that marks a LoRA as SDXL base for kohya, A1111 and ComfyUI's UIs: SD 1.5's keys (lora-metadata.ts)
 * with SDXL's base-model version and model-spec architecture, 1024 px unless trained otherwise.
 */
import { sd15LoraMetadata, type Sd15LoraInfo } from './lora-metadata';

export type SdxlLoraInfo = Sd15LoraInfo;

/** The SDXL-specific metadata of a LoRA file (all strings). */
export function sdxlLoraMetadata(t: SdxlLoraInfo): Record<string, string> {
  const { ss_v2: _v2, ...common } = sd15LoraMetadata(t);
  return {
    ...common,
    ss_base_model_version: 'sdxl_base_v1-0',
    'modelspec.architecture': 'stable-diffusion-xl-v1-base/lora',
  };
}
