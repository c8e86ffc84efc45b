/**
 * The trainable side of an SD LoRA task, shared by the families' tasks (train-step-te.ts, sdxl-train-step.ts):
 * kohya's initialisation of each module's (down, up) and the adapters the graph's hooks add. A module's values may
 * be trained at 1/k of their use and multiplied by k in the graph (`scaleOf`: the text encoder's own learning rate,
 * see train-step-te.ts); `nameOf` is the module name the graph's hook sees.
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import type { AdapterTensors } from '../lora/hook';
import type { ConvHook } from './blocks';
import { downName, upName } from '../lora/task';
import type { CounterRng } from '../train/rng';
import type { ParamInit } from '../train/types';
import { loraShapes, type KohyaModule } from './lora-names';
import { elementCount } from './spec';

export interface LoraParamPlan<M extends KohyaModule = KohyaModule> {
  readonly modules: readonly M[];
  rankOf(m: M): { rank: number; alpha: number };
  /** The factor a module's trained values are used at (1 for most). */
  scaleOf(m: M): number;
  /** The module name the graph's hook sees. */
  nameOf(m: M): string;
}

/** kohya's init: down kaiming-uniform (bound 1/sqrt(fan-in)), up zeros; divided by the module's use factor. */
export function initLoraParams<M extends KohyaModule>(
  plan: LoraParamPlan<M>,
  rng: CounterRng,
): Record<string, ParamInit> {
  const out: Record<string, ParamInit> = {};
  for (const m of plan.modules) {
    const { down, up } = loraShapes(m, plan.rankOf(m).rank);
    const bound = 1 / Math.sqrt(m.in * (m.kernel ?? 1) ** 2) / plan.scaleOf(m);
    out[downName(m.key)] = { shape: down, data: rng.fillUniform(new Float32Array(elementCount(down)), -bound, bound) };
    out[upName(m.key)] = { shape: up, data: new Float32Array(elementCount(up)) };
  }
  return out;
}

/**
 * The adapters of the graph's hooks by module name: linear ones as [rank, in] / [out, rank] (times the use factor),
 * and conv ones (LoCon 3x3 convs, kept 4-D) apart.
 */
export function loraAdapters<M extends KohyaModule>(
  g: GraphBuilder,
  plan: LoraParamPlan<M>,
  params: Record<string, Tensor>,
): { linear: Map<string, AdapterTensors>; convs: Map<string, AdapterTensors> } {
  const linear = new Map<string, AdapterTensors>();
  const convs = new Map<string, AdapterTensors>();
  for (const m of plan.modules) {
    const k = plan.scaleOf(m);
    const { rank, alpha } = plan.rankOf(m);
    const use = (t: Tensor, shape: number[]) => (k === 1 ? g.reshape(t, shape) : g.mul(g.reshape(t, shape), k));
    const [down, up] = [params[downName(m.key)]!, params[upName(m.key)]!];
    if (m.conv && m.kernel !== undefined) convs.set(plan.nameOf(m), { down, up, scale: alpha / rank });
    else linear.set(plan.nameOf(m), { down: use(down, [rank, m.in]), up: use(up, [m.out, rank]), scale: alpha / rank });
  }
  return { linear, convs };
}

/**
 * The graph's hook for LoCon's conv adapters: y + scale · up(down(x)), down a conv with the layer's own kernel,
 * stride and padding, up a 1x1 conv (kohya's LoRAModule on a Conv2d); undefined when there are none.
 */
export function convLoraHook(g: GraphBuilder, convs: ReadonlyMap<string, AdapterTensors>): ConvHook | undefined {
  if (!convs.size) return undefined;
  return (name, x, y, attrs) => {
    const a = convs.get(name);
    if (!a) return y;
    const h = g.conv(x, a.down, undefined, attrs);
    return g.add(y, g.mul(g.conv(h, a.up, undefined, { strides: [1, 1], pads: [0, 0, 0, 0] }), a.scale));
  };
}
