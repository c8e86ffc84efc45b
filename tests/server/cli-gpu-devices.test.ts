/**
 * QA S8-F15: `loraflow serve --gpu banana` (or a typo: cuda0, gpu:0, nvidia) started without a word and its
 * "GPU" slot trained on the CPU (providerOf reads anything but cuda/webgpu as cpu); and `loraflow run … --gpu
 * webgpu:0`, which the offline GPU bundle's instructions give (scripts/bundle-gpu.ts), was "Unknown option '--gpu'".
 * A device is now cuda[:n] or webgpu[:n], anything else refused at start naming it; `run` takes --gpu as serve does.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, TEST_NODES, tempDir, workflow } from './harness';

const loraflow = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, LORAFLOW_EXTRA_NODES: TEST_NODES, LORAFLOW_TOKEN: '' },
  });

test.each(['banana', 'cuda0', 'gpu:0', 'cuda:x'])('serve --gpu %p is refused at start, naming it', (device) => {
  const res = loraflow(['serve', '--port', '0', '--gpu', device, '--data', tempDir()]);
  expect(res.signal).toBeNull(); // not left serving until the timeout
  expect(res.status).toBe(1);
  expect(res.stderr).toContain(`--gpu ${device}: expected cuda:<n> or webgpu:<n>`);
});

test('run takes --gpu: a CPU-only workflow runs with a GPU slot named, a bad device is refused', () => {
  const dir = tempDir();
  const file = path.join(dir, 'one.json');
  fs.writeFileSync(file, JSON.stringify(workflow('one', [['a', 'TestNumber', { value: 3 }]])));
  const ok = loraflow(['run', file, '--gpu', 'webgpu:0', '--data', dir]);
  expect(ok.stderr).not.toContain("Unknown option '--gpu'");
  expect(ok.status).toBe(0);
  const bad = loraflow(['run', file, '--gpu', 'banana', '--data', dir]);
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain('--gpu banana: expected cuda:<n> or webgpu:<n>');
});
