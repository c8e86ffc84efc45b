/**
 * Pickle checkpoints in the model folders (QA-SD, helper A): GET /api/models listed only .safetensors, so a user
 * whose ComfyUI folder held v1-5-pruned.ckpt saw it missing from LoadModel's picker with no word why. loraflow
 * refuses pickles on purpose (unpickling runs code: SECURITY.md); the listing now names them apart, each with the
 * reason and what to do, for the picker to show.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelsListing } from '../../protocol/api';
import { get, startServer, tempDir, type ServerProcess } from './harness';

jest.setTimeout(60_000);

let server: ServerProcess | undefined;
afterAll(async () => server?.stop());

test('GET /api/models lists .ckpt / .pt files apart, saying why they are not loaded', async () => {
  const comfy = tempDir();
  const files = {
    'models/checkpoints/sd15.safetensors': 10,
    'models/checkpoints/v1-5-pruned.ckpt': 20,
    'models/loras/styles/old-style.pt': 30,
    'models/loras/ink.safetensors': 40,
  };
  for (const [file, bytes] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(comfy, file)), { recursive: true });
    fs.writeFileSync(path.join(comfy, file), Buffer.alloc(bytes));
  }
  server = await startServer(tempDir(), ['--models', comfy]);
  const listing = (await get(`${server.url}/api/models`)).body as ModelsListing;
  expect(listing.checkpoints.map((f) => path.basename(f.path))).toEqual(['sd15.safetensors']);
  expect(listing.loras.map((f) => path.basename(f.path))).toEqual(['ink.safetensors']);
  expect(listing.refused).toEqual([
    {
      kind: 'checkpoints',
      path: path.join(comfy, 'models/checkpoints/v1-5-pruned.ckpt'),
      bytes: 20,
      source: 'ComfyUI',
      reason: '.ckpt (pickle) files are not loaded because they can run code: convert to .safetensors',
    },
    {
      kind: 'loras',
      path: path.join(comfy, 'models/loras/styles/old-style.pt'),
      bytes: 30,
      source: 'ComfyUI',
      reason: '.pt (pickle) files are not loaded because they can run code: convert to .safetensors',
    },
  ]);
});
