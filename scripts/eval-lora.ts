/**
 * Evaluates the quick start's style LoRA: style fidelity and training speed (figures for the README).
 *
 *   npx tsx scripts/eval-lora.ts [--model base.safetensors] [--steps 400] [--lr 0.0005] [--concepts 24] [--out data/eval-lora]
 *
 * Style fidelity: a small style classifier (an MLP on 16x16 pixels, trained with our runtime's Trainer on the four
 * emoji styles rendered by ml/corpus) labels samples of held-out subjects (none of them in the LoRA's dataset).
 * Reported: the share classified as twemoji with the trigger at strength 0.7 and 1.0, without the trigger (style
 * bleeding), and for the base model. Training speed: steps/s of the quick start's TrainLoRA run through the real
 * executor, and the share of its time spent outside session.run. Without shipped weights and without --model it
 * falls back to a tiny random model: everything runs, the fidelity figures mean nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { downsampleTiles, listConcepts, renderEmojis, tilesToPng, ALL_STYLES, type StyleId } from '../ml/corpus';
import { type GraphBuilder } from '../ml/graph/builder';
import { loadModel, saveModel } from '../ml/dit/weights';
import { TINY_CONFIG } from '../ml/dit/config';
import { initParams } from '../ml/dit/params';
import { readLora } from '../ml/lora/file';
import { sampleCombos } from '../ml/lora/sample';
import { Trainer } from '../ml/train/trainer';
import type { Tensor } from '../ml/graph/tensor';
import type { TrainTask } from '../ml/train/types';
import { builtinNodes } from '../nodes';
import { SHIPPED_WEIGHTS } from '../nodes/model/model-value';
import type { LoraValue } from '../nodes/lora/lora-value';
import type { WorkflowFile } from '../protocol/workflow';
import {
  createArtifactStore,
  createMemoryCache,
  createPathPolicy,
  createRegistry,
  executeWorkflow,
} from '../server/engine';
import { EXAMPLE_CODEPOINTS, renderExample } from './examples/emoji-examples';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const say = (s: string) => process.stdout.write(`${s}\n`);
const F = 2; // 32 px -> 16 px features
const FEAT = (32 / F) * (32 / F) * 3;

/** 32x32 RGB tiles -> box-downsampled features in [-1, 1]. */
function features(tiles: Uint8Array): Float32Array {
  return downsampleTiles(tiles, 32, F).map((v) => 2 * v - 1);
}

/** Trains the style classifier (MLP 768 -> 128 -> 4, 2000 steps) with the Trainer; returns a predict function and its accuracy. */
async function styleClassifier(
  trainCps: string[],
  testCps: string[],
): Promise<{ predict: (tiles: Uint8Array) => number[]; accuracy: number }> {
  const render = async (cps: string[]) =>
    Promise.all(ALL_STYLES.map(async (s) => features(await renderEmojis(s, cps, { size: 32 }))));
  const train = await render(trainCps);
  const H = 128,
    C = ALL_STYLES.length,
    B = 64;
  const task: TrainTask = {
    initParams: (rng) => ({
      w1: { shape: [FEAT, H], data: rng.fillNormal(new Float32Array(FEAT * H), Math.sqrt(2 / FEAT)) },
      b1: { shape: [H], data: new Float32Array(H) },
      w2: { shape: [H, C], data: rng.fillNormal(new Float32Array(H * C), Math.sqrt(1 / H)) },
      b2: { shape: [C], data: new Float32Array(C) },
    }),
    batchSpec: { x: { dtype: 'float32', shape: [B, FEAT] }, y: { dtype: 'float32', shape: [B, C] } },
    buildLoss(g: GraphBuilder, p: Record<string, Tensor>, b: Record<string, Tensor>): Tensor {
      const h = g.relu(g.add(g.matmul(b.x!, p.w1!), p.b1!));
      const logp = g.logSoftmax(g.add(g.matmul(h, p.w2!), p.b2!), -1);
      return g.neg(g.reduceMean(g.reduceSum(g.mul(logp, b.y!), [1])));
    },
    nextBatch(rng) {
      const x = new Float32Array(B * FEAT),
        y = new Float32Array(B * C);
      for (let i = 0; i < B; i++) {
        const s = Math.floor(rng.uniform() * C),
          k = Math.floor(rng.uniform() * trainCps.length);
        x.set(train[s]!.subarray(k * FEAT, (k + 1) * FEAT), i * FEAT);
        y[i * C + s] = 1;
      }
      return { x, y };
    },
  };
  const trainer = await Trainer.create(task, {
    seed: 0,
    optimizer: { kind: 'adamw', weightDecay: 0.01 },
    schedule: { kind: 'cosine', lr: 2e-3, totalSteps: 2000, warmupSteps: 20 },
    stepsPerRun: 20,
    threads: 2,
  });
  await trainer.train(2000);
  const p = trainer.exportParams();
  await trainer.release();
  const predict = (tiles: Uint8Array): number[] => {
    const x = features(tiles);
    const n = x.length / FEAT;
    return Array.from({ length: n }, (_, k) => {
      const h = new Float32Array(H);
      for (let j = 0; j < H; j++) {
        let s = p.b1!.data[j]!;
        for (let i = 0; i < FEAT; i++) s += x[k * FEAT + i]! * p.w1!.data[i * H + j]!;
        h[j] = Math.max(0, s);
      }
      let best = 0,
        bestV = -Infinity;
      for (let c = 0; c < C; c++) {
        let s = p.b2!.data[c]!;
        for (let j = 0; j < H; j++) s += h[j]! * p.w2!.data[j * C + c]!;
        if (s > bestV) [best, bestV] = [c, s];
      }
      return best;
    });
  };
  let right = 0,
    total = 0;
  for (const [s, style] of ALL_STYLES.entries()) {
    const tiles = await renderEmojis(style, testCps, { size: 32 });
    for (const c of predict(tiles)) ((right += c === s ? 1 : 0), total++);
  }
  return { predict, accuracy: right / total };
}

/** A tiny random model with every weight non-zero (a fresh DiT's zero gates would make any LoRA a no-op). */
async function writeTinyModel(file: string): Promise<string> {
  const w = initParams(TINY_CONFIG, 2);
  for (const data of w.values())
    for (let i = 0; i < data.length; i++) if (data[i] === 0) data[i] = 0.05 * Math.cos(i * 1.7);
  await saveModel(file, { config: TINY_CONFIG, weights: w }, {}, 'F32');
  return file;
}

async function main(): Promise<void> {
  const out = path.resolve(arg('out', 'data/eval-lora'));
  fs.mkdirSync(out, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loraflow-eval-lora-'));
  const root = path.join(dataDir, 'root');
  fs.mkdirSync(path.join(root, 'examples', 'twemoji-style'), { recursive: true });
  let modelFile = arg('model', fs.existsSync(SHIPPED_WEIGHTS) ? SHIPPED_WEIGHTS : '');
  const meaningful = modelFile !== '';
  if (!meaningful) {
    say(
      'no shipped weights (ml/dit/weights/emoji-base.safetensors) and no --model: using a tiny random model; fidelity figures below mean nothing',
    );
    modelFile = await writeTinyModel(path.join(dataDir, 'tiny.safetensors'));
  }
  fs.copyFileSync(modelFile, path.join(root, 'base.safetensors'));
  for (const cp of EXAMPLE_CODEPOINTS) {
    const img = await renderExample('twemoji', cp);
    fs.writeFileSync(path.join(root, 'examples', 'twemoji-style', `${img.stem}.png`), img.png);
    fs.writeFileSync(path.join(root, 'examples', 'twemoji-style', `${img.stem}.txt`), `${img.caption}\n`);
  }

  // 1. Style classifier on concepts outside the LoRA dataset.
  const inDataset = new Set(EXAMPLE_CODEPOINTS);
  const concepts = listConcepts().filter((c) => !inDataset.has(c.codepoint));
  const nEval = Number(arg('concepts', '24'));
  const evalConcepts = concepts.filter((_, i) => i % 13 === 0).slice(0, nEval);
  const trainCps = concepts.filter((c) => !evalConcepts.includes(c)).map((c) => c.codepoint);
  let t0 = Date.now();
  const clf = await styleClassifier(
    trainCps,
    evalConcepts.map((c) => c.codepoint),
  );
  say(
    `style classifier: ${trainCps.length} concepts x ${ALL_STYLES.length} styles, accuracy on ${evalConcepts.length} held-out concepts ${(100 * clf.accuracy).toFixed(1)}% (chance 25%) in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );

  // 2. The quick start's TrainLoRA through the real executor.
  const wf = JSON.parse(
    fs.readFileSync(path.join(__dirname, '..', 'workflows', 'quickstart-style-lora.json'), 'utf8'),
  ) as WorkflowFile;
  const node = (id: string) => wf.nodes.find((n) => n.id === id)!;
  node('model').params.file = 'base.safetensors';
  node('train').params.steps = Number(arg('steps', String(node('train').params.steps)));
  node('train').params.learningRate = Number(arg('lr', String(node('train').params.learningRate)));
  const logs: string[] = [];
  const env = {
    registry: createRegistry(builtinNodes),
    cache: createMemoryCache(),
    artifacts: createArtifactStore(path.join(dataDir, 'artifacts')),
    paths: createPathPolicy([root]),
    workRoot: path.join(dataDir, 'work'),
    cpuSlots: 2,
    gpuDevices: [],
  };
  let trained: LoraValue | undefined;
  t0 = Date.now();
  const outcome = await executeWorkflow(env, {
    runId: 'eval',
    workflow: wf,
    targets: ['train'],
    signal: new AbortController().signal,
    onEvent: (e) => {
      if (e.type === 'node.log' && e.nodeId === 'train') logs.push(e.message);
      if (e.type === 'node.failed') say(`${e.nodeId} failed: ${e.error.message}`);
      if (e.type === 'node.finished' && e.nodeId === 'train') trained = e.outputs.lora as LoraValue;
    },
  });
  if (outcome !== 'succeeded' || !trained) throw new Error(`the quick start's TrainLoRA ${outcome}`);
  const speed = logs.find((l) => /steps\/s/.test(l)) ?? '';
  say(
    `TrainLoRA (${node('train').params.steps} steps, lr ${node('train').params.learningRate}, batch ${node('train').params.batch}, rank ${node('train').params.rank}): ${((Date.now() - t0) / 1000).toFixed(0)} s in all; ${speed}`,
  );
  for (const l of logs.filter((l) => /loss curve|checkpoint at/.test(l))) say(`  ${l}`);

  // 3. Samples of held-out subjects: base vs LoRA at 0.7 / 1.0, with and without the trigger.
  const base = await loadModel(modelFile);
  const set = await readLora(env.artifacts.pathOf(trained.artifact), base.config);
  const withTrigger = evalConcepts.map((c) => `xyz_style, ${c.text}`);
  const without = evalConcepts.map((c) => c.text);
  const combos = [[], [{ set, strength: 0.7 }], [{ set, strength: 1 }]];
  t0 = Date.now();
  const [a, b] = [
    await sampleCombos(base, combos, { prompts: withTrigger, seed: 0, steps: 20, guidance: 4 }),
    await sampleCombos(base, combos, { prompts: without, seed: 0, steps: 20, guidance: 4 }),
  ];
  const twemoji = ALL_STYLES.indexOf('twemoji' as StyleId);
  const share = (tiles: Uint8Array) => clf.predict(tiles).filter((c) => c === twemoji).length / (tiles.length / 3072);
  say(`samples: ${6 * evalConcepts.length} images in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  say('share of samples classified as twemoji (held-out subjects):');
  say(
    `  with trigger:    base ${pct(share(a![0]!))}   LoRA@0.7 ${pct(share(a![1]!))}   LoRA@1.0 ${pct(share(a![2]!))}`,
  );
  say(
    `  without trigger: base ${pct(share(b![0]!))}   LoRA@0.7 ${pct(share(b![1]!))}   LoRA@1.0 ${pct(share(b![2]!))}   (bleeding)`,
  );
  const grid = new Uint8Array([...a!, ...b!].reduce((n, t) => n + t.length, 0));
  let o = 0;
  for (const t of [...a!, ...b!]) (grid.set(t, o), (o += t.length));
  fs.writeFileSync(path.join(out, 'samples.png'), await tilesToPng(grid, 32, evalConcepts.length, 2));
  say(
    `grid (rows: trigger base/0.7/1.0, no trigger base/0.7/1.0): ${path.join(out, 'samples.png')}${meaningful ? '' : ' (tiny random model)'}`,
  );
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`.padStart(4);

main().catch((e: unknown) => {
  process.stderr.write(`eval-lora failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
