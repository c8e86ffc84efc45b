/** Tiny random SD 1.5 checkpoints written to a temp folder for the tests of ml/sd (never committed). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinySd15, type TinyOptions } from '../../ml/sd/tiny';

/** A temp folder for one test file. */
export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `loraflow-${tag}-`));
}

/** Writes a tiny checkpoint named `name` in `dir` with `options`; returns its path. */
export function tinyCheckpoint(dir: string, name: string, options: TinyOptions = {}): Promise<string> {
  return writeTinySd15(join(dir, name), options);
}
