/**
 * Validation loss with fixed noise and fixed timesteps (kohya, OneTrainer, SimpleTuner): the same images, noise and
 * t every time, so the curve only moves when the LoRA does. Its minimum marks the checkpoint before overfitting.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import { buildFlowLoss } from '../dit/model';
import { linearModules } from '../dit/params';
import type { DiTModel } from '../dit/weights';
import { captionIdsShape, encodeCaptions } from '../dit/tokenizer';
import { CounterRng } from '../train/rng';
import type { NamedParams } from '../train/types';
import { extraWordRows } from '../dit/extra-words';
import {
  adapterTensors,
  downName,
  EMBEDDING_PARAM,
  frozenBase,
  stepParams,
  upName,
  type LoraTaskOptions,
} from './task';
import { loraHook } from './hook';

/** The timesteps every validation image is scored at. */
export const VALIDATION_TIMESTEPS = [0.15, 0.35, 0.55, 0.75, 0.95];

/** The validation loss of a LoRA run: one forward-only session built once, fed the current adapters. */
export class ValidationLoss {
  private readonly session: Promise<InferenceSession>;
  private readonly names: string[];

  /** `indices` are the validation images (held out, or the training set when it is tiny). */
  constructor(model: DiTModel, o: LoraTaskOptions, indices: readonly number[], threads = 2) {
    const c = model.config;
    const S = c.imageSize;
    const px = S * S * 3;
    const pairs = indices.flatMap((i) => VALIDATION_TIMESTEPS.map((t) => ({ i, t }))).slice(0, 64);
    const n = pairs.length;
    const rng = new CounterRng(20240601);
    const x0 = new Float32Array(n * px);
    pairs.forEach((p, j) => {
      for (let k = 0; k < px; k++) x0[j * px + k] = o.images[p.i * px + k]! / 127.5 - 1;
    });
    const g = new GraphBuilder({ name: 'lora_validation' });
    const params: Record<string, Tensor> = {};
    this.names = [];
    const mods = new Map(linearModules(c).map((m) => [m.name, m]));
    for (const m of o.targets) {
      const lin = mods.get(m);
      if (!lin) throw new Error(`the base model has no linear layer "${m}"`);
      params[downName(m)] = g.input(downName(m), 'float32', [o.rank, lin.in]);
      params[upName(m)] = g.input(upName(m), 'float32', [lin.out, o.rank]);
      this.names.push(downName(m), upName(m));
    }
    if (o.embedding) {
      params[EMBEDDING_PARAM] = g.input(EMBEDDING_PARAM, 'float32', [o.embedding.init.length]);
      this.names.push(EMBEDDING_PARAM);
    }
    const words = o.embedding ? [{ word: o.embedding.word, vector: o.embedding.init }] : [];
    const batch = {
      x0: g.constant(x0, [n, S, S, 3]),
      noise: g.constant(rng.fillNormal(new Float32Array(n * px)), [n, S, S, 3]),
      t: g.constant(Float32Array.from(pairs.map((p) => p.t)), [n]),
      ids: g.constant(
        encodeCaptions(
          pairs.map((p) => o.captions[p.i] ?? ''),
          { ...c, extraWords: extraWordRows(c, words) },
        ),
        captionIdsShape(n, c),
        'int64',
      ),
    };
    const p = stepParams(g, o, c, frozenBase(model)(g), params);
    const loss = buildFlowLoss(g, c, p, batch, loraHook(g, adapterTensors(g, o, params)));
    g.output(loss, 'loss');
    this.session = g.createSession({ intraOpNumThreads: threads, interOpNumThreads: 1 });
  }

  /** The loss for the current adapter parameters. */
  async compute(params: NamedParams): Promise<number> {
    const s = await this.session;
    const feeds: Record<string, OrtTensor> = {};
    for (const name of this.names) {
      const p = params[name];
      if (!p) throw new Error(`validation: no parameter "${name}"`);
      feeds[name] = new OrtTensor('float32', p.data, [...p.shape]);
    }
    const out = await s.run(feeds);
    return (out.loss?.data as Float32Array)[0] ?? NaN;
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await (await this.session).release();
  }
}
