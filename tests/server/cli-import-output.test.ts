/**
 * QA S8-F1: `loraflow import x.toml -o x.toml` replaced the config with the workflow (exit 0), and `-o` naming a
 * file the config names (its sample prompts) replaced that one: the config the user imports from is gone. Such an
 * output is now refused before anything is written; another output file is written as before.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, tempDir } from './harness';

const CONFIG = `pretrained_model_name_or_path = "models/base.safetensors"
train_data_dir = "examples/twemoji-style"
output_name = "qa"
max_train_steps = 10
sample_prompts = "qa_prompts.txt"
`;

function setUp(): { dir: string; config: string; prompts: string } {
  const dir = tempDir();
  const config = path.join(dir, 'qa.toml');
  const prompts = path.join(dir, 'qa_prompts.txt');
  fs.writeFileSync(config, CONFIG);
  fs.writeFileSync(prompts, 'a red heart --s 20\n');
  return { dir, config, prompts };
}

const importTo = (config: string, output: string, dir: string) =>
  spawnSync(process.execPath, [BIN, 'import', config, '-o', output, '--data', dir], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LORAFLOW_TOKEN: '' },
  });

test('-o naming the config itself is refused and the config is kept', () => {
  const { dir, config } = setUp();
  const res = importTo(config, config, dir);
  expect(res.status).toBe(1);
  expect(res.stderr).toMatch(/-o .*qa\.toml is the config being imported/);
  expect(fs.readFileSync(config, 'utf8')).toBe(CONFIG);
});

test('-o naming a file the config names (its sample prompts) is refused and that file is kept', () => {
  const { dir, config, prompts } = setUp();
  const res = importTo(config, path.join(dir, '.', 'qa_prompts.txt'), dir);
  expect(res.status).toBe(1);
  expect(res.stderr).toMatch(/qa_prompts\.txt is a file the config names/);
  expect(fs.readFileSync(prompts, 'utf8')).toBe('a red heart --s 20\n');
});

test('-o naming another file writes the workflow there', () => {
  const { dir, config } = setUp();
  const out = path.join(dir, 'qa.json');
  const res = importTo(config, out, dir);
  expect(res.stdout).toMatch(/Wrote /);
  expect(JSON.parse(fs.readFileSync(out, 'utf8')).format).toBe('loraflow.workflow');
  expect(fs.readFileSync(config, 'utf8')).toBe(CONFIG);
});

// QA S8-F16: -o naming a folder, or a file in a folder that does not exist, printed a Node.js stack trace.
test.each([
  ['a folder', (dir: string) => dir, 'EISDIR'],
  ['a file in a missing folder', (dir: string) => path.join(dir, 'no', 'such', 'x.json'), 'ENOENT'],
])('-o naming %s is one line naming it', (_what, output, code) => {
  const { dir, config } = setUp();
  const res = importTo(config, output(dir), dir);
  expect(res.status).toBe(1);
  expect(res.stderr).toContain(`loraflow import: cannot write ${output(dir)}: ${code}`);
  expect(res.stderr).not.toMatch(/\n\s+at /);
});
