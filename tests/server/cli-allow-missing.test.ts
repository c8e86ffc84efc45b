/**
 * QA S6-F14: `--allow /nonexistent` was taken without a word; relative paths then started in a folder that does
 * not exist, the data folder was no longer allowed, and LoadImages failed with a hint about the data folder. Now a
 * missing (or non-folder) allowed folder is refused when the command starts, naming it; an existing one works.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, examplePath, tempDir } from './harness';

const quickstart = examplePath('quickstart-style-lora');

const loraflow = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, LORAFLOW_TOKEN: '' } });

test('a missing --allow folder is refused at start, naming it; a file is refused as not a folder', () => {
  const data = tempDir();
  const missing = path.join(data, 'no-such-folder');
  for (const command of ['validate', 'run']) {
    const out = loraflow([command, quickstart, '--data', data, '--allow', missing]);
    expect(out.status).not.toBe(0);
    expect(out.stderr + out.stdout).toContain(`allowed folder ${missing} does not exist (--allow)`);
  }
  const file = path.join(data, 'a-file');
  fs.writeFileSync(file, 'x');
  const notFolder = loraflow(['validate', quickstart, '--data', data, '--allow', file]);
  expect(notFolder.stderr + notFolder.stdout).toContain(`allowed folder ${file} is not a folder`);
  // An existing folder is taken as before: the quick start's dataset is then simply not made there yet.
  const ok = loraflow(['validate', quickstart, '--data', data, '--allow', data]);
  expect(ok.stderr + ok.stdout).not.toMatch(/allowed folder/);
});
