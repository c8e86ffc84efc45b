import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// A user cancels a Sample (or a training run) while its worker is busy in onnxruntime: the job stops, the
// server process survives, and the next job runs. Run in a child process, since the bug aborted the process.
test('cancelling sampling jobs mid-run never takes the process down', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loraflow-cancel-'));
  try {
    const fixture = path.join(__dirname, 'cancel-sampling.fixture.ts');
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', fixture, dir, '6'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(child.stderr).not.toMatch(/Napi::Error|Aborted/);
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/cancelled 6 of 6; then sampled 3072 bytes/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
