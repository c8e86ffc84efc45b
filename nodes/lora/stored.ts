/** Reading back the kohya files loraflow stores (module names come from the key, so no model is needed). */
import { readSafetensors } from '../../ml/safetensors';
import type { LoraAdapter } from '../../ml/lora/types';

/** The adapters of a kohya file as stored (module = the kohya key; enough to re-encode the file). */
export async function readKohyaAdapters(file: string): Promise<LoraAdapter[]> {
  const { tensors } = await readSafetensors(file);
  const out: LoraAdapter[] = [];
  for (const [name, down] of tensors) {
    if (!name.endsWith('.lora_down.weight')) continue;
    const key = name.slice(0, -'.lora_down.weight'.length);
    const up = tensors.get(`${key}.lora_up.weight`);
    const alpha = tensors.get(`${key}.alpha`);
    if (!up || !(down.data instanceof Float32Array) || !(up.data instanceof Float32Array)) throw new Error(`${file}: "${key}" is incomplete`);
    const [rank = 0, inF = 0] = down.shape;
    out.push({ module: key, rank, alpha: Number(alpha?.data[0] ?? rank), in: inF, out: up.shape[0] ?? 0, down: down.data, up: up.data });
  }
  return out;
}
