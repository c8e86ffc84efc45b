/**
 * Module names <-> kohya LoRA keys. A module path has its dots turned into underscores, with the prefix
 * `lora_te_` for the text encoder (`text.layers.0.attn.q` -> `lora_te_layers_0_attn_q`) and `lora_unet_` for the
 * diffusion transformer (`blocks.0.attn.q` -> `lora_unet_blocks_0_attn_q`), as kohya's sd-scripts write them.
 */
import type { DiTConfig } from './config';
import { linearModules, type LinearModule } from './params';

/** The kohya key prefix of a module (without `.lora_down.weight`). */
export function kohyaKey(module: string): string {
  if (module.startsWith('text.')) return `lora_te_${module.slice('text.'.length).replace(/\./g, '_')}`;
  return `lora_unet_${module.replace(/\./g, '_')}`;
}

/** The module a kohya key prefix names, or undefined when the model has no such linear layer. */
export function moduleForKohyaKey(c: DiTConfig, key: string): LinearModule | undefined {
  return linearModules(c).find((m) => kohyaKey(m.name) === key);
}

/** The modules a LoRA adapts by default: attention projections and MLPs of the transformer blocks. */
export function defaultLoraTargets(c: DiTConfig, withTextEncoder = false): LinearModule[] {
  const re = withTextEncoder
    ? /\.(attn|cross|mlp)\.(q|k|v|o|fc1|fc2)$/
    : /^blocks\.\d+\.(attn|cross|mlp)\.(q|k|v|o|fc1|fc2)$/;
  return linearModules(c).filter((m) => re.test(m.name));
}
