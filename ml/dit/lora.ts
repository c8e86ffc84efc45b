/**
 * LoRA on the DiT's linear layers: y = W x + b + strength * (alpha / rank) * up(down(x)), with down [rank, in] and
 * up [out, rank] (kohya's layout). The hook works for sampling (adapters as initializers) and for LoRA training
 * (adapters as trainable graph values, the base frozen as initializers).
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import type { DiTConfig } from './config';
import type { LinearHook, ParamSource } from './layers';
import { linearModules, paramSpecs } from './params';
import type { Weights } from './weights';

/** One adapter in a graph being built. `scale` is strength * alpha / rank (a number, or a scalar tensor). */
export interface LoraAdapterTensors {
  module: string;
  down: Tensor;
  up: Tensor;
  scale: number | Tensor;
}

/** One adapter as data (what a LoRA file holds for one module). */
export interface LoraAdapterData {
  module: string;
  rank: number;
  alpha: number;
  /** [rank, in] row-major. */
  down: Float32Array;
  /** [out, rank] row-major. */
  up: Float32Array;
}

/** A LoRA applied at a strength (a stack of these is applied in order). */
export interface LoraUse {
  name: string;
  strength: number;
  adapters: LoraAdapterData[];
}

/** A hook that adds every adapter of `adapters` to the output of its module. */
export function loraHook(g: GraphBuilder, adapters: readonly LoraAdapterTensors[]): LinearHook {
  const byModule = new Map<string, LoraAdapterTensors[]>();
  for (const a of adapters) byModule.set(a.module, [...(byModule.get(a.module) ?? []), a]);
  return (module, x, y) => {
    const list = byModule.get(module);
    if (!list) return y;
    const inF = x.shape[x.rank - 1] ?? 0;
    const x2 = x.rank === 2 ? x : g.reshape(x, [-1, inF]);
    let out = y.rank === 2 ? y : g.reshape(y, [-1, y.shape[y.rank - 1] ?? 0]);
    for (const a of list) {
      const delta = g.matmul(g.matmul(x2, g.transpose(a.down, [1, 0])), g.transpose(a.up, [1, 0]));
      out = g.add(out, g.mul(delta, a.scale));
    }
    return y.rank === 2 ? out : g.reshape(out, y.shape);
  };
}

/** Checks adapters against the model (module exists, shapes fit); throws naming the LoRA and module. */
export function checkLora(c: DiTConfig, lora: LoraUse): void {
  const mods = new Map(linearModules(c).map((m) => [m.name, m]));
  for (const a of lora.adapters) {
    const m = mods.get(a.module);
    if (!m) throw new Error(`LoRA "${lora.name}": the model has no linear layer "${a.module}"`);
    if (a.rank < 1 || a.down.length !== a.rank * m.in || a.up.length !== m.out * a.rank) {
      throw new Error(`LoRA "${lora.name}": module "${a.module}" is ${m.out}x${m.in}, the adapter's shapes do not fit (rank ${a.rank})`);
    }
  }
}

/** A hook factory for the sampler: every LoRA's adapters as initializers, scaled by strength * alpha / rank. */
export function loraHookFactory(c: DiTConfig, loras: readonly LoraUse[]): (g: GraphBuilder) => LinearHook {
  for (const l of loras) checkLora(c, l);
  return (g) => {
    const mods = new Map(linearModules(c).map((m) => [m.name, m]));
    const tensors: LoraAdapterTensors[] = [];
    loras.forEach((l, li) =>
      l.adapters.forEach((a) => {
        const m = mods.get(a.module)!;
        tensors.push({
          module: a.module,
          down: g.initializer(`lora${li}.${a.module}.down`, a.down, [a.rank, m.in]),
          up: g.initializer(`lora${li}.${a.module}.up`, a.up, [m.out, a.rank]),
          scale: (l.strength * a.alpha) / a.rank,
        });
      }),
    );
    return loraHook(g, tensors);
  };
}

/** Merges LoRAs into a copy of the weights: W' = W + strength * alpha/rank * up @ down. */
export function mergeLoras(c: DiTConfig, weights: Weights, loras: readonly LoraUse[]): Weights {
  const out: Weights = new Map([...weights].map(([k, v]) => [k, Float32Array.from(v)]));
  const mods = new Map(linearModules(c).map((m) => [m.name, m]));
  for (const l of loras) {
    checkLora(c, l);
    for (const a of l.adapters) {
      const m = mods.get(a.module)!;
      const w = out.get(`${a.module}.weight`)!;
      const s = (l.strength * a.alpha) / a.rank;
      for (let o = 0; o < m.out; o++)
        for (let r = 0; r < a.rank; r++) {
          const u = s * a.up[o * a.rank + r]!;
          if (u === 0) continue;
          for (let i = 0; i < m.in; i++) w[o * m.in + i]! += u * a.down[r * m.in + i]!;
        }
    }
  }
  return out;
}

/** Frozen base weights as initializers: the ParamSource of a LoRA-training graph. */
export function frozenParams(g: GraphBuilder, c: DiTConfig, weights: Weights): ParamSource {
  const shapes = new Map(paramSpecs(c).map((s) => [s.name, s.shape]));
  const cache = new Map<string, Tensor>();
  return (name) => {
    let t = cache.get(name);
    if (!t) {
      const data = weights.get(name);
      const shape = shapes.get(name);
      if (!data || !shape) throw new Error(`base model has no parameter "${name}"`);
      t = g.initializer(`base.${name}`, data, shape);
      cache.set(name, t);
    }
    return t;
  };
}
