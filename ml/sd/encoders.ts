/**
 * The SD 1.5 text encoder and VAE as sessions, for training caches and sampling: prompts to conditioning (A1111's
 * emphasis and 75-token chunks, clip skip), RGB pixels to scaled latents and back. One session per input shape,
 * built on first use and kept; `release()` frees them. Runs inside a worker (session.run blocks its thread).
 */
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-node';
import { GraphBuilder } from '../graph';
import { frozenCtx, type WeightSource } from './blocks';
import { buildClipText, CLIP_PREFIX } from './clip';
import { encodePrompt } from './prompt';
import { CONTEXT } from './tokenizer';
import { buildVaeDecoder, buildVaeEncoder, sampleLatents } from './vae';

/** A prompt's conditioning: [tokens, width] with tokens = 77 · chunks. */
export interface Conditioning {
  readonly data: Float32Array;
  readonly tokens: number;
  readonly width: number;
}

export interface EncoderOptions {
  /** 1: the last CLIP layer (SD 1.5); 2: the penultimate (A1111 "clip skip 2"). */
  clipSkip?: number;
  threads?: number;
}

/** Host-side sessions of CLIP and the VAE on one checkpoint. */
export class Sd15Encoders {
  private readonly sessions = new Map<string, Promise<InferenceSession>>();
  readonly width: number;
  readonly clipSkip: number;

  constructor(
    private readonly weights: WeightSource,
    private readonly o: EncoderOptions = {},
  ) {
    this.clipSkip = o.clipSkip ?? 1;
    this.width = weights.shape(`${CLIP_PREFIX}embeddings.token_embedding.weight`)[1] ?? 0;
  }

  private session(key: string, build: (g: GraphBuilder) => void): Promise<InferenceSession> {
    let s = this.sessions.get(key);
    if (!s) {
      const g = new GraphBuilder({ name: `sd15-${key}` });
      build(g);
      s = g.createSession(this.o.threads ? { intraOpNumThreads: this.o.threads } : {});
      this.sessions.set(key, s);
    }
    return s;
  }

  /** One 77-token chunk's hidden states [77, width] (clip skip applied, final LayerNorm included). */
  async encodeIds(ids: Int32Array): Promise<Float32Array> {
    const s = await this.session('clip', (g) => {
      const input = g.input('ids', 'int64', [1, CONTEXT]);
      g.output(buildClipText(frozenCtx(g, this.weights), input, { clipSkip: this.clipSkip }), 'hidden');
    });
    const ids64 = BigInt64Array.from(ids, (v) => BigInt(v));
    const r = await s.run({ ids: new OrtTensor('int64', ids64, [1, CONTEXT]) });
    return Float32Array.from(r.hidden!.data as Float32Array);
  }

  /**
   * A prompt's conditioning, chunk encodings concatenated along the tokens. With emphasis, each token's vector is
   * scaled by its weight and the whole is rescaled to keep its mean, as A1111 does; `minChunks` pads with encodings
   * of empty chunks (A1111 pads the shorter of prompt and negative so both have the same length).
   */
  async encode(prompt: string, o: { emphasis?: boolean; minChunks?: number } = {}): Promise<Conditioning> {
    const { chunks } = encodePrompt(prompt, { emphasis: o.emphasis ?? true });
    const parts: Float32Array[] = [];
    const all = [...chunks];
    while (all.length < (o.minChunks ?? 1)) all.push(encodePrompt('').chunks[0]!);
    for (const c of all) {
      const z = await this.encodeIds(c.ids);
      if (c.weights.some((w) => w !== 1)) {
        const before = mean(z);
        for (let t = 0; t < CONTEXT; t++) for (let j = 0; j < this.width; j++) z[t * this.width + j]! *= c.weights[t]!;
        const after = mean(z);
        if (after !== 0) for (let i = 0; i < z.length; i++) z[i]! *= before / after;
      }
      parts.push(z);
    }
    const data = new Float32Array(parts.length * CONTEXT * this.width);
    parts.forEach((p, i) => data.set(p, i * p.length));
    return { data, tokens: parts.length * CONTEXT, width: this.width };
  }

  /** The number of 77-token chunks a prompt takes. */
  chunksOf(prompt: string): number {
    return encodePrompt(prompt).chunks.length;
  }

  /** RGB bytes (HWC, width x height, multiples of 8) to scaled latents [4, h/8, w/8] (the posterior mean). */
  async encodeImage(rgb: Uint8Array, width: number, height: number): Promise<Float32Array> {
    const s = await this.session(`vae-enc-${width}x${height}`, (g) => {
      const c = frozenCtx(g, this.weights);
      const x = g.input('image', 'float32', [1, 3, height, width]);
      g.output(sampleLatents(c, buildVaeEncoder(c, x)), 'latents');
    });
    const plane = width * height;
    const x = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) for (let ch = 0; ch < 3; ch++) x[ch * plane + i] = rgb[i * 3 + ch]! / 127.5 - 1;
    const r = await s.run({ image: new OrtTensor('float32', x, [1, 3, height, width]) });
    return Float32Array.from(r.latents!.data as Float32Array);
  }

  /** Scaled latents [4, h, w] to RGB bytes (HWC) of 8w x 8h. */
  async decode(latents: Float32Array, h: number, w: number): Promise<Uint8Array> {
    const s = await this.session(`vae-dec-${w}x${h}`, (g) => {
      const z = g.input('latents', 'float32', [1, 4, h, w]);
      g.output(buildVaeDecoder(frozenCtx(g, this.weights), z), 'image');
    });
    const r = await s.run({ latents: new OrtTensor('float32', latents, [1, 4, h, w]) });
    return toRgb(r.image!.data as Float32Array, 8 * w, 8 * h);
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
    this.sessions.clear();
  }
}

function mean(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

/** Planar [3, H, W] values in about [-1, 1] to HWC bytes. */
export function toRgb(planar: Float32Array, width: number, height: number): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let ch = 0; ch < 3; ch++) {
      const v = (planar[ch * plane + i]! + 1) * 127.5;
      out[i * 3 + ch] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  return out;
}

/**
 * A cheap latent-to-RGB preview (no VAE): each latent channel's contribution to R, G, B, fitted on SD 1.5's VAE
 * (the factors ComfyUI and A1111 use for their fast previews). Returns HWC bytes at the latent's own size.
 */
export function latentPreview(latents: Float32Array, h: number, w: number): Uint8Array {
  const F = [
    [0.3512, 0.2297, 0.3227],
    [0.325, 0.4974, 0.235],
    [-0.2829, 0.1762, 0.2721],
    [-0.212, -0.2616, -0.7177],
  ];
  const plane = h * w;
  const out = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let ch = 0; ch < 3; ch++) {
      let v = 0;
      for (let c = 0; c < 4; c++) v += latents[c * plane + i]! * F[c]![ch]!;
      const b = (v + 1) * 127.5;
      out[i * 3 + ch] = b <= 0 ? 0 : b >= 255 ? 255 : Math.round(b);
    }
  return out;
}
