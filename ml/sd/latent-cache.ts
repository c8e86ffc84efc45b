/**
 * The cache of VAE latents and text embeddings for SD training: the VAE encoder costs about as much as a training
 * step, so each image is encoded once per model. Entries are raw float32 files named by the sha256 of what they
 * depend on (the model's hash, the image's pixels and size, or the caption and clip skip), written atomically, so
 * reruns, resumes and other workflows on the same data share them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../atomic-write';

/** The key of a cache entry: a hash of its parts (strings, or bytes such as pixels). */
export function cacheKey(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? `${p.length}:${p}` : p);
  return h.digest('hex');
}

/** Hit and miss counts of one run, reported in the logs. */
export interface CacheStats {
  hits: number;
  misses: number;
}

/** A folder of float32 arrays by key. */
export class LatentCache {
  readonly stats: CacheStats = { hits: 0, misses: 0 };

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** The cached array of `key`, or `compute()`'s result stored under it. */
  async get(key: string, length: number, compute: () => Promise<Float32Array>): Promise<Float32Array> {
    const file = join(this.dir, `${key}.f32`);
    if (existsSync(file)) {
      const buf = readFileSync(file);
      if (buf.length === length * 4) {
        this.stats.hits++;
        return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
      }
    }
    this.stats.misses++;
    const data = await compute();
    if (data.length !== length) throw new Error(`latent cache: computed ${data.length} values, expected ${length}`);
    writeFileAtomicSync(file, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return data;
  }
}
