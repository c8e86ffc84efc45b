/**
 * Test fixtures: a tiny randomly initialised DiT (the shipped weights may not exist yet; the zero-initialised
 * gates get small values so that text and LoRAs can change the output), and a small twemoji style dataset.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { TINY_CONFIG, type DiTConfig } from '../../ml/dit/config';
import { initParams } from '../../ml/dit/params';
import { saveModel } from '../../ml/dit/weights';
import { EXAMPLE_CODEPOINTS, renderExample } from '../../scripts/examples/emoji-examples';

/** Writes a tiny model whose every weight is non-zero (a fresh DiT outputs zeros: nothing to adapt). */
export async function writeTinyModel(file: string, config: DiTConfig = TINY_CONFIG, seed = 2): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  const w = initParams(config, seed);
  for (const data of w.values())
    for (let i = 0; i < data.length; i++) if (data[i] === 0) data[i] = 0.05 * Math.cos(i * 1.7 + seed);
  await saveModel(file, { config, weights: w }, {}, 'F32');
  return file;
}

/** Writes `count` twemoji images (64 px) with their captions into `dir`, as `npm run examples` does. */
export async function writeStyleDataset(dir: string, count = 10): Promise<string> {
  mkdirSync(dir, { recursive: true });
  for (const cp of EXAMPLE_CODEPOINTS.slice(0, count)) {
    const img = await renderExample('twemoji', cp, 64);
    const png = join(dir, `${img.stem}.png`);
    if (!existsSync(png)) writeFileSync(png, img.png);
    writeFileSync(join(dir, `${img.stem}.txt`), `${img.caption}\n`);
  }
  return dir;
}

/** Mean absolute difference of two byte arrays (0-255). */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return s / Math.max(1, a.length);
}
