/**
 * QA S8-F17: `loraflow run wf.json --data /proc/loraflow-x` never returned (Node's recursive mkdir spins on procfs,
 * as S6-F22 found for export), and `--data <a file>` printed a Node.js stack trace (EEXIST … mkdir). The data
 * folder and the others loraflow makes are now made one level at a time: either mistake is one line naming the
 * folder, at once. And `loraflow validate /dev/zero` read the device forever (1.2 GB in 3 s until Node aborted): a
 * device is refused as not a workflow file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, examplePath, tempDir } from './harness';

const quickstart = examplePath('quickstart-style-lora');
const validate = (data: string) =>
  spawnSync(process.execPath, [BIN, 'validate', quickstart, '--data', data], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, LORAFLOW_TOKEN: '' },
  });

test('--data /proc/… is refused at once, naming the folder', () => {
  const res = validate('/proc/loraflow-x');
  expect(res.signal).toBeNull(); // not killed by the timeout
  expect(res.status).toBe(1);
  expect(res.stderr).toContain('cannot use /proc/loraflow-x as a folder');
  expect(res.stderr).not.toMatch(/\n\s+at /);
});

test('--data naming a file is one line naming it, not a stack trace', () => {
  const file = path.join(tempDir(), 'a-file');
  fs.writeFileSync(file, 'x');
  const res = validate(file);
  expect(res.status).toBe(1);
  expect(res.stderr).toContain(`cannot use ${file} as a folder: ${file} is a file, not a folder`);
  expect(res.stderr).not.toMatch(/\n\s+at /);
});

test('validate /dev/zero is refused at once as a device', () => {
  const res = spawnSync(process.execPath, [BIN, 'validate', '/dev/zero', '--data', tempDir()], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, LORAFLOW_TOKEN: '' },
  });
  expect(res.signal).toBeNull();
  expect(res.status).toBe(1);
  expect(res.stderr).toContain('cannot read /dev/zero: a device, not a workflow file');
});
