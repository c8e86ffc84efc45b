/**
 * Sampling the rectified flow: integrate dx/dt = v(x, t) from pure noise (t = 1) to the image (t = 0) with Euler or
 * Heun steps, classifier-free guidance from a batch that holds each prompt with and without its caption.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from '../graph/builder';
import type { DiTConfig } from './config';
import { extraWordRows, extraWordsMismatch, extraWordTable, withExtraWordRows, type ExtraWord } from './extra-words';
import type { LinearHook, ParamSource } from './layers';
import { buildDiT } from './model';
import { paramSpecs } from './params';
import { Rng } from './rng';
import { captionIdsShape, encodeCaptions, type ExtraWordRows } from './tokenizer';
import type { Weights } from './weights';

export type SamplerKind = 'euler' | 'heun';
export const SAMPLERS: readonly SamplerKind[] = ['euler', 'heun'];

export interface SampleOptions {
  prompts: readonly string[];
  seed: number;
  steps: number;
  /** Classifier-free guidance scale; 1 turns guidance off (and halves the work). */
  guidance: number;
  sampler?: SamplerKind;
  /** The caption of the unconditional branch (the empty caption the model was trained with by default). */
  negative?: string;
  /** Images per session.run (the last batch is padded). */
  batch?: number;
  /** Called after every step of every batch; `preview()` renders the current x0 estimate as RGB bytes. */
  onStep?: (done: number, total: number, preview: () => Uint8Array) => void;
  signal?: AbortSignal;
}

/** Adds graph nodes to a model being built (e.g. LoRA adapters); called once per session. */
export type HookFactory = (g: GraphBuilder) => LinearHook;

/** A model ready to sample: one ONNX session per batch size, weights baked in as initializers. */
export class DiTSampler {
  private readonly sessions = new Map<number, Promise<InferenceSession>>();
  private readonly wordRows: Map<string, ExtraWordRows>;

  /** `words`: words with embeddings of their own (a LoRA's trained trigger word), read wherever a prompt has them. */
  constructor(
    readonly config: DiTConfig,
    private readonly weights: Weights,
    private readonly hookFactory?: HookFactory,
    private readonly threads = 2,
    private readonly words: readonly ExtraWord[] = [],
  ) {
    const bad = extraWordsMismatch(config, words);
    if (bad) throw new Error(`cannot sample with the trigger embeddings: ${bad}`);
    this.wordRows = extraWordRows(config, words);
  }

  private session(batch: number): Promise<InferenceSession> {
    let s = this.sessions.get(batch);
    if (!s) {
      s = this.build(batch);
      this.sessions.set(batch, s);
    }
    return s;
  }

  private build(batch: number): Promise<InferenceSession> {
    const c = this.config;
    const g = new GraphBuilder({ name: `dit_sample_b${batch}` });
    const params = new Map(
      paramSpecs(c).map((s) => {
        const data = this.weights.get(s.name);
        if (!data) throw new Error(`model weights lack "${s.name}"`);
        return [s.name, g.initializer(s.name, data, s.shape)];
      }),
    );
    const x = g.input('x', 'float32', [batch, c.imageSize, c.imageSize, 3]);
    const t = g.input('t', 'float32', [batch]);
    const ids = g.input('ids', 'int64', captionIdsShape(batch, c));
    const hook = this.hookFactory?.(g);
    let p: ParamSource = (n) => params.get(n) ?? missing(n);
    if (this.words.length) {
      const table = extraWordTable(c, this.words);
      p = withExtraWordRows(g, p, g.constant(table.data, [table.rows, c.textWidth]));
    }
    const v = buildDiT(g, c, p, { x, t, ids }, hook);
    g.output(v, 'v');
    return g.createSession({ intraOpNumThreads: this.threads, interOpNumThreads: 1 });
  }

  /** Caption tokens as this sampler reads them (its own words included). */
  encode(captions: readonly string[]): BigInt64Array {
    return encodeCaptions(captions, { ...this.config, extraWords: this.wordRows });
  }

  /** The model's velocity for a batch of images, times and caption tokens. */
  async velocity(x: Float32Array, t: Float32Array, ids: BigInt64Array): Promise<Float32Array> {
    const c = this.config;
    const b = t.length;
    const s = await this.session(b);
    const out = await s.run({
      x: new OrtTensor('float32', x, [b, c.imageSize, c.imageSize, 3]),
      t: new OrtTensor('float32', t, [b]),
      ids: new OrtTensor('int64', ids, captionIdsShape(b, c)),
    });
    return out.v?.data as Float32Array;
  }

  /** Generates one image per prompt: [prompts.length, S, S, 3] RGB bytes. Deterministic for a seed. */
  async sample(o: SampleOptions): Promise<Uint8Array> {
    const c = this.config;
    const px = c.imageSize * c.imageSize * 3;
    const batch = Math.max(1, Math.min(o.batch ?? 8, o.prompts.length));
    const out = new Uint8Array(o.prompts.length * px);
    const batches = Math.ceil(o.prompts.length / batch);
    for (let bi = 0; bi < batches; bi++) {
      const idx = Array.from({ length: batch }, (_, j) => Math.min(bi * batch + j, o.prompts.length - 1));
      const x = new Float32Array(batch * px);
      idx.forEach((i, j) => initialNoise(o.seed, i, x.subarray(j * px, (j + 1) * px)));
      const prompts = idx.map((i) => o.prompts[i] ?? '');
      const result = await this.integrate(x, prompts, o, (step, preview) =>
        o.onStep?.(bi * o.steps + step, batches * o.steps, preview),
      );
      const bytes = toBytes(result);
      idx.forEach((i, j) => {
        if (bi * batch + j < o.prompts.length) out.set(bytes.subarray(j * px, (j + 1) * px), i * px);
      });
    }
    return out;
  }

  private async integrate(
    x: Float32Array,
    prompts: string[],
    o: SampleOptions,
    onStep: (step: number, preview: () => Uint8Array) => void,
  ): Promise<Float32Array> {
    const guided = o.guidance !== 1;
    const captions = guided ? [...prompts, ...prompts.map(() => o.negative ?? '')] : prompts;
    const ids = this.encode(captions);
    const v = async (xt: Float32Array, t: number): Promise<Float32Array> => {
      const xin = guided ? concat(xt, xt) : xt;
      const raw = await this.velocity(xin, new Float32Array(captions.length).fill(t), ids);
      if (!guided) return raw;
      const n = xt.length;
      const res = new Float32Array(n);
      for (let i = 0; i < n; i++) res[i] = raw[n + i]! + o.guidance * (raw[i]! - raw[n + i]!);
      return res;
    };
    for (let s = 0; s < o.steps; s++) {
      o.signal?.throwIfAborted();
      const t0 = 1 - s / o.steps;
      const t1 = 1 - (s + 1) / o.steps;
      const v0 = await v(x, t0);
      if ((o.sampler ?? 'euler') === 'heun' && t1 > 0) {
        const xe = axpy(x, t1 - t0, v0);
        const v1 = await v(xe, t1);
        for (let i = 0; i < x.length; i++) x[i] = x[i]! + (t1 - t0) * 0.5 * (v0[i]! + v1[i]!);
      } else {
        x = axpy(x, t1 - t0, v0);
      }
      const xs = x;
      onStep(s + 1, () => toBytes(xs));
    }
    return x;
  }

  /** Frees the sessions. */
  async release(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await (await s).release();
  }
}

/** The starting noise of image `index` for `seed`: independent of the batch it lands in. */
export function initialNoise(seed: number, index: number, out: Float32Array): Float32Array {
  return new Rng((seed * 1000003 + index * 7919) % 4294967296).fillNormal(out);
}

/** Maps model space [-1, 1] to RGB bytes. */
export function toBytes(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(((x[i] ?? 0) + 1) * 127.5)));
  return out;
}

function axpy(x: Float32Array, a: number, y: Float32Array): Float32Array {
  const r = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) r[i] = x[i]! + a * y[i]!;
  return r;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const r = new Float32Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
}

function missing(name: string): never {
  throw new Error(`DiT graph asked for unknown parameter "${name}"`);
}
