/**
 * Atomic writes, the one way every file loraflow keeps is written: into a temp file (or folder) beside the target,
 * flushed to disk, then renamed over it. A reader sees the old file or the new one, never half of one; a failed
 * write removes its temp; a process killed mid-write leaves only a temp whose name (ml/temp-path.ts) the next start
 * recognises and removes (server/engine/temp-files.ts).
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { tempPathFor } from './temp-path';

/** Writes `data` to `target` atomically, flushed to disk before the rename. */
export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  await replaceAtomically(target, async (tmp) => {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/** writeFileAtomic for synchronous callers (small files: caches, example datasets). */
export function writeFileAtomicSync(target: string, data: Uint8Array | string): void {
  const tmp = tempPathFor(target);
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      for (let at = 0; at < bytes.byteLength;) at += writeSync(fd, bytes, at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Lets `write` make the new file or folder at a temp path beside `target` (a streaming writer, sharp's toFile, a
 * diffusers folder), then renames it into place; the temp is removed when `write` or the rename fails.
 */
export async function replaceAtomically(target: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = tempPathFor(target);
  try {
    await write(tmp);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}
