/** Resize: the target size by each mode, kohya's buckets, what happens to small images, lanczos quality. */
import { join } from 'node:path';
import sharp from 'sharp';
import { loadImages } from '../../nodes/dataset/load-images';
import { BUILTIN_RESOLUTION, resize } from '../../nodes/dataset/resize';
import { bucketStep, closestBucket, makeBuckets } from '../../nodes/dataset/imaging/buckets';
import type { Dataset } from '../../nodes/dataset/types';
import type { JsonValue } from '../../protocol/values';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { marked, write } from './fixtures';

let ctx: TestNodeContext;
beforeEach(() => (ctx = tempContext('dataset')));
afterEach(() => ctx.cleanup());

async function folderOf(sizes: [number, number][]): Promise<JsonValue> {
  for (const [i, [w, h]] of sizes.entries())
    write(join(ctx.root, 'set', `img${i}.png`), await marked(w, h, { r: 200, g: 100, b: 50 }).png().toBuffer());
  return (await runNode(loadImages, { folder: 'set' }, {}, ctx)).dataset as JsonValue;
}
const run = async (dataset: JsonValue, params: Record<string, unknown>, model?: JsonValue) =>
  (await runNode(resize, params, { dataset, model }, ctx)).dataset as unknown as Dataset;

test("kohya's buckets for 512: 64 px steps, sides 256..1024, area at most 512², as kohya lists them", () => {
  const buckets = makeBuckets(512);
  expect(bucketStep(512)).toBe(64);
  for (const b of buckets) {
    expect((b.width % 64) + (b.height % 64)).toBe(0);
    expect(b.width * b.height).toBeLessThanOrEqual(512 * 512);
    expect(Math.min(b.width, b.height)).toBeGreaterThanOrEqual(256);
  }
  expect(buckets).toContainEqual({ width: 512, height: 512 });
  expect(buckets).toContainEqual({ width: 768, height: 320 });
  expect(buckets).toContainEqual({ width: 1024, height: 256 });
  expect(closestBucket(buckets, 1600, 900)).toEqual({ width: 640, height: 384 });
  expect(closestBucket(buckets, 900, 1600)).toEqual({ width: 384, height: 640 });
  // Tiny resolutions scale the step down so there is more than one bucket.
  expect(bucketStep(BUILTIN_RESOLUTION)).toBe(8);
  expect(makeBuckets(32).length).toBeGreaterThan(3);
});

test('centre crop and pad give square images of the resolution; default resolution is the built-in model’s', async () => {
  const ds = await folderOf([
    [96, 64],
    [64, 128],
  ]);
  const cropped = await run(ds, { mode: 'center-crop' });
  expect(cropped.resolution).toBe(32);
  expect(cropped.items.map((i) => [i.width, i.height, i.sourceWidth, i.sourceHeight])).toEqual([
    [32, 32, 96, 64],
    [32, 32, 64, 128],
  ]);
  const padded = await run(ds, { mode: 'pad', resolution: 64, padColor: '#0000ff' });
  const { data, info } = await sharp(ctx.artifacts.pathOf(padded.items[1]!.image))
    .raw()
    .toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([64, 64]);
  expect([...data.subarray(0, 3)]).toEqual([0, 0, 255]); // the left margin is padding
  const fromModel = await run(ds, {}, { resolution: 48 });
  expect(fromModel.items[0]!.width).toBe(48);
});

test('buckets keep each image’s shape and report the bucket', async () => {
  const ds = await folderOf([
    [1600, 900],
    [600, 600],
    [400, 1200],
  ]);
  const out = await run(ds, { mode: 'buckets', resolution: 256 });
  expect(out.items.map((i) => i.bucket)).toEqual([
    { width: 320, height: 192 },
    { width: 256, height: 256 },
    { width: 128, height: 384 },
  ]);
  for (const item of out.items) {
    const meta = await sharp(ctx.artifacts.pathOf(item.image)).metadata();
    expect([meta.width, meta.height]).toEqual([item.bucket!.width, item.bucket!.height]);
  }
});

test('small images: warn upscales with a warning per image, refuse stops naming them, skip leaves them out', async () => {
  const ds = await folderOf([
    [20, 20],
    [64, 64],
  ]);
  const warned = await run(ds, { resolution: 32, smaller: 'warn' });
  expect(warned.items).toHaveLength(2);
  expect(warned.warnings).toEqual([
    expect.objectContaining({
      file: 'img0.png',
      code: 'small',
      message: expect.stringContaining('img0.png (20x20) is smaller than 32x32'),
    }),
  ]);
  expect(ctx.warnings.at(-1)).toMatch(/1 image\(s\) smaller/);
  await expect(run(ds, { resolution: 32, smaller: 'refuse' })).rejects.toMatchObject({
    param: 'smaller',
    message: expect.stringContaining('img0.png (20x20)'),
  });
  const skipped = await run(ds, { resolution: 32, smaller: 'skip' });
  expect(skipped.items.map((i) => i.id)).toEqual(['img1.png']);
  const upscaled = await run(ds, { resolution: 32, smaller: 'upscale' });
  expect(upscaled.warnings).toEqual([]);
});

test('downscaling keeps detail as lanczos does (a sharp edge stays sharp)', async () => {
  const ds = await folderOf([[256, 256]]);
  const out = await run(ds, { resolution: 64 });
  const { data } = await sharp(ctx.artifacts.pathOf(out.items[0]!.image))
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  // Dark band is the left quarter (16 px at 64): pixel 14 is dark, 17 is bright, with a short transition.
  expect(data[32 * 64 + 14]).toBeLessThan(30);
  expect(data[32 * 64 + 17]).toBeGreaterThan(100);
});
