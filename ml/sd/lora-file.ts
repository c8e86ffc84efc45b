/**
 * Stable Diffusion LoRA files: kohya's keys (`lora_unet_*`, `lora_te_*` / `lora_te1_*` / `lora_te2_*`, 2-D for
 * Linear, 4-D for convs, `.alpha` scalars) written and read through ml/lora/file.ts, and mapped onto the
 * checkpoint's modules of its family. SD 1.5 accepts kohya's diffusers-path keys (what kohya writes), kohya keys
 * with ldm paths (`lora_unet_input_blocks_1_1_proj_in`, which ComfyUI also loads) and PEFT/diffusers files
 * (`unet.down_blocks...to_q.lora_A.weight`, `text_encoder....`). SDXL accepts kohya's ldm-path keys (what kohya
 * writes), diffusers-path kohya keys and PEFT files (`unet.…`, `text_encoder.…`, `text_encoder_2.…`); bigG's q/k/v
 * adapters land on their third of the fused in_proj. A LoRA of the other family is refused, naming the file.
 */
import { Rng } from '../dit/rng';
import { readLora } from '../lora/file';
import type { LoraAdapter, LoraSet, TriggerEmbedding } from '../lora/types';
import { kohyaKeyOf, sd15LoraModules, type KohyaModule } from './lora-names';
import type { LoraTarget } from './merge-lora';
import { sdxlLoraModules } from './sdxl-lora-names';
import type { SdxlWidths } from './sdxl-widths';
import { TEXT_PREFIX, UNET_PREFIX } from './spec';
import type { Sd15Widths } from './widths';

/** A LoRA mapped onto an SD model: each adapter with the module it changes. */
export interface SdLora {
  readonly adapters: readonly { readonly module: LoraTarget; readonly adapter: LoraAdapter }[];
  /** Adapter names that match no module of the model (ComfyUI's "lora key not loaded"). */
  readonly unmatched: readonly string[];
  readonly metadata: Record<string, string>;
  readonly format: LoraSet['format'];
  /** The family the file says (metadata) or shows (key names) it was made for, when it does. */
  readonly madeFor?: string;
  /** Trigger words' own embeddings bundled in the file (bundle_emb), checked against the model's text encoders. */
  readonly embeddings: readonly TriggerEmbedding[];
}
export type Sd15Lora = SdLora;

/** The model a LoRA is mapped onto: its family and widths (an opened checkpoint or a MODEL value). */
export type SdLoraModel = { family: 'sd15'; widths: Sd15Widths } | { family: 'sdxl'; widths: SdxlWidths };

const FAMILY_LABEL = { sd15: 'SD 1.5', sdxl: 'SDXL' } as const;

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

/** Every name a file may use for an SDXL module, mapped to the module. */
export function sdxlModuleIndex(widths: SdxlWidths): Map<string, LoraTarget> {
  const index = new Map<string, LoraTarget>();
  for (const m of sdxlLoraModules(widths, { conv: true })) {
    index.set(m.key, m);
    if (m.part === 'unet' && m.diffusersPath) {
      index.set(kohyaKeyOf('unet', m.diffusersPath), m);
      index.set(m.diffusersPath, m);
    } else if (m.encoder === 1)
      index.set(`text.${m.diffusersPath}`, m); // PEFT's `text_encoder.` read as `text.`
    else if (m.encoder === 2) index.set(`text_encoder_2.${m.diffusersPath}`, m);
  }
  return index;
}

/** Key names only SDXL LoRAs have (kohya's te1/te2, depth > 1, attention in output blocks 0-2) and only SD 1.x ones. */
const SDXL_KEY = /^lora_te[12]_|^text_encoder_2\.|transformer_blocks[._][1-9]|output_blocks[._][0-2][._]1[._]/;
const SD15_KEY = /^lora_te_|down_blocks[._]0[._]attentions|input_blocks[._][12][._]1[._]/;

/**
 * The family a LoRA's key names show, or its metadata says, it was made for. Key names are decisive (kohya's text
 * prefixes differ, SD 1.x has attention at the first level and one block per transformer, SDXL neither); metadata
 * only names the family in a message when the keys do not fit.
 */
export function loraFamilyOf(set: LoraSet): { fromKeys?: 'sd15' | 'sdxl'; label?: string } {
  const keys = set.adapters.map((a) => a.module);
  const fromKeys = keys.some((k) => SDXL_KEY.test(k))
    ? 'sdxl'
    : keys.some((k) => SD15_KEY.test(k))
      ? 'sd15'
      : undefined;
  const said = `${set.metadata.ss_base_model_version ?? ''} ${set.metadata['modelspec.architecture'] ?? ''}`;
  const byMetadata: [RegExp, string][] = [
    [/sdxl|stable-diffusion-xl/i, 'SDXL'],
    [/sd_v1|stable-diffusion-v1/i, 'SD 1.5'],
    [/sd_v2|stable-diffusion-v2/i, 'SD 2.x'],
    [/flux/i, 'FLUX'],
    [/sd3|stable-diffusion-v3/i, 'SD 3'],
  ];
  const label = fromKeys ? FAMILY_LABEL[fromKeys] : byMetadata.find(([re]) => re.test(said))?.[1];
  return { ...(fromKeys ? { fromKeys } : {}), ...(label ? { label } : {}) };
}

function fits(m: LoraTarget, a: LoraAdapter): boolean {
  return a.in === m.in && a.out === m.out && a.kernel === m.kernel;
}

/** Maps a LoRA read by ml/lora/file.ts onto the model's modules; throws naming the file for the wrong family. */
export function mapSdLora(file: string, set: LoraSet, model: SdLoraModel): SdLora {
  const family = FAMILY_LABEL[model.family];
  const made = loraFamilyOf(set);
  const sample = (re: RegExp) => set.adapters.find((a) => re.test(a.module))?.module ?? set.adapters[0]?.module;
  if (made.fromKeys && made.fromKeys !== model.family)
    throw new Error(
      `${file} is an ${made.label} LoRA (its keys are ${made.label} module names, ` +
        `such as "${sample(made.fromKeys === 'sdxl' ? SDXL_KEY : SD15_KEY)}"), ` +
        `and the model is ${family}: a LoRA only applies to the model family it was trained for`,
    );
  const index = model.family === 'sdxl' ? sdxlModuleIndex(model.widths) : sd15ModuleIndex(model.widths);
  const adapters: { module: LoraTarget; adapter: LoraAdapter }[] = [];
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
      `${file}: ${misfits.length} adapters do not fit this ${family} model (${misfits.slice(0, 2).join('; ')}): ` +
        `the LoRA was trained for ${made.label && made.label !== family ? `${made.label}, ` : ''}another model family`,
    );
  const madeFor = made.label;
  const embeddings = set.embeddings ?? [];
  for (const e of embeddings) checkEmbedding(file, e, model);
  return {
    adapters,
    unmatched,
    metadata: set.metadata,
    format: set.format,
    embeddings,
    ...(madeFor ? { madeFor } : {}),
  };
}

/** Refuses, naming the file and word, a bundled embedding whose vectors do not fit the model's text encoders. */
function checkEmbedding(file: string, e: TriggerEmbedding, model: SdLoraModel): void {
  const want =
    model.family === 'sdxl' ? [model.widths.clipL.width, model.widths.clipG.width] : [model.widths.clip.width];
  const has = e.clipG ? [e.width, e.clipG.width] : [e.width];
  if (has.length !== want.length || has.some((w, i) => w !== want[i]))
    throw new Error(
      `${file}: the embedding of "${e.word}" has ${has.join(' + ')}-wide vectors (${has.length === 2 ? 'clip_l + clip_g, SDXL' : 'one encoder'}); ` +
        `the ${FAMILY_LABEL[model.family]} model's text encoder${want.length > 1 ? 's take' : ' takes'} ${want.join(' + ')}`,
    );
}

/** Maps a LoRA read by ml/lora/file.ts onto SD 1.5 modules; throws naming the file when shapes do not fit. */
export function mapSd15Lora(file: string, set: LoraSet, widths: Sd15Widths): Sd15Lora {
  return mapSdLora(file, set, { family: 'sd15', widths });
}

/** Reads a kohya or PEFT LoRA file and maps it onto a model of its family (SD 1.5 or SDXL). */
export async function readSdLora(path: string, model: SdLoraModel): Promise<SdLora> {
  return mapSdLora(path, await readLora(path), model);
}

/** Reads a kohya or PEFT SD 1.5 LoRA file and maps it onto a model of `widths`. */
export async function readSd15Lora(path: string, widths: Sd15Widths): Promise<Sd15Lora> {
  return readSdLora(path, { family: 'sd15', widths });
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
