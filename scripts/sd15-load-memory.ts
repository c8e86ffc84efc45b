/**
 * `npx tsx scripts/sd15-load-memory.ts [checkpoint]`: reads every weight of an SD 1.5 checkpoint through
 * openSdCheckpoint, one tensor at a time as the graph builders do, and prints the file size, the read rate and the
 * peak resident memory above the start. Without a path it first writes a full-size random F16 model (≈2 GB) to a
 * temp folder (removed after). The loader must never need the whole file in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSdCheckpoint } from '../ml/sd/checkpoint';
import { writeTinySd15 } from '../ml/sd/tiny';
import { SD15_WIDTHS } from '../ml/sd/widths';

const say = (s: string) => process.stdout.write(`${s}\n`);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function main(): Promise<void> {
  let path = process.argv[2];
  let temp: string | undefined;
  if (!path) {
    temp = mkdtempSync(join(tmpdir(), 'sd15-memory-'));
    path = join(temp, 'full-random-f16.safetensors');
    const t0 = Date.now();
    await writeTinySd15(path, { widths: SD15_WIDTHS, dtype: 'F16', extras: false });
    say(`wrote a full-size random F16 SD 1.5 in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  try {
    const base = process.memoryUsage().rss;
    let peak = base;
    const t0 = Date.now();
    const ckpt = openSdCheckpoint(path);
    let largest = 0;
    for (const name of ckpt.names) {
      const t = ckpt.tensor(name);
      largest = Math.max(largest, t.data.byteLength);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    ckpt.close();
    const seconds = (Date.now() - t0) / 1000;
    say(`${path}: ${ckpt.layout} ${ckpt.dtype}, ${ckpt.names.length} weights, file ${mib(ckpt.bytes)}`);
    say(
      `read every weight as float32 in ${seconds.toFixed(1)} s (${(ckpt.bytes / 2 ** 30 / seconds).toFixed(2)} GiB/s)`,
    );
    say(`peak RSS above start: ${mib(peak - base)} (largest float32 tensor ${mib(largest)}; file ${mib(ckpt.bytes)})`);
  } finally {
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
