/**
 * QA S6-F22: `loraflow export … -o /proc/x` never returned (Node's recursive mkdir spins on procfs). The output
 * folder's missing parents are now made one at a time: a folder that cannot be made is an error naming it, at once,
 * and a new nested folder is made as before.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, examplePath, tempDir } from './harness';

const quickstart = examplePath('quickstart-style-lora');
const exportTo = (folder: string) =>
  spawnSync(process.execPath, [BIN, 'export', quickstart, '--to', 'kohya', '-o', folder], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LORAFLOW_TOKEN: '' },
  });

test('an output folder that cannot be made is refused at once, naming it', () => {
  const res = exportTo('/proc/loraflow-x');
  expect(res.signal).toBeNull(); // not killed by the timeout
  expect(res.status).toBe(1);
  expect(res.stderr).toMatch(/loraflow export: cannot create \/proc\/loraflow-x: ENOENT/);
});

test('a new nested output folder is made and the files written into it', () => {
  const folder = path.join(tempDir(), 'a', 'b', 'c');
  const res = exportTo(folder);
  expect(res.status).toBe(0);
  expect(fs.readdirSync(folder).some((f) => f.endsWith('.toml'))).toBe(true);
});

// QA S8-F16: -o naming an existing file printed a Node.js stack trace (ENOTDIR … unlink '<file>/<name>.toml.tmp-…').
test('an output that is a file is refused naming it, without a stack trace', () => {
  const file = path.join(tempDir(), 'not-a-folder.txt');
  fs.writeFileSync(file, 'keep me');
  const res = exportTo(file);
  expect(res.status).toBe(1);
  expect(res.stderr).toContain(`loraflow export: cannot create ${file}: ${file} is a file, not a folder`);
  expect(res.stderr).not.toMatch(/\n\s+at /);
  expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
});
