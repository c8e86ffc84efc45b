/**
 * The hashes SD tools show for a checkpoint: the full sha256 (A1111's "new" hash, kohya's ss_new_sd_model_hash;
 * its first 10 hex digits are the AutoV2 short hash) and A1111's legacy model hash (kohya's ss_sd_model_hash:
 * sha256 of the 64 KiB at offset 0x100000, first 8 hex digits). Files are streamed, never read whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export interface CheckpointHashes {
  readonly sha256: string;
  /** A1111's legacy hash (8 hex digits). */
  readonly legacy: string;
  /** A1111/Civitai AutoV2 (the first 10 hex digits of sha256). */
  readonly autoV2: string;
}

async function fileSha256(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function legacyHash(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(0x10000);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0x100000);
    return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex').slice(0, 8);
  } finally {
    await handle.close();
  }
}

/**
 * Hashes of a checkpoint's weight files (SdCheckpoint.files): of the file itself for a single file; for a diffusers
 * folder the sha256 of the files' `<folder>/<name>:<sha256>` lines, and the UNet file's legacy hash (no tool defines
 * one for folders).
 */
export async function checkpointHashes(files: readonly string[], signal?: AbortSignal): Promise<CheckpointHashes> {
  const [first] = files;
  if (first === undefined) throw new Error('checkpointHashes: no files');
  let sha256: string;
  if (files.length === 1) sha256 = await fileSha256(first, signal);
  else {
    const lines: string[] = [];
    for (const f of files) lines.push(`${basename(dirname(f))}/${basename(f)}:${await fileSha256(f, signal)}`);
    sha256 = createHash('sha256').update(lines.join('\n')).digest('hex');
  }
  return { sha256, legacy: await legacyHash(first), autoV2: sha256.slice(0, 10) };
}
