/** LoadImages on real folders: every format, kohya layouts, broken files named with their reasons, path safety. */
import { symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadImages } from '../../nodes/dataset/load-images';
import type { Dataset } from '../../nodes/dataset/types';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { marked, write, writeBrokenFiles, writeFormatZoo } from './fixtures';

let ctx: TestNodeContext;
beforeEach(() => {
  ctx = tempContext('dataset');
});
afterEach(() => ctx.cleanup());

const load = async (params: Parameters<typeof runNode<Parameters<typeof loadImages.execute>[1]>>[1]) =>
  (await runNode(loadImages, params, {}, ctx)).dataset as unknown as Dataset;

test('every supported format loads as 8-bit sRGB RGB, EXIF rotation applied, alpha flattened on the chosen colour', async () => {
  await writeFormatZoo(join(ctx.root, 'zoo'));
  const ds = await load({ folder: 'zoo', background: '#00ff00' });
  expect(ds.items.map((i) => i.id)).toEqual([
    'a_jpg.jpg',
    'b_jpeg.jpeg',
    'c_png.png',
    'd_webp.webp',
    'e_gif.gif',
    'f_tiff.tiff',
    'g_avif.avif',
    'h_exif.jpg',
    'i_cmyk.jpg',
    'j_16bit.png',
    'k_grey.png',
    'l_alpha.png',
  ]);
  expect(ds.warnings).toEqual([]);
  for (const item of ds.items) {
    const meta = await sharp(ctx.artifacts.pathOf(item.image)).metadata();
    expect([item.id, meta.format, meta.channels, meta.depth, meta.space]).toEqual([item.id, 'png', 3, 'uchar', 'srgb']);
  }
  const exif = ds.items.find((i) => i.id === 'h_exif.jpg')!;
  expect([exif.width, exif.height]).toEqual([16, 32]);
  // The dark band was on the left; after a 90° clockwise turn it is at the top.
  const { data } = await sharp(ctx.artifacts.pathOf(exif.image)).raw().toBuffer({ resolveWithObject: true });
  expect(data[0]).toBeLessThan(40);
  expect(data[(31 * 16 + 8) * 3]).toBeGreaterThan(150);
  const alpha = ds.items.find((i) => i.id === 'l_alpha.png')!;
  const px = (await sharp(ctx.artifacts.pathOf(alpha.image)).raw().toBuffer()).subarray(0, 3);
  expect([...px]).toEqual([0, 255, 0]);
});

test('captions pair by name, kohya <repeats>_<name> folders set repeats and the trigger word', async () => {
  const dir = join(ctx.root, 'kohya');
  write(join(dir, '10_xyz_style', 'one.png'), await marked(16, 16, { r: 1, g: 2, b: 3 }).png().toBuffer());
  write(join(dir, '10_xyz_style', 'one.txt'), '\uFEFFxyz_style, a red apple\n');
  write(join(dir, '10_xyz_style', 'two.png'), await marked(16, 16, { r: 9, g: 2, b: 3 }).png().toBuffer());
  write(join(dir, '10_xyz_style', 'two.caption'), 'only with .caption');
  const ds = await load({ folder: 'kohya' });
  expect(ds.trigger).toBe('xyz_style');
  expect(ds.items.map((i) => [i.id, i.repeats, i.caption, i.captionSource])).toEqual([
    ['10_xyz_style/one.png', 10, 'xyz_style, a red apple', 'file'],
    ['10_xyz_style/two.png', 10, '', 'none'],
  ]);
  const withCaptionExt = await load({ folder: 'kohya', captionExtension: 'caption' });
  expect(withCaptionExt.items[1]!.caption).toBe('only with .caption');
});

test('plain subfolders are read only when asked to', async () => {
  const dir = join(ctx.root, 'nested');
  write(join(dir, 'top.png'), await marked(8, 8, { r: 1, g: 2, b: 3 }).png().toBuffer());
  write(join(dir, 'sub', 'deep.png'), await marked(8, 8, { r: 4, g: 2, b: 3 }).png().toBuffer());
  expect((await load({ folder: 'nested' })).items.map((i) => i.id)).toEqual(['top.png']);
  expect((await load({ folder: 'nested', recursive: true })).items.map((i) => i.id)).toEqual([
    'sub/deep.png',
    'top.png',
  ]);
});

test('each broken file is listed by name with its reason and skipped; the good ones still load', async () => {
  const dir = join(ctx.root, 'broken');
  await writeBrokenFiles(dir);
  write(join(dir, 'good.png'), await marked(16, 16, { r: 1, g: 2, b: 3 }).png().toBuffer());
  const ds = await load({ folder: 'broken' });
  expect(ds.items.map((i) => i.id)).toEqual(['good.png']);
  const byFile = Object.fromEntries(ds.warnings.map((w) => [w.file, w.code]));
  expect(byFile).toEqual({
    'empty.png': 'zero-byte',
    'latin1.png': 'caption-encoding',
    'notes.png': 'not-image',
    'truncated.jpg': 'truncated',
    'truncated.png': 'truncated',
  });
  expect(ds.warnings.find((w) => w.file === 'latin1.png')!.message).toMatch(/latin1\.txt is not UTF-8/);
  expect(ds.warnings.find((w) => w.file === 'notes.png')!.message).toMatch(/not an image file \(it contains text\)/);
  expect(ctx.warnings).toHaveLength(5);
  for (const w of ds.warnings) expect(w.message).not.toMatch(/\bat .*\.(js|ts):\d+/);
});

test('onBadFile=fail stops with one error naming every bad file', async () => {
  const dir = join(ctx.root, 'broken');
  await writeBrokenFiles(dir);
  await expect(load({ folder: 'broken', onBadFile: 'fail' })).rejects.toMatchObject({
    name: 'NodeUserError',
    param: 'onBadFile',
    message: expect.stringMatching(/5 unusable.*empty\.png: the file is empty.*truncated\.png: the file is truncated/s),
  });
});

test('an image over the pixel limit is refused as a possible decompression bomb', async () => {
  write(join(ctx.root, 'big', 'huge.png'), await marked(400, 300, { r: 1, g: 2, b: 3 }).png().toBuffer());
  write(join(ctx.root, 'big', 'ok.png'), await marked(10, 10, { r: 1, g: 2, b: 3 }).png().toBuffer());
  const ds = await load({ folder: 'big', maxMegapixels: 0.1 });
  expect(ds.items.map((i) => i.id)).toEqual(['ok.png']);
  expect(ds.warnings[0]).toMatchObject({
    file: 'huge.png',
    code: 'too-many-pixels',
    message: expect.stringContaining('400x300 is 120,000 pixels'),
  });
});

test('a folder or file linking outside the allowed root is refused, naming the parameter', async () => {
  const outside = tempContext('dataset');
  try {
    const secretDir = join(outside.root, 'secret');
    write(join(secretDir, 'private.png'), await marked(8, 8, { r: 1, g: 2, b: 3 }).png().toBuffer());
    symlinkSync(secretDir, join(ctx.root, 'linked-folder'));
    await expect(load({ folder: 'linked-folder' })).rejects.toMatchObject({
      param: 'folder',
      message: expect.stringMatching(/folder.*outside the allowed folders/),
    });
    const dir = join(ctx.root, 'mixed');
    write(join(dir, 'mine.png'), await marked(8, 8, { r: 1, g: 2, b: 3 }).png().toBuffer());
    symlinkSync(join(secretDir, 'private.png'), join(dir, 'sneaky.png'));
    const ds = await load({ folder: 'mixed' });
    expect(ds.items.map((i) => i.id)).toEqual(['mine.png']);
    expect(ds.warnings[0]).toMatchObject({
      file: 'sneaky.png',
      code: 'outside-root',
      message: expect.stringContaining('outside the allowed folders'),
    });
    await expect(load({ folder: '', uploads: [join(secretDir, 'private.png')] })).rejects.toMatchObject({
      param: 'uploads',
    });
  } finally {
    outside.cleanup();
  }
});

test('uploaded images load beside a folder, with their captions', async () => {
  write(join(ctx.root, 'uploads', 'up.webp'), await marked(12, 12, { r: 1, g: 2, b: 3 }).webp().toBuffer());
  write(join(ctx.root, 'uploads', 'up.txt'), 'an uploaded image');
  const ds = await load({ uploads: ['uploads/up.webp'] });
  expect(ds.items.map((i) => [i.id, i.caption])).toEqual([['uploads/up.webp', 'an uploaded image']]);
});

test('the fingerprint changes when a file is added or edited and not otherwise; pixels are stored once', async () => {
  const dir = join(ctx.root, 'fp');
  const png = await marked(8, 8, { r: 1, g: 2, b: 3 }).png().toBuffer();
  write(join(dir, 'a.png'), png);
  const fp = () =>
    loadImages.fingerprint!(
      {
        folder: 'fp',
        uploads: [],
        recursive: false,
        captionExtension: '.txt',
        background: '#fff',
        maxMegapixels: 100,
        onBadFile: 'skip',
      },
      ctx,
    );
  const first = await fp();
  expect(await fp()).toBe(first);
  write(join(dir, 'b.png'), png);
  const second = await fp();
  expect(second).not.toBe(first);
  writeFileSync(join(dir, 'b.txt'), 'caption');
  utimesSync(join(dir, 'b.txt'), new Date(), new Date(Date.now() + 5000));
  expect(await fp()).not.toBe(second);
  const ds = await load({ folder: 'fp' });
  expect(ds.items[0]!.image.$artifact).toBe(ds.items[1]!.image.$artifact);
  expect(ds.items[0]!.hash).toBe(ds.items[1]!.hash);
});

test('an empty folder is an error that explains the expected layout', async () => {
  write(join(ctx.root, 'empty', 'readme.md'), 'nothing here');
  await expect(load({ folder: 'empty' })).rejects.toMatchObject({
    param: 'folder',
    message: expect.stringContaining('no usable images'),
  });
});
