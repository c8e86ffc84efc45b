import '../ml/autodiff/ort-realm';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder, liveness, numel } from '../../ml/graph';
import { attention, MAX_SCORES } from '../../ml/sd/attention';
import { frozenCtx } from '../../ml/sd/blocks';
import { buildUnet } from '../../ml/sd/unet';
import { alphasCumprod, snrWeights } from '../../ml/sd/schedule';
import {
  createUnetLoraTask,
  hookName,
  recomputeScopes,
  unetLoraModules,
  type UnetLoraOptions,
} from '../../ml/sd/train-step';
import { CounterRng, Trainer } from '../../ml/train';
import { syntheticSdCheckpoint } from '../../ml/sd/tiny';
import { SD15_WIDTHS, TINY_SD15_WIDTHS } from '../../ml/sd/widths';

const lookup = syntheticSdCheckpoint(TINY_SD15_WIDTHS, 3);
const wave = (n: number, f: number, phase = 0): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * f + phase));

/** Two tiny "images" (8x8 latents, 64 px) with their text embeddings. */
const options = (o: Partial<UnetLoraOptions> = {}): UnetLoraOptions => ({
  rank: 4,
  alpha: 4,
  batch: 1,
  prediction: 'epsilon',
  latents: [wave(4 * 64, 0.3), wave(4 * 64, 0.17, 1)],
  contexts: [wave(77 * 64, 0.05), wave(77 * 64, 0.07, 2)],
  latentShape: [4, 8, 8],
  contextShape: [77, 64],
  ...o,
});
const config = (lr: number) =>
  ({
    seed: 5,
    optimizer: { kind: 'adamw', weightDecay: 0 },
    schedule: { kind: 'constant', lr, totalSteps: 100 },
  }) as const;

describe('SD 1.5 schedule and objective', () => {
  test('scaled-linear betas give the published alphas_cumprod ends; min-SNR weights cap the low-noise steps', () => {
    const ab = alphasCumprod();
    expect(ab[0]).toBeCloseTo(1 - 0.00085, 10);
    expect(ab[999]).toBeCloseTo(0.00466, 5);
    const w = snrWeights({ prediction: 'epsilon', minSnrGamma: 5 }, ab);
    const snr = (t: number): number => ab[t]! / (1 - ab[t]!);
    expect(w[10]).toBeCloseTo(5 / snr(10), 10); // SNR > 5: weighted down
    expect(w[900]).toBe(1); // SNR < 5: weight 1
    const v = snrWeights({ prediction: 'v', minSnrGamma: 5 }, ab);
    expect(v[900]).toBeCloseTo(snr(900) / (snr(900) + 1), 10);
  });
});

describe('SD 1.5 UNet LoRA', () => {
  test('kohya module set: 192 UNet modules on the full-size checkpoint, proj_in/out as 4-D convs', () => {
    const mods = unetLoraModules(SD15_WIDTHS);
    expect(mods).toHaveLength(192);
    expect(mods.filter((m) => m.kernel === 1).map((m) => hookName(m).split('.').pop())).toEqual(
      Array.from({ length: 32 }, (_, i) => (i % 2 ? 'proj_out' : 'proj_in')),
    );
    const toK = mods.find((m) => hookName(m).endsWith('input_blocks.1.1.transformer_blocks.0.attn2.to_k'));
    expect(toK).toMatchObject({ key: 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k', in: 768 });
  });

  test('chunked attention gives the same result as one softmax over all queries', async () => {
    const g = new GraphBuilder({ name: 'chunks' });
    const [q, k, v] = ['q', 'k', 'v'].map((n) => g.input(n, 'float32', [2 * 50, 16]));
    g.output(attention(g, q!, k!, v!, 2, 4), 'whole');
    g.output(attention(g, q!, k!, v!, 2, 4, { maxScores: 2 * 4 * 7 * 50 }), 'chunked'); // 8 chunks of 7, one of 1
    const s = await g.createSession();
    const feed = (f: number) => new OrtTensor('float32', wave(100 * 16, f), [100, 16]);
    const r = await s.run({ q: feed(0.3), k: feed(0.7), v: feed(1.1) });
    const a = r.whole!.data as Float32Array,
      b = r.chunked!.data as Float32Array;
    expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!)))).toBeLessThan(1e-6);
  });

  test('at 512 px no attention holds more than 2^24 probabilities at once (8 x 4096^2 would be 512 MiB)', () => {
    const g = new GraphBuilder({ name: 'unet512' });
    const inp = { x: g.input('x', 'float32', [1, 4, 64, 64]), t: g.input('t', 'float32', [1]) };
    buildUnet(frozenCtx(g, lookup), { ...inp, context: g.input('c', 'float32', [1, 77, 64]) });
    const softmaxes = g.nodes.filter((n) => n.op === 'Softmax').map((n) => numel(n.outputs[0]!.shape));
    expect(softmaxes.length).toBeGreaterThan(16);
    expect(Math.max(...softmaxes)).toBeLessThanOrEqual(MAX_SCORES);
    expect(Math.max(...softmaxes)).toBeGreaterThan(MAX_SCORES / 2); // chunks are not needlessly small
  });

  test('gradient checkpointing recomputes blocks and attention chunks and gives the same update', async () => {
    const run = async (checkpointing: boolean) => {
      const task = createUnetLoraTask(
        lookup,
        options({ checkpointing, checkpointMinValues: 0, unet: { maxScores: 8 * 32 * 64 } }),
      );
      const t = await Trainer.create(task, config(1e-2));
      await t.train(1);
      const r = { params: t.exportParams(), graph: (await t.stepGraph(1)).g };
      await t.release();
      return r;
    };
    const { params: plain } = await run(false);
    const { params: ckpt, graph: g } = await run(true);
    const chunks = recomputeScopes(g, 0).filter((s) => s.includes('attn_chunk')).length;
    expect(chunks).toBeGreaterThan(4);
    const recomputed = liveness(g).nodes.filter((n) => n.name.includes('recompute'));
    expect(recomputed.filter((n) => n.op === 'Softmax').length).toBeGreaterThanOrEqual(chunks);
    expect(recomputed.some((n) => n.op === 'Conv')).toBe(true);
    for (const k of Object.keys(plain)) {
      const a = plain[k]!.data,
        b = ckpt[k]!.data;
      expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!)))).toBeLessThan(1e-5);
    }
  }, 180_000);

  test('at 512 px checkpointing recomputes the big blocks (64x64, attention) and keeps the small ResBlocks', () => {
    const full = syntheticSdCheckpoint(SD15_WIDTHS, 1);
    const task = createUnetLoraTask(full, {
      ...options({ checkpointing: true }),
      ...{ latents: [new Float32Array(4 * 64 * 64)], contexts: [new Float32Array(77 * 768)] },
      ...{ latentShape: [4, 64, 64], contextShape: [77, 768] },
    });
    const g = new GraphBuilder({ name: 'unet512_step' });
    const params = Object.fromEntries(
      Object.entries(task.initParams(new CounterRng(1))).map(([k, v], i) => [k, g.input(`p${i}`, 'float32', v.shape)]),
    );
    const batch = Object.fromEntries(Object.entries(task.batchSpec).map(([k, v]) => [k, g.input(k, v.dtype, v.shape)]));
    task.buildLoss(g, params, batch);
    const chosen = task.recompute!(g);
    const every = recomputeScopes(g, 0).filter((s) => !s.includes('attn_chunk'));
    expect(every).toHaveLength(38); // 22 ResBlocks and 16 spatial transformers
    for (const site of ['input_blocks_1_1', 'output_blocks_11_1', 'output_blocks_9_0', 'input_blocks_4_1'])
      expect(chosen).toContain(`unet/${site}`);
    for (const site of [
      'input_blocks_10_0',
      'middle_block_0',
      'middle_block_1',
      'output_blocks_0_0',
      'input_blocks_1_0',
    ])
      expect(chosen).not.toContain(`unet/${site}`);
    expect(chosen.filter((s) => s.includes('attn_chunk')).length).toBeGreaterThanOrEqual(8 * 5); // 64x64 sites
  });

  test('the loss falls over a few AdamW steps on the tiny model', async () => {
    const t = await Trainer.create(createUnetLoraTask(lookup, options({ batch: 2 })), config(1e-2));
    const losses = (await t.train(30)).flatMap((r) => r.losses);
    await t.release();
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-6))).toBeLessThan(0.8 * mean(losses.slice(0, 6)));
  });
});
