/**
 * QA S8-F13: `loraflow validate wf.json --data=~/loraflow-data` (or a quoted "~/…", which the shell leaves alone)
 * made a folder named "~" in the current folder and kept the data there; `--allow=~/datasets` was refused as
 * "<cwd>/~/datasets does not exist". A "~" folder is a trap (`rm -rf ~` to remove it deletes the home folder).
 * The CLI now reads a leading ~ in --data, --allow and --models as the home folder, as a shell would.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, examplePath, tempDir } from './harness';

const quickstart = examplePath('quickstart-style-lora');

function validate(args: string[]): { home: string; cwd: string; res: ReturnType<typeof spawnSync> } {
  const home = tempDir('loraflow-home-');
  const cwd = tempDir('loraflow-cwd-');
  const res = spawnSync(process.execPath, [BIN, 'validate', quickstart, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, HOME: home, LORAFLOW_TOKEN: '' },
  });
  return { home, cwd, res };
}

test('--data=~/x keeps the data in the home folder, not in a folder named "~"', () => {
  const { home, cwd, res } = validate(['--data=~/lf-data']);
  expect(res.signal).toBeNull();
  expect(fs.existsSync(path.join(cwd, '~'))).toBe(false);
  expect(fs.existsSync(path.join(home, 'lf-data'))).toBe(true);
});

test('--allow ~/x names the folder in the home folder', () => {
  const home = tempDir('loraflow-home-');
  fs.mkdirSync(path.join(home, 'datasets'));
  const cwd = tempDir('loraflow-cwd-');
  const res = spawnSync(process.execPath, [BIN, 'validate', quickstart, '--allow', '~/datasets', '--data', cwd], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, HOME: home, LORAFLOW_TOKEN: '' },
  });
  expect(res.stderr).not.toContain('does not exist (--allow)');
  // the quick start's dataset is not in ~/datasets: the path check names it, which shows the folder was allowed
  expect(res.stdout).toContain('"examples/twemoji-style" does not exist');
});
