// Per-op-type kernel time of one full-size SD 1.5 UNet LoRA step (forward + backward, no optimizer), from
// onnxruntime's profiler: where a bench:sd15 step spends its time (`ckpt`: with the task's gradient checkpointing).
// Usage: npx tsx bench/sd15-profile.ts [size=256] [ckpt] [nodes=N] [runs=2]  (nodes=N: also the N slowest nodes with their
// input shapes, summed over nodes of the same op and shapes)
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { gradients } from '../ml/autodiff';
import { GraphBuilder } from '../ml/graph';
import { createUnetLoraTask } from '../ml/sd/train-step';
import { CounterRng } from '../ml/train';
import { syntheticSdCheckpoint } from '../ml/sd/tiny';
import { SD15_WIDTHS } from '../ml/sd/widths';

const size = Number(process.argv[2] ?? 256);
const ckpt = process.argv.includes('ckpt');
const runs = Number(process.argv.find((a) => a.startsWith('runs='))?.slice(5) ?? 2);
const topNodes = Number(process.argv.find((a) => a.startsWith('nodes='))?.slice(6) ?? 0);
const lat = size / 8;
const out = (s: string): boolean => process.stdout.write(s + '\n');
const wave = (n: number, f: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f));

async function main(): Promise<void> {
  const task = createUnetLoraTask(syntheticSdCheckpoint(SD15_WIDTHS, 1), {
    ...{ rank: 32, alpha: 32, batch: 1, prediction: 'epsilon', checkpointing: ckpt },
    ...{ latents: [wave(4 * lat * lat, 0.37)], contexts: [wave(77 * 768, 0.11)] },
    ...{ latentShape: [4, lat, lat], contextShape: [77, 768] },
  });
  const rng = new CounterRng(1);
  const init = task.initParams(rng);
  const g = new GraphBuilder({ name: 'profile' });
  const safe = (k: string): string => k.replace(/\W/g, '_');
  const params = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, g.input(safe(k), 'float32', v.shape)]));
  const batch = Object.fromEntries(Object.entries(task.batchSpec).map(([k, v]) => [k, g.input(k, v.dtype, v.shape)]));
  const loss = task.buildLoss(g, params, batch);
  const grads = gradients(g, loss, Object.values(params), { recompute: ckpt ? task.recompute!(g) : undefined });
  g.output(loss, 'loss');
  g.output(g.sum(grads.map((d) => g.reduceSum(g.mul(d, d)))), 'grad_sq');
  const prefix = path.join(tmpdir(), `sd15prof-${process.pid}`);
  const s = await g.createSession({ intraOpNumThreads: 2, enableProfiling: true, profileFilePrefix: prefix });
  const feeds: Record<string, OrtTensor> = {};
  for (const [k, v] of Object.entries(init)) feeds[safe(k)] = new OrtTensor('float32', v.data, [...v.shape]);
  for (const [k, v] of Object.entries(task.nextBatch(rng, 0))) {
    const spec = task.batchSpec[k]!;
    feeds[k] = new OrtTensor(spec.dtype as 'float32', v as Float32Array, [...spec.shape]);
  }
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await s.run(feeds);
    out(`run ${i + 1}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  }
  s.endProfiling();
  await s.release();
  const file = readdirSync(tmpdir()).find((f) => f.startsWith(path.basename(prefix)));
  if (!file) throw new Error('onnxruntime wrote no profile');
  const events = JSON.parse(readFileSync(path.join(tmpdir(), file), 'utf8')) as {
    cat: string;
    name: string;
    dur: number;
    args?: { op_name?: string; input_type_shape?: Record<string, number[]>[] };
  }[];
  rmSync(path.join(tmpdir(), file));
  const by = new Map<string, { s: number; n: number }>(),
    byShape = new Map<string, { s: number; n: number }>();
  const add = (m: Map<string, { s: number; n: number }>, k: string, dur: number): void => {
    const r = m.get(k) ?? { s: 0, n: 0 };
    m.set(k, { s: r.s + dur / (runs * 1e6), n: r.n + 1 / runs });
  };
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    add(by, op, e.dur);
    const shapes = (e.args?.input_type_shape ?? []).map((t) => JSON.stringify(Object.values(t)[0] ?? []));
    if (topNodes) add(byShape, `${op} ${shapes.join(' ')}`, e.dur);
  }
  const total = [...by.values()].reduce((a, r) => a + r.s, 0);
  out(`kernel time per run ${total.toFixed(2)} s (${size} px, checkpointing ${ckpt ? 'on' : 'off'})`);
  for (const [k, r] of [...by].sort((a, b) => b[1].s - a[1].s).slice(0, 16))
    out(`${k.padEnd(22)} ${r.s.toFixed(2).padStart(7)} s ${String(r.n).padStart(6)} nodes`);
  if (topNodes) out(`\nslowest nodes by op and input shapes:`);
  for (const [k, r] of [...byShape].sort((a, b) => b[1].s - a[1].s).slice(0, topNodes))
    out(`${r.s.toFixed(3).padStart(7)} s ${String(r.n).padStart(5)}x  ${k}`);
}

void main();
