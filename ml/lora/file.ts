/**
 * LoRA files: kohya's key format (`lora_unet_<module>.lora_down.weight`, `.lora_up.weight`, `.alpha`; `lora_te_`
 * for the text encoder) written atomically with `sshs_model_hash`, and kohya or PEFT (`lora_A`/`lora_B`) files read
 * back. Reading needs the base model's config, because kohya keys only map back to modules through the model.
 */
import { createHash } from 'node:crypto';
import type { DiTConfig } from '../dit/config';
import { kohyaKey, moduleForKohyaKey } from '../dit/kohya';
import { encodeSafetensors, readSafetensors, type LoadedTensor, type TensorToWrite } from '../safetensors';
import type { LoraAdapter, LoraSet, TriggerEmbedding } from './types';
import { writeFileAtomic } from '../atomic-write';

/** The sha256 A1111 and kohya store as `sshs_model_hash`: of the file's bytes after the header. */
export function dataHash(bytes: Uint8Array): string {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return createHash('sha256')
    .update(bytes.subarray(8 + n))
    .digest('hex');
}

/** The tensor name A1111 reads a bundled embedding from (`bundle_emb.<word>.string_to_param.*`). */
export const bundleKey = (word: string): string => `bundle_emb.${word}.string_to_param.*`;

/**
 * A bundled embedding's word and part from a tensor name (A1111's string_to_param, kohya's emb_params; SDXL's
 * clip_l / clip_g), else undefined.
 */
function bundlePart(name: string): { word: string; part: 'one' | 'clip_l' | 'clip_g' } | undefined {
  const m = /^bundle_emb\.([^.]+)\.(string_to_param\.\*|emb_params|clip_l|clip_g)$/.exec(name);
  if (!m) return undefined;
  return { word: m[1]!, part: m[2] === 'clip_l' || m[2] === 'clip_g' ? m[2] : 'one' };
}

/**
 * Encodes a LoRA in kohya's format with `metadata` plus `sshs_model_hash`; trigger embeddings are bundled as A1111
 * loads them with a LoRA.
 */
export function encodeKohya(
  adapters: readonly LoraAdapter[],
  metadata: Record<string, string>,
  dtype: 'F16' | 'F32',
  embeddings: readonly TriggerEmbedding[] = [],
): Uint8Array {
  const tensors: Record<string, TensorToWrite> = {};
  for (const e of embeddings) {
    const rows = (v: Float32Array, w: number): TensorToWrite => ({ shape: [v.length / w, w], data: v, dtype });
    if (e.clipG) {
      tensors[`bundle_emb.${e.word}.clip_l`] = rows(e.vectors, e.width);
      tensors[`bundle_emb.${e.word}.clip_g`] = rows(e.clipG.vectors, e.clipG.width);
    } else tensors[bundleKey(e.word)] = rows(e.vectors, e.width);
  }
  for (const a of adapters) {
    const k = a.module.startsWith('lora_') ? a.module : kohyaKey(a.module); // already a kohya key when re-encoding a file
    const conv = a.kernel !== undefined;
    tensors[`${k}.lora_down.weight`] = {
      shape: conv ? [a.rank, a.in, a.kernel!, a.kernel!] : [a.rank, a.in],
      data: a.down,
      dtype,
    };
    tensors[`${k}.lora_up.weight`] = { shape: conv ? [a.out, a.rank, 1, 1] : [a.out, a.rank], data: a.up, dtype };
    tensors[`${k}.alpha`] = { shape: [], data: Float32Array.of(a.alpha), dtype };
  }
  const first = encodeSafetensors(tensors, metadata);
  return encodeSafetensors(tensors, { ...metadata, sshs_model_hash: dataHash(first) });
}

/** Writes a kohya LoRA file atomically (temp file in the same folder, then rename). */
export async function writeKohya(
  path: string,
  adapters: readonly LoraAdapter[],
  metadata: Record<string, string>,
  dtype: 'F16' | 'F32',
  embeddings: readonly TriggerEmbedding[] = [],
): Promise<Uint8Array> {
  const bytes = encodeKohya(adapters, metadata, dtype, embeddings);
  await writeFileAtomic(path, bytes);
  return bytes;
}

type Parts = { down?: LoadedTensor; up?: LoadedTensor; alpha?: number };
const PEFT_PREFIXES = ['base_model.model.', 'transformer.', 'diffusion_model.', 'unet.', 'model.'];

function peftModule(key: string): string {
  for (const p of PEFT_PREFIXES) if (key.startsWith(p)) return peftModule(key.slice(p.length));
  if (key.startsWith('text_encoder.')) return `text.${key.slice('text_encoder.'.length)}`;
  return key;
}

/** Splits a tensor name into (module, part), or undefined for keys that are not LoRA weights. */
function classify(name: string): { format: 'kohya' | 'peft'; key: string; part: keyof Parts } | undefined {
  const rules: [string, 'kohya' | 'peft', keyof Parts][] = [
    ['.lora_down.weight', 'kohya', 'down'],
    ['.lora_up.weight', 'kohya', 'up'],
    ['.lora_A.weight', 'peft', 'down'],
    ['.lora_B.weight', 'peft', 'up'],
    ['.alpha', 'kohya', 'alpha'],
  ];
  for (const [suffix, format, part] of rules)
    if (name.endsWith(suffix)) return { format, key: name.slice(0, -suffix.length), part };
  return undefined;
}

/** How many values of `data` are NaN or infinite. */
function nonFiniteCount(data: Float32Array): number {
  let n = 0;
  for (const v of data) if (!Number.isFinite(v)) n++;
  return n;
}

/**
 * Reads a kohya or PEFT LoRA for a model of `config`. Throws an Error naming the file for a malformed or truncated
 * file, a missing half of an adapter, inconsistent ranks or NaN / infinite weights; modules the model lacks are
 * kept by key (see loraMismatch).
 * Without a config, kohya modules stay their keys: enough to re-encode the file (SaveCheckpoint).
 */
export async function readLora(path: string, config?: DiTConfig): Promise<LoraSet> {
  const { metadata, tensors } = await readSafetensors(path);
  const groups = new Map<string, Parts>();
  const formats = new Set<'kohya' | 'peft'>();
  const embeddings: TriggerEmbedding[] = [];
  const sdxlParts = new Map<string, { clip_l?: TriggerEmbedding; clip_g?: TriggerEmbedding }>();
  for (const [name, t] of tensors) {
    const bundled = bundlePart(name);
    if (bundled !== undefined) {
      const [rows = 0, width = 0] = t.shape;
      if (t.shape.length !== 2 || rows < 1 || !(t.data instanceof Float32Array))
        throw new Error(`${path}: the bundled embedding "${name}" is not a [vectors, width] float tensor`);
      const e = { word: bundled.word, vectors: t.data, width };
      if (bundled.part === 'one') embeddings.push(e);
      else sdxlParts.set(e.word, { ...sdxlParts.get(e.word), [bundled.part]: e });
      continue;
    }
    const c = classify(name);
    if (!c) continue;
    if (c.part !== 'alpha') formats.add(c.format);
    const g = groups.get(c.key) ?? {};
    if (c.part === 'alpha') g.alpha = Number(t.data[0] ?? NaN);
    else g[c.part] = t;
    groups.set(c.key, g);
  }
  for (const [word, { clip_l, clip_g }] of sdxlParts) {
    if (!clip_l || !clip_g || clip_l.vectors.length / clip_l.width !== clip_g.vectors.length / clip_g.width)
      throw new Error(
        `${path}: the bundled SDXL embedding "${word}" needs clip_l and clip_g with as many vectors each`,
      );
    embeddings.push({ ...clip_l, clipG: { vectors: clip_g.vectors, width: clip_g.width } });
  }
  if (formats.size === 0 && embeddings.length === 0)
    throw new Error(`${path}: not a LoRA file (no lora_down/lora_up or lora_A/lora_B tensors, no bundle_emb)`);
  const format = formats.has('kohya') ? 'kohya' : 'peft';
  const adapters: LoraAdapter[] = [];
  for (const [key, g] of groups) {
    if (!g.down || !g.up)
      throw new Error(`${path}: "${key}" has ${g.down ? 'lora_down but no lora_up' : 'lora_up but no lora_down'}`);
    if (!(g.down.data instanceof Float32Array) || !(g.up.data instanceof Float32Array))
      throw new Error(`${path}: "${key}" is not a float tensor`);
    const [rank = 0, inF = 0, kh, kw] = g.down.shape;
    const [outF = 0, rankUp = 0, uh, uw] = g.up.shape;
    const linear = g.down.shape.length === 2 && g.up.shape.length === 2;
    const conv = g.down.shape.length === 4 && g.up.shape.length === 4 && kh === kw && uh === 1 && uw === 1;
    if (!(linear || conv) || rank !== rankUp || rank < 1) {
      throw new Error(
        `${path}: "${key}" has down [${g.down.shape.join(', ')}] and up [${g.up.shape.join(', ')}], which are not a rank-r pair (Linear or conv)`,
      );
    }
    // A NaN or Inf (fp16 overflow in training) makes every image it touches black or noise, without a word.
    for (const [part, t] of [
      ['down', g.down.data],
      ['up', g.up.data],
    ] as const) {
      const bad = nonFiniteCount(t);
      if (bad > 0)
        throw new Error(
          `${path}: "${key}" ${part} holds ${bad} NaN or infinite value(s): this LoRA would draw black or broken images; use an earlier checkpoint, or retrain with a lower learning rate`,
        );
    }
    const alpha = g.alpha ?? rank; // a missing alpha means alpha = rank (kohya, ComfyUI and A1111 agree)
    if (!Number.isFinite(alpha)) throw new Error(`${path}: "${key}.alpha" is not a number`);
    const module = key.startsWith('lora_')
      ? ((config && moduleForKohyaKey(config, key)?.name) ?? key)
      : peftModule(key);
    const adapter: LoraAdapter = { module, rank, alpha, in: inF, out: outF, down: g.down.data, up: g.up.data };
    if (conv) adapter.kernel = kh;
    adapters.push(adapter);
  }
  return { adapters, metadata, format, ...(embeddings.length ? { embeddings } : {}) };
}
