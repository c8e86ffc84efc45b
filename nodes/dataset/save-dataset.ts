/** SaveDataset: writes images and .txt captions as `<folder>/<repeats>_<name>/` so kohya and ai-toolkit can train on them. */
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { replaceAtomically, writeFileAtomic } from '../../ml/atomic-write';
import { defineNode, NodeUserError } from '../api';
import { datasetValue, readDataset } from './dataset-value';
import { errorText } from './imaging/scan';

type SaveParams = { folder: string; name: string; repeats: number };

export const saveDataset = defineNode<SaveParams>({
  schema: {
    type: 'SaveDataset',
    version: 2,
    category: 'dataset',
    title: 'Save dataset',
    description:
      'Writes the prepared images (PNG) and .txt captions into `<folder>/<repeats>_<name>/`, the layout kohya sd-scripts and ai-toolkit read.',
    inputs: [{ name: 'dataset', type: 'DATASET' }],
    outputs: [
      {
        name: 'folder',
        type: 'STRING',
        tooltip: 'The folder written (one `<repeats>_<name>` folder per repeat count inside it).',
      },
      { name: 'dataset', type: 'DATASET', tooltip: 'The same dataset, its sources pointing at the saved files.' },
    ],
    params: [
      {
        name: 'folder',
        kind: 'path',
        pathKind: 'folder',
        access: 'write',
        default: 'datasets/prepared',
        label: 'Folder',
      },
      {
        name: 'name',
        kind: 'string',
        pathPart: 'name',
        default: '',
        optional: true,
        label: 'Name',
        tooltip: 'The `<name>` part of `<repeats>_<name>`; empty: the trigger word, else the dataset name.',
      },
      {
        name: 'repeats',
        kind: 'int',
        default: 0,
        min: 0,
        max: 1000,
        label: 'Repeats',
        tooltip: '0: each image’s own (from its kohya folder, else 1).',
      },
    ],
    resource: 'cpu',
    cacheable: false,
    output: true,
  },

  async execute(inputs, params, ctx) {
    const dataset = readDataset(inputs.dataset);
    let root: string;
    try {
      root = ctx.paths.resolve(params.folder, 'write', 'folder');
    } catch (err) {
      throw new NodeUserError(errorText(err), 'choose a folder inside the allowed folders', 'folder');
    }
    if (params.name) ctx.paths.name(params.name, 'name');
    const name = safeName(params.name || dataset.trigger || dataset.name || 'dataset');
    const taken = new Set<string>();
    const items = [];
    ctx.progress(0, dataset.items.length);
    for (const [i, item] of dataset.items.entries()) {
      const repeats = params.repeats > 0 ? params.repeats : item.repeats || 1;
      // Every level goes through the policy: the `<repeats>_<name>` folder, or a file in it, may be a link outside.
      const dir = ctx.paths.resolve(join(root, `${repeats}_${name}`), 'write', 'name');
      await mkdir(dir, { recursive: true });
      const stem = uniqueStem(dir, basename(item.id, extname(item.id)), taken);
      const imagePath = ctx.paths.resolve(join(dir, `${stem}.png`), 'write', 'name');
      const captionPath = ctx.paths.resolve(join(dir, `${stem}.txt`), 'write', 'name');
      await replaceAtomically(imagePath, (tmp) => copyFile(ctx.artifacts.pathOf(item.image), tmp));
      await writeFileAtomic(captionPath, `${item.caption}\n`);
      items.push({ ...item, source: imagePath });
      ctx.progress(i + 1, dataset.items.length);
    }
    ctx.log('info', `saved ${items.length} image(s) with captions to ${root}`);
    return { folder: root, dataset: datasetValue({ ...dataset, items }) };
  },
});

function safeName(name: string): string {
  return name.trim().replace(/[\\/:*?"<>|\s]+/g, '_') || 'dataset';
}

function uniqueStem(dir: string, stem: string, taken: Set<string>): string {
  const clean = safeName(stem);
  let candidate = clean;
  for (let n = 2; taken.has(join(dir, candidate)); n++) candidate = `${clean}-${n}`;
  taken.add(join(dir, candidate));
  return candidate;
}
