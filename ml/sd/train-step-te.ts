/**
 * The SD 1.5 LoRA task with the text encoder trained too (kohya's default when `network_train_unet_only` is off):
 * captions enter as token ids, CLIP runs inside the step graph with adapters on its 72 kohya modules
 * (q/k/v/out_proj, fc1, fc2 of every layer), and its hidden states (clip skip applied) condition the UNet, whose
 * adapters are the UNet task's. The text encoder's own learning rate uses the built-in backend's trick
 * (ml/lora/task.ts): AdamW's step does not depend on a parameter's scale, so its adapters are trained as
 * (down, up) / k and used times k, which moves them k times as fast with one optimizer.
 */
import type { GraphBuilder } from '../graph/builder';
import type { GraphCore } from '../graph/core';
import type { Tensor } from '../graph/tensor';
import { loraHook, type AdapterTensors } from '../lora/hook';
import { downName, upName } from '../lora/task';
import type { CounterRng } from '../train/rng';
import type { BatchArray, ParamInit, TrainTask } from '../train/types';
import { frozenCtx, withHook, type SdCtx, type WeightSource } from './blocks';
import { buildClipText } from './clip';
import { loraShapes, sd15LoraModules, type KohyaModule } from './lora-names';
import { applyNoiseOffset, diffusionLoss, TRAIN_TIMESTEPS } from './schedule';
import { elementCount } from './spec';
import { CONTEXT } from './tokenizer';
import { hookName, recomputeScopes, unetLoraModules, type UnetLoraOptions } from './train-step';
import { buildUnet } from './unet';
import type { Sd15Widths } from './widths';

export interface TextLoraOptions extends Omit<UnetLoraOptions, 'contexts' | 'contextShape'> {
  /** Token ids of each latent's caption (77, BOS/EOS padded). */
  ids: readonly Int32Array[];
  /** Ids of the empty caption, used with probability `captionDropout`. */
  emptyIds: Int32Array;
  captionDropout: number;
  clipSkip: number;
  /** The text encoder's learning rate over the UNet's (1: the same). */
  textLrScale: number;
}

/** kohya's 72 text-encoder modules of the checkpoint. */
export const textLoraModules = (widths: Sd15Widths): KohyaModule[] =>
  sd15LoraModules(widths).filter((m) => m.part === 'text_encoder');

/** The factor a module's trained values are used at (the text encoder's rate, see above). */
export const usedScale = (m: KohyaModule, textLrScale: number): number => (m.part === 'text_encoder' ? textLrScale : 1);

/** Builds the UNet + text-encoder LoRA task. */
export function createTextLoraTask(ckpt: WeightSource & { widths: Sd15Widths }, o: TextLoraOptions): TrainTask {
  if (!o.latents.length || o.latents.length !== o.ids.length)
    throw new Error(
      `the LoRA task needs one caption per latent (${o.latents.length} latents, ${o.ids.length} captions)`,
    );
  const modules = [...textLoraModules(ckpt.widths), ...unetLoraModules(ckpt.widths, o.targets)];
  const B = o.batch;
  const lat = [B, ...o.latentShape];
  const perRoot = new WeakMap<GraphCore, SdCtx>();
  const base = (g: GraphBuilder): SdCtx => {
    let c = perRoot.get(g.root);
    if (!c) perRoot.set(g.root, (c = frozenCtx(g, ckpt)));
    return c;
  };
  return {
    batchSpec: {
      x0: { dtype: 'float32', shape: lat },
      noise: { dtype: 'float32', shape: lat },
      t: { dtype: 'int64', shape: [B] },
      ids: { dtype: 'int64', shape: [B, CONTEXT] },
    },
    initParams(rng: CounterRng): Record<string, ParamInit> {
      const out: Record<string, ParamInit> = {};
      for (const m of modules) {
        const { down, up } = loraShapes(m, o.rank);
        const bound = 1 / Math.sqrt(m.in * (m.kernel ?? 1) ** 2) / usedScale(m, o.textLrScale);
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
        modules.map((m) => {
          const k = usedScale(m, o.textLrScale);
          const use = (t: Tensor, shape: number[]) => (k === 1 ? g.reshape(t, shape) : g.mul(g.reshape(t, shape), k));
          return [
            hookName(m),
            {
              down: use(params[downName(m.key)]!, [o.rank, m.in]),
              up: use(params[upName(m.key)]!, [m.out, o.rank]),
              scale: o.alpha / o.rank,
            },
          ];
        }),
      );
      const ctx = withHook(base(g), loraHook(g, adapters));
      const context = buildClipText(ctx, batch.ids!, { clipSkip: o.clipSkip });
      return diffusionLoss(g, o, { x0: batch.x0!, noise: batch.noise!, t: batch.t! }, (xt, t) =>
        buildUnet(ctx, { x: xt, t, context }, o.unet),
      );
    },
    recompute: o.checkpointing ? recomputeScopes : undefined,
    nextBatch(rng: CounterRng): Record<string, BatchArray> {
      const size = elementCount(o.latentShape);
      const x0 = new Float32Array(B * size);
      const ids = new BigInt64Array(B * CONTEXT);
      const t = new BigInt64Array(B);
      for (let i = 0; i < B; i++) {
        const k = rng.int(o.latents.length);
        x0.set(o.latents[k]!, i * size);
        const drop = o.captionDropout > 0 && rng.int(1 << 20) < o.captionDropout * (1 << 20);
        (drop ? o.emptyIds : o.ids[k]!).forEach((v, j) => (ids[i * CONTEXT + j] = BigInt(v)));
        t[i] = BigInt(rng.int(TRAIN_TIMESTEPS));
      }
      const noise = rng.fillNormal(new Float32Array(B * size));
      if (o.noiseOffset) applyNoiseOffset(noise, lat, rng.fillNormal(new Float32Array(B * lat[1]!)), o.noiseOffset);
      return { x0, noise, t, ids };
    },
  };
}
