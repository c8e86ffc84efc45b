/**
 * QA S6-F9: Ctrl+C during `loraflow run` printed "cancelling…" and "cancelled" and nothing said that the same
 * command resumes; the rerun resumed, but only its log knew: the bar just started at the checkpoint's step. Now
 * the cancel names the step a rerun resumes from, and the rerun prints its "resumed from" line. Real processes:
 *
 *   loraflow run (TrainLoRA, 4000 steps, a checkpoint every 10) ── Ctrl+C ──> loraflow run again ── Ctrl+C
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { quickstartTrainingFolder } from './cli-run';

jest.setTimeout(240_000);

const BIN = join(__dirname, '..', '..', 'bin', 'loraflow.js');

/** Runs the command until `ready` matches its stderr, presses Ctrl+C, and returns its exit code and stderr. */
function runUntil(args: string[], ready: RegExp): Promise<{ code: number | null; stderr: string }> {
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, LORAFLOW_EXTRA_NODES: '', LORAFLOW_TOKEN: '' },
  });
  let stderr = '';
  let pressed = false;
  proc.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (!pressed && ready.test(stderr)) {
      pressed = true;
      proc.kill('SIGINT');
    }
  });
  proc.stdout.resume();
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, stderr })));
}

test('Ctrl+C names the step a rerun resumes from, and the rerun says it resumed', async () => {
  const { data, file } = await quickstartTrainingFolder('cli-resume');
  const args = ['run', file, '--data', data, '--set', 'train.steps=4000'];
  // A progress line past step 20: two checkpoints are on disk.
  const first = await runUntil(args, /\s([2-9]\d|\d{3,})\/4000/);
  expect(first.code).toBe(130);
  const said = /cancelled\n\s+rerun the same command to resume from step (\d+)/.exec(first.stderr);
  expect(said).not.toBeNull();
  const step = Number(said![1]);
  expect(step).toBeGreaterThanOrEqual(10);

  const again = await runUntil(args, /resumed from the checkpoint at step \d+ of 4000/);
  expect(again.stderr).toContain(`resumed from the checkpoint at step ${step} of 4000`);
});
