/**
 * The model's parameters: names, shapes and initialisation. Linear weights are [out, in] like PyTorch, so that
 * LoRA down/up matrices and kohya files have the shapes every tool expects.
 */
import { type DiTConfig, imageTokens, patchDim, validateConfig } from './config';
import { Rng } from './rng';

export type Init = 'xavier' | 'normal02' | 'zeros' | 'ones' | 'sincos2d';

export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
}

/** A linear layer a LoRA can attach to: its module name and its in/out features. */
export interface LinearModule {
  name: string;
  in: number;
  out: number;
  /** Whether it belongs to the text encoder (kohya prefix lora_te_) or the diffusion model (lora_unet_). */
  part: 'te' | 'unet';
}

/** Every linear layer of the model, in a fixed order. */
export function linearModules(c: DiTConfig): LinearModule[] {
  const D = c.width;
  const Dt = c.textWidth;
  const mods: LinearModule[] = [];
  const lin = (name: string, i: number, o: number) =>
    mods.push({ name, in: i, out: o, part: name.startsWith('text.') ? 'te' : 'unet' });
  for (let l = 0; l < c.textDepth; l++) {
    for (const p of ['q', 'k', 'v', 'o']) lin(`text.layers.${l}.attn.${p}`, Dt, Dt);
    lin(`text.layers.${l}.mlp.fc1`, Dt, 4 * Dt);
    lin(`text.layers.${l}.mlp.fc2`, 4 * Dt, Dt);
  }
  lin('patch_embed', patchDim(c), D);
  lin('time.fc1', c.timeFeatures, D);
  lin('time.fc2', D, D);
  lin('text_pool', Dt, D);
  for (let b = 0; b < c.depth; b++) {
    lin(`blocks.${b}.adaln`, D, 6 * D);
    for (const p of ['q', 'k', 'v', 'o']) lin(`blocks.${b}.attn.${p}`, D, D);
    lin(`blocks.${b}.cross.q`, D, D);
    lin(`blocks.${b}.cross.k`, Dt, D);
    lin(`blocks.${b}.cross.v`, Dt, D);
    lin(`blocks.${b}.cross.o`, D, D);
    lin(`blocks.${b}.mlp.fc1`, D, c.mlpRatio * D);
    lin(`blocks.${b}.mlp.fc2`, c.mlpRatio * D, D);
  }
  lin('final.adaln', D, 2 * D);
  lin('final.proj', D, patchDim(c));
  return mods;
}

/** Modules whose output must start at zero (adaLN-Zero and the output projection): the model starts as identity. */
const ZERO_INIT = /(^|\.)adaln$|^final\.proj$/;

/** Every parameter tensor, in a fixed order (the order of the packed parameter vector). */
export function paramSpecs(c: DiTConfig): ParamSpec[] {
  validateConfig(c);
  const specs: ParamSpec[] = [
    { name: 'text.embed.weight', shape: [256, c.textWidth], init: 'normal02' },
    { name: 'text.pos', shape: [c.textLength, c.textWidth], init: 'normal02' },
    ...(c.wordBuckets
      ? [{ name: 'text.word.weight', shape: [c.wordBuckets, c.textWidth], init: 'normal02' as const }]
      : []),
    // Fixed-scale 2-D sin/cos start (as in DiT): with a 0.02 init the positions drown under the patch features and
    // the model first learns patches without knowing where they go.
    { name: 'pos_embed', shape: [imageTokens(c), c.width], init: 'sincos2d' },
  ];
  const norm = (name: string, n: number) =>
    specs.push(
      { name: `${name}.weight`, shape: [n], init: 'ones' },
      { name: `${name}.bias`, shape: [n], init: 'zeros' },
    );
  for (let l = 0; l < c.textDepth; l++) {
    norm(`text.layers.${l}.norm1`, c.textWidth);
    norm(`text.layers.${l}.norm2`, c.textWidth);
  }
  norm('text.norm', c.textWidth);
  for (let b = 0; b < c.depth; b++) norm(`blocks.${b}.norm_cross`, c.width);
  for (const m of linearModules(c)) {
    const zero = ZERO_INIT.test(m.name);
    specs.push({ name: `${m.name}.weight`, shape: [m.out, m.in], init: zero ? 'zeros' : 'xavier' });
    specs.push({ name: `${m.name}.bias`, shape: [m.out], init: 'zeros' });
  }
  return specs;
}

/** Total number of parameters. */
export function paramCount(c: DiTConfig): number {
  return paramSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

/** Fresh weights for a config, deterministic for a seed. */
export function initParams(c: DiTConfig, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const out = new Map<string, Float32Array>();
  for (const s of paramSpecs(c)) {
    const data = new Float32Array(s.shape.reduce((a, b) => a * b, 1));
    if (s.init === 'ones') data.fill(1);
    else if (s.init === 'sincos2d') data.set(sincos2d(Math.round(Math.sqrt(s.shape[0] ?? 1)), s.shape[1] ?? 4));
    else if (s.init === 'normal02') rng.fillNormal(data, 0.02);
    else if (s.init === 'xavier') {
      const [fanOut = 1, fanIn = 1] = s.shape;
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < data.length; i++) data[i] = (rng.next() * 2 - 1) * limit;
    }
    out.set(s.name, data);
  }
  return out;
}

/** 2-D sine/cosine position features of a side x side grid (MAE/DiT layout: half the width for y, half for x). */
export function sincos2d(side: number, width: number): Float32Array {
  const out = new Float32Array(side * side * width);
  const quarter = Math.floor(width / 4);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const row = (y * side + x) * width;
      for (let i = 0; i < quarter; i++) {
        const freq = 1 / 10000 ** (i / quarter);
        out[row + i] = Math.sin(y * freq);
        out[row + quarter + i] = Math.cos(y * freq);
        out[row + 2 * quarter + i] = Math.sin(x * freq);
        out[row + 3 * quarter + i] = Math.cos(x * freq);
      }
    }
  return out;
}
