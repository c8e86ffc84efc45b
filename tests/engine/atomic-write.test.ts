/**
 * Atomic writes (ml/atomic-write.ts), which every file loraflow keeps goes through: a reader sees the old file or
 * the new one, a failed write leaves nothing, and a process killed mid-write (kill -9) leaves only a temp that the
 * next start removes (server/engine/temp-files.ts), with the old file untouched.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { replaceAtomically, writeFileAtomic, writeFileAtomicSync } from '../../ml/atomic-write';
import { removeStaleTempFiles } from '../../server/engine/temp-files';
import { tempDir } from '../server/harness';

const REPO = path.resolve(__dirname, '../..');

test('a write replaces the whole file and leaves no temp beside it; a failed one keeps the old file', async () => {
  const dir = tempDir('loraflow-atomic-');
  const file = path.join(dir, 'a.safetensors');
  await writeFileAtomic(file, 'old');
  writeFileAtomicSync(file, Buffer.alloc(3 << 20, 7)); // several writes' worth
  expect(fs.statSync(file).size).toBe(3 << 20);
  await expect(
    replaceAtomically(file, async (tmp) => {
      fs.mkdirSync(tmp); // a half-made diffusers folder
      fs.writeFileSync(path.join(tmp, 'model_index.json'), '{');
      throw new Error('disk full');
    }),
  ).rejects.toThrow('disk full');
  expect(fs.readdirSync(dir)).toEqual(['a.safetensors']);
  expect(fs.statSync(file).size).toBe(3 << 20);
});

test('a process killed halfway through a write leaves the old file, and its temp is removed at the next start', () => {
  const dir = tempDir('loraflow-atomic-kill-');
  const file = path.join(dir, 'checkpoint.safetensors');
  fs.writeFileSync(file, 'the previous checkpoint');
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `const { replaceAtomically } = require(${JSON.stringify(path.join(REPO, 'ml/atomic-write.ts'))});
       replaceAtomically(${JSON.stringify(file)}, async (tmp) => {
         require('node:fs').writeFileSync(tmp, 'half of a new one');
         process.kill(process.pid, 'SIGKILL');
       });`,
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  expect(child.signal).toBe('SIGKILL');
  expect(fs.readFileSync(file, 'utf8')).toBe('the previous checkpoint');
  const left = fs.readdirSync(dir).filter((n) => n !== 'checkpoint.safetensors');
  expect(left).toHaveLength(1);

  expect(removeStaleTempFiles([dir]).map((p) => path.basename(p))).toEqual(left);
  expect(fs.readdirSync(dir)).toEqual(['checkpoint.safetensors']);
});
