import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPathFor } from '../../ml/temp-path';
import type { ArtifactStore } from '../../nodes/api';
import type { ArtifactRef, JsonValue } from '../../protocol/values';

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/svg+xml': 'svg',
  'application/json': 'json',
  'text/plain': 'txt',
  'text/html': 'html',
  'text/csv': 'csv',
  'application/x-safetensors': 'safetensors',
  'application/onnx': 'onnx',
  'application/zip': 'zip',
};

/** An id is a sha256 in hex, optionally with an extension; anything else (e.g. `../x`) is refused. */
const ID_PATTERN = /^[0-9a-f]{64}(\.[a-z0-9]{1,12})?$/;

/** The file extension the store gives content of this mime type ('' when unknown). */
export function extensionForMime(mime: string): string {
  return EXTENSIONS[mime.split(';')[0]!.trim().toLowerCase()] ?? '';
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A content-addressed store under `dir`: the id is the sha256 of the bytes plus an extension from the mime type,
 * files live in sharded subfolders (`ab/abcdef….png`) and are written atomically (temp file + rename).
 */
export function createArtifactStore(dir: string): ArtifactStore {
  mkdirSync(dir, { recursive: true });
  const idOf = (ref: ArtifactRef | string) => (typeof ref === 'string' ? ref : ref.$artifact);
  const location = (id: string) => {
    if (!ID_PATTERN.test(id)) throw new Error(`not an artifact id: "${id}"`);
    return join(dir, id.slice(0, 2), id);
  };
  const refFor = (
    hash: string,
    mime: string,
    name: string,
    bytes: number,
    extra?: Record<string, JsonValue>,
  ): ArtifactRef => {
    const ext = extensionForMime(mime);
    return { ...extra, $artifact: ext ? `${hash}.${ext}` : hash, mime, name, bytes };
  };
  /** Moves a finished temp file into place; if the content is already stored the temp file is dropped. */
  const settle = async (tmp: string, target: string) => {
    if (existsSync(target)) return unlink(tmp);
    await rename(tmp, target);
  };
  const tempPath = tempPathFor;

  return {
    async put(data, mime, name, extra) {
      const ref = refFor(createHash('sha256').update(data).digest('hex'), mime, name, data.byteLength, extra);
      const target = location(ref.$artifact);
      if (!existsSync(target)) {
        await mkdir(join(target, '..'), { recursive: true });
        const tmp = tempPath(target);
        await writeFile(tmp, data);
        await settle(tmp, target);
      }
      return ref;
    },
    async putFile(path, mime, name, extra) {
      // Copied, not moved: the node's own file stays where the node expects it.
      const [hash, info] = await Promise.all([hashFile(path), stat(path)]);
      const ref = refFor(hash, mime, name, info.size, extra);
      const target = location(ref.$artifact);
      if (!existsSync(target)) {
        await mkdir(join(target, '..'), { recursive: true });
        const tmp = tempPath(target);
        await copyFile(path, tmp);
        await settle(tmp, target);
      }
      return ref;
    },
    pathOf(ref) {
      const target = location(idOf(ref));
      if (!existsSync(target)) throw new Error(`artifact ${idOf(ref)} does not exist`);
      return target;
    },
    read: async (ref) => readFile(location(idOf(ref))),
    has(ref) {
      const id = idOf(ref);
      return ID_PATTERN.test(id) && existsSync(location(id));
    },
  };
}
