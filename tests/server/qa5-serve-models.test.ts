/**
 * `loraflow serve --models <folder>` on a plain folder of checkpoints (what a user with their own SD 1.5 file has,
 * QA session 5): the refusal says to use --allow for such a folder, not only that it is no ComfyUI or A1111 install.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, tempDir } from './harness';

test('serve --models on a folder of .safetensors files exits naming --allow for that folder', () => {
  const models = tempDir();
  fs.writeFileSync(path.join(models, 'tiny-sd15.safetensors'), Buffer.alloc(16));
  const res = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--data', tempDir(), '--models', models], {
    encoding: 'utf8',
    env: { ...process.env, LORAFLOW_TOKEN: '' },
    timeout: 30000,
  });
  expect(res.status).toBe(1);
  expect(res.stderr).toContain('neither a ComfyUI install');
  expect(res.stderr).toContain(`--allow ${models}`);
  expect(res.stderr).not.toMatch(/\n\s+at /); // one message, no stack trace
});
