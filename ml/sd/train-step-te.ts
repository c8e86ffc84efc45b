/**
 * The SD 1.5 LoRA task with the text encoder and/or conv layers (LoCon) trained too. With the text encoder
 * (kohya's default when `network_train_unet_only` is off), captions enter as token ids and CLIP runs inside the
 * step graph with adapters on its 72 kohya modules (q/k/v/out_proj, fc1, fc2 of every layer); its hidden states
 * (clip skip applied) condition the UNet. Its own learning rate uses the built-in backend's trick (ml/lora/task.ts):
 * AdamW's step does not depend on a parameter's scale, so its adapters are trained as (down, up) / k and used times
 * k, which moves them k times as fast with one optimizer. Conv LoRA (kohya's conv_dim / conv_alpha) adds kohya's 86
 * ResBlock and sampler modules: 3x3 convs at the conv rank (down a conv with the layer's kernel, stride and padding,
 * up a 1x1 conv), the 1x1 skip convs and time_emb_proj at the LoRA rank. Without the text encoder, cached text
 * embeddings condition the UNet as in train-step.ts.
 */
import type { GraphBuilder } from '../graph/builder';
import type { GraphCore } from '../graph/core';
import type { Tensor } from '../graph/tensor';
import { loraHook } from '../lora/hook';
import type { CounterRng } from '../train/rng';
import type { BatchArray, ParamInit, TrainTask } from '../train/types';
import { frozenCtx, withHook, type SdCtx, type WeightSource } from './blocks';
import { buildClipText } from './clip';
import { sd15LoraModules, type KohyaModule } from './lora-names';
import { convLoraHook, initLoraParams, loraAdapters, type LoraParamPlan } from './lora-params';
import { applyNoiseOffset, diffusionLoss, drawTimestep } from './schedule';
import { examplePicker, priorSpec } from './prior-mix';
import { elementCount } from './spec';
import { CONTEXT } from './tokenizer';
import { hookName, recomputeScopes, unetLoraModules, type UnetLoraOptions } from './train-step';
import { pivotalParams, pivotalTensors, type PivotalRows } from './trigger-embedding';
import { buildUnet } from './unet';
import type { Sd15Widths } from './widths';

export interface FullLoraOptions extends Omit<UnetLoraOptions, 'contexts' | 'contextShape'> {
  /** Token ids of each latent's caption (77, BOS/EOS padded): the text encoder is trained. */
  ids?: readonly Int32Array[];
  emptyIds?: Int32Array;
  /** Without `ids`: cached text embeddings per latent [77, contextWidth], and the empty caption's. */
  contexts?: readonly Float32Array[];
  emptyContext?: Float32Array;
  contextWidth?: number;
  /** Share of samples trained on the empty caption. */
  captionDropout: number;
  clipSkip: number;
  /** The text encoder's learning rate over the UNet's (1: the same). */
  textLrScale: number;
  /** Conv LoRA (LoCon): the rank and alpha of the 3x3 convs. */
  conv?: { rank: number; alpha: number };
  /** Pivotal tuning: the trigger's own CLIP rows, trained (needs `ids`; the caption's placeholder ids read them). */
  embedding?: PivotalRows;
  /** Adapters on the text encoder when `ids` are given (default true; false: CLIP runs frozen, for `embedding`). */
  textAdapters?: boolean;
}

/** kohya's 72 text-encoder modules of the checkpoint. */
export const textLoraModules = (widths: Sd15Widths): KohyaModule[] =>
  sd15LoraModules(widths).filter((m) => m.part === 'text_encoder');

/** kohya's 86 LoCon modules (ResBlocks and samplers) of the checkpoint. */
export const convLoraModules = (widths: Sd15Widths): KohyaModule[] =>
  sd15LoraModules(widths, { conv: true, textEncoder: false }).filter((m) => m.conv);

/** The factor a module's trained values are used at (the text encoder's rate, see above). */
export const usedScale = (m: KohyaModule, textLrScale: number): number => (m.part === 'text_encoder' ? textLrScale : 1);

/** A module's rank and alpha: the conv rank for 3x3 convs under LoCon, else the LoRA's. */
export function moduleRank(
  m: KohyaModule,
  o: { rank: number; alpha: number; conv?: { rank: number; alpha: number } },
): { rank: number; alpha: number } {
  return o.conv && m.conv && (m.kernel ?? 1) > 1 ? o.conv : { rank: o.rank, alpha: o.alpha };
}

/** Every module the task trains, in parameter order. */
export function fullLoraModules(
  widths: Sd15Widths,
  o: { text: boolean; conv: boolean; targets?: readonly string[] },
): KohyaModule[] {
  return [
    ...(o.text ? textLoraModules(widths) : []),
    ...unetLoraModules(widths, o.targets),
    ...(o.conv ? convLoraModules(widths) : []),
  ];
}

/** Builds the UNet (+ text encoder, + LoCon) LoRA task. */
export function createFullLoraTask(ckpt: WeightSource & { widths: Sd15Widths }, o: FullLoraOptions): TrainTask {
  const captions = o.ids?.length ?? o.contexts?.length ?? 0;
  if (!o.latents.length || o.latents.length !== captions)
    throw new Error(`the LoRA task needs one caption per latent (${o.latents.length} latents, ${captions} captions)`);
  const text = !!o.ids && o.textAdapters !== false;
  const modules = fullLoraModules(ckpt.widths, { text, conv: !!o.conv, targets: o.targets });
  const width = o.contextWidth ?? 0;
  const B = o.batch;
  const lat = [B, ...o.latentShape];
  const perRoot = new WeakMap<GraphCore, SdCtx>();
  const base = (g: GraphBuilder): SdCtx => {
    let c = perRoot.get(g.root);
    if (!c) perRoot.set(g.root, (c = frozenCtx(g, ckpt)));
    return c;
  };
  const spec: TrainTask['batchSpec'] = {
    x0: { dtype: 'float32', shape: lat },
    noise: { dtype: 'float32', shape: lat },
    t: { dtype: 'int64', shape: [B] },
    ...(o.ids
      ? { ids: { dtype: 'int64', shape: [B, CONTEXT] } }
      : { context: { dtype: 'float32', shape: [B, CONTEXT, width] } }),
    ...priorSpec(o.prior, B),
  };
  const plan: LoraParamPlan = {
    modules,
    rankOf: (m) => moduleRank(m, o),
    scaleOf: (m) => usedScale(m, o.textLrScale),
    nameOf: hookName,
  };
  return {
    batchSpec: spec,
    initParams: (rng: CounterRng): Record<string, ParamInit> => ({
      ...initLoraParams(plan, rng),
      ...pivotalParams(o.embedding),
    }),
    buildLoss(g: GraphBuilder, params: Record<string, Tensor>, batch: Record<string, Tensor>): Tensor {
      const { linear, convs } = loraAdapters(g, plan, params);
      const ctx = withHook(base(g), loraHook(g, linear), convLoraHook(g, convs));
      const [extraTokens] = pivotalTensors(g, o.embedding, params);
      const clip = { clipSkip: o.clipSkip, ...(extraTokens ? { extraTokens } : {}) };
      const context = o.ids ? buildClipText(ctx, batch.ids!, clip) : batch.context!;
      return diffusionLoss(g, o, { x0: batch.x0!, noise: batch.noise!, t: batch.t!, w: batch.w }, (xt, t) =>
        buildUnet(ctx, { x: xt, t, context }, o.unet),
      );
    },
    recompute: o.checkpointing ? recomputeScopes : undefined,
    nextBatch(rng: CounterRng): Record<string, BatchArray> {
      const size = elementCount(o.latentShape);
      const x0 = new Float32Array(B * size);
      const ids = new BigInt64Array(o.ids ? B * CONTEXT : 0);
      const context = new Float32Array(o.ids ? 0 : B * CONTEXT * width);
      const t = new BigInt64Array(B);
      const pick = examplePicker(o.latents.length, B, o.prior);
      for (let i = 0; i < B; i++) {
        const k = pick.draw(rng);
        x0.set(o.latents[k]!, i * size);
        const drop = o.captionDropout > 0 && rng.int(1 << 20) < o.captionDropout * (1 << 20);
        if (o.ids) (drop && o.emptyIds ? o.emptyIds : o.ids[k]!).forEach((v, j) => (ids[i * CONTEXT + j] = BigInt(v)));
        else context.set(drop && o.emptyContext ? o.emptyContext : o.contexts![k]!, i * CONTEXT * width);
        t[i] = drawTimestep(rng, o);
      }
      const noise = rng.fillNormal(new Float32Array(B * size));
      if (o.noiseOffset) applyNoiseOffset(noise, lat, rng.fillNormal(new Float32Array(B * lat[1]!)), o.noiseOffset);
      return { x0, noise, t, ...(o.ids ? { ids } : { context }), ...pick.weights() };
    },
  };
}
