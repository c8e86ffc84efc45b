/**
 * A LoRA training task on the SD 1.5 UNet (an ml/train TrainTask, so the Trainer's optimizers, K-step Loops,
 * checkpoints and resume apply unchanged). The base weights are frozen initializers; adapters sit on kohya's
 * default module set (lora-names.ts) — in every spatial transformer proj_in/proj_out (1x1 convs: 4-D adapters, as
 * kohya saves them), attn1/attn2 to_q/to_k/to_v/to_out.0, ff.net.0.proj and ff.net.2. Trainable parameters are
 * named `<kohya key>.lora_down|lora_up`, so the trained values map straight onto the file kohya writes.
 * Inputs are cached latents and text embeddings; noise, noise offset and timesteps are drawn per step from the
 * trainer's rng. With `checkpointing` every ResBlock and transformer site is recomputed in the backward pass, and
 * every attention chunk on its own, so at most one chunk's probabilities are alive at a time.
 */
import type { GraphBuilder } from '../graph/builder';
import type { Tensor } from '../graph/tensor';
import { downName, upName } from '../lora/task';
import { loraHook, type AdapterTensors } from '../lora/hook';
import type { CounterRng } from '../train/rng';
import type { BatchArray, ParamInit, TrainTask } from '../train/types';
import { CHUNK_SCOPE } from './attention';
import { withHook, type WeightSource } from './blocks';
import { perRootFrozenCtx, type FrozenDtype } from './half-frozen';
import { loraShapes, sd15LoraModules, type KohyaModule } from './lora-names';
import { applyNoiseOffset, diffusionLoss, drawTimestep, type Objective } from './schedule';
import { examplePicker, priorSpec } from './prior-mix';
import { elementCount } from './spec';
import { buildUnet, LAYER_SCOPE, type UnetOptions } from './unet';
import type { Sd15Widths } from './widths';

/** kohya's default UNet modules of the checkpoint (192 for SD 1.5), optionally only `targets` (kohya keys). */
export function unetLoraModules(widths: Sd15Widths, targets?: readonly string[]): KohyaModule[] {
  const all = sd15LoraModules(widths, { textEncoder: false });
  if (!targets) return all;
  const known = new Set(all.map((m) => m.key));
  for (const t of targets) if (!known.has(t)) throw new Error(`the UNet has no LoRA module "${t}"`);
  return all.filter((m) => targets.includes(m.key));
}

/** The module name the graph's hook sees for a kohya module: its canonical weight less `.weight`. */
export const hookName = (m: KohyaModule): string => m.target.replace(/\.weight$/, '');

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
  /** With checkpointing, recompute only blocks whose activations hold at least this many values (recomputeScopes). */
  checkpointMinValues?: number;
  /** The dtype the frozen UNet weights are held in (default float32; half-frozen.ts). */
  frozenDtype?: FrozenDtype;
  /** With float16, the weights of at least this many values that are held so (default HALF_MIN_VALUES). */
  frozenHalfMinValues?: number;
  unet?: UnetOptions;
  /** Only these modules, by kohya key (default: all of unetLoraModules). */
  targets?: readonly string[];
}

/** Builds the UNet LoRA task on an opened checkpoint (or anything with its widths and weights). */
export function createUnetLoraTask(ckpt: WeightSource & { widths: Sd15Widths }, o: UnetLoraOptions): TrainTask {
  if (!Number.isInteger(o.rank) || o.rank < 1) throw new Error(`rank must be an integer >= 1, got ${o.rank}`);
  if (!o.latents.length || o.latents.length !== o.contexts.length)
    throw new Error(
      `the LoRA task needs one text embedding per latent (${o.latents.length} latents, ${o.contexts.length} texts)`,
    );
  const modules = unetLoraModules(ckpt.widths, o.targets);
  const B = o.batch;
  const lat = [B, ...o.latentShape];
  const base = perRootFrozenCtx(ckpt, o.frozenDtype, o.frozenHalfMinValues);
  const spec: TrainTask['batchSpec'] = {
    x0: { dtype: 'float32', shape: lat },
    noise: { dtype: 'float32', shape: lat },
    t: { dtype: 'int64', shape: [B] },
    context: { dtype: 'float32', shape: [B, ...o.contextShape] },
    ...priorSpec(o.prior, B),
  };
  return {
    batchSpec: spec,
    initParams(rng: CounterRng): Record<string, ParamInit> {
      const out: Record<string, ParamInit> = {};
      for (const m of modules) {
        const { down, up } = loraShapes(m, o.rank);
        const bound = 1 / Math.sqrt(m.in * (m.kernel ?? 1) ** 2); // kohya: kaiming-uniform down, zero up
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
          {
            down: g.reshape(params[downName(m.key)]!, [o.rank, m.in]),
            up: g.reshape(params[upName(m.key)]!, [m.out, o.rank]),
            scale: o.alpha / o.rank,
          },
        ]),
      );
      const ctx = withHook(base(g), loraHook(g, adapters));
      const context = batch.context!;
      return diffusionLoss(g, o, { x0: batch.x0!, noise: batch.noise!, t: batch.t!, w: batch.w }, (xt, t) =>
        buildUnet(ctx, { x: xt, t, context }, o.unet),
      );
    },
    recompute: o.checkpointing ? (g) => recomputeScopes(g, o.checkpointMinValues) : undefined,
    nextBatch(rng: CounterRng): Record<string, BatchArray> {
      const size = elementCount(o.latentShape);
      const csize = elementCount(o.contextShape);
      const x0 = new Float32Array(B * size),
        context = new Float32Array(B * csize);
      const t = new BigInt64Array(B);
      const pick = examplePicker(o.latents.length, B, o.prior);
      for (let i = 0; i < B; i++) {
        const k = pick.draw(rng);
        x0.set(o.latents[k]!, i * size);
        context.set(o.contexts[k]!, i * csize);
        t[i] = drawTimestep(rng, o);
      }
      const noise = rng.fillNormal(new Float32Array(B * size));
      if (o.noiseOffset) applyNoiseOffset(noise, lat, rng.fillNormal(new Float32Array(B * lat[1]!)), o.noiseOffset);
      return { x0, noise, t, context, ...pick.weights() };
    },
  };
}

/**
 * Blocks whose forward activations hold fewer values than this are kept rather than recomputed: 2^25 floats
 * (128 MiB). At 512 px on SD 1.5 that recomputes the 64x64 blocks and the 32x32 transformers (where the attention
 * and GEGLU tensors are) and keeps the smaller ResBlocks and the 16x16 and 8x8 levels, whose recomputation cost a
 * forward's worth of convolutions for a few hundred MiB.
 */
export const CHECKPOINT_MIN_VALUES = 1 << 25;

/**
 * The UNet's block scopes to recompute, each attention chunk and then each transformer layer (unet.ts LAYER_SCOPE)
 * listed first so that it is recomputed on its own: the blocks whose node outputs add up to at least `minValues`
 * values (0: every block).
 */
export function recomputeScopes(g: GraphBuilder, minValues = CHECKPOINT_MIN_VALUES): string[] {
  const chunks = new Set<string>(),
    layers = new Set<string>(),
    values = new Map<string, number>();
  const layerPart = new RegExp(`^${LAYER_SCOPE}\\d+$`);
  for (const n of g.nodes) {
    if (!n.scope.startsWith('unet/')) continue;
    const parts = n.scope.split('/');
    const block = parts.slice(0, 2).join('/');
    const held = n.outputs.reduce((a, t) => a + t.shape.reduce((x, d) => x * d, 1), 0);
    values.set(block, (values.get(block) ?? 0) + held);
    if (n.scope.includes(`/${CHUNK_SCOPE}`)) chunks.add(n.scope);
    const layer = parts.findIndex((p, i) => i >= 2 && layerPart.test(p));
    if (layer >= 0) layers.add(parts.slice(0, layer + 1).join('/'));
  }
  const blocks = [...values].filter(([, v]) => v >= minValues).map(([b]) => b);
  const inKept = (scope: string): boolean => blocks.some((b) => scope.startsWith(b + '/'));
  return [...[...chunks].filter(inKept), ...[...layers].filter(inKept), ...blocks];
}
