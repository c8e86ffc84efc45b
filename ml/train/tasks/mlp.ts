// Toy task: a two-layer MLP student learns a fixed random teacher network (regression, MSE).
import type { GraphBuilder, Tensor } from '../../graph';
import { CounterRng } from '../rng';
import type { TrainTask } from '../types';

export interface MlpTaskOptions {
  inputs?: number;
  hidden?: number;
  outputs?: number;
  batch?: number;
  /** Seed of the teacher (the data), independent of the training seed. */
  teacherSeed?: number;
}

/** A teacher-student regression task; the loss starts near the target variance and falls as the student learns. */
export function createTask(o: MlpTaskOptions = {}): TrainTask {
  const nIn = o.inputs ?? 8,
    nHid = o.hidden ?? 32,
    nOut = o.outputs ?? 4,
    batch = o.batch ?? 32;
  const teacher = new CounterRng(o.teacherSeed ?? 99);
  const tA = teacher.fillNormal(new Float32Array(nIn * nHid), 1 / Math.sqrt(nIn));
  const tB = teacher.fillNormal(new Float32Array(nHid * nOut), 1 / Math.sqrt(nHid));
  return {
    initParams: (rng) => ({
      w1: { shape: [nIn, nHid], data: rng.fillNormal(new Float32Array(nIn * nHid), Math.sqrt(2 / nIn)) },
      b1: { shape: [nHid], data: new Float32Array(nHid) },
      w2: { shape: [nHid, nOut], data: rng.fillNormal(new Float32Array(nHid * nOut), Math.sqrt(1 / nHid)) },
      b2: { shape: [nOut], data: new Float32Array(nOut) },
    }),
    batchSpec: { x: { dtype: 'float32', shape: [batch, nIn] }, y: { dtype: 'float32', shape: [batch, nOut] } },
    buildLoss(g: GraphBuilder, p: Record<string, Tensor>, b: Record<string, Tensor>): Tensor {
      const h = g.relu(g.add(g.matmul(b.x!, p.w1!), p.b1!));
      const err = g.sub(g.add(g.matmul(h, p.w2!), p.b2!), b.y!);
      return g.reduceMean(g.mul(err, err));
    },
    nextBatch(rng) {
      const x = rng.fillNormal(new Float32Array(batch * nIn));
      const y = new Float32Array(batch * nOut);
      const h = new Float32Array(nHid);
      for (let r = 0; r < batch; r++) {
        for (let j = 0; j < nHid; j++) {
          let s = 0;
          for (let i = 0; i < nIn; i++) s += x[r * nIn + i]! * tA[i * nHid + j]!;
          h[j] = Math.tanh(s);
        }
        for (let k = 0; k < nOut; k++) {
          let s = 0;
          for (let j = 0; j < nHid; j++) s += h[j]! * tB[j * nOut + k]!;
          y[r * nOut + k] = s;
        }
      }
      return { x, y };
    },
  };
}
