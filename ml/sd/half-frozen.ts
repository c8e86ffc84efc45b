/**
 * Frozen UNet weights held as float16 (the `frozenDtype: 'float16'` of the SD LoRA tasks): the large weights become
 * float16 initializers widened to float32 at each use (ml/graph/half-weights.ts), so the session maps half the bytes
 * and each float32 copy lives only around the node that reads it. Small tensors (biases, norms) stay float32. The
 * kernels still compute in float32; only the weights are rounded to float16, which loses nothing for the many
 * checkpoints stored in float16 (SDXL base, most fine-tunes) and rounds a float32 one's weights to 11 bits.
 */
import type { GraphBuilder } from '../graph/builder';
import type { GraphCore } from '../graph/core';
import { halfWeight } from '../graph/half-weights';
import type { Tensor } from '../graph/tensor';
import { f32ToF16Bits } from '../safetensors/f16';
import { frozenCtx, type SdCtx, type WeightSource } from './blocks';
import { elementCount } from './spec';

/** The dtype a task holds its frozen weights in. */
export type FrozenDtype = 'float32' | 'float16';

/** Weights with at least this many values are held as float16 (1 MiB in float32; biases and norms stay float32). */
export const HALF_MIN_VALUES = 1 << 18;

/** frozenCtx with the large weights as float16 initializers (`dtype` 'float32': frozenCtx itself). */
export function frozenCtxOf(
  g: GraphBuilder,
  source: WeightSource,
  dtype: FrozenDtype = 'float32',
  minValues = HALF_MIN_VALUES,
): SdCtx {
  const f32 = frozenCtx(g, source);
  if (dtype === 'float32') return f32;
  const made = new Map<string, Tensor>();
  return {
    ...f32,
    w(name) {
      if (!source.has(name) || elementCount(source.shape(name)) < minValues) return f32.w(name);
      let t = made.get(name);
      if (!t) {
        t = halfWeight(g, name, source.shape(name), () => {
          const s = source.get(name);
          if (!s) throw new Error(`the checkpoint lacks the weight "${name}"`);
          return toHalfBits(s.data);
        });
        made.set(name, t);
      }
      return t;
    },
  };
}

/** One frozen context per root graph (the step graph's Loop body shares the root's). */
export function perRootFrozenCtx(
  source: WeightSource,
  dtype?: FrozenDtype,
  minValues?: number,
): (g: GraphBuilder) => SdCtx {
  const perRoot = new WeakMap<GraphCore, SdCtx>();
  return (g) => {
    let c = perRoot.get(g.root);
    if (!c) perRoot.set(g.root, (c = frozenCtxOf(g, source, dtype, minValues)));
    return c;
  };
}

/** float32 values as float16 bits (round to nearest even). */
export function toHalfBits(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f32ToF16Bits(values[i]!);
  return out;
}
