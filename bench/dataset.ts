/**
 * `npm run bench:dataset`: resize 200 images of 1024 px to 512 px with the Resize node's code and with Pillow
 * (Debian's python3-pil, lanczos) in the same run, on the same PNG files, writing PNG at the same zlib level.
 * Prints images/second and the ratio. Pillow runs as a plain script (one process) and with a process per core.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { NodeContext } from '../nodes/api';
import { resize } from '../nodes/dataset/resize';
import type { DatasetItem } from '../nodes/dataset/types';
import { STORE_PNG } from '../nodes/dataset/imaging/decode';
import type { JsonValue } from '../protocol/values';
import { createArtifactStore } from '../server/engine/artifacts';
import { createPathPolicy } from '../server/engine/paths';

const COUNT = 200;
const SIZE = 1024;
const TARGET = 512;

const PILLOW = `
import json, sys, time
from multiprocessing import Pool
from PIL import Image
def one(job):
    src, dst = job
    im = Image.open(src).convert('RGB')
    w, h = im.size
    s = max(${TARGET} / w, ${TARGET} / h)
    im = im.resize((round(w * s), round(h * s)), Image.LANCZOS)
    l, t = (im.width - ${TARGET}) // 2, (im.height - ${TARGET}) // 2
    im.crop((l, t, l + ${TARGET}, t + ${TARGET})).save(dst, compress_level=${STORE_PNG.compressionLevel})
jobs = [(p, f'{sys.argv[2]}/{i}.png') for i, p in enumerate(json.load(open(sys.argv[1])))]
t = time.perf_counter(); [one(j) for j in jobs]; single = time.perf_counter() - t
t = time.perf_counter()
with Pool(${availableParallelism()}) as pool: pool.map(one, jobs)
multi = time.perf_counter() - t
print(json.dumps({'single': single, 'multi': multi, 'version': Image.__version__}))
`;

/** Photo-like test images: an emoji-sized shape field plus grain, different per index. */
async function makeImage(i: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}"><rect width="100%" height="100%" fill="hsl(${(i * 37) % 360},40%,60%)"/>
    <circle cx="${300 + (i % 7) * 60}" cy="${400 + (i % 5) * 50}" r="${180 + (i % 9) * 10}" fill="hsl(${(i * 71) % 360},70%,45%)"/>
    <rect x="${500 - (i % 4) * 40}" y="120" width="380" height="260" rx="40" fill="hsl(${(i * 13) % 360},60%,30%)"/></svg>`;
  const grain = await sharp({
    create: {
      width: SIZE,
      height: SIZE,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 12 },
    },
  })
    .png()
    .toBuffer();
  return sharp(Buffer.from(svg))
    .composite([{ input: grain, blend: 'overlay' }])
    .removeAlpha()
    .png(STORE_PNG)
    .toBuffer();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loraflow-bench-dataset-'));
  try {
    const artifacts = createArtifactStore(join(dir, 'artifacts'));
    process.stdout.write(`making ${COUNT} images of ${SIZE}x${SIZE}...\n`);
    const items: DatasetItem[] = [];
    for (let i = 0; i < COUNT; i++) {
      const image = await artifacts.put(await makeImage(i), 'image/png', `img${i}.png`);
      items.push({
        id: `img${i}.png`,
        source: `img${i}.png`,
        width: SIZE,
        height: SIZE,
        caption: '',
        captionSource: 'none',
        hash: image.$artifact,
        repeats: 1,
        image,
      });
    }
    const ctx: NodeContext = {
      runId: 'bench',
      nodeId: 'resize',
      signal: new AbortController().signal,
      workDir: join(dir, 'work'),
      stateDir: (k) => join(dir, 'state', k),
      inputsKey: '',
      artifacts,
      paths: createPathPolicy([dir]),
      device: 'cpu',
      progress: () => undefined,
      preview: () => undefined,
      checkpoint: () => undefined,
      sample: () => undefined,
      log: () => undefined,
      warn: () => undefined,
    };
    const dataset = { items, warnings: [] } as unknown as JsonValue;
    const t0 = performance.now();
    await resize.execute(
      { dataset },
      { resolution: TARGET, mode: 'center-crop', smaller: 'warn', padColor: '#ffffff' },
      ctx,
    );
    const ours = (performance.now() - t0) / 1000;

    const list = join(dir, 'list.json');
    writeFileSync(list, JSON.stringify(items.map((it) => artifacts.pathOf(it.image))));
    const outDir = join(dir, 'pillow');
    mkdirSync(outDir);
    let pillow: { single: number; multi: number; version: string };
    try {
      pillow = JSON.parse(
        execFileSync('/usr/bin/python3', ['-c', PILLOW, list, outDir], { encoding: 'utf8' }),
      ) as typeof pillow;
    } catch (err) {
      process.stdout.write(
        `loraflow Resize: ${(COUNT / ours).toFixed(1)} images/s; Pillow could not run (apt-get install -y python3-pil): ${String(err).split('\n')[0]}\n`,
      );
      return;
    }
    const rate = (s: number) => COUNT / s;
    process.stdout.write(
      `${COUNT} images ${SIZE}px -> ${TARGET}px (lanczos3, PNG zlib level ${STORE_PNG.compressionLevel}), ${availableParallelism()} cores\n`,
    );
    process.stdout.write(
      `  loraflow Resize node (sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}):  ${rate(ours).toFixed(1)} images/s\n`,
    );
    process.stdout.write(
      `  Pillow ${pillow.version}, one process:  ${rate(pillow.single).toFixed(1)} images/s  -> ratio ${(pillow.single / ours).toFixed(2)}x\n`,
    );
    process.stdout.write(
      `  Pillow ${pillow.version}, ${availableParallelism()} processes:  ${rate(pillow.multi).toFixed(1)} images/s  -> ratio ${(pillow.multi / ours).toFixed(2)}x\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:dataset failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
