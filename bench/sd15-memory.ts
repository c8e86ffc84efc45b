// Where a full-size SD 1.5 UNet LoRA step's memory goes: RSS before the session, after it is created (the frozen
// weights as onnxruntime holds them), and the peak of one step (activations, gradients, optimizer), with CPU time.
// Usage: npx tsx bench/sd15-memory.ts [size=512] [session options as JSON, merged into every createSession]
//        (env STEPS: steps to run, default 1; CHECKPOINT_MIN: recompute blocks of at least this many values)
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { GraphBuilder } from '../ml/graph';
import type { SessionOptions } from '../ml/graph';
import { createUnetLoraTask } from '../ml/sd/train-step';
import { syntheticSdCheckpoint } from '../ml/sd/tiny';
import { SD15_WIDTHS } from '../ml/sd/widths';
import { Trainer } from '../ml/train';

const size = Number(process.argv[2] ?? 512);
const extra = JSON.parse(process.argv[3] ?? '{}') as SessionOptions;
const out = (s: string): boolean => process.stdout.write(s + '\n');
const kb = (key: string): number =>
  Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
const gib = (k: number): string => (k / 2 ** 20).toFixed(2);
const wave = (n: number, f: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f));

const create = GraphBuilder.prototype.createSession;
GraphBuilder.prototype.createSession = function (o: SessionOptions = {}) {
  return create.call(this, { ...o, ...extra });
};

async function main(): Promise<void> {
  const lat = size / 8;
  const task = createUnetLoraTask(syntheticSdCheckpoint(SD15_WIDTHS, 1), {
    ...{ rank: 32, alpha: 32, batch: 1, prediction: 'epsilon', checkpointing: true },
    ...(process.env.CHECKPOINT_MIN ? { checkpointMinValues: Number(process.env.CHECKPOINT_MIN) } : {}),
    ...{ latents: [wave(4 * lat * lat, 0.37)], contexts: [wave(77 * 768, 0.11)] },
    ...{ latentShape: [4, lat, lat], contextShape: [77, 768] },
  });
  const t = await Trainer.create(task, {
    seed: 0,
    optimizer: { kind: 'adamw', weightDecay: 0.01 },
    schedule: { kind: 'constant', lr: 1e-4, totalSteps: 100 },
    threads: cpus().length,
  });
  out(`${size} px, options ${JSON.stringify(extra)}; before session RSS ${gib(kb('VmRSS'))} GiB`);
  await t.stepGraph(1);
  out(`session created: RSS ${gib(kb('VmRSS'))} GiB, peak so far ${gib(kb('VmHWM'))} GiB`);
  writeFileSync('/proc/self/clear_refs', '5');
  for (let i = 0; i < Number(process.env.STEPS ?? 1); i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const r = await t.runOnce(1);
    const c = process.cpuUsage(c0);
    out(
      `step ${i + 1}: ${((performance.now() - w0) / 1000).toFixed(1)} s wall, CPU ${((c.user + c.system) / 1e6).toFixed(1)} s, ` +
        `loss ${r.losses[0]!.toFixed(4)}, step peak ${gib(kb('VmHWM'))} GiB, RSS after ${gib(kb('VmRSS'))} GiB`,
    );
  }
  await t.release();
}

void main();
