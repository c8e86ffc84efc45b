/**
 * Tiny random SD 1.5 checkpoints for tests and benches: the full key set of a real file at narrow widths
 * (TINY_SD15_WIDTHS, ≈17.6 M parameters), in the ldm single-file layout or as a diffusers folder, in F32, F16 or
 * BF16, with the extras real files carry (schedule buffers, int64 position_ids, model_ema.*, CLIP keys without the
 * `text_model.` level). Values are random but deterministic per tensor name and seed, so a file written here and
 * syntheticTensor() agree. Generated on demand, never committed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { replaceAtomically } from '../atomic-write';
import { dirname, join } from 'node:path';
import { Rng } from '../dit/rng';
import { writeSafetensorsStreaming, type LazyTensorToWrite } from '../safetensors';
import { toDiffusers, type DiffusersComponent } from './diffusers-names';
import { sd15Keys } from './keys';
import { elementCount, TEXT_PREFIX, UNET_PREFIX, type TensorSpec } from './spec';
import { TINY_SD15_WIDTHS, type Sd15Widths } from './widths';
import { diffusersConfigs } from './tiny-configs';
import type { Sd15Checkpoint } from './checkpoint';
import { SdCheckpointError } from './errors';

export interface TinyOptions {
  readonly layout?: 'ldm' | 'diffusers';
  readonly dtype?: 'F32' | 'F16' | 'BF16';
  readonly seed?: number;
  /** Default TINY_SD15_WIDTHS; SD15_WIDTHS writes a full-size random model (3.4 GB in F32). */
  readonly widths?: Sd15Widths;
  /** ldm only: schedule buffers, int64 position_ids and a model_ema.* copy of the UNet (default true). */
  readonly extras?: boolean;
  /** ldm only: write CLIP as `cond_stage_model.transformer.*` without `text_model.` (older conversions). */
  readonly withoutTextModelLevel?: boolean;
  /** diffusers only: the VAE attention names of diffusers < 0.14 (query/key/value/proj_attn). */
  readonly legacyVaeAttention?: boolean;
}

function nameSeed(name: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed; // FNV-1a: a stable per-name seed, so tensors do not depend on the order they are made
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The random values of one weight: fan-in scaled weights, small biases, norm weights near 1. */
export function syntheticTensor(spec: TensorSpec, seed = 0): Float32Array {
  const rng = new Rng(nameSeed(spec.name, seed));
  const out = new Float32Array(elementCount(spec.shape));
  switch (spec.init) {
    case 'fanIn':
      return rng.fillNormal(out, 1 / Math.sqrt(elementCount(spec.shape.slice(1))));
    case 'bias':
      return rng.fillNormal(out, 0.02);
    case 'embedding':
      return rng.fillNormal(out, 0.02);
    case 'normWeight':
      rng.fillNormal(out, 0.05);
      for (let i = 0; i < out.length; i++) out[i]! += 1;
      return out;
  }
}

/** SD 1.5's training schedule as ldm stores it in checkpoints (buffers the loader ignores). */
function scheduleBuffers(): Record<string, Float32Array> {
  const n = 1000;
  const [a, b] = [Math.sqrt(0.00085), Math.sqrt(0.012)];
  const betas = Float64Array.from({ length: n }, (_, i) => (a + ((b - a) * i) / (n - 1)) ** 2);
  const ac: number[] = [];
  betas.forEach((beta, i) => ac.push((1 - beta) * (i === 0 ? 1 : ac[i - 1]!)));
  const prev = [1, ...ac.slice(0, -1)];
  const f = (fn: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => fn(i));
  const pv = (i: number) => (betas[i]! * (1 - prev[i]!)) / (1 - ac[i]!);
  return {
    betas: f((i) => betas[i]!),
    alphas_cumprod: f((i) => ac[i]!),
    alphas_cumprod_prev: f((i) => prev[i]!),
    sqrt_alphas_cumprod: f((i) => Math.sqrt(ac[i]!)),
    sqrt_one_minus_alphas_cumprod: f((i) => Math.sqrt(1 - ac[i]!)),
    log_one_minus_alphas_cumprod: f((i) => Math.log(1 - ac[i]!)),
    sqrt_recip_alphas_cumprod: f((i) => Math.sqrt(1 / ac[i]!)),
    sqrt_recipm1_alphas_cumprod: f((i) => Math.sqrt(1 / ac[i]! - 1)),
    posterior_variance: f(pv),
    posterior_log_variance_clipped: f((i) => Math.log(Math.max(pv(i), 1e-20))),
    posterior_mean_coef1: f((i) => (betas[i]! * Math.sqrt(prev[i]!)) / (1 - ac[i]!)),
    posterior_mean_coef2: f((i) => ((1 - prev[i]!) * Math.sqrt(1 - betas[i]!)) / (1 - ac[i]!)),
  };
}

type Options = Required<Omit<TinyOptions, 'layout'>>;

function ldmTensors(o: Options): LazyTensorToWrite[] {
  const out: LazyTensorToWrite[] = [];
  const textName = (n: string) =>
    o.withoutTextModelLevel && n.startsWith(TEXT_PREFIX)
      ? `cond_stage_model.transformer.${n.slice(TEXT_PREFIX.length)}`
      : n;
  const specs = sd15Keys(o.widths);
  for (const spec of specs)
    out.push({
      name: textName(spec.name),
      shape: spec.shape,
      dtype: o.dtype,
      data: () => syntheticTensor(spec, o.seed),
    });
  if (!o.extras) return out;
  for (const [name, v] of Object.entries(scheduleBuffers()))
    out.push({ name, shape: [v.length], dtype: o.dtype, data: () => v });
  const positions = o.widths.clip.positions;
  out.push({
    name: textName(`${TEXT_PREFIX}embeddings.position_ids`),
    shape: [1, positions],
    dtype: 'I64',
    data: () => BigInt64Array.from({ length: positions }, (_, i) => BigInt(i)),
  });
  // EMA weights of the UNet under ldm's dot-less names (`model_ema.diffusion_modelinput_blocks00weight`).
  out.push({ name: 'model_ema.decay', shape: [], dtype: 'F32', data: () => Float32Array.of(0.9999) });
  out.push({ name: 'model_ema.num_updates', shape: [], dtype: 'I32', data: () => Int32Array.of(1000) });
  for (const spec of specs.filter((s) => s.name.startsWith(UNET_PREFIX))) {
    const name = `model_ema.${spec.name.slice('model.'.length).replace(/\./g, '')}`;
    out.push({ name, shape: spec.shape, dtype: o.dtype, data: () => syntheticTensor(spec, o.seed + 1) });
  }
  return out;
}

const DIFFUSERS_FILES: Record<DiffusersComponent, string> = {
  unet: 'unet/diffusion_pytorch_model.safetensors',
  text_encoder: 'text_encoder/model.safetensors',
  vae: 'vae/diffusion_pytorch_model.safetensors',
};

const LEGACY_VAE_ATTENTION: Record<string, string> = {
  'to_q.': 'query.',
  'to_k.': 'key.',
  'to_v.': 'value.',
  'to_out.0.': 'proj_attn.',
};

async function writeDiffusers(dir: string, o: Options): Promise<void> {
  const parts: Record<DiffusersComponent, LazyTensorToWrite[]> = { unet: [], text_encoder: [], vae: [] };
  const levels = o.widths.vae.channelMult.length;
  for (const spec of sd15Keys(o.widths)) {
    const d = toDiffusers(spec.name, levels);
    if (!d) throw new Error(`tiny checkpoint: no diffusers name for ${spec.name}`);
    let name = d.name;
    if (o.legacyVaeAttention && d.linearized)
      for (const [from, to] of Object.entries(LEGACY_VAE_ATTENTION))
        name = name.replace(`.attentions.0.${from}`, `.attentions.0.${to}`);
    const shape = d.linearized ? spec.shape.slice(0, 2) : spec.shape;
    parts[d.component].push({ name, shape, dtype: o.dtype, data: () => syntheticTensor(spec, o.seed) });
  }
  for (const [file, json] of Object.entries(diffusersConfigs(o.widths))) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), `${JSON.stringify(json, null, 2)}\n`);
  }
  for (const c of Object.keys(parts) as DiffusersComponent[])
    await writeSafetensorsStreaming(join(dir, DIFFUSERS_FILES[c]), parts[c], { format: 'pt' });
}

/**
 * Writes a tiny random SD 1.5 checkpoint to `path` (a `.safetensors` file for ldm, a folder for diffusers),
 * atomically: a diffusers folder is built beside `path` and renamed into place. Returns `path`.
 */
export async function writeTinySd15(path: string, options: TinyOptions = {}): Promise<string> {
  const o = {
    dtype: options.dtype ?? 'F32',
    seed: options.seed ?? 0,
    widths: options.widths ?? TINY_SD15_WIDTHS,
    extras: options.extras ?? true,
    withoutTextModelLevel: options.withoutTextModelLevel ?? false,
    legacyVaeAttention: options.legacyVaeAttention ?? false,
  };
  if ((options.layout ?? 'ldm') === 'ldm') {
    await writeSafetensorsStreaming(path, ldmTensors(o), { format: 'pt' });
    return path;
  }
  await replaceAtomically(path, (tmp) => writeDiffusers(tmp, o));
  return path;
}

/**
 * An SD 1.5 checkpoint that exists only in memory: every weight generated on request (the same values a tiny file
 * written with this seed holds). For timing the full-size architecture with no download: pass SD15_WIDTHS.
 */
export function syntheticSdCheckpoint(widths: Sd15Widths = TINY_SD15_WIDTHS, seed = 0): Sd15Checkpoint {
  return {
    ...syntheticWeights('synthetic SD 1.5', sd15Keys(widths), seed),
    family: 'sd15',
    widths,
    dtype: 'F32',
    dtypes: { unet: 'F32', textEncoder: 'F32', vae: 'F32' },
  };
}

/** The weight access of an in-memory checkpoint of any family: each of `specs` generated (float32) on request. */
export function syntheticWeights(label: string, list: readonly TensorSpec[], seed: number) {
  const specs = new Map(list.map((s) => [s.name, s]));
  const need = (name: string): TensorSpec => {
    const s = specs.get(name);
    if (!s) throw new SdCheckpointError(label, `has no weight "${name}"`);
    return s;
  };
  const read = (s: TensorSpec) => ({ shape: s.shape, data: syntheticTensor(s, seed) });
  return {
    path: label,
    layout: 'ldm' as const,
    names: [...specs.keys()],
    ignored: [],
    files: [],
    bytes: 4 * list.reduce((a, s) => a + elementCount(s.shape), 0),
    has: (name: string) => specs.has(name),
    shape: (name: string) => need(name).shape,
    get: (name: string) => {
      const s = specs.get(name);
      return s && read(s);
    },
    tensor: (name: string) => read(need(name)),
    close: () => undefined,
  };
}
