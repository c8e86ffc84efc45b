/** Tiny random SD 1.5 and SDXL checkpoints written to temp folders for the tests of ml/sd (never committed). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinySd15, type TinyOptions } from '../../ml/sd/tiny';
import { writeTinySdxl, type TinySdxlOptions } from '../../ml/sd/sdxl-tiny';

const made: string[] = [];
// Imported at a test file's top level, so this runs after that file's tests: each checkpoint is tens of MB.
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A temp folder for one test file, removed after its tests. */
export function tempDir(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `loraflow-${tag}-`));
  made.push(dir);
  return dir;
}

/** Writes a tiny checkpoint named `name` in `dir` with `options`; returns its path. */
export function tinyCheckpoint(dir: string, name: string, options: TinyOptions = {}): Promise<string> {
  return writeTinySd15(join(dir, name), options);
}

/** Writes a tiny SDXL base checkpoint named `name` in `dir` with `options`; returns its path. */
export function tinySdxlCheckpoint(dir: string, name: string, options: TinySdxlOptions = {}): Promise<string> {
  return writeTinySdxl(join(dir, name), options);
}
