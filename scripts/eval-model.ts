/**
 * Evaluates the base model: prompt fidelity by retrieval and sampling speed (figures quoted in ml/dit/MODEL_CARD.md).
 *
 *   npm run eval:model -- [--model file.safetensors] [--train 200] [--steps 20] [--guidance 4]
 *                          [--sampler euler|heun] [--out data/eval]
 *   npm run eval:model -- --checkpoint <data>/work/state/TrainBaseModel/pretrain-<key>/checkpoint.safetensors
 *   npm run eval:model -- --loss <state>/losses.jsonl     (also draws the loss curve into <out>/loss-curve.png)
 *
 * For each prompt "<concept>, <style> style" it generates an image and ranks the real renders of every concept in
 * that style by pixel distance (at 16x16, so that small shifts matter less); top-1 / top-10 say how often the
 * prompt's own concept comes first / within the ten nearest, against chance (1/N and 10/N). Prompts are a fixed
 * sample of training captions and every held-out concept (never seen in pretraining).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCorpus, defaultDataDir, downsampleTiles, tilesToPng, type Corpus } from '../ml/corpus';
import { BASE_CONFIG, forwardFlopsPerImage, paramCount, type DiTModel } from '../ml/dit';
import { loadCheckpoint } from '../ml/train/checkpoint';
import { DiTSampler } from '../ml/dit/sampler';
import { Rng } from '../ml/dit/rng';
import { encodeCaptions } from '../ml/dit/tokenizer';
import { loadModel } from '../ml/dit/weights';
import { modelWeights, readLosses } from '../ml/dit/pretrain';
import sharp from 'sharp';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Per-tile pixel features at half resolution (views into one array). */
function features(tiles: Uint8Array, size: number, f: number): Float32Array[] {
  const all = downsampleTiles(tiles, size, f);
  const per = (size / f) ** 2 * 3;
  return Array.from({ length: all.length / per }, (_, k) => all.subarray(k * per, (k + 1) * per));
}

function dist(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += (a[i]! - b[i]!) ** 2;
  return d;
}

/** The rank (0 = nearest) of `target` among `gallery` by distance to `q`. */
function rankOf(q: Float32Array, gallery: Float32Array[], target: number): number {
  const dt = dist(q, gallery[target]!);
  let rank = 0;
  for (let i = 0; i < gallery.length; i++) if (i !== target && dist(q, gallery[i]!) < dt) rank++;
  return rank;
}

interface EvalSet {
  name: string;
  items: number[];
  /** File name of its grid of generated images above their real renders. */
  grid: string;
}

async function main(): Promise<void> {
  const dataDir = defaultDataDir();
  const shipped = path.resolve(__dirname, '..', 'ml', 'dit', 'weights', 'emoji-base.safetensors');
  const modelPath = arg(
    'model',
    fs.existsSync(shipped) ? shipped : path.join(dataDir, 'models', 'emoji-base.safetensors'),
  );
  const steps = Number(arg('steps', '20'));
  const guidance = Number(arg('guidance', '4'));
  const sampler_ = arg('sampler', 'euler') as 'euler' | 'heun';
  const nTrain = Number(arg('train', '200'));
  const outDir = path.resolve(arg('out', path.join(dataDir, 'eval')));
  fs.mkdirSync(outDir, { recursive: true });

  const checkpoint = arg('checkpoint', '');
  const lossLog = arg('loss', '');
  if (lossLog) console.log(`loss curve: ${await drawLossCurve(lossLog, path.join(outDir, 'loss-curve.png'))}`);
  const model = checkpoint ? await fromCheckpoint(checkpoint) : await loadModel(modelPath);
  const corpus: Corpus = await buildCorpus({ dataDir, size: model.config.imageSize });
  const sampler = new DiTSampler(model.config, model.weights);
  const size = corpus.size;
  const px = size * size * 3;
  const perStyle = new Map<string, number[]>(); // style -> item indices in concept order
  corpus.items.forEach((it, i) => perStyle.set(it.style, [...(perStyle.get(it.style) ?? []), i]));
  const gallery = new Map(
    [...perStyle].map(([style, idx]) => [
      style,
      features(concat(idx.map((i) => corpus.images.subarray(i * px, (i + 1) * px))), size, 2),
    ]),
  );

  const held = corpus.items.flatMap((it, i) => (corpus.concepts[it.concept]?.heldOut ? [i] : []));
  const trainAll = corpus.items.flatMap((it, i) => (corpus.concepts[it.concept]?.heldOut ? [] : [i]));
  const rng = new Rng(1234);
  const train = Array.from({ length: Math.min(nTrain, trainAll.length) }, () => trainAll[rng.int(trainAll.length)]!);
  const sets: EvalSet[] = [
    { name: 'training captions', items: train, grid: 'training-grid.png' },
    { name: 'held-out concepts', items: held, grid: 'heldout-grid.png' },
  ];

  console.log(
    `model ${checkpoint || modelPath}: ${(paramCount(model.config) / 1e6).toFixed(2)}M parameters, ${(forwardFlopsPerImage(model.config) / 1e9).toFixed(3)} GFLOP/image forward`,
  );
  console.log(
    `sampling: ${sampler_}, ${steps} steps, guidance ${guidance}, seed 0; retrieval among ${corpus.concepts.length} concepts per style (pixel L2 at ${size / 2}x${size / 2})`,
  );
  for (const set of sets) {
    const prompts = set.items.map((i) => corpus.items[i]!.caption);
    const t0 = performance.now();
    const images = await sampler.sample({ prompts, seed: 0, steps, guidance, batch: 16, sampler: sampler_ });
    const seconds = (performance.now() - t0) / 1000;
    const feats = features(images, size, 2);
    let top1 = 0;
    let top10 = 0;
    set.items.forEach((item, k) => {
      const it = corpus.items[item]!;
      const r = rankOf(feats[k]!, gallery.get(it.style)!, it.concept);
      if (r < 1) top1++;
      if (r < 10) top10++;
    });
    const n = set.items.length;
    const N = corpus.concepts.length;
    console.log(
      `${set.name.padEnd(18)} n=${String(n).padStart(4)}  top-1 ${((100 * top1) / n).toFixed(1)}% (chance ${(100 / N).toFixed(2)}%)  ` +
        `top-10 ${((100 * top10) / n).toFixed(1)}% (chance ${(1000 / N).toFixed(2)}%)  ${(n / seconds).toFixed(2)} images/s`,
    );
    // Pairs: generated above, real render below, 16 per row.
    const rows: Uint8Array[] = [];
    for (let s = 0; s < Math.min(n, 64); s += 16) {
      const idx = set.items.slice(s, s + 16);
      rows.push(
        images.subarray(s * px, (s + idx.length) * px),
        concat(idx.map((i) => corpus.images.subarray(i * px, (i + 1) * px))),
      );
    }
    fs.writeFileSync(path.join(outDir, set.grid), await tilesToPng(concat(rows), size, 16, 2));
  }
  console.log(`grids (generated row above its real renders): ${sets.map((s) => path.join(outDir, s.grid)).join(', ')}`);
  console.log(
    `caption influence |v(caption) - v(empty)| / |v| at t = 0.9, 0.5, 0.1: ${(await captionInfluence(sampler, corpus)).join(', ')}`,
  );
  await sampler.release();
}

/** Draws the pretraining loss (log scale, a point per run of K steps, smoothed line on top) as a PNG. */
async function drawLossCurve(file: string, out: string): Promise<string> {
  const pts = readLosses(file);
  if (pts.length < 2) return `${file}: not enough points`;
  const W = 640;
  const H = 320;
  const pad = 40;
  const maxStep = pts[pts.length - 1]!.step;
  const logs = pts.map((p) => Math.log10(p.loss));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const X = (step: number) => pad + ((W - 2 * pad) * step) / maxStep;
  const Y = (l: number) => H - pad - ((H - 2 * pad) * (l - lo)) / Math.max(1e-6, hi - lo);
  let ema = logs[0]!;
  const smooth = logs.map((l) => (ema = 0.95 * ema + 0.05 * l));
  const line = (ys: number[]) => pts.map((p, i) => `${X(p.step).toFixed(1)},${Y(ys[i]!).toFixed(1)}`).join(' ');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="100%" height="100%" fill="white"/>` +
    `<polyline fill="none" stroke="#9ecae1" stroke-width="1" points="${line(logs)}"/>` +
    `<polyline fill="none" stroke="#08519c" stroke-width="2" points="${line(smooth)}"/>` +
    `<text x="${pad}" y="20" font-size="14" font-family="sans-serif">pretraining loss (log scale): ${Math.pow(10, hi).toFixed(3)} to ${Math.pow(10, lo).toFixed(3)} over ${maxStep} steps</text></svg>`;
  await sharp(Buffer.from(svg)).png().toFile(out);
  return out;
}

/** How much the caption moves the predicted velocity (0: the model ignores text, and guidance does nothing). */
async function captionInfluence(sampler: DiTSampler, corpus: Corpus): Promise<string[]> {
  const n = 8;
  const size = corpus.size;
  const x = new Rng(5).fillNormal(new Float32Array(n * size * size * 3));
  const captions = Array.from({ length: n }, (_, i) => corpus.items[(i * 397) % corpus.items.length]!.caption);
  const out: string[] = [];
  for (const tv of [0.9, 0.5, 0.1]) {
    const t = new Float32Array(n).fill(tv);
    const a = await sampler.velocity(x, t, encodeCaptions(captions, sampler.config));
    const b = await sampler.velocity(
      x,
      t,
      encodeCaptions(
        captions.map(() => ''),
        sampler.config,
      ),
    );
    let num = 0;
    let den = 0;
    for (let i = 0; i < a.length; i++) {
      num += (a[i]! - b[i]!) ** 2;
      den += a[i]! ** 2;
    }
    out.push(`${((100 * Math.sqrt(num)) / Math.sqrt(den)).toFixed(1)}%`);
  }
  return out;
}

/** A pretraining checkpoint of the base model (mid-run evaluation). */
async function fromCheckpoint(file: string): Promise<DiTModel> {
  const data = await loadCheckpoint(file);
  const weights = modelWeights(data, BASE_CONFIG);
  console.log(`checkpoint at step ${data.step} (${data.ema ? 'averaged' : 'last'} weights)`);
  return { config: BASE_CONFIG, weights, metadata: {} };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
