/**
 * The metadata that marks a LoRA as SD 1.5 for kohya, A1111 and ComfyUI's UIs (none needs it to load the file):
 * `ss_base_model_version`, `modelspec.*` of Stability's model spec, and the base checkpoint's hashes. The training
 * keys shared by every family (`ss_learning_rate`, `ss_tag_frequency`, ...) come from nodes/lora/metadata.ts, and
 * `sshs_model_hash` from ml/lora/file.ts when the file is encoded.
 */
import type { CheckpointHashes } from './hash';

export interface Sd15LoraInfo {
  readonly base: { readonly name: string; readonly hashes: CheckpointHashes };
  readonly title: string;
  readonly resolution: number;
  readonly rank: number;
  readonly alpha: number;
  /** LoCon rank and alpha when conv layers are adapted. */
  readonly conv?: { readonly rank: number; readonly alpha: number };
  readonly textEncoder: boolean;
  readonly trigger?: string;
}

/** The SD 1.5-specific metadata of a LoRA file (all strings, as safetensors metadata must be). */
export function sd15LoraMetadata(t: Sd15LoraInfo): Record<string, string> {
  const args: Record<string, string> = t.conv
    ? { conv_dim: String(t.conv.rank), conv_alpha: String(t.conv.alpha) }
    : {};
  return {
    ss_base_model_version: 'sd_v1',
    ss_v2: 'False',
    ss_network_module: 'networks.lora',
    ss_network_dim: String(t.rank),
    ss_network_alpha: String(t.alpha),
    ...(t.conv ? { ss_network_args: JSON.stringify(args) } : {}),
    ss_network_train_unet_only: t.textEncoder ? 'False' : 'True',
    ss_sd_model_name: t.base.name,
    ss_sd_model_hash: t.base.hashes.legacy,
    ss_new_sd_model_hash: t.base.hashes.sha256,
    ss_resolution: `(${t.resolution}, ${t.resolution})`,
    'modelspec.sai_model_spec': '1.0.0',
    'modelspec.architecture': 'stable-diffusion-v1/lora',
    'modelspec.implementation': 'diffusers',
    'modelspec.title': t.title,
    'modelspec.resolution': `${t.resolution}x${t.resolution}`,
    'modelspec.prediction_type': 'epsilon',
    ...(t.trigger ? { 'modelspec.trigger_phrase': t.trigger } : {}),
  };
}
