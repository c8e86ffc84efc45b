/**
 * SDXL text-encoder LoRA (kohya's te1 72 + te2 192 modules): bigG's q/k/v adapters, which the training graph adds
 * to the three parts of the fused in_proj's output, change the encoder exactly as a loader's merge into the right
 * row thirds of `attn.in_proj_weight` does; and the text-trained SDXL task trains both towers' adapters.
 *
 *   ids ─> bigG(with hook adapters on layer 0 q, v, out_proj) ─> pooled, penultimate
 *      ==  bigG(weights with the same adapters merged into in_proj rows [0, C) and [2C, 3C), out_proj)
 */
import '../ml/autodiff/ort-realm';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from '../../ml/graph';
import { loraHook, type AdapterTensors } from '../../ml/lora/hook';
import type { LoraAdapter } from '../../ml/lora/types';
import { frozenCtx, withHook, type WeightSource } from '../../ml/sd/blocks';
import { mergedWeights } from '../../ml/sd/merge-lora';
import { buildOpenClipText, eosRows } from '../../ml/sd/openclip';
import { sdxlLoraModules } from '../../ml/sd/sdxl-lora-names';
import { syntheticSdxlCheckpoint } from '../../ml/sd/sdxl-tiny';
import { createSdxlLoraTask, sdxlHookName, sdxlTrainedModules } from '../../ml/sd/sdxl-train-step';
import { TINY_SDXL_WIDTHS } from '../../ml/sd/sdxl-widths';
import { downName, upName } from '../../ml/lora/task';
import { CounterRng } from '../../ml/train/rng';
import { Trainer } from '../../ml/train';

const w = TINY_SDXL_WIDTHS;
const lookup = syntheticSdxlCheckpoint(w, 7);
const tokens = Int32Array.from({ length: 77 }, (_, p) => (p === 0 ? 49406 : p < 6 ? 400 + p : p === 6 ? 49407 : 0));
const modules = sdxlLoraModules(w);
const byKey = (k: string) => modules.find((m) => m.key === k)!;
const L0 = 'lora_te2_text_model_encoder_layers_0_';
const adapted = [`${L0}self_attn_q_proj`, `${L0}self_attn_v_proj`, `${L0}self_attn_out_proj`].map(byKey);

function adapterOf(key: string, seed: number): LoraAdapter {
  const m = byKey(key);
  const rng = new CounterRng(seed);
  const rank = 2;
  return {
    module: key,
    rank,
    alpha: 1,
    in: m.in,
    out: m.out,
    down: rng.fillNormal(new Float32Array(rank * m.in)),
    up: rng.fillNormal(new Float32Array(m.out * rank)).map((v) => v * 0.5),
  };
}

async function encode(source: WeightSource, adapters?: Map<string, LoraAdapter>) {
  const g = new GraphBuilder({ name: 'bigG-lora' });
  let ctx = frozenCtx(g, source);
  if (adapters) {
    const tensors = new Map<string, AdapterTensors>();
    for (const m of adapted) {
      const a = adapters.get(m.key)!;
      tensors.set(sdxlHookName(m), {
        down: g.constant(a.down, [a.rank, a.in]),
        up: g.constant(a.up, [a.out, a.rank]),
        scale: a.alpha / a.rank,
      });
    }
    ctx = withHook(ctx, loraHook(g, tensors));
  }
  const out = buildOpenClipText(ctx, g.input('ids', 'int64', [1, 77]), g.input('eos', 'int64', [1]));
  g.output(out.pooled, 'pooled');
  g.output(out.penultimate, 'hidden');
  const s = await g.createSession();
  const r = await s.run({
    ids: new OrtTensor(
      'int64',
      BigInt64Array.from(tokens, (v) => BigInt(v)),
      [1, 77],
    ),
    eos: new OrtTensor('int64', eosRows(tokens, 77), [1]),
  });
  await s.release();
  return { pooled: Array.from(r.pooled!.data as Float32Array), hidden: Array.from(r.hidden!.data as Float32Array) };
}

const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('SDXL text-encoder LoRA', () => {
  it("kohya's te1 and te2 modules: 72 and 192, bigG's q/k/v on thirds of the fused in_proj", () => {
    const text = sdxlTrainedModules(w, { text: true }).filter((m) => m.part === 'text_encoder');
    expect(text.filter((m) => m.encoder === 1)).toHaveLength(72);
    expect(text.filter((m) => m.encoder === 2)).toHaveLength(192);
    expect(adapted.map((m) => m.rows)).toEqual([{ start: 0, count: 64 }, { start: 128, count: 64 }, undefined]);
    expect(new Set(text.map(sdxlHookName)).size).toBe(text.length); // q, k and v are three modules to the hook
  });

  it('the training graph with q/v/out adapters equals the merged weights a loader builds', async () => {
    const adapters = new Map(adapted.map((m, i) => [m.key, adapterOf(m.key, 11 + i)]));
    const hooked = await encode(lookup, adapters);
    const merged = await encode(
      mergedWeights(lookup, [
        { adapters: adapted.map((m) => ({ module: m, adapter: adapters.get(m.key)! })), strength: 1 },
      ]),
    );
    const base = await encode(lookup);
    const scale = Math.max(...base.hidden.map(Math.abs));
    expect(maxDiff(hooked.hidden, base.hidden)).toBeGreaterThan(1e-2 * scale); // the adapters do change it
    expect(maxDiff(hooked.hidden, merged.hidden)).toBeLessThan(1e-4 * scale);
    expect(maxDiff(hooked.pooled, merged.pooled)).toBeLessThan(1e-4 * Math.max(...base.pooled.map(Math.abs)));
  });

  it('the text-trained task moves te1 and te2 adapters (q of the fused in_proj included)', async () => {
    const ids = { l: tokens.map((v) => (v === 0 ? 49407 : v)), g: tokens };
    const task = createSdxlLoraTask(lookup, {
      rank: 2,
      alpha: 2,
      batch: 1,
      prediction: 'epsilon',
      latents: [Float32Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i * 0.3))],
      sizes: [{ original: [64, 96], crop: [0, 16], target: [64, 64] }],
      ids: [ids],
      emptyIds: ids,
      latentShape: [4, 8, 8],
      contextShape: [77, w.unet.contextDim],
    });
    const trainer = await Trainer.create(task, {
      seed: 3,
      optimizer: { kind: 'adamw', weightDecay: 0 },
      schedule: { kind: 'constant', lr: 1e-2, totalSteps: 10 },
      stepsPerRun: 2,
    });
    const losses = (await trainer.train(2)).flatMap((r) => r.losses);
    const p = trainer.exportParams();
    await trainer.release();
    expect(losses.every(Number.isFinite)).toBe(true);
    const moved = (key: string) => p[upName(key)]!.data.some((v) => v !== 0);
    expect(moved(`${L0}self_attn_q_proj`)).toBe(true);
    expect(moved('lora_te1_text_model_encoder_layers_0_self_attn_k_proj')).toBe(true);
    expect(p[downName(`${L0}self_attn_q_proj`)]!.shape).toEqual([2, 64]);
  }, 600_000);
});
