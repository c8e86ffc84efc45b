/**
 * Resume after a kill: TrainLoRA runs in another process, which is killed (SIGKILL, no chance to clean up) once a
 * checkpoint exists; running the same node again resumes from that checkpoint and continues the step count.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { nodeContext } from '../support/node-context';
import { prepare, runNode, TINY_TRAIN } from './setup';

jest.setTimeout(120_000);

function checkpointsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  // Complete checkpoints only, not a temp file being written.
  return readdirSync(dir).flatMap((d) => readdirSync(join(dir, d)).filter((f) => /^step-\d+\.safetensors$/.test(f)));
}

it('a killed run resumes from its last checkpoint and continues the step count', async () => {
  const p = await prepare(10);
  try {
    const params = { ...TINY_TRAIN, steps: 200, checkpointEvery: 10, sampleEvery: 0 };
    const jobFile = join(p.dataDir, 'job.json');
    writeFileSync(
      jobFile,
      JSON.stringify({ dataDir: p.dataDir, inputs: { model: p.model, dataset: p.dataset }, params }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'train-child.ts'), jobFile], {
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const stateDir = join(p.dataDir, 'state');
    for (let waited = 0; checkpointsUnder(stateDir).length === 0; waited += 50) {
      if (waited > 60_000 || child.exitCode !== null) throw new Error('the training process wrote no checkpoint');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await exited;

    const ctx = nodeContext(p.dataDir);
    const out = await runNode(trainLoraNode, params, { model: p.model, dataset: p.dataset }, ctx);
    const resumed = Number(/resumed from the checkpoint at step (\d+) of 200/.exec(ctx.logs.join('\n'))?.[1]);
    expect(resumed).toBeGreaterThanOrEqual(10);
    expect(resumed).toBeLessThan(200);
    expect(ctx.metrics[0]!.step).toBe(resumed + 1);
    expect((out.lora as LoraValue).step).toBe(200);
  } finally {
    rmSync(p.dataDir, { recursive: true, force: true });
  }
});
