// Random SD 1.5 weights for the parity command, the benchmark and the graph tests: every canonical (ldm) name
// with its shape for a given set of widths (the full-size architecture or the tiny one of SD-MODELS.md), filled
// from a seeded generator. Counted against the published totals in tests/sd/graphs.test.ts.
import type { SdWeight, WeightLookup } from '../ml/sd/blocks';

export interface Sd15Widths {
  unetChannels: number;
  contextDim: number;
  clipWidth: number;
  clipLayers: number;
  clipVocab: number;
  clipPositions: number;
  vaeChannels: number;
}

export const FULL_WIDTHS: Sd15Widths = {
  unetChannels: 320,
  contextDim: 768,
  clipWidth: 768,
  clipLayers: 12,
  clipVocab: 49408,
  clipPositions: 77,
  vaeChannels: 128,
};

/** SD-MODELS.md's tiny checkpoint: UNet 32/64/128/128, CLIP width 64 with 12 layers, VAE ch 32. */
export const TINY_WIDTHS: Sd15Widths = {
  unetChannels: 32,
  contextDim: 64,
  clipWidth: 64,
  clipLayers: 12,
  clipVocab: 49408,
  clipPositions: 77,
  vaeChannels: 32,
};

type Shapes = Map<string, number[]>;
const MULT = [1, 2, 4, 4];

function linear(s: Shapes, m: string, out: number, inF: number, bias = true): void {
  s.set(`${m}.weight`, [out, inF]);
  if (bias) s.set(`${m}.bias`, [out]);
}
function conv(s: Shapes, m: string, out: number, inC: number, k: number): void {
  s.set(`${m}.weight`, [out, inC, k, k]);
  s.set(`${m}.bias`, [out]);
}
function norm(s: Shapes, m: string, c: number): void {
  s.set(`${m}.weight`, [c]);
  s.set(`${m}.bias`, [c]);
}

function unet(s: Shapes, w: Sd15Widths): void {
  const P = 'model.diffusion_model.';
  const ch = w.unetChannels,
    temb = 4 * ch;
  linear(s, `${P}time_embed.0`, temb, ch);
  linear(s, `${P}time_embed.2`, temb, temb);
  const res = (m: string, cin: number, cout: number): void => {
    norm(s, `${P}${m}.in_layers.0`, cin);
    conv(s, `${P}${m}.in_layers.2`, cout, cin, 3);
    linear(s, `${P}${m}.emb_layers.1`, cout, temb);
    norm(s, `${P}${m}.out_layers.0`, cout);
    conv(s, `${P}${m}.out_layers.3`, cout, cout, 3);
    if (cin !== cout) conv(s, `${P}${m}.skip_connection`, cout, cin, 1);
  };
  const st = (m: string, c: number): void => {
    norm(s, `${P}${m}.norm`, c);
    conv(s, `${P}${m}.proj_in`, c, c, 1);
    const b = `${P}${m}.transformer_blocks.0`;
    for (const a of ['attn1', 'attn2']) {
      linear(s, `${b}.${a}.to_q`, c, c, false);
      linear(s, `${b}.${a}.to_k`, c, a === 'attn1' ? c : w.contextDim, false);
      linear(s, `${b}.${a}.to_v`, c, a === 'attn1' ? c : w.contextDim, false);
      linear(s, `${b}.${a}.to_out.0`, c, c);
    }
    linear(s, `${b}.ff.net.0.proj`, 8 * c, c);
    linear(s, `${b}.ff.net.2`, c, 4 * c);
    for (const n of ['norm1', 'norm2', 'norm3']) norm(s, `${b}.${n}`, c);
    conv(s, `${P}${m}.proj_out`, c, c, 1);
  };
  conv(s, `${P}input_blocks.0.0`, ch, 4, 3);
  const skips = [ch];
  let cur = ch,
    k = 1;
  MULT.forEach((mult, l) => {
    for (let j = 0; j < 2; j++, k++) {
      res(`input_blocks.${k}.0`, cur, ch * mult);
      cur = ch * mult;
      if (l < 3) st(`input_blocks.${k}.1`, cur);
      skips.push(cur);
    }
    if (l < 3) {
      conv(s, `${P}input_blocks.${k}.0.op`, cur, cur, 3);
      skips.push(cur);
      k++;
    }
  });
  res('middle_block.0', cur, cur);
  st('middle_block.1', cur);
  res('middle_block.2', cur, cur);
  k = 0;
  for (let l = 3; l >= 0; l--) {
    for (let j = 0; j < 3; j++, k++) {
      res(`output_blocks.${k}.0`, cur + skips.pop()!, ch * MULT[l]!);
      cur = ch * MULT[l]!;
      if (l < 3) st(`output_blocks.${k}.1`, cur);
      if (l > 0 && j === 2) conv(s, `${P}output_blocks.${k}.${l < 3 ? 2 : 1}.conv`, cur, cur, 3);
    }
  }
  norm(s, `${P}out.0`, ch);
  conv(s, `${P}out.2`, 4, ch, 3);
}

function clip(s: Shapes, w: Sd15Widths): void {
  const P = 'cond_stage_model.transformer.text_model.';
  const d = w.clipWidth;
  s.set(`${P}embeddings.token_embedding.weight`, [w.clipVocab, d]);
  s.set(`${P}embeddings.position_embedding.weight`, [w.clipPositions, d]);
  for (let i = 0; i < w.clipLayers; i++) {
    const m = `${P}encoder.layers.${i}`;
    for (const p of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) linear(s, `${m}.self_attn.${p}`, d, d);
    norm(s, `${m}.layer_norm1`, d);
    norm(s, `${m}.layer_norm2`, d);
    linear(s, `${m}.mlp.fc1`, 4 * d, d);
    linear(s, `${m}.mlp.fc2`, d, 4 * d);
  }
  norm(s, `${P}final_layer_norm`, d);
}

function vae(s: Shapes, w: Sd15Widths): void {
  const P = 'first_stage_model.';
  const ch = w.vaeChannels;
  const resnet = (m: string, cin: number, cout: number): void => {
    norm(s, `${P}${m}.norm1`, cin);
    conv(s, `${P}${m}.conv1`, cout, cin, 3);
    norm(s, `${P}${m}.norm2`, cout);
    conv(s, `${P}${m}.conv2`, cout, cout, 3);
    if (cin !== cout) conv(s, `${P}${m}.nin_shortcut`, cout, cin, 1);
  };
  const mid = (side: string, c: number): void => {
    resnet(`${side}.mid.block_1`, c, c);
    norm(s, `${P}${side}.mid.attn_1.norm`, c);
    for (const p of ['q', 'k', 'v', 'proj_out']) conv(s, `${P}${side}.mid.attn_1.${p}`, c, c, 1);
    resnet(`${side}.mid.block_2`, c, c);
  };
  conv(s, `${P}encoder.conv_in`, ch, 3, 3);
  let cur = ch;
  MULT.forEach((mult, i) => {
    for (let j = 0; j < 2; j++) {
      resnet(`encoder.down.${i}.block.${j}`, cur, ch * mult);
      cur = ch * mult;
    }
    if (i < 3) conv(s, `${P}encoder.down.${i}.downsample.conv`, cur, cur, 3);
  });
  mid('encoder', cur);
  norm(s, `${P}encoder.norm_out`, cur);
  conv(s, `${P}encoder.conv_out`, 8, cur, 3);
  conv(s, `${P}quant_conv`, 8, 8, 1);
  conv(s, `${P}post_quant_conv`, 4, 4, 1);
  conv(s, `${P}decoder.conv_in`, cur, 4, 3);
  mid('decoder', cur);
  for (let i = 3; i >= 0; i--) {
    for (let j = 0; j < 3; j++) {
      resnet(`decoder.up.${i}.block.${j}`, cur, ch * MULT[i]!);
      cur = ch * MULT[i]!;
    }
    if (i > 0) conv(s, `${P}decoder.up.${i}.upsample.conv`, cur, cur, 3);
  }
  norm(s, `${P}decoder.norm_out`, cur);
  conv(s, `${P}decoder.conv_out`, 3, cur, 3);
}

/** Every weight name of the chosen parts with its shape, in a stable order. */
export function sd15Shapes(
  w: Sd15Widths,
  parts: readonly ('unet' | 'clip' | 'vae')[] = ['unet', 'clip', 'vae'],
): Shapes {
  const s: Shapes = new Map();
  if (parts.includes('unet')) unet(s, w);
  if (parts.includes('clip')) clip(s, w);
  if (parts.includes('vae')) vae(s, w);
  return s;
}

/** Seeded uniform generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random weights for `shapes`: matrices and kernels uniform with variance 1/fan_in (activations keep their scale),
 * norm scales 1 ± 0.1, biases ± 0.05, embeddings ± 0.5. The same seed gives the same weights.
 */
export function randomWeights(shapes: Shapes, seed = 1): Map<string, SdWeight> {
  const rand = rng(seed);
  const out = new Map<string, SdWeight>();
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNorm = /norm|in_layers\.0|out_layers\.0|out\.0\./.test(name) && shape.length === 1;
    let lo = -0.05,
      hi = 0.05;
    if (isNorm && name.endsWith('.weight')) ((lo = 0.9), (hi = 1.1));
    else if (name.includes('embedding')) ((lo = -0.5), (hi = 0.5));
    else if (shape.length >= 2) {
      const a = Math.sqrt(3 / shape.slice(1).reduce((x, y) => x * y, 1));
      ((lo = -a), (hi = a));
    }
    for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * rand();
    out.set(name, { data, shape });
  }
  return out;
}

/** A WeightLookup over a map of weights. */
export const lookupIn =
  (m: ReadonlyMap<string, SdWeight>): WeightLookup =>
  (name) =>
    m.get(name);
