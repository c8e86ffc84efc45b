/**
 * QA S6-F13: caption files with a NUL, a bidi override or a megabyte of tags passed DatasetReport without a word,
 * although parameters refuse those characters and caption files are what trains. The report now lists them per
 * image, as it lists blur and duplicates:
 *
 *   LoadImages (ok, nul, bidi, long: each a picture and its caption file) ──> DatasetReport
 */
import { join } from 'node:path';
import { datasetReport } from '../../nodes/dataset/dataset-report';
import { loadImages } from '../../nodes/dataset/load-images';
import type { DatasetReport } from '../../nodes/dataset/types';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';
import { pattern, write } from './fixtures';

let ctx: TestNodeContext;
beforeEach(() => (ctx = tempContext('caption-text')));
afterEach(() => ctx.cleanup());

test('invisible characters and captions beyond what SD reads are problems of their image; plain ones are not', async () => {
  const captions: Record<string, string> = {
    ok: 'zq_thing, a picture of a thing,\nwith a second line',
    nul: 'zq_thing, cap\u0000with nul',
    bidi: 'zq_thing \u202Ereversed caption',
    long: `zq_thing, ${'tag, '.repeat(200_000)}`,
  };
  for (const [i, [name, text]] of Object.entries(captions).entries()) {
    write(
      join(ctx.root, 'w', `${name}.png`),
      await pattern(520, 520, 3 + 4 * i)
        .png()
        .toBuffer(),
    );
    write(join(ctx.root, 'w', `${name}.txt`), text);
  }
  const ds = (await runNode(loadImages, { folder: 'w' }, {}, ctx)).dataset!;
  const out = await runNode(datasetReport, { loraType: 'style', trigger: 'zq_thing' }, { dataset: ds }, ctx);
  const rows = new Map((out.report as unknown as DatasetReport).rows.map((r) => [r.id, r.problems.join('\n')]));
  expect(rows.get('nul.png')).toMatch(/caption holds the invisible character U\+0000/);
  expect(rows.get('bidi.png')).toMatch(/caption holds the invisible character U\+202E/);
  expect(rows.get('long.png')).toMatch(/caption is well over 225 CLIP tokens: SD's text encoder reads 225 at most/);
  expect(rows.get('ok.png')).not.toMatch(/caption (holds|is)/);
});
