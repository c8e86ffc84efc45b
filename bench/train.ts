// bench:train — one training step of a 6-block, width-256, 96-token, batch-16 transformer stack (LoRA r16 on
// q/k/v/o/fc1/fc2, then all weights trainable) with our ONNX runtime, against a plain fp32 MatMul's rate and the
// same step in PyTorch, all measured in this run. Usage: npm run bench:train [-- --threads N --steps N --k N]
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import * as path from 'node:path';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from '../ml/graph';
import { Trainer, countMatmulFlops } from '../ml/train';
import { createTask } from '../ml/train/tasks/transformer-stack';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const threads = arg('threads', cpus().length);
const steps = arg('steps', 7);
const K = arg('k', 1);
const SHAPE = { blocks: 6, width: 256, tokens: 96, batch: 16, heads: 4 };

/** A plain fp32 MatMul session; each call of `rate()` times a few runs of it and returns GFLOP/s. */
async function matmulReference(
  n = 1024,
  reps = 4,
): Promise<{ rate: () => Promise<number>; release: () => Promise<void> }> {
  const g = new GraphBuilder({ name: 'matmul' });
  g.output(g.matmul(g.input('a', 'float32', [n, n]), g.input('b', 'float32', [n, n])), 'c');
  // Same session options as the training step (ml/graph's defaults: no spinning), so both sides of the ratio match.
  const s = await g.createSession({ intraOpNumThreads: threads, interOpNumThreads: 1 });
  const a = new OrtTensor('float32', new Float32Array(n * n).fill(0.5), [n, n]);
  const feeds = { a, b: a };
  await s.run(feeds);
  return {
    rate: async () => {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) await s.run(feeds);
      return (2 * n ** 3 * reps) / ((performance.now() - t0) / 1000) / 1e9;
    },
    release: () => s.release(),
  };
}

interface OurResult {
  ms: number;
  gflop: number;
  trainable: number;
  ratio: number;
  mm: number[];
}

/**
 * Times `steps` runs of our training step, each right after a MatMul reference measurement: on a shared machine the
 * load changes from second to second, so the ratio is taken per step (both sides under the same load) and the median
 * ratio is reported, next to the median step time.
 */
async function ourStep(rank: number, mm: Awaited<ReturnType<typeof matmulReference>>): Promise<OurResult> {
  const trainer = await Trainer.create(createTask({ ...SHAPE, rank }), {
    seed: 0,
    optimizer: { kind: 'adamw', weightDecay: 0.01 },
    schedule: { kind: 'constant', lr: 1e-3, totalSteps: 1000 },
    stepsPerRun: K,
    threads,
  });
  const flops = countMatmulFlops((await trainer.stepGraph(K)).g) / K;
  // Warm-up: session creation, then onnxruntime plans its memory on the first run and touches it on the second.
  await trainer.runOnce(K);
  await trainer.runOnce(K);
  const times: number[] = [],
    ratios: number[] = [],
    mms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const ref = await mm.rate();
    const t0 = performance.now();
    await trainer.runOnce(K);
    const ms = (performance.now() - t0) / K;
    times.push(ms);
    mms.push(ref);
    ratios.push(flops / 1e6 / ms / ref);
  }
  await trainer.release();
  return { ms: median(times), gflop: flops / 1e9, trainable: trainer.parameterCount, ratio: median(ratios), mm: mms };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

interface TorchResult {
  torch: string;
  matmul_gflops: number;
  lora?: { ms_per_step: number };
  full?: { ms_per_step: number };
}

function torchStep(): TorchResult | string {
  const env = { ...process.env };
  // OpenBLAS picks a slow kernel with the machine's OPENBLAS_CORETYPE/L2 settings: unset them for this command only.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  // Our sessions do not spin idle threads (ml/graph's default); give PyTorch's OpenMP threads the same treatment.
  env.OMP_WAIT_POLICY ??= 'PASSIVE';
  const script = path.join(__dirname, 'torch_step.py');
  const r = spawnSync('/usr/bin/python3', [script, '--threads', String(threads), '--steps', String(steps)], {
    env,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0) {
    const err = `${r.stderr ?? ''}${r.error?.message ?? ''}`;
    if (/No module named 'torch'|ENOENT/.test(err))
      return 'PyTorch is not installed: `apt-get install -y python3-torch libopenblas0-pthread` (Debian), then rerun';
    return `the PyTorch step failed: ${err.trim().split('\n').slice(-3).join(' | ')}`;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

async function main(): Promise<void> {
  process.stdout.write(
    `bench:train  threads=${threads}  steps=${steps}  steps/run=${K}  shape=${JSON.stringify(SHAPE)}\n`,
  );
  const ref = await matmulReference();
  const lora = await ourStep(16, ref);
  const full = await ourStep(0, ref);
  await ref.release();
  const ours = { lora, full };
  const allMm = [...lora.mm, ...full.mm];
  const mm = median(allMm);
  process.stdout.write(
    `plain fp32 MatMul 1024^3 (onnxruntime): ${mm.toFixed(1)} GFLOP/s (median of ${allMm.length}, from ${Math.min(...allMm).toFixed(0)} to ${Math.max(...allMm).toFixed(0)}: the machine's load varies; ratios are per step)\n`,
  );
  const torch = torchStep();
  const rows: Record<string, unknown> = { matmul_gflops: mm };
  for (const mode of ['lora', 'full'] as const) {
    const o = ours[mode];
    const gflops = o.gflop / (o.ms / 1000);
    const t = typeof torch === 'string' ? undefined : torch[mode]?.ms_per_step;
    const line =
      `${mode === 'lora' ? 'LoRA r16' : 'full    '}: ${o.ms.toFixed(1)} ms/step, ${o.gflop.toFixed(2)} GFLOP/step, ${gflops.toFixed(1)} GFLOP/s = ${(100 * o.ratio).toFixed(0)}% of MatMul (median per-step ratio)` +
      (t ? `; PyTorch ${t.toFixed(1)} ms/step -> ours is ${(t / o.ms).toFixed(2)}x PyTorch's speed` : '') +
      `  (${o.trainable} trainable)`;
    process.stdout.write(line + '\n');
    rows[mode] = {
      ms_per_step: o.ms,
      gflop_per_step: o.gflop,
      gflops,
      fraction_of_matmul: o.ratio,
      torch_ms_per_step: t,
      speedup_vs_torch: t ? t / o.ms : undefined,
    };
  }
  if (typeof torch === 'string') process.stdout.write(`${torch}\n`);
  else
    process.stdout.write(`PyTorch ${torch.torch}: matmul ${torch.matmul_gflops.toFixed(1)} GFLOP/s in the same run\n`);
  process.stdout.write(JSON.stringify(rows) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:train failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
