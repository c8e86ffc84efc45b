/**
 * The parts of a Stable Diffusion family around its UNet, as host-side sessions for training caches and sampling:
 * prompts to conditioning (A1111's emphasis and 75-token chunks), RGB pixels to scaled latents and back, and the
 * cheap latent preview. `SdEncoders` holds what the families share; a family says how one 77-token chunk is encoded
 * (SD 1.5 here: CLIP-L with clip skip; SDXL in sdxl-encoders.ts: CLIP-L ‖ bigG plus the pooled embedding), its
 * latent scale and preview factors. One session per input shape, built on first use and kept; `release()` frees
 * them. Runs inside a worker (session.run blocks its thread).
 */
import { Tensor as OrtTensor, type InferenceSession } from 'onnxruntime-node';
import { GraphBuilder } from '../graph';
import type { Tensor } from '../graph/tensor';
import type { TriggerEmbedding } from '../lora/types';
import { frozenCtx, type WeightSource } from './blocks';
import { buildClipText, CLIP_PREFIX } from './clip';
import { encodePrompt } from './prompt';
import { CONTEXT, EOS } from './tokenizer';
import { placeEmbeddings, type PlacedEmbeddings } from './trigger-embedding';
import { buildVaeDecoder, buildVaeEncoder, LATENT_SCALE, sampleLatents } from './vae';

/** A prompt's conditioning: [tokens, width] with tokens = 77 · chunks; SDXL adds the pooled bigG embedding. */
export interface Conditioning {
  readonly data: Float32Array;
  readonly tokens: number;
  readonly width: number;
  /** SDXL: the first chunk's pooled, projected bigG embedding (A1111 and ComfyUI pool the first chunk). */
  readonly pooled?: Float32Array;
}

/** One chunk through a family's text encoder(s): each encoder's hidden states [77, width_i], and SDXL's pooled. */
export interface ChunkEncoding {
  readonly parts: readonly Float32Array[];
  readonly pooled?: Float32Array;
}

/** What the UNet of a family needs besides the weights: fixed head width (SDXL), adm vector width (SDXL). */
export interface UnetFamilyOptions {
  readonly headDim?: number;
  readonly admWidth?: number;
}

/** Latent-to-RGB factors [4][3] and bias [3] (ComfyUI's latent_rgb_factors for the family's VAE). */
export interface PreviewFactors {
  readonly factors: readonly (readonly number[])[];
  readonly bias: readonly number[];
}

export interface EncoderOptions {
  /** SD 1.5 only. 1: the last CLIP layer; 2: the penultimate (A1111 "clip skip 2"). */
  clipSkip?: number;
  threads?: number;
  /** Trigger words with embeddings of their own (a LoRA's bundle_emb, pivotal tuning's training rows). */
  embeddings?: readonly TriggerEmbedding[];
}

/** Host-side sessions of a family's text encoder(s) and VAE on one set of weights. */
export abstract class SdEncoders {
  private readonly sessions = new Map<string, Promise<InferenceSession>>();
  abstract readonly family: 'sd15' | 'sdxl';
  /** The context width (SD 1.5: 768; SDXL: 768 + 1280). */
  abstract readonly width: number;
  abstract readonly unet: UnetFamilyOptions;
  protected abstract readonly latentScale: number;
  protected abstract readonly previewFactors: PreviewFactors;
  /** The padding token of each text encoder, in context order (A1111 tokenizes once per encoder). */
  protected abstract readonly pads: readonly number[];
  /** Each text encoder's width, in context order (what an embedding's rows must match). */
  protected abstract readonly textWidths: readonly number[];
  private placedEmbeddings?: PlacedEmbeddings;

  constructor(
    protected readonly weights: WeightSource,
    protected readonly o: EncoderOptions = {},
  ) {}

  /** The same family's encoders on other weights (a stack's merged text-encoder LoRAs), by default its options. */
  abstract withWeights(weights: WeightSource, o?: EncoderOptions): SdEncoders;

  /** The same family's encoders on `weights` with these trigger embeddings (a stack's LoRAs' bundle_emb). */
  withEmbeddings(weights: WeightSource, embeddings: readonly TriggerEmbedding[]): SdEncoders {
    return this.withWeights(weights, { ...this.o, embeddings });
  }

  /** The embeddings laid out after the vocabulary (empty without any). */
  protected get placed(): PlacedEmbeddings {
    return (this.placedEmbeddings ??= placeEmbeddings(this.o.embeddings ?? [], this.textWidths));
  }

  /** Encoder i's embedding rows as a constant of the graph (undefined without embeddings). */
  protected extraRows(g: GraphBuilder, i: number): Tensor | undefined {
    const p = this.placed;
    return p.count ? g.constant(p.rows[i]!, [p.count, this.textWidths[i]!]) : undefined;
  }

  /** One chunk's ids per encoder (same tokens, each encoder's padding) to its hidden states. */
  protected abstract encodeChunk(ids: readonly Int32Array[]): Promise<ChunkEncoding>;

  protected session(key: string, build: (g: GraphBuilder) => void): Promise<InferenceSession> {
    let s = this.sessions.get(key);
    if (!s) {
      const g = new GraphBuilder({ name: `${this.family}-${key}` });
      build(g);
      s = g.createSession(this.o.threads ? { intraOpNumThreads: this.o.threads } : {});
      this.sessions.set(key, s);
    }
    return s;
  }

  /**
   * A prompt's conditioning, chunk encodings concatenated along the tokens (and the encoders' outputs along the
   * width). With emphasis, each token's vector is scaled by its weight and each encoder's output is rescaled to
   * keep its mean, as A1111 does per encoder; `minChunks` pads with encodings of empty chunks (A1111 pads the
   * shorter of prompt and negative so both have the same length).
   */
  async encode(prompt: string, o: { emphasis?: boolean; minChunks?: number } = {}): Promise<Conditioning> {
    const emphasis = o.emphasis ?? true;
    const words = this.placed.words;
    const perPad = this.pads.map((pad) => encodePrompt(prompt, { emphasis, pad, words }).chunks);
    const empty = this.pads.map((pad) => encodePrompt('', { pad }).chunks[0]!);
    const count = Math.max(perPad[0]!.length, o.minChunks ?? 1);
    const data = new Float32Array(count * CONTEXT * this.width);
    let pooled: Float32Array | undefined;
    for (let c = 0; c < count; c++) {
      const chunks = perPad.map((list, e) => list[c] ?? empty[e]!);
      const enc = await this.encodeChunk(chunks.map((ch) => ch.ids));
      if (c === 0) pooled = enc.pooled;
      const weights = chunks[0]!.weights;
      let at = 0;
      for (const z of enc.parts) {
        const w = z.length / CONTEXT;
        if (weights.some((x) => x !== 1)) emphasize(z, weights, w);
        for (let t = 0; t < CONTEXT; t++) data.set(z.subarray(t * w, (t + 1) * w), (c * CONTEXT + t) * this.width + at);
        at += w;
      }
    }
    return { data, tokens: count * CONTEXT, width: this.width, ...(pooled ? { pooled } : {}) };
  }

  /** The number of 77-token chunks a prompt takes. */
  chunksOf(prompt: string): number {
    return encodePrompt(prompt, { words: this.placed.words }).chunks.length;
  }

  /** RGB bytes (HWC, width x height, multiples of 8) to scaled latents [4, h/8, w/8] (the posterior mean). */
  async encodeImage(rgb: Uint8Array, width: number, height: number): Promise<Float32Array> {
    const s = await this.session(`vae-enc-${width}x${height}`, (g) => {
      const c = frozenCtx(g, this.weights);
      const x = g.input('image', 'float32', [1, 3, height, width]);
      g.output(sampleLatents(c, buildVaeEncoder(c, x), undefined, this.latentScale), 'latents');
    });
    const plane = width * height;
    const x = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i++) for (let ch = 0; ch < 3; ch++) x[ch * plane + i] = rgb[i * 3 + ch]! / 127.5 - 1;
    const r = await s.run({ image: new OrtTensor('float32', x, [1, 3, height, width]) });
    return Float32Array.from(r.latents!.data as Float32Array);
  }

  /** Scaled latents [4, h, w] to RGB bytes (HWC) of 8w x 8h; the VAE always runs in float32 (sdxl-cond.ts). */
  async decode(latents: Float32Array, h: number, w: number): Promise<Uint8Array> {
    const s = await this.session(`vae-dec-${w}x${h}`, (g) => {
      const z = g.input('latents', 'float32', [1, 4, h, w]);
      g.output(buildVaeDecoder(frozenCtx(g, this.weights), z, this.latentScale), 'image');
    });
    const r = await s.run({ latents: new OrtTensor('float32', latents, [1, 4, h, w]) });
    return toRgb(r.image!.data as Float32Array, 8 * w, 8 * h);
  }

  /** The cheap latent-to-RGB preview of scaled latents [4, h, w] (HWC bytes at the latent's size). */
  preview(latents: Float32Array, h: number, w: number): Uint8Array {
    return latentPreview(latents, h, w, this.previewFactors);
  }

  /** Frees the text-encoder sessions (rebuilt on the next encode): SDXL's two hold 3.3 GB of float32 weights. */
  async releaseText(): Promise<void> {
    for (const [key, s] of [...this.sessions])
      if (!key.startsWith('vae-')) {
        this.sessions.delete(key);
        await (await s).release();
      }
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await (await s).release();
    this.sessions.clear();
  }
}

/** SD 1.5: CLIP ViT-L/14 (clip skip applied, final LayerNorm included), VAE scale 0.18215. */
export class Sd15Encoders extends SdEncoders {
  readonly family = 'sd15';
  readonly width: number;
  readonly clipSkip: number;
  readonly unet: UnetFamilyOptions = {};
  protected readonly latentScale = LATENT_SCALE;
  protected readonly previewFactors = SD15_PREVIEW;
  protected readonly pads = [EOS];
  protected readonly textWidths: readonly number[];

  constructor(weights: WeightSource, o: EncoderOptions = {}) {
    super(weights, o);
    this.clipSkip = o.clipSkip ?? 1;
    this.width = weights.shape(`${CLIP_PREFIX}embeddings.token_embedding.weight`)[1] ?? 0;
    this.textWidths = [this.width];
  }

  withWeights(weights: WeightSource, o: EncoderOptions = this.o): Sd15Encoders {
    return new Sd15Encoders(weights, o);
  }

  /** One 77-token chunk's hidden states [77, width] (clip skip applied, final LayerNorm included). */
  async encodeIds(ids: Int32Array): Promise<Float32Array> {
    const s = await this.session('clip', (g) => {
      const input = g.input('ids', 'int64', [1, CONTEXT]);
      const extraTokens = this.extraRows(g, 0);
      const o = { clipSkip: this.clipSkip, ...(extraTokens ? { extraTokens } : {}) };
      g.output(buildClipText(frozenCtx(g, this.weights), input, o), 'hidden');
    });
    const r = await s.run({ ids: int64Ids(ids) });
    return Float32Array.from(r.hidden!.data as Float32Array);
  }

  protected async encodeChunk(ids: readonly Int32Array[]): Promise<ChunkEncoding> {
    return { parts: [await this.encodeIds(ids[0]!)] };
  }
}

/** Token ids [1, 77] as the int64 tensor the text graphs take. */
export function int64Ids(ids: Int32Array): OrtTensor {
  return new OrtTensor(
    'int64',
    BigInt64Array.from(ids, (v) => BigInt(v)),
    [1, ids.length],
  );
}

/** A1111's emphasis on one encoder's output z [77, w]: each token scaled by its weight, then the mean restored. */
function emphasize(z: Float32Array, weights: Float32Array, w: number): void {
  const before = mean(z);
  for (let t = 0; t < CONTEXT; t++) for (let j = 0; j < w; j++) z[t * w + j]! *= weights[t]!;
  const after = mean(z);
  if (after !== 0) for (let i = 0; i < z.length; i++) z[i]! *= before / after;
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

/** SD 1.5's VAE: the factors ComfyUI and A1111 use for their fast previews. */
export const SD15_PREVIEW: PreviewFactors = {
  factors: [
    [0.3512, 0.2297, 0.3227],
    [0.325, 0.4974, 0.235],
    [-0.2829, 0.1762, 0.2721],
    [-0.212, -0.2616, -0.7177],
  ],
  bias: [0, 0, 0],
};

/**
 * A cheap latent-to-RGB preview (no VAE): each latent channel's contribution to R, G, B plus a bias, fitted on the
 * family's VAE (SD 1.5's by default). Returns HWC bytes at the latent's own size.
 */
export function latentPreview(latents: Float32Array, h: number, w: number, p = SD15_PREVIEW): Uint8Array {
  const plane = h * w;
  const out = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let ch = 0; ch < 3; ch++) {
      let v = p.bias[ch]!;
      for (let c = 0; c < 4; c++) v += latents[c * plane + i]! * p.factors[c]![ch]!;
      const b = (v + 1) * 127.5;
      out[i * 3 + ch] = b <= 0 ? 0 : b >= 255 ? 255 : Math.round(b);
    }
  return out;
}
