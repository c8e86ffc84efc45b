/**
 * A LoRA training task on the SD 1.5 UNet (an ml/train TrainTask, so the Trainer's optimizers, K-step Loops,
 * checkpoints and resume apply unchanged). The base weights are frozen initializers; adapters sit on kohya's
 * default module set — in every spatial transformer proj_in/proj_out (1x1 convs: 4-D adapters, as kohya saves
 * them), attn1/attn2 to_q/to_k/to_v/to_out.0, ff.net.0.proj and ff.net.2 — named by their canonical ldm module.
 * Inputs are cached latents and text embeddings; noise, noise offset and timesteps are drawn per step from the
 * trainer's rng. With `checkpointing` every ResBlock and transformer site is recomputed in the backward pass, and
 * every attention chunk on its own, so at most one chunk's probabilities are alive at a time.
 */
import type { GraphBuilder } from '../graph/builder';
import type { GraphCore } from '../graph/core';
import type { Tensor } from '../graph/tensor';
import { downName, upName } from '../lora/task';
import { loraHook, type AdapterTensors } from '../lora/hook';
import type { CounterRng } from '../train/rng';
import type { BatchArray, ParamInit, TrainTask } from '../train/types';
import { CHUNK_SCOPE } from './attention';
import { frozenCtx, withHook, type SdCtx, type WeightLookup } from './blocks';
import { applyNoiseOffset, diffusionLoss, type Objective, TRAIN_TIMESTEPS } from './schedule';
import { buildUnet, UNET_PREFIX, type UnetOptions } from './unet';

/** One adapted layer: its module name, widths and whether it is a 1x1 conv (4-D adapter tensors). */
export interface LoraModule {
  readonly name: string;
  readonly in: number;
  readonly out: number;
  readonly conv: boolean;
}

const SITE_LAYERS = [
  'proj_in',
  'proj_out',
  ...['attn1', 'attn2'].flatMap((a) =>
    ['to_q', 'to_k', 'to_v', 'to_out.0'].map((l) => `transformer_blocks.0.${a}.${l}`),
  ),
  'transformer_blocks.0.ff.net.0.proj',
  'transformer_blocks.0.ff.net.2',
];

/** kohya's default UNet module set for the checkpoint (192 modules for SD 1.5), read from its weights. */
export function unetLoraModules(lookup: WeightLookup): LoraModule[] {
  const sites: string[] = [];
  const walk = (stem: string, max: number): void => {
    for (let i = 0; i < max; i++) if (lookup(`${UNET_PREFIX}${stem}${i}.1.norm.weight`)) sites.push(`${stem}${i}.1`);
  };
  walk('input_blocks.', 64);
  if (lookup(`${UNET_PREFIX}middle_block.1.norm.weight`)) sites.push('middle_block.1');
  walk('output_blocks.', 64);
  return sites.flatMap((site) =>
    SITE_LAYERS.map((layer) => {
      const name = `${UNET_PREFIX}${site}.${layer}`;
      const w = lookup(`${name}.weight`);
      if (!w) throw new Error(`the checkpoint lacks "${name}.weight" for its LoRA`);
      return { name, out: w.shape[0]!, in: w.shape[1]!, conv: w.shape.length === 4 };
    }),
  );
}

export interface UnetLoraOptions extends Objective {
  rank: number;
  alpha: number;
  batch: number;
  /** Cached latents (already scaled by 0.18215), each [4, h, w]. */
  latents: readonly Float32Array[];
  /** Cached text embeddings, one per latent, each [77, contextDim]. */
  contexts: readonly Float32Array[];
  latentShape: readonly [number, number, number];
  contextShape: readonly [number, number];
  /** kohya noise_offset (0: none). */
  noiseOffset?: number;
  /** Recompute blocks and attention chunks in the backward pass. */
  checkpointing?: boolean;
  unet?: UnetOptions;
  /** Only these modules (default: every module of unetLoraModules). */
  targets?: readonly string[];
}

/** Builds the UNet LoRA task. */
export function createUnetLoraTask(lookup: WeightLookup, o: UnetLoraOptions): TrainTask {
  if (!Number.isInteger(o.rank) || o.rank < 1) throw new Error(`rank must be an integer >= 1, got ${o.rank}`);
  if (!o.latents.length || o.latents.length !== o.contexts.length)
    throw new Error(
      `the LoRA task needs one text embedding per latent (${o.latents.length} latents, ${o.contexts.length} texts)`,
    );
  const all = unetLoraModules(lookup);
  const modules = o.targets ? all.filter((m) => o.targets!.includes(m.name)) : all;
  const B = o.batch;
  const lat = [B, ...o.latentShape];
  const ctxShape = [B, ...o.contextShape];
  const perRoot = new WeakMap<GraphCore, SdCtx>();
  const base = (g: GraphBuilder): SdCtx => {
    let c = perRoot.get(g.root);
    if (!c) perRoot.set(g.root, (c = frozenCtx(g, lookup)));
    return c;
  };
  const spec: TrainTask['batchSpec'] = {
    x0: { dtype: 'float32', shape: lat },
    noise: { dtype: 'float32', shape: lat },
    t: { dtype: 'int64', shape: [B] },
    context: { dtype: 'float32', shape: ctxShape },
  };
  return {
    batchSpec: spec,
    initParams(rng: CounterRng): Record<string, ParamInit> {
      const out: Record<string, ParamInit> = {};
      for (const m of modules) {
        const k = m.conv ? [1, 1] : [];
        const bound = 1 / Math.sqrt(m.in); // kohya: kaiming-uniform down, zero up
        out[downName(m.name)] = {
          shape: [o.rank, m.in, ...k],
          data: rng.fillUniform(new Float32Array(o.rank * m.in), -bound, bound),
        };
        out[upName(m.name)] = { shape: [m.out, o.rank, ...k], data: new Float32Array(m.out * o.rank) };
      }
      return out;
    },
    buildLoss(g: GraphBuilder, params: Record<string, Tensor>, batch: Record<string, Tensor>): Tensor {
      const adapters = new Map<string, AdapterTensors>(
        modules.map((m) => [
          m.name,
          {
            down: g.reshape(params[downName(m.name)]!, [o.rank, m.in]),
            up: g.reshape(params[upName(m.name)]!, [m.out, o.rank]),
            scale: o.alpha / o.rank,
          },
        ]),
      );
      const ctx = withHook(base(g), loraHook(g, adapters));
      const context = batch.context!;
      return diffusionLoss(g, o, { x0: batch.x0!, noise: batch.noise!, t: batch.t! }, (xt, t) =>
        buildUnet(ctx, { x: xt, t, context }, o.unet),
      );
    },
    recompute: o.checkpointing ? recomputeScopes : undefined,
    nextBatch(rng: CounterRng): Record<string, BatchArray> {
      const size = o.latentShape.reduce((a, d) => a * d, 1);
      const csize = o.contextShape[0] * o.contextShape[1];
      const x0 = new Float32Array(B * size),
        context = new Float32Array(B * csize);
      const t = new BigInt64Array(B);
      for (let i = 0; i < B; i++) {
        const k = rng.int(o.latents.length);
        x0.set(o.latents[k]!, i * size);
        context.set(o.contexts[k]!, i * csize);
        t[i] = BigInt(rng.int(TRAIN_TIMESTEPS));
      }
      const noise = rng.fillNormal(new Float32Array(B * size));
      if (o.noiseOffset) applyNoiseOffset(noise, lat, rng.fillNormal(new Float32Array(B * lat[1]!)), o.noiseOffset);
      return { x0, noise, t, context };
    },
  };
}

/** The UNet's block scopes, each attention chunk listed first so that it is recomputed on its own. */
export function recomputeScopes(g: GraphBuilder): string[] {
  const chunks = new Set<string>(),
    blocks = new Set<string>();
  for (const n of g.nodes) {
    if (!n.scope.startsWith('unet/')) continue;
    blocks.add(n.scope.split('/').slice(0, 2).join('/'));
    if (n.scope.includes(`/${CHUNK_SCOPE}`)) chunks.add(n.scope);
  }
  return [...chunks, ...blocks];
}
