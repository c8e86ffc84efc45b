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
const steps = arg('steps', 5);
const K = arg('k', 1);
const SHAPE = { blocks: 6, width: 256, tokens: 96, batch: 16, heads: 4 };

async function matmulGflops(n = 1024, reps = 10): Promise<number> {
  const g = new GraphBuilder({ name: 'matmul' });
  g.output(g.matmul(g.input('a', 'float32', [n, n]), g.input('b', 'float32', [n, n])), 'c');
  const s = await g.createSession({ intraOpNumThreads: threads, interOpNumThreads: 1 });
  const a = new OrtTensor('float32', new Float32Array(n * n).fill(0.5), [n, n]);
  const feeds = { a, b: a };
  await s.run(feeds);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await s.run(feeds);
  const sec = (performance.now() - t0) / 1000;
  await s.release();
  return (2 * n ** 3 * reps) / sec / 1e9;
}

async function ourStep(rank: number): Promise<{ ms: number; gflop: number; trainable: number }> {
  const trainer = await Trainer.create(createTask({ ...SHAPE, rank }), {
    seed: 0, optimizer: { kind: 'adamw', weightDecay: 0.01 }, schedule: { kind: 'constant', lr: 1e-3, totalSteps: 1000 },
    stepsPerRun: K, threads,
  });
  const flops = countMatmulFlops((await trainer.stepGraph(K)).g) / K;
  await trainer.runOnce(K); // warm-up (session creation happens before this)
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await trainer.runOnce(K);
    times.push((performance.now() - t0) / K);
  }
  await trainer.release();
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, gflop: flops / 1e9, trainable: trainer.parameterCount };
}

interface TorchResult { torch: string; matmul_gflops: number; lora?: { ms_per_step: number }; full?: { ms_per_step: number } }

function torchStep(): TorchResult | string {
  const env = { ...process.env };
  // OpenBLAS picks a slow kernel with the machine's OPENBLAS_CORETYPE/L2 settings: unset them for this command only.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = path.join(__dirname, 'torch_step.py');
  const r = spawnSync('/usr/bin/python3', [script, '--threads', String(threads), '--steps', String(steps)], { env, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    const err = `${r.stderr ?? ''}${r.error?.message ?? ''}`;
    if (/No module named 'torch'|ENOENT/.test(err)) return 'PyTorch is not installed: `apt-get install -y python3-torch libopenblas0-pthread` (Debian), then rerun';
    return `the PyTorch step failed: ${err.trim().split('\n').slice(-3).join(' | ')}`;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

async function main(): Promise<void> {
  process.stdout.write(`bench:train  threads=${threads}  steps=${steps}  steps/run=${K}  shape=${JSON.stringify(SHAPE)}\n`);
  // The MatMul rate is measured before, between and after our steps (median) so load changes on a shared machine
  // affect both sides of the ratio alike.
  const mms = [await matmulGflops()];
  const lora = await ourStep(16);
  mms.push(await matmulGflops());
  const full = await ourStep(0);
  mms.push(await matmulGflops());
  const ours = { lora, full };
  const mm = [...mms].sort((a, b) => a - b)[1]!;
  process.stdout.write(`plain fp32 MatMul 1024^3 (onnxruntime): ${mm.toFixed(1)} GFLOP/s (median of ${mms.map((x) => x.toFixed(0)).join(', ')})\n`);
  const torch = torchStep();
  const rows: Record<string, unknown> = { matmul_gflops: mm };
  for (const mode of ['lora', 'full'] as const) {
    const o = ours[mode];
    const gflops = o.gflop / (o.ms / 1000);
    const t = typeof torch === 'string' ? undefined : torch[mode]?.ms_per_step;
    const line = `${mode === 'lora' ? 'LoRA r16' : 'full    '}: ${o.ms.toFixed(1)} ms/step, ${o.gflop.toFixed(2)} GFLOP/step, ${gflops.toFixed(1)} GFLOP/s = ${(100 * gflops / mm).toFixed(0)}% of MatMul`
      + (t ? `; PyTorch ${t.toFixed(1)} ms/step -> ours is ${(t / o.ms).toFixed(2)}x PyTorch's speed` : '') + `  (${o.trainable} trainable)`;
    process.stdout.write(line + '\n');
    rows[mode] = { ms_per_step: o.ms, gflop_per_step: o.gflop, gflops, fraction_of_matmul: gflops / mm, torch_ms_per_step: t, speedup_vs_torch: t ? t / o.ms : undefined };
  }
  if (typeof torch === 'string') process.stdout.write(`${torch}\n`);
  else process.stdout.write(`PyTorch ${torch.torch}: matmul ${torch.matmul_gflops.toFixed(1)} GFLOP/s in the same run\n`);
  process.stdout.write(JSON.stringify(rows) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:train failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
