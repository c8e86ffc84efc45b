/**
 * LoRAs merged into SD weights as ComfyUI and A1111 apply a file: W' = W + Σ strength · (alpha/rank) ·
 * up.flatten(1) @ down.flatten(1), reshaped to W (SD 1.5: a 1x1 or 3x3 conv for proj_in/out and LoCon), only on
 * the module's rows where it has some (SDXL's bigG q/k/v, thirds of the fused in_proj). The adapters are
 * the values the file holds (an fp16 file's values are fp16), so in-training samples round to the saved dtype
 * first (`roundAdapters`) and then see exactly what a loader will. Merged weights are made when the graph reads
 * them; others come from the checkpoint unchanged.
 */
import { f16BitsToF32, f32ToF16Bits } from '../safetensors/f16';
import type { LoraAdapter } from '../lora/types';
import type { WeightSource } from './blocks';
import type { KohyaModule } from './lora-names';

/** A module a LoRA changes: the whole target weight, or `rows` of it (sdxl-lora-names.ts). */
export type LoraTarget = KohyaModule & { readonly rows?: { readonly start: number; readonly count: number } };

/** One LoRA's adapters on their modules, at a strength. */
export interface AppliedLora {
  readonly adapters: readonly { readonly module: LoraTarget; readonly adapter: LoraAdapter }[];
  readonly strength: number;
}

/** ΔW = scale · up [out, r] @ down [r, rest], added into w (flattened [out, rest]), or into `rows` of it. */
export function addLowRank(w: Float32Array, a: LoraAdapter, scale: number, rows?: LoraTarget['rows']): void {
  const rest = a.down.length / a.rank;
  const start = rows?.start ?? 0;
  const fits = rows ? rows.count === a.out && (start + a.out) * rest <= w.length : w.length === a.out * rest;
  if (!fits) throw new Error(`LoRA ${a.module}: ${a.out}x${rest} does not fit ${w.length} weights`);
  for (let o = 0; o < a.out; o++)
    for (let k = 0; k < a.rank; k++) {
      const u = a.up[o * a.rank + k]! * scale;
      if (u === 0) continue;
      const row = (start + o) * rest,
        d = k * rest;
      for (let i = 0; i < rest; i++) w[row + i]! += u * a.down[d + i]!;
    }
}

/** The checkpoint's weights with `loras` merged in (the checkpoint is not changed). */
export function mergedWeights(base: WeightSource, loras: readonly AppliedLora[]): WeightSource {
  const byTarget = new Map<string, { adapter: LoraAdapter; strength: number; rows?: LoraTarget['rows'] }[]>();
  for (const l of loras) {
    if (l.strength === 0) continue;
    for (const { module, adapter } of l.adapters) {
      const list = byTarget.get(module.target) ?? [];
      list.push({ adapter, strength: l.strength, rows: module.rows });
      byTarget.set(module.target, list);
    }
  }
  return {
    has: (n) => base.has(n),
    shape: (n) => base.shape(n),
    get(name) {
      const t = base.get(name);
      const list = byTarget.get(name);
      if (!t || !list) return t;
      const data = Float32Array.from(t.data);
      for (const { adapter, strength, rows } of list)
        addLowRank(data, adapter, (strength * adapter.alpha) / adapter.rank, rows);
      return { shape: t.shape, data };
    },
  };
}

/** The adapters as a file of `dtype` stores them (fp16 rounding; fp32 unchanged). */
export function roundAdapters<T extends { adapter: LoraAdapter }>(list: readonly T[], dtype: 'F16' | 'F32'): T[] {
  if (dtype === 'F32') return [...list];
  const r = (x: Float32Array): Float32Array => x.map((v) => f16BitsToF32(f32ToF16Bits(v)));
  return list.map((e) => ({
    ...e,
    adapter: {
      ...e.adapter,
      down: r(e.adapter.down),
      up: r(e.adapter.up),
      alpha: f16BitsToF32(f32ToF16Bits(e.adapter.alpha)),
    },
  }));
}
