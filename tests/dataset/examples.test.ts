/** The example broken dataset (`npm run examples`) through LoadImages and DatasetReport: every problem is named. */
import { join } from 'node:path';
import { datasetReport } from '../../nodes/dataset/dataset-report';
import { loadImages } from '../../nodes/dataset/load-images';
import type { Dataset, DatasetReport } from '../../nodes/dataset/types';
import type { JsonValue } from '../../protocol/values';
import { brokenDatasetFiles } from '../../scripts/examples/emoji-examples';
import { runNode, tempContext } from '../support/node-context';
import { write } from './fixtures';

test('the broken example dataset: each bad file skipped with its reason, the report flags the duplicate and the tiny image', async () => {
  const ctx = tempContext('dataset');
  try {
    for (const [name, data] of await brokenDatasetFiles('twemoji')) write(join(ctx.root, 'broken-dataset', name), data);
    const dataset = (await runNode(loadImages, { folder: 'broken-dataset' }, {}, ctx)).dataset as JsonValue;
    const ds = dataset as unknown as Dataset;
    expect(ds.warnings.map((w) => [w.file, w.code])).toEqual([
      ['latin1_caption.png', 'caption-encoding'],
      ['text_named_png.png', 'not-image'],
      ['truncated.png', 'truncated'],
      ['zero_byte.png', 'zero-byte'],
    ]);
    const report = (await runNode(datasetReport, { loraType: 'style', minResolution: 64 }, { dataset }, ctx))
      .report as unknown as DatasetReport;
    const reasons = Object.fromEntries(report.failing.map((f) => [f.id, f.reasons.map((r) => r.split(':')[0])]));
    expect(reasons).toEqual({
      'no_caption.png': ['no caption'],
      'red_apple.png': ['near-duplicate of duplicate_of_red_apple.png'],
      'tiny.png': ['low resolution'],
    });
    expect(report.warnings).toHaveLength(4);
  } finally {
    ctx.cleanup();
  }
});
