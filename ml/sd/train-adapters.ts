/** Trained SD 1.5 UNet LoRA parameters (named `<kohya key>.lora_down|up`) as adapters on their modules. */
import { downName, upName } from '../lora/task';
import type { LoraAdapter } from '../lora/types';
import type { NamedParams } from '../train/types';
import type { KohyaModule } from './lora-names';

/**
 * The adapters of `modules` in a trainer's or checkpoint's parameters, each times the factor its values are used at
 * in the graph (`scaleOf`: the text encoder's learning-rate trick, train-step-te.ts); throws naming a missing one.
 */
export function adaptersOf(
  modules: readonly KohyaModule[],
  params: NamedParams,
  rankOf: (m: KohyaModule) => { rank: number; alpha: number },
  scaleOf: (m: KohyaModule) => number = () => 1,
): { module: KohyaModule; adapter: LoraAdapter }[] {
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
