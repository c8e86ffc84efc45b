/**
 * eval:lora's measuring instruments: a style classifier (an MLP on 16x16 pixels trained with our runtime's Trainer
 * on the four emoji styles), and concept retrieval (the generated image's nearest real render among every concept
 * in the given styles, at 16x16 pixels, as eval:model does).
 */
import { downsampleTiles, renderEmojis, ALL_STYLES, type StyleId } from '../ml/corpus';
import type { GraphBuilder } from '../ml/graph/builder';
import type { Tensor } from '../ml/graph/tensor';
import { Trainer } from '../ml/train/trainer';
import type { TrainTask } from '../ml/train/types';

const F = 2; // 32 px -> 16 px features
const FEAT = (32 / F) * (32 / F) * 3;

/** 32x32 RGB tiles -> box-downsampled features in [-1, 1], one array per tile. */
function features(tiles: Uint8Array): Float32Array[] {
  const all = downsampleTiles(tiles, 32, F).map((v) => 2 * v - 1);
  return Array.from({ length: all.length / FEAT }, (_, k) => all.subarray(k * FEAT, (k + 1) * FEAT));
}

export interface StyleClassifier {
  /** The style index (into ALL_STYLES) of each tile. */
  predict(tiles: Uint8Array): number[];
  accuracy: number;
}

/** Trains the style classifier (MLP 768 -> 128 -> 4, 2000 steps) on `trainCps`; accuracy on `testCps`. */
export async function styleClassifier(trainCps: string[], testCps: string[]): Promise<StyleClassifier> {
  const train = await Promise.all(ALL_STYLES.map(async (s) => features(await renderEmojis(s, trainCps, { size: 32 }))));
  const H = 128;
  const C = ALL_STYLES.length;
  const B = 64;
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
      const x = new Float32Array(B * FEAT);
      const y = new Float32Array(B * C);
      for (let i = 0; i < B; i++) {
        const s = Math.floor(rng.uniform() * C);
        const k = Math.floor(rng.uniform() * trainCps.length);
        x.set(train[s]![k]!, i * FEAT);
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
  const predict = (tiles: Uint8Array): number[] =>
    features(tiles).map((x) => {
      const h = new Float32Array(H);
      for (let j = 0; j < H; j++) {
        let s = p.b1!.data[j]!;
        for (let i = 0; i < FEAT; i++) s += x[i]! * p.w1!.data[i * H + j]!;
        h[j] = Math.max(0, s);
      }
      let best = 0;
      let bestV = -Infinity;
      for (let c = 0; c < C; c++) {
        let s = p.b2!.data[c]!;
        for (let j = 0; j < H; j++) s += h[j]! * p.w2!.data[j * C + c]!;
        if (s > bestV) [best, bestV] = [c, s];
      }
      return best;
    });
  let right = 0;
  let total = 0;
  for (const [s, style] of ALL_STYLES.entries()) {
    for (const c of predict(await renderEmojis(style, testCps, { size: 32 }))) {
      right += c === s ? 1 : 0;
      total++;
    }
  }
  return { predict, accuracy: right / total };
}

/** How many of the tiles (k of n) the classifier calls `style`. */
export function styleCount(clf: StyleClassifier, tiles: Uint8Array, style: StyleId): { k: number; n: number } {
  const s = ALL_STYLES.indexOf(style);
  const p = clf.predict(tiles);
  return { k: p.filter((c) => c === s).length, n: p.length };
}

/**
 * Wilson's 95% interval of a share k/n, as [low, high]: with 16 samples one sample is 6.25 points and 4/16 is
 * 10-50%, so a figure is printed with its count and interval to say whether it meets an aim.
 */
export function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.96;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const mid = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, mid - half), Math.min(1, mid + half)];
}

export interface Retrieval {
  /** The concept index (into `codepoints`) of each tile's nearest real render. */
  nearest(tiles: Uint8Array): number[];
  /**
   * Whether concept `target` is among the k nearest concepts of each tile; `except`: without that style's renders
   * in the gallery (how the judge fares on a drawing of the subject it has no copy of).
   */
  within(tiles: Uint8Array, targets: readonly number[], k: number, except?: StyleId): boolean[];
}

/** Nearest real renders among every concept in `styles` (a concept's distance: its nearest style's). */
export async function conceptRetrieval(codepoints: readonly string[], styles: readonly StyleId[]): Promise<Retrieval> {
  const gallery = await Promise.all(
    styles.map(async (s) => features(await renderEmojis(s, [...codepoints], { size: 32 }))),
  );
  const dists = (q: Float32Array, except?: StyleId): Float32Array => {
    const d = new Float32Array(codepoints.length).fill(Infinity);
    for (const [k, g] of gallery.entries()) {
      if (styles[k] === except) continue;
      for (const [i, r] of g.entries()) {
        let s = 0;
        for (let j = 0; j < r.length; j++) s += (q[j]! - r[j]!) ** 2;
        if (s < d[i]!) d[i] = s;
      }
    }
    return d;
  };
  return {
    nearest: (tiles) => features(tiles).map((q) => dists(q).reduce((b, v, i, a) => (v < a[b]! ? i : b), 0)),
    within: (tiles, targets, k, except) =>
      features(tiles).map((q, n) => {
        const d = dists(q, except);
        const t = targets[n] ?? -1;
        let rank = 0;
        for (let i = 0; i < d.length; i++) if (i !== t && d[i]! < d[t]!) rank++;
        return rank < k;
      }),
  };
}

/**
 * The survival judge on real renders of the evaluated subjects, per style: the share whose own concept is among
 * the 10 nearest with that style's renders left out of the gallery, i.e. a correct drawing of the subject in that
 * style that is not the very render (with them in, every real render is its own nearest). A LoRA's drawing in a
 * style can at best be recognised about this often, whatever the base model's own rate.
 */
export async function judgeOnRealRenders(
  retrieval: Retrieval,
  codepoints: readonly string[],
  subjects: readonly number[],
): Promise<Map<StyleId, { k: number; n: number }>> {
  const out = new Map<StyleId, { k: number; n: number }>();
  for (const style of ALL_STYLES) {
    const tiles = await renderEmojis(
      style,
      subjects.map((i) => codepoints[i]!),
      { size: 32 },
    );
    const hits = retrieval.within(tiles, subjects, 10, style).filter(Boolean).length;
    out.set(style, { k: hits, n: subjects.length });
  }
  return out;
}
