/**
 * SD 1.5 LoRA files: kohya's keys (`lora_unet_*`, `lora_te_*`, 2-D for Linear, 4-D for convs, `.alpha` scalars)
 * written and read through ml/lora/file.ts, and mapped onto the checkpoint's modules. Accepted names: kohya's
 * diffusers-path keys (what kohya writes), kohya keys with ldm paths (`lora_unet_input_blocks_1_1_proj_in`, which
 * ComfyUI also loads) and PEFT/diffusers files (`unet.down_blocks...to_q.lora_A.weight`, `text_encoder....`).
 */
import { Rng } from '../dit/rng';
import { readLora } from '../lora/file';
import type { LoraAdapter, LoraSet } from '../lora/types';
import { kohyaKeyOf, sd15LoraModules, type KohyaModule } from './lora-names';
import { TEXT_PREFIX, UNET_PREFIX } from './spec';
import type { Sd15Widths } from './widths';

/** A LoRA mapped onto an SD 1.5 model: each adapter with the module it changes. */
export interface Sd15Lora {
  readonly adapters: readonly { readonly module: KohyaModule; readonly adapter: LoraAdapter }[];
  /** Adapter names that match no module of the model (ComfyUI's "lora key not loaded"). */
  readonly unmatched: readonly string[];
  readonly metadata: Record<string, string>;
  readonly format: LoraSet['format'];
}

/** Every name a file may use for a module, mapped to the module. */
export function sd15ModuleIndex(widths: Sd15Widths): Map<string, KohyaModule> {
  const index = new Map<string, KohyaModule>();
  for (const m of sd15LoraModules(widths, { conv: true })) {
    index.set(m.key, m);
    const ldmPath = m.target.replace(/\.weight$/, '');
    if (m.part === 'unet') {
      index.set(kohyaKeyOf('unet', ldmPath.slice(UNET_PREFIX.length)), m);
      index.set(m.diffusersPath, m);
    } else {
      index.set(`text.${m.diffusersPath}`, m); // ml/lora/file.ts reads PEFT's `text_encoder.` as `text.`
      index.set(kohyaKeyOf('text_encoder', `text_model.${ldmPath.slice(TEXT_PREFIX.length)}`), m);
    }
  }
  return index;
}

function fits(m: KohyaModule, a: LoraAdapter): boolean {
  return a.in === m.in && a.out === m.out && a.kernel === m.kernel;
}

/** Maps a LoRA read by ml/lora/file.ts onto SD 1.5 modules; throws naming the file when shapes do not fit. */
export function mapSd15Lora(file: string, set: LoraSet, widths: Sd15Widths): Sd15Lora {
  const index = sd15ModuleIndex(widths);
  const adapters: { module: KohyaModule; adapter: LoraAdapter }[] = [];
  const unmatched: string[] = [];
  const misfits: string[] = [];
  for (const a of set.adapters) {
    const m = index.get(a.module);
    if (!m) unmatched.push(a.module);
    else if (!fits(m, a)) misfits.push(`${a.module} is ${a.out}x${a.in}, the model's ${m.out}x${m.in}`);
    else adapters.push({ module: m, adapter: { ...a, module: m.key } });
  }
  if (misfits.length > 0)
    throw new Error(
      `${file}: ${misfits.length} adapters do not fit this SD 1.5 model (${misfits.slice(0, 2).join('; ')}): ` +
        'the LoRA was trained for another model family',
    );
  return { adapters, unmatched, metadata: set.metadata, format: set.format };
}

/** Reads a kohya or PEFT SD 1.5 LoRA file and maps it onto a model of `widths`. */
export async function readSd15Lora(path: string, widths: Sd15Widths): Promise<Sd15Lora> {
  return mapSd15Lora(path, await readLora(path), widths);
}

/**
 * Fresh adapters for training, initialised as kohya does: down uniform in ±1/sqrt(fan in) (PyTorch's default
 * kaiming-uniform), up zero, so a new LoRA changes nothing. Module names are the kohya keys writeKohya keeps.
 */
export function newSd15Adapters(
  modules: readonly KohyaModule[],
  rank: number,
  alpha: number,
  seed: number,
): LoraAdapter[] {
  const rng = new Rng(seed);
  return modules.map((m) => {
    const fanIn = m.in * (m.kernel ?? 1) ** 2;
    const bound = 1 / Math.sqrt(fanIn);
    const down = new Float32Array(rank * fanIn);
    for (let i = 0; i < down.length; i++) down[i] = (2 * rng.next() - 1) * bound;
    const a: LoraAdapter = {
      module: m.key,
      rank,
      alpha,
      in: m.in,
      out: m.out,
      down,
      up: new Float32Array(m.out * rank),
    };
    if (m.kernel !== undefined) a.kernel = m.kernel;
    return a;
  });
}
