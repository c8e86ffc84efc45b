/**
 * A user points LoadModel or LoadLoRA at a file that is not safetensors (2 bytes, a text file): the node fails
 * naming the file and saying what is wrong with it, not with a reader's internals.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import { loadModelNode } from '../../nodes/model/load-model';
import { nodeContext, runNode, tempDataDir } from '../support/node-context';
import { writeTinyModel } from './fixtures';

jest.setTimeout(60_000);

const dataDir = tempDataDir('broken-files');
const ctx = nodeContext(dataDir);
const put = (name: string, bytes: Buffer | string): void => writeFileSync(join(dataDir, 'root', name), bytes);

beforeAll(async () => {
  await writeTinyModel(join(dataDir, 'root', 'tiny.safetensors'));
  put('broken.safetensors', Buffer.from([1, 2]));
  put('notes.safetensors', 'these are my notes, not weights\n'.repeat(4));
});

test('LoadLoRA on a 2-byte file names it and says a safetensors file starts with an 8-byte header length', async () => {
  const { model } = await runNode(loadModelNode, { file: 'tiny.safetensors' }, {}, ctx);
  await expect(runNode(loadLoraNode, { file: 'broken.safetensors' }, { model }, ctx)).rejects.toMatchObject({
    param: 'file',
    message: expect.stringMatching(/broken\.safetensors.*2 bytes, a safetensors file starts with an 8-byte header/),
  });
  await expect(runNode(loadLoraNode, { file: 'notes.safetensors' }, { model }, ctx)).rejects.toMatchObject({
    param: 'file',
    message: expect.stringMatching(/notes\.safetensors.*header length \d+ exceeds .*not a safetensors file/),
  });
});

test('LoadModel on a 2-byte file and on a text file names the file and what is wrong', async () => {
  for (const [file, why] of [
    ['broken.safetensors', /2 bytes, a safetensors file starts with an 8-byte header/],
    ['notes.safetensors', /not a safetensors file/],
  ] as const) {
    const failure = runNode(loadModelNode, { file }, {}, ctx);
    await expect(failure).rejects.toThrow(new RegExp(file.replace('.', '\\.')));
    await expect(failure).rejects.toThrow(why);
  }
});
