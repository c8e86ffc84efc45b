// bench:sd15 — one LoRA training step of the full-size SD 1.5 UNet (random weights, batch 1, kohya's 192 modules,
// AdamW) at 256 and 512 px with our ONNX runtime, next to the same step in PyTorch 1.13 (bench/sd15_reference.py
// bench) in the same run, with each side's peak memory; then sampling cost at 512 px: one classifier-free-guidance
// UNet forward (batch 2) and one VAE decode, as seconds per image for 20 steps (20 forwards + 1 decode).
// Usage: npm run bench:sd15 [-- --sizes 256,512 --steps 2 --rank 32 --gpu webgpu|cuda --no-torch --no-sample
//        --no-checkpointing]  (LORAFLOW_PYTHON picks the interpreter with PyTorch; default /usr/bin/python3)
// Heavy: the UNet is 3.4 GB in fp32; the command checks available memory first.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from '../ml/graph';
import { frozenCtx } from '../ml/sd/blocks';
import { createUnetLoraTask } from '../ml/sd/train-step';
import { buildUnet } from '../ml/sd/unet';
import { buildVaeDecoder } from '../ml/sd/vae';
import type { ProviderName } from '../ml/runtime/providers';
import { Trainer } from '../ml/train';
import type { Sd15Checkpoint } from '../ml/sd/checkpoint';
import { UNET_PREFIX, VAE_PREFIX } from '../ml/sd/spec';
import { syntheticSdCheckpoint } from '../ml/sd/tiny';
import { SD15_WIDTHS } from '../ml/sd/widths';
import { availableGiB, benchArgs, peakGiB, resetPeak, wave } from './sd-bench-options';

const { opt, flag } = benchArgs();
const sizes = opt('sizes', '256,512').split(',').map(Number);
const steps = Number(opt('steps', '2'));
const rank = Number(opt('rank', '32'));
const threads = cpus().length;
// --gpu webgpu|cuda runs our side on that execution provider and PyTorch on CUDA (when it has it).
const gpu = ((): ProviderName | undefined => {
  const v = opt('gpu', '');
  if (v === '') return undefined;
  if (v !== 'webgpu' && v !== 'cuda') throw new Error(`--gpu takes webgpu or cuda, not "${v}"`);
  return v;
})();
const sessionProviders = gpu ? { executionProviders: [gpu] } : {};
const out = (s: string): boolean => process.stdout.write(s + '\n');

interface TorchResult {
  torch: string;
  modules: number;
  step_cpu_s: number;
  step_s: number;
  step_peak_rss_mib: number;
  step_peak_gpu_mib?: number;
  cfg_forward_s?: number;
  cfg_forward_cpu_s?: number;
  vae_decode_s?: number;
}

function torchBench(shapesFile: string, size: number, sample: boolean): TorchResult | string {
  const n = sample ? 0 : steps;
  const env = { ...process.env };
  // OpenBLAS picks a slow kernel with the machine's OPENBLAS_CORETYPE/L2 settings: unset them for this command only.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  env.OMP_WAIT_POLICY ??= 'PASSIVE';
  const script = path.join(__dirname, 'sd15_reference.py');
  const python = process.env.LORAFLOW_PYTHON ?? '/usr/bin/python3';
  const a = [
    script,
    'bench',
    shapesFile,
    '--size',
    String(size),
    '--rank',
    String(rank),
    '--threads',
    String(threads),
    '--steps',
    String(n),
    '--device',
    gpu ? 'cuda' : 'cpu',
  ];
  // The child inherits this process's niceness, so both sides run at the same priority.
  const r = spawnSync(python, [...a, ...(sample ? ['--sample'] : [])], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0)
    return `PyTorch failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

async function ourStep(ckpt: Sd15Checkpoint, size: number) {
  const lat = size / 8;
  const task = createUnetLoraTask(ckpt, {
    rank,
    alpha: rank,
    batch: 1,
    prediction: 'epsilon',
    latents: [wave(4 * lat * lat, 0.37)],
    contexts: [wave(77 * 768, 0.11)],
    latentShape: [4, lat, lat],
    contextShape: [77, 768],
    checkpointing: !flag('no-checkpointing'),
  });
  resetPeak();
  const t = await Trainer.create(task, {
    seed: 0,
    optimizer: { kind: 'adamw', weightDecay: 0.01 },
    schedule: { kind: 'constant', lr: 1e-4, totalSteps: 100 },
    threads,
    ...(gpu ? { provider: gpu } : {}),
  });
  const setup0 = performance.now();
  await t.stepGraph(1);
  const setupS = (performance.now() - setup0) / 1000;
  const stepS: number[] = [],
    cpuS: number[] = [];
  let loss = NaN;
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const r = await t.runOnce(1);
    const c = process.cpuUsage(c0);
    stepS.push(1 / r.stepsPerSecond);
    cpuS.push((c.user + c.system) / 1e6);
    if (i === 0) loss = r.losses[0]!;
  }
  await t.release();
  return { stepS, cpuS, setupS, peak: peakGiB(), loss };
}

async function timeOnce(g: GraphBuilder, feeds: Record<string, OrtTensor>): Promise<{ s: number; cpu: number }> {
  const session = await g.createSession({ intraOpNumThreads: threads, ...sessionProviders });
  const t1 = performance.now();
  const c0 = process.cpuUsage();
  await session.run(feeds);
  const c = process.cpuUsage(c0);
  const s = (performance.now() - t1) / 1000;
  await session.release();
  return { s, cpu: (c.user + c.system) / 1e6 };
}

async function main(): Promise<void> {
  // Ours holds the weights once (about 4 / 7 GiB at 256 / 512 px), then PyTorch without checkpointing 5.4 / 10.5.
  const need = Math.max(...sizes) >= 512 ? 11 : 6;
  const avail = availableGiB();
  out(
    `SD 1.5 full-size UNet, random weights, LoRA rank ${rank}, batch 1, ${threads} threads; ${avail.toFixed(1)} GiB available`,
  );
  if (avail < need && !flag('force')) {
    out(`refusing: this needs about ${need} GiB free (ours, then PyTorch); try --sizes 256 or --force`);
    process.exitCode = 1;
    return;
  }
  // Weights are generated on request (ml/sd/tiny.ts), so only what a graph holds is in memory.
  const ckpt = syntheticSdCheckpoint(SD15_WIDTHS, 1);
  const parts = ckpt.names.filter((n) => n.startsWith(UNET_PREFIX) || n.startsWith(VAE_PREFIX));
  const dir = mkdtempSync(path.join(tmpdir(), 'sd15-bench-'));
  const shapesFile = path.join(dir, 'shapes.json');
  writeFileSync(shapesFile, JSON.stringify(Object.fromEntries(parts.map((n) => [n, ckpt.shape(n)]))));
  try {
    out('wall s/step (each run), CPU s/step (both threads together: steadier on a loaded machine), peak RSS');
    for (const size of sizes) {
      const ours = await ourStep(ckpt, size);
      const best = Math.min(...ours.stepS),
        cpu = Math.min(...ours.cpuS);
      const walls = ours.stepS.map((x) => x.toFixed(2)).join(' / ');
      out(`${size} px  ours:  ${walls} s, CPU ${cpu.toFixed(1)} s, peak ${ours.peak.toFixed(2)} GiB`);
      out(`         (graph + session ${ours.setupS.toFixed(0)} s, first loss ${ours.loss.toFixed(3)})`);
      const torch = flag('no-torch') ? 'skipped' : torchBench(shapesFile, size, false);
      if (typeof torch === 'string') out(`         torch: ${torch}`);
      else {
        const peak = (torch.step_peak_rss_mib / 1024).toFixed(2);
        const gpuPeak = torch.step_peak_gpu_mib ? `, GPU peak ${(torch.step_peak_gpu_mib / 1024).toFixed(2)} GiB` : '';
        out(
          `         torch: ${torch.step_s.toFixed(2)} s, CPU ${torch.step_cpu_s.toFixed(1)} s, peak ${peak} GiB${gpuPeak}`,
        );
        const ratio = `${(torch.step_s / best).toFixed(2)}x by wall, ${(torch.step_cpu_s / cpu).toFixed(2)}x by CPU`;
        out(`         ours faster: ${ratio} (PyTorch adapted ${torch.modules} modules)`);
      }
    }
    if (!flag('no-sample')) {
      const lat = 64;
      resetPeak();
      const g = new GraphBuilder({ name: 'sd15_cfg_forward' });
      const x = g.input('x', 'float32', [2, 4, lat, lat]);
      const eps = buildUnet(frozenCtx(g, ckpt), {
        x,
        t: g.input('t', 'float32', [2]),
        context: g.input('context', 'float32', [2, 77, 768]),
      });
      const [c, u] = g.split(eps, [1, 1], 0) as [typeof eps, typeof eps];
      g.output(g.add(u, g.mul(g.sub(c, u), 7.5)), 'eps');
      const fwd = await timeOnce(g, {
        x: new OrtTensor('float32', wave(2 * 4 * lat * lat, 0.3), [2, 4, lat, lat]),
        t: new OrtTensor('float32', Float32Array.of(500, 500), [2]),
        context: new OrtTensor('float32', wave(2 * 77 * 768, 0.1), [2, 77, 768]),
      });
      const gd = new GraphBuilder({ name: 'sd15_vae_decode' });
      gd.output(buildVaeDecoder(frozenCtx(gd, ckpt), gd.input('z', 'float32', [1, 4, lat, lat])), 'img');
      const dec = await timeOnce(gd, { z: new OrtTensor('float32', wave(4 * lat * lat, 0.2), [1, 4, lat, lat]) });
      const samplePeak = peakGiB();
      const torch = flag('no-torch') ? 'skipped' : torchBench(shapesFile, 512, true);
      out(`sampling at 512 px, 20 steps, CFG (one batch-2 UNet forward per step) + VAE decode:`);
      const perImage = 20 * fwd.s + dec.s;
      out(`  ours:  forward ${fwd.s.toFixed(2)} s (CPU ${fwd.cpu.toFixed(1)}), decode ${dec.s.toFixed(2)} s`);
      out(`         → ${perImage.toFixed(1)} s/image, peak ${samplePeak.toFixed(2)} GiB`);
      if (typeof torch === 'string') out(`  torch: ${torch}`);
      else if (torch.cfg_forward_s !== undefined && torch.vae_decode_s !== undefined) {
        const per = 20 * torch.cfg_forward_s + torch.vae_decode_s;
        const cpu = torch.cfg_forward_cpu_s ?? NaN;
        out(
          `  torch: forward ${torch.cfg_forward_s.toFixed(2)} s (CPU ${cpu.toFixed(1)}), decode ${torch.vae_decode_s.toFixed(2)} s`,
        );
        out(`         → ${per.toFixed(1)} s/image; ours ${(per / perImage).toFixed(2)}x faster by wall`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
