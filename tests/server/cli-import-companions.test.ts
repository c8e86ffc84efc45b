/**
 * QA S8-F11: `loraflow import downloaded.toml` read any file the config named: `sample_prompts =
 * "/elsewhere/secret.txt"` (or "../secret.txt") put that file's lines into the workflow as TrainLoRA's and Sample's
 * prompts, and SaveCheckpoint embeds the workflow in every LoRA it writes. Companions are now read only from the
 * config's folder or below (links followed), as the usage says ("read from beside it"); a name that points elsewhere
 * falls back to the file of that name beside the config.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, tempDir } from './harness';

function setUp(samplePrompts: (secret: string) => string): { config: string; dir: string } {
  const root = tempDir();
  const secret = path.join(root, 'secret.txt');
  fs.writeFileSync(secret, 'secret-line-1\nsecret-line-2\n');
  const dir = path.join(root, 'downloaded');
  fs.mkdirSync(path.join(dir, 'prompts'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'prompts', 'mine.txt'), 'a red heart --s 20\n');
  fs.symlinkSync(secret, path.join(dir, 'linked.txt'));
  const config = path.join(dir, 'config.toml');
  fs.writeFileSync(
    config,
    `train_data_dir = "examples/twemoji-style"\noutput_name = "shared"\nmax_train_steps = 10\n` +
      `sample_prompts = ${JSON.stringify(samplePrompts(secret))}\n`,
  );
  return { config, dir };
}

const importConfig = (config: string, dir: string) =>
  spawnSync(process.execPath, [BIN, 'import', config, '--data', dir], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LORAFLOW_TOKEN: '' },
  });

test.each([
  ['an absolute path', (secret: string) => secret],
  ['a path up out of the folder', () => '../secret.txt'],
  ['a link beside the config to a file outside', () => 'linked.txt'],
])('sample_prompts naming %s is not read', (_what, prompts) => {
  const { config, dir } = setUp(prompts);
  const res = importConfig(config, dir);
  expect(res.stdout).not.toContain('secret-line');
  expect(res.stderr).not.toContain('secret-line');
  expect(res.stderr).toContain('the prompts file was not given with the config');
});

test('a prompts file in a folder below the config is read as before', () => {
  const { config, dir } = setUp(() => 'prompts/mine.txt');
  const res = importConfig(config, dir);
  expect(res.stdout).toContain('a red heart');
});

test('an absolute path elsewhere falls back to the file of that name beside the config', () => {
  const { config, dir } = setUp(() => '/somewhere/else/mine.txt');
  fs.copyFileSync(path.join(dir, 'prompts', 'mine.txt'), path.join(dir, 'mine.txt'));
  const res = importConfig(config, dir);
  expect(res.stdout).toContain('a red heart');
});
