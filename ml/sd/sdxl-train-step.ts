/**
 * A LoRA training task on SDXL, the SD 1.5 tasks (train-step.ts, train-step-te.ts) with SDXL's inputs: kohya's 722
 * UNet modules (sdxl-lora-names.ts, all Linear), the 2048-wide context of both text encoders and the adm vector of
 * each image: its pooled bigG embedding followed by the size/crop sinusoids of *its* bucket and crop
 * (sdxl-cond.ts), so a LoRA learns the conditioning users sample with. Captions come in one of two ways: cached
 * (each image's context and pooled embedding, encoded once) or, when the text encoders are trained too (kohya's
 * te1 72 + te2 192 modules), as token ids for both towers, encoded inside the step with adapters on them; bigG's
 * q/k/v adapters land on their thirds of the fused in_proj (openclip.ts). The text encoders' own learning rate,
 * objective, schedule, noise offset, min-SNR, caption dropout, checkpointing and the parameter names
 * (`<kohya key>.lora_down|lora_up`) are the SD 1.5 tasks'. LoCon (`conv`) adds kohya's SDXL ResBlock and sampler
 * modules as on SD 1.5 (3x3 convs at the conv rank, the rest at the LoRA rank).
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import { loraHook } from '../lora/hook';
import type { CounterRng } from '../train/rng';
import type { BatchArray, ParamInit, TrainTask } from '../train/types';
import { withHook, type WeightSource } from './blocks';
import { perRootFrozenCtx, type FrozenDtype } from './half-frozen';
import { convLoraHook, initLoraParams, loraAdapters, type LoraParamPlan } from './lora-params';
import { fusedThirdName, eosRows } from './openclip';
import { pivotalParams, pivotalTensors, type PivotalRows } from './trigger-embedding';
import { applyNoiseOffset, diffusionLoss, drawTimestep, type Objective } from './schedule';
import { admVectors, buildSdxlText, sizeEmbedding, type SizeCondition } from './sdxl-cond';
import { sdxlLoraModules, type SdxlKohyaModule } from './sdxl-lora-names';
import { SIZE_EMBED_DIM, type SdxlWidths } from './sdxl-widths';
import { examplePicker, priorSpec } from './prior-mix';
import { elementCount } from './spec';
import { CONTEXT } from './tokenizer';
import { hookName, recomputeScopes } from './train-step';
import { moduleRank, usedScale } from './train-step-te';
import { buildUnet, type UnetOptions } from './unet';

/** kohya's SDXL UNet modules (722 at full size), optionally only `targets` (kohya keys). */
export function sdxlUnetLoraModules(widths: SdxlWidths, targets?: readonly string[]): SdxlKohyaModule[] {
  const all = sdxlLoraModules(widths, { textEncoder: false });
  if (!targets) return all;
  const known = new Set(all.map((m) => m.key));
  for (const t of targets) if (!known.has(t)) throw new Error(`the SDXL UNet has no LoRA module "${t}"`);
  return all.filter((m) => targets.includes(m.key));
}

/** Every module an SDXL task trains, in parameter order: the text encoders' (te1, te2) if trained, UNet, LoCon. */
export function sdxlTrainedModules(
  widths: SdxlWidths,
  o: { text: boolean; conv?: boolean; targets?: readonly string[] },
): SdxlKohyaModule[] {
  const text = o.text ? sdxlLoraModules(widths).filter((m) => m.part === 'text_encoder') : [];
  const conv = o.conv ? sdxlLoraModules(widths, { conv: true, textEncoder: false }).filter((m) => m.conv) : [];
  return [...text, ...sdxlUnetLoraModules(widths, o.targets), ...conv];
}

/** The module name the graph's hook sees: the weight less `.weight`, or bigG's fused q/k/v third. */
export const sdxlHookName = (m: SdxlKohyaModule): string =>
  m.rows ? fusedThirdName(m.target, m.rows.start / m.rows.count) : hookName(m);

/** One caption's token ids for each tower: CLIP-L padded with EOS, bigG with 0 (77 each). */
export interface SdxlIds {
  readonly l: Int32Array;
  readonly g: Int32Array;
}

export interface SdxlLoraOptions extends Objective {
  rank: number;
  alpha: number;
  batch: number;
  /** Cached latents (scaled by 0.13025), each [4, h, w]. */
  latents: readonly Float32Array[];
  /** Each latent's original size, crop offset and bucket (target) size in pixels. */
  sizes: readonly SizeCondition[];
  /** Cached captions: contexts (CLIP-L ‖ bigG penultimate) [77, 2048] and pooled bigG embeddings [1280]... */
  contexts?: readonly Float32Array[];
  pooled?: readonly Float32Array[];
  /** ...and the empty caption's, for caption dropout. */
  empty?: { context: Float32Array; pooled: Float32Array };
  /** Or token ids per latent (and the empty caption's): both text encoders are trained. */
  ids?: readonly SdxlIds[];
  emptyIds?: SdxlIds;
  /** Share of samples trained on the empty caption (kohya caption_dropout_rate). */
  captionDropout?: number;
  /** The text encoders' learning rate over the UNet's (1: the same). */
  textLrScale?: number;
  /** Pivotal tuning: the trigger's own CLIP-L and bigG rows, trained (needs `ids`, whose placeholders read them). */
  embedding?: PivotalRows;
  /** Adapters on the text encoders when `ids` are given (default true; false: both run frozen, for `embedding`). */
  textAdapters?: boolean;
  latentShape: readonly [number, number, number];
  contextShape: readonly [number, number];
  noiseOffset?: number;
  checkpointing?: boolean;
  /** With checkpointing, recompute only blocks whose activations hold at least this many values (recomputeScopes). */
  checkpointMinValues?: number;
  /** The dtype the frozen UNet weights are held in (half-frozen.ts; default 'auto': sdxlFrozenDtype). */
  frozenDtype?: FrozenDtype | 'auto';
  /** With float16, the weights of at least this many values that are held so (default HALF_MIN_VALUES). */
  frozenHalfMinValues?: number;
  unet?: UnetOptions;
  targets?: readonly string[];
  /** LoCon: the rank and alpha of the 3x3 convs (kohya's conv_dim / conv_alpha). */
  conv?: { rank: number; alpha: number };
}

/** The task's batch layout, from whether the text encoders run in the step. */
function batchSpec(o: SdxlLoraOptions, admDim: number): TrainTask['batchSpec'] {
  const lat = [o.batch, ...o.latentShape];
  const B = o.batch;
  return {
    x0: { dtype: 'float32', shape: lat },
    noise: { dtype: 'float32', shape: lat },
    t: { dtype: 'int64', shape: [B] },
    ...(o.ids
      ? {
          ids_l: { dtype: 'int64', shape: [B, CONTEXT] },
          ids_g: { dtype: 'int64', shape: [B, CONTEXT] },
          eos: { dtype: 'int64', shape: [B] },
          sizes: { dtype: 'float32', shape: [B, 6 * SIZE_EMBED_DIM] },
        }
      : {
          context: { dtype: 'float32', shape: [B, ...o.contextShape] },
          y: { dtype: 'float32', shape: [B, admDim] },
        }),
  };
}

function checkOptions(o: SdxlLoraOptions, admDim: number): void {
  if (!Number.isInteger(o.rank) || o.rank < 1) throw new Error(`rank must be an integer >= 1, got ${o.rank}`);
  const n = o.latents.length;
  const captions = o.ids?.length ?? o.contexts?.length ?? 0;
  if (!n || captions !== n || o.sizes.length !== n || (!o.ids && o.pooled?.length !== n))
    throw new Error(
      `the SDXL LoRA task needs a caption, a pooled embedding and sizes per latent (${n} latents, ` +
        `${captions} captions, ${o.ids ? n : (o.pooled?.length ?? 0)} pooled, ${o.sizes.length} sizes)`,
    );
  const pooled = o.ids ? admDim - 6 * SIZE_EMBED_DIM : (o.pooled![0]!.length ?? 0);
  if (pooled + 6 * SIZE_EMBED_DIM !== admDim)
    throw new Error(
      `the pooled embeddings give adm vectors of ${pooled + 6 * SIZE_EMBED_DIM}; the UNet's label_emb takes ${admDim}`,
    );
}

/**
 * Steps on latents of at least this many positions (768 px square) hold the frozen UNet in float16 by default. On the
 * 2-core CPU the 512 px step peaked at 11.7 against 15.7 GiB that way (9.6 GiB of weights mapped in float32, 4.8 in
 * float16) for about a tenth more CPU time (the Casts), and the 1024 px step does not fit 24 GiB with float32
 * weights; below 768 px float32 fits 16 GiB and stays the default. Most SDXL files are float16: they lose nothing.
 */
export const SDXL_HALF_FROM_POSITIONS = 96 * 96;

/** The frozen UNet dtype of an SDXL task: the one asked for, or by latent size ('auto'). */
export function sdxlFrozenDtype(o: Pick<SdxlLoraOptions, 'frozenDtype' | 'latentShape'>): FrozenDtype {
  if (o.frozenDtype && o.frozenDtype !== 'auto') return o.frozenDtype;
  return o.latentShape[1] * o.latentShape[2] >= SDXL_HALF_FROM_POSITIONS ? 'float16' : 'float32';
}

/** Builds the SDXL LoRA task on an opened SDXL checkpoint (or anything with its widths and weights). */
export function createSdxlLoraTask(ckpt: WeightSource & { widths: SdxlWidths }, o: SdxlLoraOptions): TrainTask {
  const admDim = ckpt.widths.unet.admInChannels;
  checkOptions(o, admDim);
  const n = o.latents.length;
  const textLrScale = o.textLrScale ?? 1;
  const plan: LoraParamPlan<SdxlKohyaModule> = {
    modules: sdxlTrainedModules(ckpt.widths, {
      text: !!o.ids && o.textAdapters !== false,
      conv: !!o.conv,
      targets: o.targets,
    }),
    rankOf: (m) => moduleRank(m, o),
    scaleOf: (m) => usedScale(m, textLrScale),
    nameOf: sdxlHookName,
  };
  const adm = o.ids ? [] : o.sizes.map((s, i) => admVectors(o.pooled![i]!, [s]));
  const emptyAdm = o.empty && o.sizes.map((s) => admVectors(o.empty!.pooled, [s]));
  const sizeEmb = o.sizes.map((s) => sizeEmbedding(s));
  const B = o.batch;
  const lat = [B, ...o.latentShape];
  const base = perRootFrozenCtx(ckpt, sdxlFrozenDtype(o), o.frozenHalfMinValues);
  const unet: UnetOptions = { headDim: ckpt.widths.unet.headDim, ...o.unet };
  const dropout = o.captionDropout ?? 0;
  return {
    batchSpec: { ...batchSpec(o, admDim), ...priorSpec(o.prior, o.batch) },
    initParams: (rng: CounterRng): Record<string, ParamInit> => ({
      ...initLoraParams(plan, rng),
      ...pivotalParams(o.embedding),
    }),
    buildLoss(g: GraphBuilder, params: Record<string, Tensor>, batch: Record<string, Tensor>): Tensor {
      const { linear, convs } = loraAdapters(g, plan, params);
      const ctx = withHook(base(g), loraHook(g, linear), convLoraHook(g, convs));
      let context = batch.context!;
      let y = batch.y!;
      if (o.ids) {
        const [rowsL, rowsG] = pivotalTensors(g, o.embedding, params);
        const extra = rowsL && rowsG ? { l: rowsL, g: rowsG } : undefined;
        const text = buildSdxlText(ctx, batch.ids_l!, batch.ids_g!, batch.eos!, extra);
        context = text.context;
        y = g.concat([text.pooled, batch.sizes!], 1);
      }
      return diffusionLoss(g, o, { x0: batch.x0!, noise: batch.noise!, t: batch.t!, w: batch.w }, (xt, t) =>
        buildUnet(ctx, { x: xt, t, context, y }, unet),
      );
    },
    recompute: o.checkpointing ? (g) => recomputeScopes(g, o.checkpointMinValues) : undefined,
    nextBatch(rng: CounterRng): Record<string, BatchArray> {
      const size = elementCount(o.latentShape);
      const csize = elementCount(o.contextShape);
      const x0 = new Float32Array(B * size);
      const t = new BigInt64Array(B);
      const context = new Float32Array(o.ids ? 0 : B * csize);
      const y = new Float32Array(o.ids ? 0 : B * admDim);
      const ids = { l: new Int32Array(o.ids ? B * CONTEXT : 0), g: new Int32Array(o.ids ? B * CONTEXT : 0) };
      const sizes = new Float32Array(o.ids ? B * 6 * SIZE_EMBED_DIM : 0);
      const pick = examplePicker(n, B, o.prior);
      for (let i = 0; i < B; i++) {
        const k = pick.draw(rng);
        x0.set(o.latents[k]!, i * size);
        const drop = dropout > 0 && rng.int(1 << 20) < dropout * (1 << 20);
        if (o.ids) {
          const c = drop && o.emptyIds ? o.emptyIds : o.ids[k]!;
          ids.l.set(c.l, i * CONTEXT);
          ids.g.set(c.g, i * CONTEXT);
          sizes.set(sizeEmb[k]!, i * 6 * SIZE_EMBED_DIM);
        } else {
          const empty = drop && o.empty && emptyAdm;
          context.set(empty ? o.empty!.context : o.contexts![k]!, i * csize);
          y.set(empty ? emptyAdm[k]! : adm[k]!, i * admDim);
        }
        t[i] = drawTimestep(rng, o);
      }
      const noise = rng.fillNormal(new Float32Array(B * size));
      if (o.noiseOffset) applyNoiseOffset(noise, lat, rng.fillNormal(new Float32Array(B * lat[1]!)), o.noiseOffset);
      if (!o.ids) return { x0, noise, t, context, y, ...pick.weights() };
      const long = (a: Int32Array) => BigInt64Array.from(a, (v) => BigInt(v));
      const text = { ids_l: long(ids.l), ids_g: long(ids.g), eos: eosRows(ids.g, CONTEXT), sizes };
      return { x0, noise, t, ...text, ...pick.weights() };
    },
  };
}

/** The UNet-only names bench/sdxl.ts and older callers use (cached captions: the same task). */
export const createSdxlUnetLoraTask = createSdxlLoraTask;
export type SdxlUnetLoraOptions = SdxlLoraOptions;
