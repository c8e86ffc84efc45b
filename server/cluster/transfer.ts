/**
 * Moving a job's files between the server and a worker: the artifacts its inputs name are downloaded into the
 * worker's own content-addressed store (a cache: an artifact already there is not fetched again, and its bytes
 * are checked against its id), and the artifacts its outputs and previews name are uploaded in chunks.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ArtifactStore } from '../../nodes/api';
import { isArtifactRef, type ArtifactRef, type JsonValue } from '../../protocol/values';
import { BLOB_CHUNK_BYTES, newUploadId, type BlobTarget } from './blob-target';
import type { ServerClient } from './server-client';

/** Every artifact reference inside a JSON value, each once. */
export function artifactRefsIn(value: JsonValue | undefined, found = new Map<string, ArtifactRef>()): ArtifactRef[] {
  if (value !== null && typeof value === 'object') {
    if (isArtifactRef(value)) found.set(value.$artifact, value);
    else for (const v of Array.isArray(value) ? value : Object.values(value)) artifactRefsIn(v, found);
  }
  return [...found.values()];
}

/** Downloads the artifacts of `value` that the worker's store lacks; returns how many bytes came over. */
export async function fetchArtifacts(value: JsonValue, store: ArtifactStore, server: ServerClient): Promise<number> {
  let bytes = 0;
  for (const ref of artifactRefsIn(value)) {
    if (store.has(ref)) continue;
    const data = await server.getBytes(`/artifacts/${ref.$artifact}`);
    const stored = await store.put(data, ref.mime, ref.name);
    if (stored.$artifact !== ref.$artifact)
      throw new Error(
        `artifact ${ref.$artifact} from ${server.baseUrl} has other bytes (they hash to ${stored.$artifact})`,
      );
    bytes += data.byteLength;
  }
  return bytes;
}

/**
 * Uploads a file to `target` in chunks (an empty file is one empty chunk), as an upload of its own: another upload
 * of the same target at the same time does not disturb it. Stops after the first chunk when the server already
 * holds the artifact. Returns the bytes sent.
 */
export async function uploadFile(server: ServerClient, target: BlobTarget, file: string): Promise<number> {
  const size = (await stat(file)).size;
  const upload = newUploadId();
  let offset = 0;
  let stored = false;
  const stream = createReadStream(file, { highWaterMark: BLOB_CHUNK_BYTES });
  let pending = Buffer.alloc(0);
  const send = async (data: Buffer, done: boolean) => {
    const body = { target, upload, offset, data: data.toString('base64'), done };
    stored = (await server.postJson<{ stored?: boolean }>('/cluster/blobs', body)).stored === true;
    offset += data.byteLength;
  };
  try {
    for await (const chunk of stream) {
      pending = Buffer.concat([pending, chunk as Buffer]);
      while (pending.byteLength >= BLOB_CHUNK_BYTES && !stored) {
        const part = pending.subarray(0, BLOB_CHUNK_BYTES);
        pending = pending.subarray(BLOB_CHUNK_BYTES);
        await send(part, offset + part.byteLength >= size && pending.byteLength === 0);
      }
      if (stored) return offset;
    }
    if (pending.byteLength > 0 || offset === 0) await send(pending, true);
    return offset;
  } finally {
    stream.destroy();
  }
}

/** Uploads the artifacts `value` names (the server keeps each once: it is content-addressed). */
export async function uploadArtifacts(value: JsonValue, store: ArtifactStore, server: ServerClient): Promise<number> {
  let bytes = 0;
  for (const ref of artifactRefsIn(value)) {
    const target: BlobTarget = { kind: 'artifact', id: ref.$artifact, mime: ref.mime, name: ref.name };
    bytes += await uploadFile(server, target, store.pathOf(ref));
  }
  return bytes;
}
