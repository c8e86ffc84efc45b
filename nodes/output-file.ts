/**
 * The rules every save node follows: before writing its file (the writers themselves are atomic: temp + rename), and
 * when a rerun would serve its result from the cache (only while the file is still there).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NodeOutputs } from '../protocol/values';
import { NodeUserError } from './api';

/** Refuses to replace an existing `target` unless `overwrite` (naming it `shown` and `param`), then creates its folder. */
export function prepareOutput(target: string, overwrite: boolean, shown: string, param: string): void {
  if (!overwrite && fs.existsSync(target))
    throw new NodeUserError(`${shown} already exists`, 'turn on "Overwrite" or change the name', param);
  fs.mkdirSync(path.dirname(target), { recursive: true });
}

/** What a save node returns on its `file` output. */
interface WrittenFile {
  path: string;
  bytes: number;
}

/** A save node's cached result holds while the file it wrote is still there with the same size. */
export function writtenFileStillThere(outputs: NodeOutputs): boolean {
  const file = outputs.file as Partial<WrittenFile> | undefined;
  if (typeof file?.path !== 'string') return false;
  try {
    return fs.statSync(file.path).size === file.bytes;
  } catch {
    return false;
  }
}
