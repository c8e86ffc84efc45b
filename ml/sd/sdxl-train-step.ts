/**
 * A LoRA training task on the SDXL UNet, the SD 1.5 task (train-step.ts) with SDXL's inputs: kohya's 722 UNet
 * modules (sdxl-lora-names.ts, all Linear), the 2048-wide context of both text encoders and the adm vector of each
 * image: its pooled bigG embedding followed by the size/crop sinusoids of *its* bucket and crop (sdxl-cond.ts), so a
 * LoRA learns the conditioning users sample with. Objective, schedule, noise offset, min-SNR, checkpointing and the
 * parameter names (`<kohya key>.lora_down|lora_up`) are the SD 1.5 task's.
 */
import type { GraphBuilder } from '../graph/builder';
import type { GraphCore } from '../graph/core';
import type { Tensor } from '../graph/tensor';
import { downName, upName } from '../lora/task';
import { loraHook, type AdapterTensors } from '../lora/hook';
import type { CounterRng } from '../train/rng';
import type { BatchArray, ParamInit, TrainTask } from '../train/types';
import { frozenCtx, withHook, type SdCtx, type WeightSource } from './blocks';
import { loraShapes } from './lora-names';
import { applyNoiseOffset, diffusionLoss, type Objective, TRAIN_TIMESTEPS } from './schedule';
import { admVectors, type SizeCondition } from './sdxl-cond';
import { sdxlLoraModules, type SdxlKohyaModule } from './sdxl-lora-names';
import type { SdxlWidths } from './sdxl-widths';
import { elementCount } from './spec';
import { hookName, recomputeScopes } from './train-step';
import { buildUnet, type UnetOptions } from './unet';

/** kohya's SDXL UNet modules (722 at full size), optionally only `targets` (kohya keys). */
export function sdxlUnetLoraModules(widths: SdxlWidths, targets?: readonly string[]): SdxlKohyaModule[] {
  const all = sdxlLoraModules(widths, { textEncoder: false });
  if (!targets) return all;
  const known = new Set(all.map((m) => m.key));
  for (const t of targets) if (!known.has(t)) throw new Error(`the SDXL UNet has no LoRA module "${t}"`);
  return all.filter((m) => targets.includes(m.key));
}

export interface SdxlUnetLoraOptions extends Objective {
  rank: number;
  alpha: number;
  batch: number;
  /** Cached latents (scaled by 0.13025), each [4, h, w]. */
  latents: readonly Float32Array[];
  /** Cached contexts (CLIP-L ‖ bigG penultimate), one per latent, each [77, 2048]. */
  contexts: readonly Float32Array[];
  /** Cached pooled bigG embeddings, one per latent, each [1280]. */
  pooled: readonly Float32Array[];
  /** Each latent's original size, crop offset and bucket (target) size in pixels. */
  sizes: readonly SizeCondition[];
  latentShape: readonly [number, number, number];
  contextShape: readonly [number, number];
  noiseOffset?: number;
  checkpointing?: boolean;
  unet?: UnetOptions;
  targets?: readonly string[];
}

/** Builds the SDXL UNet LoRA task on an opened SDXL checkpoint (or anything with its widths and weights). */
export function createSdxlUnetLoraTask(ckpt: WeightSource & { widths: SdxlWidths }, o: SdxlUnetLoraOptions): TrainTask {
  if (!Number.isInteger(o.rank) || o.rank < 1) throw new Error(`rank must be an integer >= 1, got ${o.rank}`);
  const n = o.latents.length;
  if (!n || o.contexts.length !== n || o.pooled.length !== n || o.sizes.length !== n)
    throw new Error(
      `the SDXL LoRA task needs a context, a pooled embedding and sizes per latent (${n} latents, ` +
        `${o.contexts.length} contexts, ${o.pooled.length} pooled, ${o.sizes.length} sizes)`,
    );
  const adm = o.sizes.map((s, i) => admVectors(o.pooled[i]!, [s]));
  const admDim = ckpt.widths.unet.admInChannels;
  if (adm[0]!.length !== admDim)
    throw new Error(
      `the pooled embeddings give adm vectors of ${adm[0]!.length}; the UNet's label_emb takes ${admDim}`,
    );
  const modules = sdxlUnetLoraModules(ckpt.widths, o.targets);
  const B = o.batch;
  const lat = [B, ...o.latentShape];
  const perRoot = new WeakMap<GraphCore, SdCtx>();
  const base = (g: GraphBuilder): SdCtx => {
    let c = perRoot.get(g.root);
    if (!c) perRoot.set(g.root, (c = frozenCtx(g, ckpt)));
    return c;
  };
  const unet: UnetOptions = { headDim: ckpt.widths.unet.headDim, ...o.unet };
  return {
    batchSpec: {
      x0: { dtype: 'float32', shape: lat },
      noise: { dtype: 'float32', shape: lat },
      t: { dtype: 'int64', shape: [B] },
      context: { dtype: 'float32', shape: [B, ...o.contextShape] },
      y: { dtype: 'float32', shape: [B, admDim] },
    },
    initParams(rng: CounterRng): Record<string, ParamInit> {
      const out: Record<string, ParamInit> = {};
      for (const m of modules) {
        const { down, up } = loraShapes(m, o.rank);
        const bound = 1 / Math.sqrt(m.in); // kohya: kaiming-uniform down, zero up
        out[downName(m.key)] = {
          shape: down,
          data: rng.fillUniform(new Float32Array(elementCount(down)), -bound, bound),
        };
        out[upName(m.key)] = { shape: up, data: new Float32Array(elementCount(up)) };
      }
      return out;
    },
    buildLoss(g: GraphBuilder, params: Record<string, Tensor>, batch: Record<string, Tensor>): Tensor {
      const adapters = new Map<string, AdapterTensors>(
        modules.map((m) => [
          hookName(m),
          { down: params[downName(m.key)]!, up: params[upName(m.key)]!, scale: o.alpha / o.rank },
        ]),
      );
      const ctx = withHook(base(g), loraHook(g, adapters));
      return diffusionLoss(g, o, { x0: batch.x0!, noise: batch.noise!, t: batch.t! }, (xt, t) =>
        buildUnet(ctx, { x: xt, t, context: batch.context!, y: batch.y! }, unet),
      );
    },
    recompute: o.checkpointing ? recomputeScopes : undefined,
    nextBatch(rng: CounterRng): Record<string, BatchArray> {
      const size = elementCount(o.latentShape);
      const csize = elementCount(o.contextShape);
      const x0 = new Float32Array(B * size);
      const context = new Float32Array(B * csize);
      const y = new Float32Array(B * admDim);
      const t = new BigInt64Array(B);
      for (let i = 0; i < B; i++) {
        const k = rng.int(n);
        x0.set(o.latents[k]!, i * size);
        context.set(o.contexts[k]!, i * csize);
        y.set(adm[k]!, i * admDim);
        t[i] = BigInt(rng.int(TRAIN_TIMESTEPS));
      }
      const noise = rng.fillNormal(new Float32Array(B * size));
      if (o.noiseOffset) applyNoiseOffset(noise, lat, rng.fillNormal(new Float32Array(B * lat[1]!)), o.noiseOffset);
      return { x0, noise, t, context, y };
    },
  };
}
