// A pre-norm transformer block stack (LayerNorm -> multi-head attention -> residual, LayerNorm -> 4x GELU MLP ->
// residual), trained with MSE. With `rank` > 0 the base weights are frozen initializers and LoRA adapters on
// q/k/v/o/fc1/fc2 are trained; with rank 0 every weight is trainable. Used by the tests (small) and bench:train.
import type { GraphBuilder, Tensor } from '../../graph';
import { CounterRng } from '../rng';
import type { ParamInit, TrainTask } from '../types';

export interface TransformerTaskOptions {
  blocks?: number;
  width?: number;
  tokens?: number;
  batch?: number;
  heads?: number;
  /** LoRA rank on q/k/v/o/fc1/fc2; 0 trains every weight. */
  rank?: number;
  /** 'random': a fixed random input and target (the benchmark); 'mean': learn each sequence's token mean. */
  target?: 'random' | 'mean';
  /** Seed of the frozen base weights and the data. */
  baseSeed?: number;
}

// q, k and v share one [C, 3C] matrix (and one [C, 3r] LoRA A): one GEMM instead of three, forward and backward,
// and no Sum of three input gradients. The LoRA B matrices stay separate per projection.
const LINEARS = ['qkv', 'o', 'fc1', 'fc2'] as const;
const LORA_B = ['q', 'k', 'v', 'o', 'fc1', 'fc2'] as const;

/** The transformer stack task (see the file comment). */
export function createTask(o: TransformerTaskOptions = {}): TrainTask {
  const L = o.blocks ?? 2,
    C = o.width ?? 32,
    T = o.tokens ?? 8,
    B = o.batch ?? 8,
    H = o.heads ?? 2,
    r = o.rank ?? 0;
  const D = C / H;
  if (!Number.isInteger(D)) throw new Error(`transformer task: width ${C} is not divisible by heads ${H}`);
  const dims = (name: string): [number, number] =>
    name === 'fc1' ? [C, 4 * C] : name === 'fc2' ? [4 * C, C] : name === 'qkv' ? [C, 3 * C] : [C, C];
  // Base weights: drawn once from baseSeed; trainable when rank is 0, frozen initializers otherwise.
  const baseRng = new CounterRng(o.baseSeed ?? 5);
  const base: Record<string, ParamInit> = {};
  for (let l = 0; l < L; l++) {
    for (const n of ['ln1', 'ln2']) {
      base[`b${l}.${n}.scale`] = { shape: [C], data: new Float32Array(C).fill(1) };
      base[`b${l}.${n}.bias`] = { shape: [C], data: new Float32Array(C) };
    }
    for (const n of LINEARS) {
      const [fi, fo] = dims(n);
      base[`b${l}.${n}.w`] = {
        shape: [fi, fo],
        data: baseRng.fillUniform(new Float32Array(fi * fo), -1 / Math.sqrt(fi), 1 / Math.sqrt(fi)),
      };
      base[`b${l}.${n}.b`] = {
        shape: [fo],
        data: baseRng.fillUniform(new Float32Array(fo), -1 / Math.sqrt(fi), 1 / Math.sqrt(fi)),
      };
    }
  }
  const dataRngSeed = baseRng.fork(7);
  const fixedX = dataRngSeed.fillNormal(new Float32Array(B * T * C));
  const fixedY = dataRngSeed.fillNormal(new Float32Array(B * T * C));

  return {
    initParams(rng) {
      if (r === 0)
        return Object.fromEntries(
          Object.entries(base).map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.data) }]),
        );
      const out: Record<string, ParamInit> = {};
      for (let l = 0; l < L; l++) {
        for (const n of LINEARS) {
          const fi = dims(n)[0],
            ra = n === 'qkv' ? 3 * r : r;
          out[`b${l}.${n}.lora_a`] = {
            shape: [fi, ra],
            data: rng.fillNormal(new Float32Array(fi * ra), 1 / Math.sqrt(fi)),
          };
        }
        for (const n of LORA_B) {
          const fo = n === 'fc1' ? 4 * C : C;
          out[`b${l}.${n}.lora_b`] = { shape: [r, fo], data: new Float32Array(r * fo) };
        }
      }
      return out;
    },
    batchSpec: { x: { dtype: 'float32', shape: [B * T, C] }, y: { dtype: 'float32', shape: [B * T, C] } },
    buildLoss(g: GraphBuilder, p: Record<string, Tensor>, batch: Record<string, Tensor>): Tensor {
      const w = (name: string): Tensor => p[name] ?? g.initializer(name, base[name]!.data, base[name]!.shape);
      const linear = (x: Tensor, l: number, n: string): Tensor => {
        const y = g.add(g.matmul(x, w(`b${l}.${n}.w`)), w(`b${l}.${n}.b`));
        return r > 0 ? g.add(y, g.matmul(g.matmul(x, p[`b${l}.${n}.lora_a`]!), p[`b${l}.${n}.lora_b`]!)) : y;
      };
      const qkv = (x: Tensor, l: number): Tensor[] => {
        const parts = g.split(g.add(g.matmul(x, w(`b${l}.qkv.w`)), w(`b${l}.qkv.b`)), [C, C, C], 1);
        if (r === 0) return parts;
        const u = g.split(g.matmul(x, p[`b${l}.qkv.lora_a`]!), [r, r, r], 1);
        return parts.map((y, i) => g.add(y, g.matmul(u[i]!, p[`b${l}.${'qkv'[i]}.lora_b`]!)));
      };
      let x = batch.x!;
      for (let l = 0; l < L; l++) {
        g.scope(`block${l}`, () => {
          const h = g.layerNorm(x, w(`b${l}.ln1.scale`), w(`b${l}.ln1.bias`)).y;
          const heads = (t: Tensor): Tensor => g.transpose(g.reshape(t, [B, T, H, D]), [0, 2, 1, 3]);
          const [q, k, v] = qkv(h, l).map(heads) as [Tensor, Tensor, Tensor];
          const att = g.softmax(g.fusedMatMul(q, k, { transB: true, alpha: 1 / Math.sqrt(D) }), -1);
          const y = g.reshape(g.transpose(g.matmul(att, v), [0, 2, 1, 3]), [B * T, C]);
          x = g.add(x, linear(y, l, 'o'));
          const h2 = g.layerNorm(x, w(`b${l}.ln2.scale`), w(`b${l}.ln2.bias`)).y;
          x = g.add(x, linear(g.gelu(linear(h2, l, 'fc1')), l, 'fc2'));
        });
      }
      const err = g.sub(x, batch.y!);
      return g.reduceMean(g.mul(err, err));
    },
    nextBatch(rng) {
      if ((o.target ?? 'random') === 'random') return { x: fixedX, y: fixedY };
      const x = rng.fillNormal(new Float32Array(B * T * C));
      const y = new Float32Array(B * T * C);
      for (let b = 0; b < B; b++) {
        for (let c = 0; c < C; c++) {
          let s = 0;
          for (let t = 0; t < T; t++) s += x[(b * T + t) * C + c]!;
          for (let t = 0; t < T; t++) y[(b * T + t) * C + c] = s / T;
        }
      }
      return { x, y };
    },
  };
}
