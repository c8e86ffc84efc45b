/**
 * DatasetReport and SaveDataset on a small real dataset:
 *
 *   LoadImages ──> Caption ──> DatasetReport   (grid, table, advice, failing images)
 *                         └──> SaveDataset     (<folder>/<repeats>_<trigger>/img.png + img.txt)
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { adviseDataset, stepsRange, suggestSteps } from '../../nodes/dataset/advice/advice';
import { caption } from '../../nodes/dataset/caption';
import { datasetReport } from '../../nodes/dataset/dataset-report';
import { loadImages } from '../../nodes/dataset/load-images';
import { saveDataset } from '../../nodes/dataset/save-dataset';
import type { DatasetReport } from '../../nodes/dataset/types';
import type { JsonValue } from '../../protocol/values';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { marked, pattern, write } from './fixtures';

let ctx: TestNodeContext;
beforeEach(() => (ctx = tempContext('dataset')));
afterEach(() => ctx.cleanup());

/** sharp.png, its copy dup.png, blurry.png, dark.png, small.png (64 px), nocap.png without a caption. */
async function qualityDataset(): Promise<JsonValue> {
  const dir = join(ctx.root, 'q');
  const sharpImg = await pattern(520, 520, 7).png().toBuffer();
  write(join(dir, 'sharp.png'), sharpImg);
  write(
    join(dir, 'dup.png'),
    await sharp(sharpImg)
      .resize(512)
      .jpeg({ quality: 80 })
      .toBuffer()
      .then((b) => sharp(b).png().toBuffer()),
  );
  write(join(dir, 'blurry.png'), await pattern(520, 520, 9).blur(8).png().toBuffer());
  write(join(dir, 'dark.png'), await pattern(520, 520, 11).linear(0.3, -10).png().toBuffer());
  write(join(dir, 'small.png'), await pattern(64, 64, 13).png().toBuffer());
  write(join(dir, 'nocap.png'), await marked(520, 520, { r: 30, g: 160, b: 90 }).png().toBuffer());
  for (const n of ['sharp', 'dup', 'blurry', 'dark', 'small']) write(join(dir, `${n}.txt`), `zq_thing, ${n} picture`);
  return (await runNode(loadImages, { folder: 'q' }, {}, ctx)).dataset as JsonValue;
}

test('the report flags each image failing the checklist with its reason, and renders a thumbnail grid', async () => {
  const ds = await qualityDataset();
  const out = await runNode(datasetReport, { loraType: 'style', trigger: 'zq_thing' }, { dataset: ds }, ctx);
  const report = out.report as unknown as DatasetReport;
  const problems = Object.fromEntries(report.rows.map((r) => [r.id, r.problems.map((p) => p.split(':')[0])]));
  expect(problems).toEqual({
    'blurry.png': ['blurry'],
    'dark.png': ['dark'],
    'dup.png': [],
    'nocap.png': ['no caption'],
    'sharp.png': ['near-duplicate of dup.png'],
    'small.png': ['low resolution'],
  });
  expect(report.rows.find((r) => r.id === 'dup.png')!.duplicates).toEqual(['sharp.png']);
  expect(report.rows.find((r) => r.id === 'small.png')!.problems[0]).toBe('low resolution: 64x64 is under 512x512');
  expect(report.rows.find((r) => r.id === 'sharp.png')!.triggerPresent).toBe(true);
  expect(report.rows.find((r) => r.id === 'nocap.png')!.triggerPresent).toBe(false);
  expect(report.failing.map((f) => f.id)).toEqual(['blurry.png', 'dark.png', 'nocap.png', 'sharp.png', 'small.png']);
  const grid = await sharp(ctx.artifacts.pathOf(report.grid)).metadata();
  expect([grid.width, grid.height]).toEqual([6 * 100 + 4, 100 + 4]);
  expect(out.grid).toEqual(report.grid);
  expect(report.advice.countVerdict).toBe('too-few');
  expect(ctx.warnings[0]).toBe(
    'only 6 image(s): a style LoRA needs at least 10 (20-50 recommended; quality matters more than quantity)',
  );
});

test('advice follows the guide: counts per LoRA type, ~100 steps per image within the table, rank', () => {
  expect(adviseDataset('character', 14).countVerdict).toBe('too-few');
  expect(adviseDataset('character', 20).countVerdict).toBe('below-recommended');
  expect(adviseDataset('likeness', 60).countVerdict).toBe('good');
  expect(adviseDataset('object', 41).countVerdict).toBe('more-than-needed');
  expect([10, 20, 50, 100, 400].map(suggestSteps)).toEqual([1000, 2000, 5000, 8000, 8000]);
  expect(stepsRange(20)).toEqual([2000, 2500]);
  expect(stepsRange(35)).toEqual([3000, 3750]);
  expect(adviseDataset('style', 12).rank).toBe(16);
  expect(adviseDataset('character', 40)).toMatchObject({ rank: 32, rankRange: [32, 64] });
  expect(adviseDataset('likeness', 40).learningRate).toBe(0.0001);
});

test('SaveDataset writes the kohya / ai-toolkit layout that LoadImages reads back identically', async () => {
  write(join(ctx.root, 'src', 'a.png'), await marked(40, 40, { r: 200, g: 0, b: 0 }).png().toBuffer());
  write(join(ctx.root, 'src', 'sub', 'a.jpg'), await marked(40, 40, { r: 0, g: 200, b: 0 }).jpeg().toBuffer());
  const loaded = (await runNode(loadImages, { folder: 'src', recursive: true }, {}, ctx)).dataset as JsonValue;
  const captioned = (await runNode(caption, { trigger: 'zq_style', mode: 'keep' }, { dataset: loaded }, ctx))
    .dataset as JsonValue;
  const out = await runNode(saveDataset, { folder: 'out', repeats: 5 }, { dataset: captioned }, ctx);
  const dir = join(ctx.root, 'out', '5_zq_style');
  expect(out.folder).toBe(join(ctx.root, 'out'));
  expect(readdirSync(dir).sort()).toEqual(['a-2.png', 'a-2.txt', 'a.png', 'a.txt']);
  expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('zq_style\n');
  const back = (await runNode(loadImages, { folder: 'out' }, {}, ctx)).dataset as unknown as {
    items: { repeats: number; caption: string }[];
    trigger: string;
  };
  expect(back.trigger).toBe('zq_style');
  expect(back.items.map((i) => [i.repeats, i.caption])).toEqual([
    [5, 'zq_style'],
    [5, 'zq_style'],
  ]);
  expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
});

test('SaveDataset refuses a folder outside the allowed roots', async () => {
  write(join(ctx.root, 'src', 'a.png'), await marked(8, 8, { r: 200, g: 0, b: 0 }).png().toBuffer());
  const loaded = (await runNode(loadImages, { folder: 'src' }, {}, ctx)).dataset as JsonValue;
  await expect(
    runNode(saveDataset, { folder: '/tmp/../etc/loraflow-nope' }, { dataset: loaded }, ctx),
  ).rejects.toMatchObject({ param: 'folder', message: expect.stringContaining('outside the allowed folders') });
  expect(existsSync('/etc/loraflow-nope')).toBe(false);
});
