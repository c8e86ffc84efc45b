/**
 * QA S6-F17: a LoRA file with NaN weights (what an fp16 overflow in training writes) drew all-black images and
 * nobody said why. Reading one now fails naming the file, the module and what to do, for LoadLoRA and for every
 * other reader of LoRA files (tags in prompts, SaveCheckpoint, the check):
 *
 *   LoadModel(tiny) ─> LoadLoRA(loras/nan.safetensors)   refused: "… holds 1 NaN or infinite value(s) …"
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readLora, writeKohya } from '../../ml/lora/file';
import type { LoraAdapter } from '../../ml/lora/types';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import { nodeContext } from '../support/node-context';
import { prepare, runNode } from './setup';

jest.setTimeout(60_000);

const adapter = (up: Float32Array): LoraAdapter => ({
  module: 'lora_unet_blocks_0_attn_q',
  rank: 2,
  alpha: 2,
  in: 4,
  out: 4,
  down: new Float32Array(8).fill(0.1),
  up,
});

test('a LoRA with a NaN weight is refused naming the file and the module; a finite one reads', async () => {
  const p = await prepare(2);
  const dir = join(p.dataDir, 'root', 'loras');
  mkdirSync(dir, { recursive: true });
  const nan = new Float32Array(8).fill(0.2);
  nan[3] = NaN;
  await writeKohya(join(dir, 'nan.safetensors'), [adapter(nan)], {}, 'F16');
  await writeKohya(join(dir, 'fine.safetensors'), [adapter(new Float32Array(8).fill(0.2))], {}, 'F16');

  await expect(readLora(join(dir, 'nan.safetensors'))).rejects.toThrow(
    /nan\.safetensors: "lora_unet_blocks_0_attn_q" up holds 1 NaN or infinite value\(s\).*use an earlier checkpoint/,
  );
  expect((await readLora(join(dir, 'fine.safetensors'))).adapters).toHaveLength(1);
  const load = runNode(
    loadLoraNode,
    { file: 'loras/nan.safetensors', strength: 1 },
    { model: p.model },
    nodeContext(p.dataDir),
  );
  await expect(load).rejects.toThrow(/nan\.safetensors.*NaN or infinite/);
});
