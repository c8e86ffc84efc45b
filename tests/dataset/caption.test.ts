/** Caption: modes, trigger templates and warnings, model-family styles, WD14 tagging, edits that win. */
import { join } from 'node:path';
import { caption } from '../../nodes/dataset/caption';
import { parseEdits, formatEdits } from '../../nodes/dataset/captions/edits';
import { formatCaption } from '../../nodes/dataset/captions/style';
import { genericTriggerReason } from '../../nodes/dataset/captions/trigger';
import { loadImages } from '../../nodes/dataset/load-images';
import { loadTagger, selectTags, tagProbabilities } from '../../nodes/dataset/tagger/wd14';
import type { Dataset } from '../../nodes/dataset/types';
import type { JsonValue } from '../../protocol/values';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { marked, write } from './fixtures';
import { writeTestTagger } from './tagger-model';

let ctx: TestNodeContext;
beforeEach(() => (ctx = tempContext('dataset')));
afterEach(() => ctx.cleanup());

const RED = { r: 230, g: 20, b: 20 };
const BLUE = { r: 20, g: 20, b: 230 };

/** red.png has a caption file, blue.png has none. */
async function twoImages(): Promise<JsonValue> {
  const dir = join(ctx.root, 'set');
  write(join(dir, 'red.png'), await marked(40, 40, RED).png().toBuffer());
  write(join(dir, 'red.txt'), 'a red square, plain background');
  write(join(dir, 'blue.png'), await marked(40, 40, BLUE).png().toBuffer());
  return (await runNode(loadImages, { folder: 'set' }, {}, ctx)).dataset as JsonValue;
}
const run = async (dataset: JsonValue, params: Record<string, unknown>) =>
  (await runNode(caption, params, { dataset }, ctx)).dataset as unknown as Dataset;
const captions = (ds: Dataset) => ds.items.map((i) => [i.id, i.caption, i.captionSource]);

test('the WD14 tagger loads, reads BGR input, and applies general and character thresholds', async () => {
  const folder = writeTestTagger(join(ctx.root, 'tagger'));
  const tagger = await loadTagger(folder);
  expect(tagger.size).toBe(448);
  const ds = (await twoImages()) as unknown as Dataset;
  const probs = await tagProbabilities(tagger, ctx.artifacts.pathOf(ds.items[1]!.image)); // red.png
  const t = { general: 0.35, character: 0.85, includeRating: false };
  expect(selectTags(probs, tagger.tags, t)).toEqual(['red theme', 'borderline']);
  expect(selectTags(probs, tagger.tags, { ...t, general: 0.6 })).toEqual(['red theme']);
  expect(selectTags(probs, tagger.tags, { ...t, character: 0.8 })).toEqual(['hatsune miku', 'red theme', 'borderline']);
  expect(selectTags(probs, tagger.tags, { ...t, general: 0.6, includeRating: true })).toEqual(['red theme', 'general']);
  const blue = await tagProbabilities(tagger, ctx.artifacts.pathOf(ds.items[0]!.image));
  expect(selectTags(blue, tagger.tags, { ...t, general: 0.6 })).toEqual(['blue theme']);
});

test('fill-missing tags only images without a caption; overwrite tags all; keep tags none', async () => {
  const tagger = writeTestTagger(join(ctx.root, 'tagger'));
  const ds = await twoImages();
  const base = { tagger: 'tagger', generalThreshold: 0.6, trigger: 'zq_style' };
  expect(captions(await run(ds, { ...base, mode: 'fill-missing' }))).toEqual([
    ['blue.png', 'zq_style, blue theme', 'auto'],
    ['red.png', 'zq_style, a red square, plain background', 'file'],
  ]);
  expect(captions(await run(ds, { ...base, mode: 'overwrite' }))).toEqual([
    ['blue.png', 'zq_style, blue theme', 'auto'],
    ['red.png', 'zq_style, red theme', 'auto'],
  ]);
  expect(captions(await run(ds, { ...base, mode: 'keep' }))).toEqual([
    ['blue.png', 'zq_style', 'template'],
    ['red.png', 'zq_style, a red square, plain background', 'file'],
  ]);
  expect(tagger).toContain('tagger');
});

test('templates place the trigger ({trigger} or ai-toolkit [trigger]) once, and warn when it is generic or missing', async () => {
  const ds = await twoImages();
  const out = await run(ds, { mode: 'keep', trigger: 'xyz_style', template: '[trigger] art of {caption}' });
  expect(captions(out)[1]).toEqual(['red.png', 'xyz_style art of a red square, plain background', 'file']);
  expect(out.trigger).toBe('xyz_style');
  const generic = await run(ds, { mode: 'keep', trigger: 'style', template: '{caption}' });
  expect(generic.warnings.map((w) => w.code)).toEqual(['generic-trigger', 'trigger-missing']);
  expect(generic.warnings[1]!.message).toBe('the trigger word "style" is missing from 2 caption(s): blue.png, red.png');
  expect(ctx.warnings.some((w) => w.includes('"style" is a plain English word'))).toBe(true);
});

test('generic trigger words are plain dictionary words; distinctive ones pass', () => {
  expect(genericTriggerReason('style')).toMatch(/plain English word/);
  expect(genericTriggerReason('Dogs')).toMatch(/plain English word/);
  expect(genericTriggerReason('red dragon')).toMatch(/only of plain English words/);
  expect(genericTriggerReason('xyz_style')).toBeUndefined();
  expect(genericTriggerReason('sks_person')).toBeUndefined();
});

test('captions are formatted in the style each model family expects (the guide’s table)', () => {
  const tags = 'digital art, landscape, mountains, sunset, vibrant colors';
  expect(formatCaption(tags, 'sd15')).toBe('digital art, landscape, mountains, sunset, vibrant colors');
  expect(
    formatCaption('A beautiful mountain landscape at sunset, with vibrant orange and purple colors.', 'sd15'),
  ).toBe('beautiful mountain landscape at sunset, vibrant orange, purple colors');
  expect(formatCaption('Digital painting of mountains at sunset, Vibrant colors, detailed', 'sdxl')).toBe(
    'Digital painting of mountains at sunset, vibrant colors, detailed',
  );
  expect(formatCaption(tags, 'flux')).toBe('A digital art, with landscape, mountains, sunset and vibrant colors.');
  expect(formatCaption('mountain landscape, sunset', 'flux')).toBe('A mountain landscape, with sunset.');
  expect(formatCaption('Grinning face with big eyes', 'builtin')).toBe('grinning face with big eyes');
  expect(formatCaption('a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r', 'builtin').split(' ')).toHaveLength(16);
  expect(formatCaption('kept exactly, As Is.', 'as-is')).toBe('kept exactly, As Is.');
});

test('edits override automatic and file captions, match by file name, and unmatched edits are reported', async () => {
  writeTestTagger(join(ctx.root, 'tagger'));
  const ds = await twoImages();
  const edits = 'blue.png: [trigger] a hand-written caption\nred: mine too\nmissing.png: nobody';
  const out = await run(ds, { tagger: 'tagger', mode: 'overwrite', trigger: 'zq_style', edits });
  expect(captions(out)).toEqual([
    ['blue.png', 'zq_style a hand-written caption', 'edit'],
    ['red.png', 'mine too', 'edit'],
  ]);
  expect(out.warnings.map((w) => w.message)).toContain('the caption edit for "missing.png" matches no image');
  await expect(run(ds, { edits: 'no colon here' })).rejects.toMatchObject({
    param: 'edits',
    message: expect.stringContaining('line 1'),
  });
  expect(parseEdits('{"a.png": "x"}').get('a.png')).toBe('x');
  expect(formatEdits(parseEdits('b.png: two\na.png: one'))).toBe('a.png: one\nb.png: two');
});

test('a tagger folder without its files is a clear error on the parameter', async () => {
  write(join(ctx.root, 'notagger', 'model.onnx'), 'x');
  const ds = await twoImages();
  await expect(run(ds, { tagger: 'notagger', mode: 'overwrite' })).rejects.toMatchObject({
    param: 'tagger',
    message: expect.stringContaining('selected_tags.csv'),
  });
});
