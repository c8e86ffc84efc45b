/**
 * Two uploads of the same file to the server at the same moment, as two workers (or one worker's output upload and
 * its sample event) make them: a real `loraflow serve` process on a loopback port and the worker's own uploader.
 * Both must succeed, the server must keep the whole file once, and no partial file may be left behind.
 *
 *   worker store ─┬─ uploadArtifacts ─┐
 *                 └─ uploadArtifacts ─┴─> POST /api/cluster/blobs (chunks interleaved) ─> server's store
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BLOB_CHUNK_BYTES } from '../../server/cluster/blob-target';
import { createServerClient } from '../../server/cluster/server-client';
import { uploadArtifacts, uploadFile } from '../../server/cluster/transfer';
import { createArtifactStore } from '../../server/engine/artifacts';
import { startServer, tempDir, type ServerProcess } from '../server/harness';

jest.setTimeout(60_000);

let server: ServerProcess;
let dataDir: string;
const partialDir = () => path.join(dataDir, 'work', 'cluster-uploads');

beforeAll(async () => {
  dataDir = tempDir('loraflow-uploads-');
  server = await startServer(dataDir);
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A worker-side store holding one file of `bytes` random bytes (several upload chunks). */
async function workerFile(bytes: number) {
  const store = createArtifactStore(tempDir('loraflow-worker-store-'));
  const data = randomBytes(bytes);
  const ref = await store.put(data, 'application/octet-stream', 'adapter.safetensors');
  return { store, data, ref };
}

test('two concurrent uploads of the same artifact both succeed and the server keeps it whole', async () => {
  const { store, data, ref } = await workerFile(2 * BLOB_CHUNK_BYTES + 12_345);
  const client = createServerClient(server.url, undefined);

  const results = await Promise.allSettled([uploadArtifacts(ref, store, client), uploadArtifacts(ref, store, client)]);

  expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok']);
  const stored = await client.getBytes(`/artifacts/${ref.$artifact}`);
  expect(stored.equals(data)).toBe(true);
  expect(fs.existsSync(partialDir()) ? fs.readdirSync(partialDir()) : []).toEqual([]);
});

test('an upload of an artifact the server already has stops after its first chunk', async () => {
  const { store, ref } = await workerFile(3 * BLOB_CHUNK_BYTES);
  const client = createServerClient(server.url, undefined);
  expect(await uploadArtifacts(ref, store, client)).toBe(3 * BLOB_CHUNK_BYTES);

  expect(await uploadArtifacts(ref, store, client)).toBe(BLOB_CHUNK_BYTES);
});

test('an upload cut short because another one stored the artifact meanwhile leaves no partial file', async () => {
  const { store, data, ref } = await workerFile(2 * BLOB_CHUNK_BYTES);
  const client = createServerClient(server.url, undefined);
  const target = { kind: 'artifact' as const, id: ref.$artifact, mime: 'application/octet-stream', name: 'a' };
  const chunk = (offset: number) => ({
    target,
    upload: 'slowworker01',
    offset,
    data: data.subarray(offset, offset + BLOB_CHUNK_BYTES).toString('base64'),
    done: false,
  });
  // The slow upload's first chunk, then a whole upload of the same bytes by another worker, then its second chunk.
  await client.postJson('/cluster/blobs', chunk(0));
  await uploadArtifacts(ref, store, client);
  expect(await client.postJson('/cluster/blobs', chunk(BLOB_CHUNK_BYTES))).toEqual({ ok: true, stored: true });

  expect(fs.readdirSync(partialDir())).toEqual([]);
});

test('two concurrent uploads of one state file leave one of them whole, never a mix', async () => {
  const dir = tempDir('loraflow-worker-state-');
  const files = ['a', 'b'].map((n) => {
    const file = path.join(dir, n);
    fs.writeFileSync(file, randomBytes(BLOB_CHUNK_BYTES + 777));
    return file;
  });
  const client = createServerClient(server.url, undefined);
  const target = { kind: 'state' as const, type: 'TrainLoRA', key: 'k1', name: 'checkpoint.safetensors' };

  await Promise.all(files.map((file) => uploadFile(client, target, file)));

  const kept = await client.getBytes('/cluster/state/TrainLoRA/k1/checkpoint.safetensors');
  expect(files.some((file) => fs.readFileSync(file).equals(kept))).toBe(true);
  expect(fs.readdirSync(partialDir())).toEqual([]);
});

test('a partial file of an upload abandoned an hour ago is removed when the next upload starts', async () => {
  fs.mkdirSync(partialDir(), { recursive: true });
  const abandoned = path.join(partialDir(), `${'0'.repeat(64)}.deadworker0001.part`);
  fs.writeFileSync(abandoned, randomBytes(1000));
  const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
  fs.utimesSync(abandoned, twoHoursAgo, twoHoursAgo);
  const { store, ref } = await workerFile(1000);

  await uploadArtifacts(ref, store, createServerClient(server.url, undefined));

  expect(fs.existsSync(abandoned)).toBe(false);
});
