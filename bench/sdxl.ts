// bench:sdxl — one LoRA training step of the full-size SDXL UNet (random weights, batch 1, kohya's 722 modules,
// AdamW, gradient checkpointing) at 1024 px (and 512), with our ONNX runtime, next to the same step in PyTorch 1.13
// (bench/sdxl_reference.py bench) in the same run, with each side's peak memory.
// Usage: npm run bench:sdxl [-- --sizes 1024,512 --steps 1 --rank 32 --widths full|tiny --no-torch --force
//        --checkpoint-min-values N --frozen-dtype float32|float16|auto]
//        (N: recompute only blocks holding at least N activation values; 0: every block; float16: the frozen UNet
//        weights held in half precision, ml/sd/half-frozen.ts; auto, the task's default: float16 from 768 px)
//        (LORAFLOW_PYTHON picks the interpreter with PyTorch; default /usr/bin/python3)
// Heavy: the SDXL UNet is 10.3 GB in fp32 and each side holds its weights plus the step's activations; the command
// checks available memory first and refuses below the estimate. `--widths tiny` runs the same code on the tiny model
// (every key, narrow widths) to check the plumbing in seconds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { Trainer } from '../ml/train';
import type { FrozenDtype } from '../ml/sd/half-frozen';
import { syntheticSdxlCheckpoint } from '../ml/sd/sdxl-tiny';
import { createSdxlUnetLoraTask, sdxlFrozenDtype, sdxlUnetLoraModules } from '../ml/sd/sdxl-train-step';
import { sampleSize } from '../ml/sd/sdxl-cond';
import { SDXL_WIDTHS, TINY_SDXL_WIDTHS } from '../ml/sd/sdxl-widths';
import { elementCount, UNET_PREFIX } from '../ml/sd/spec';
import { availableGiB, benchArgs, peakGiB, resetPeak, wave } from './sd-bench-options';

const { opt, flag } = benchArgs();
const tiny = opt('widths', 'full') === 'tiny';
const widths = tiny ? TINY_SDXL_WIDTHS : SDXL_WIDTHS;
const sizes = opt('sizes', tiny ? '64' : '1024,512')
  .split(',')
  .map(Number);
const steps = Number(opt('steps', '1'));
const rank = Number(opt('rank', '32'));
const minValuesArg = opt('checkpoint-min-values', '');
const checkpointMinValues = minValuesArg === '' ? undefined : Number(minValuesArg);
const frozenDtypeArg = opt('frozen-dtype', 'auto');
if (frozenDtypeArg !== 'float32' && frozenDtypeArg !== 'float16' && frozenDtypeArg !== 'auto')
  throw new Error(`--frozen-dtype must be float32, float16 or auto, got ${frozenDtypeArg}`);
const frozenDtype: FrozenDtype | 'auto' = frozenDtypeArg;
const threads = cpus().length;
const out = (s: string): boolean => process.stdout.write(s + '\n');

async function ourStep(size: number) {
  const ckpt = syntheticSdxlCheckpoint(widths, 1);
  const lat = size / 8;
  const c = widths.unet.contextDim;
  const latentShape = [4, lat, lat] as const;
  const dtype = sdxlFrozenDtype({ frozenDtype, latentShape });
  const task = createSdxlUnetLoraTask(ckpt, {
    rank,
    alpha: rank,
    batch: 1,
    prediction: 'epsilon',
    latents: [wave(4 * lat * lat, 0.37)],
    contexts: [wave(77 * c, 0.11)],
    pooled: [wave(widths.clipG.projectionDim, 0.2)],
    sizes: [sampleSize(size, size)],
    latentShape,
    contextShape: [77, c],
    checkpointing: true,
    checkpointMinValues,
    frozenDtype,
  });
  resetPeak();
  const t = await Trainer.create(task, {
    seed: 0,
    optimizer: { kind: 'adamw', weightDecay: 0.01 },
    schedule: { kind: 'constant', lr: 1e-4, totalSteps: 100 },
    threads,
  });
  const setup0 = performance.now();
  await t.stepGraph(1);
  const setupS = (performance.now() - setup0) / 1000;
  const setupPeak = peakGiB();
  out(`${size} px  session created in ${setupS.toFixed(0)} s, peak so far ${setupPeak.toFixed(2)} GiB`);
  resetPeak();
  const stepS: number[] = [];
  const cpuS: number[] = [];
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const r = await t.runOnce(1);
    const cu = process.cpuUsage(c0);
    stepS.push(1 / r.stepsPerSecond);
    cpuS.push((cu.user + cu.system) / 1e6);
  }
  await t.release();
  return { step: Math.min(...stepS), cpu: Math.min(...cpuS), setupS, setupPeak, peak: peakGiB(), dtype };
}

function torchStep(shapesFile: string, modulesFile: string, size: number) {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE; // OpenBLAS picks a slow kernel with the machine's settings: unset for this command
  delete env.OPENBLAS_L2_SIZE;
  const python = process.env.LORAFLOW_PYTHON ?? '/usr/bin/python3';
  const a = ['--size', String(size), '--rank', String(rank), '--threads', String(threads), '--steps', String(steps)];
  const r = spawnSync(python, [path.join(__dirname, 'sdxl_reference.py'), 'bench', shapesFile, modulesFile, ...a], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0)
    return `PyTorch failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    torch: string;
    modules: number;
    step_s: number;
    step_cpu_s: number;
    step_peak_rss_mib: number;
  };
}

async function main(): Promise<void> {
  const ckpt = syntheticSdxlCheckpoint(widths, 1);
  const unetNames = ckpt.names.filter((n) => n.startsWith(UNET_PREFIX));
  const weightGiB = (4 * unetNames.reduce((a, n) => a + elementCount(ckpt.shape(n)), 0)) / 2 ** 30;
  // Each side (one after the other) holds the weights about once (PyTorch in float32, ours in the frozen dtype of that
  // size) plus the step's activations.
  const half = (size: number): boolean =>
    sdxlFrozenDtype({ frozenDtype, latentShape: [4, size / 8, size / 8] }) === 'float16';
  const held = (size: number): number => (flag('no-torch') && half(size) ? weightGiB / 2 : weightGiB);
  const need = Math.max(...sizes.map((s) => 1.1 * held(s) + (s >= 1024 ? 12 : 4)));
  const avail = availableGiB();
  out(
    `SDXL ${tiny ? 'tiny' : 'full-size'} UNet (${weightGiB.toFixed(2)} GiB fp32), random weights, LoRA rank ${rank}, ` +
      `batch 1, ${threads} threads; ${avail.toFixed(1)} GiB available`,
  );
  if (avail < need && !flag('force')) {
    out(`refusing: this needs about ${need.toFixed(0)} GiB free (ours, then PyTorch); run it on a bigger machine`);
    process.exitCode = 1;
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'sdxl-bench-'));
  const shapesFile = path.join(dir, 'shapes.json');
  const modulesFile = path.join(dir, 'modules.json');
  writeFileSync(shapesFile, JSON.stringify(Object.fromEntries(unetNames.map((n) => [n, ckpt.shape(n)]))));
  const modules = sdxlUnetLoraModules(widths);
  writeFileSync(modulesFile, JSON.stringify(modules.map((m) => [m.target, m.out, m.in])));
  try {
    for (const size of sizes) {
      const ours = await ourStep(size);
      out(
        `${size} px  ours:  ${ours.step.toFixed(2)} s/step, CPU ${ours.cpu.toFixed(1)} s, ` +
          `step peak ${ours.peak.toFixed(2)} GiB, session peak ${ours.setupPeak.toFixed(2)} GiB ` +
          `(graph + session ${ours.setupS.toFixed(0)} s, ${modules.length} modules, frozen weights ${ours.dtype})`,
      );
      const torch = flag('no-torch') ? 'skipped' : torchStep(shapesFile, modulesFile, size);
      if (typeof torch === 'string') out(`         torch: ${torch}`);
      else {
        const peak = (torch.step_peak_rss_mib / 1024).toFixed(2);
        out(
          `         torch ${torch.torch}: ${torch.step_s.toFixed(2)} s/step, CPU ${torch.step_cpu_s.toFixed(1)} s, ` +
            `peak ${peak} GiB (${torch.modules} modules)`,
        );
        out(
          `         ours faster: ${(torch.step_s / ours.step).toFixed(2)}x by wall, ` +
            `${(torch.step_cpu_s / ours.cpu).toFixed(2)}x by CPU`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
