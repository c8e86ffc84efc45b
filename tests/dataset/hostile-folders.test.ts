/**
 * Hostile dataset folders, made for real: a FIFO named pipe.png, a folder named fake.png, sparse multi-gigabyte
 * files, captions that lead outside, a `<repeats>_<name>` folder that links outside, a tagger whose model links
 * outside. Each is named with its reason (or refused naming the parameter), nothing hangs, nothing leaks.
 *
 *   dataDir/
 *   ├── root/        <- the allowed root
 *   └── outside/     <- must never be read or written
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { caption } from '../../nodes/dataset/caption';
import { abortable } from '../../nodes/dataset/imaging/pool';
import { loadImages } from '../../nodes/dataset/load-images';
import { saveDataset } from '../../nodes/dataset/save-dataset';
import type { Dataset } from '../../nodes/dataset/types';
import type { JsonValue } from '../../protocol/values';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { marked, write } from './fixtures';
import { writeTestTagger } from './tagger-model';

const SECRET = 'TOP SECRET: outside the allowed folders';
let ctx: TestNodeContext;
let outside: string;
beforeEach(() => {
  ctx = tempContext('hostile');
  outside = join(ctx.dataDir, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), SECRET);
});
afterEach(() => ctx.cleanup());

const load = async (params: Parameters<typeof runNode<Parameters<typeof loadImages.execute>[1]>>[1]) =>
  (await runNode(loadImages, params, {}, ctx)).dataset as unknown as Dataset;
const png = () => marked(16, 16, { r: 200, g: 10, b: 10 }).png().toBuffer();

test('a FIFO named pipe.png (and one named like a caption) is listed with its reason and never opened', async () => {
  const dir = join(ctx.root, 'pipes');
  write(join(dir, 'a.png'), await png());
  execFileSync('mkfifo', [join(dir, 'pipe.png'), join(dir, 'a.txt')]);
  const started = Date.now();
  const ds = await load({ folder: 'pipes' });
  expect(Date.now() - started).toBeLessThan(5000); // before: blocked until something wrote to the pipe
  expect(ds.items.map((i) => [i.id, i.caption])).toEqual([['a.png', '']]);
  expect(ds.warnings.map((w) => w.message)).toEqual([
    'a.png: its caption a.txt is a named pipe (FIFO); not read',
    'pipe.png: it is a named pipe (FIFO), not an image file; not opened',
  ]);
});

test('a folder named fake.png is reported by name, with what to do', async () => {
  write(join(ctx.root, 'odd', 'real.png'), await png());
  mkdirSync(join(ctx.root, 'odd', 'fake.png'));
  const ds = await load({ folder: 'odd' });
  expect(ds.items.map((i) => i.id)).toEqual(['real.png']);
  expect(ds.warnings).toEqual([
    expect.objectContaining({ file: 'fake.png', code: 'not-a-file', message: expect.stringContaining('is a folder') }),
  ]);
});

test('huge sparse files are refused by size or by header without being read into memory', async () => {
  const dir = join(ctx.root, 'huge');
  write(join(dir, 'ok.png'), await png());
  for (const [name, bytes] of [
    ['giant.tiff', 3e9], // over what a 100-megapixel image can take: refused before a byte is read
    ['zeros.png', 6e8], // under that: the header is read (not the file), and it is no image
  ] as const) {
    closeSync(openSync(join(dir, name), 'w'));
    truncateSync(join(dir, name), bytes);
  }
  const before = process.memoryUsage().rss;
  const ds = await load({ folder: 'huge' });
  const grew = process.memoryUsage().rss - before;
  expect(ds.items.map((i) => i.id)).toEqual(['ok.png']);
  expect(ds.warnings.map((w) => [w.file, w.code])).toEqual([
    ['giant.tiff', 'too-large'],
    ['zeros.png', 'not-image'],
  ]);
  expect(ds.warnings[0]!.message).toMatch(/giant\.tiff: the file is 3000 MB, more than an image under the pixel limit/);
  expect(grew).toBeLessThan(200e6); // before: the whole 600 MB (and 3 GB) were read
});

test('an upload’s caption cannot be steered outside by the caption extension, nor read through a link', async () => {
  write(join(ctx.root, 'uploads', 'up.png'), await png());
  await expect(
    load({ uploads: ['uploads/up.png'], captionExtension: '.x/../../../outside/secret.txt' }),
  ).rejects.toMatchObject({ param: 'captionExtension', message: expect.stringContaining('path separator') });
  symlinkSync(join(outside, 'secret.txt'), join(ctx.root, 'uploads', 'up.txt'));
  const ds = await load({ uploads: ['uploads/up.png'] });
  expect(ds.items.map((i) => [i.id, i.caption])).toEqual([['uploads/up.png', '']]);
  expect(ds.warnings[0]!.message).toMatch(/^uploads\/up\.png: its caption up\.txt is a link to a place outside/);
  expect(JSON.stringify(ds)).not.toContain(SECRET);
});

test('a read blocked in I/O stops when the run is cancelled', async () => {
  const fifo = join(ctx.root, 'blocking');
  execFileSync('mkfifo', [fifo]);
  const controller = new AbortController();
  const read = readFile(fifo); // blocks a libuv thread until a writer opens the pipe
  const started = Date.now();
  setTimeout(() => controller.abort(), 100);
  const outcome = await Promise.race([
    abortable(read, controller.signal).then(
      () => 'read',
      (e: Error) => e.name,
    ),
    new Promise((r) => setTimeout(() => r('still blocked after 3 s'), 3000)),
  ]);
  const took = Date.now() - started;
  closeSync(openSync(fifo, 'w')); // release the abandoned read (a blocked pool thread would hold the exit)
  await read;
  expect([outcome, took < 2000]).toEqual(['AbortError', true]);
});

test('SaveDataset refuses a <repeats>_<name> folder that links outside, naming the parameter', async () => {
  write(join(ctx.root, 'src', 'a.png'), await png());
  const loaded = (await runNode(loadImages, { folder: 'src' }, {}, ctx)).dataset as JsonValue;
  mkdirSync(join(ctx.root, 'out'));
  symlinkSync(outside, join(ctx.root, 'out', '1_evil'));
  await expect(runNode(saveDataset, { folder: 'out', name: 'evil' }, { dataset: loaded }, ctx)).rejects.toMatchObject({
    param: 'name',
    message: expect.stringContaining('outside the allowed folders'),
  });
  expect(readdirSync(outside)).toEqual(['secret.txt']); // before: a.png and a.txt were written there
});

test('the Caption tagger is not opened through a model file that links outside', async () => {
  write(join(ctx.root, 'src', 'a.png'), await png());
  const loaded = (await runNode(loadImages, { folder: 'src' }, {}, ctx)).dataset as JsonValue;
  writeTestTagger(join(outside, 'tagger'));
  const tagger = join(ctx.root, 'tagger');
  mkdirSync(tagger);
  symlinkSync(join(outside, 'tagger', 'model.onnx'), join(tagger, 'model.onnx'));
  symlinkSync(join(outside, 'tagger', 'selected_tags.csv'), join(tagger, 'selected_tags.csv'));
  await expect(
    runNode(caption, { tagger: 'tagger', mode: 'overwrite' }, { dataset: loaded }, ctx),
  ).rejects.toMatchObject({ param: 'tagger', message: expect.stringContaining('outside the allowed folders') });
  const fingerprint = await caption.fingerprint!(
    { ...caption.schema.params.reduce((a, p) => ({ ...a, [p.name]: p.default }), {}), tagger: 'tagger' } as never,
    ctx,
  );
  expect(fingerprint).toMatch(/^unresolvable:/);
});
