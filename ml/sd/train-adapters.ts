/** Trained SD LoRA parameters (any family's modules) (named `<kohya key>.lora_down|up`) as adapters on their modules. */
import { downName, upName } from '../lora/task';
import type { LoraAdapter } from '../lora/types';
import type { NamedParams } from '../train/types';
import type { KohyaModule } from './lora-names';

/**
 * The adapters of `modules` in a trainer's or checkpoint's parameters, each times the factor its values are used at
 * in the graph (`scaleOf`: the text encoder's learning-rate trick, train-step-te.ts); throws naming a missing one.
 */
export function adaptersOf<M extends KohyaModule>(
  modules: readonly M[],
  params: NamedParams,
  rankOf: (m: M) => { rank: number; alpha: number },
  scaleOf: (m: M) => number = () => 1,
): { module: M; adapter: LoraAdapter }[] {
  return modules.map((m) => {
    const down = params[downName(m.key)],
      up = params[upName(m.key)];
    if (!down || !up) throw new Error(`the checkpoint has no parameters for LoRA module ${m.key}`);
    const k = scaleOf(m);
    const { rank, alpha } = rankOf(m);
    const used = (x: Float32Array): Float32Array => (k === 1 ? x : x.map((v) => v * k));
    const adapter: LoraAdapter = {
      module: m.key,
      rank,
      alpha,
      in: m.in,
      out: m.out,
      down: used(down.data),
      up: used(up.data),
    };
    if (m.kernel !== undefined) adapter.kernel = m.kernel;
    return { module: m, adapter };
  });
}
