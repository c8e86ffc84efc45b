/** Resize: fits every image to the training resolution (centre crop, pad, or kohya aspect-ratio buckets). */
import { defineNode, NodeUserError, type Inputs } from '../api';
import { closestBucket, makeBuckets } from './imaging/buckets';
import { fitImage, type FitMode } from './imaging/fit';
import { defaultConcurrency, mapPool } from './imaging/pool';
import { datasetValue, readDataset } from './dataset-value';
import type { Bucket, DatasetItem, DatasetWarning } from './types';

/** The built-in emoji model's resolution: what "the base model's" means when no model is connected. */
export const BUILTIN_RESOLUTION = 32;

type ResizeParams = { resolution: number; mode: string; smaller: string; padColor: string };

export const resize = defineNode<ResizeParams>({
  schema: {
    type: 'Resize',
    version: 1,
    category: 'dataset',
    title: 'Resize',
    description:
      'Fits every image to the training resolution with lanczos3: centre crop, pad, or kohya aspect-ratio buckets (max area = resolution², closest aspect ratio, scaled to cover and centre-cropped). Reports each image’s bucket.',
    inputs: [
      { name: 'dataset', type: 'DATASET' },
      {
        name: 'model',
        type: 'MODEL',
        optional: true,
        tooltip: 'The base model, to take its resolution when Resolution is 0.',
      },
    ],
    outputs: [{ name: 'dataset', type: 'DATASET' }],
    params: [
      {
        name: 'resolution',
        kind: 'int',
        default: 0,
        min: 0,
        max: 4096,
        step: 8,
        label: 'Resolution',
        tooltip: '0 = the base model’s (from the connected model, else 32 for the built-in model).',
        hint: 'Match your base model: 512 for SD 1.5, 1024 for SDXL/FLUX.',
      },
      {
        name: 'mode',
        kind: 'enum',
        options: ['center-crop', 'pad', 'buckets'],
        default: 'center-crop',
        label: 'Mode',
        tooltip: 'buckets keeps each image’s shape (kohya’s aspect-ratio bucketing).',
      },
      {
        name: 'smaller',
        kind: 'enum',
        options: ['warn', 'upscale', 'refuse', 'skip'],
        default: 'warn',
        label: 'Images smaller than the target',
        tooltip: 'warn: upscale and warn; upscale: silently; refuse: stop; skip: leave them out.',
      },
      {
        name: 'padColor',
        kind: 'string',
        default: '#ffffff',
        label: 'Pad colour',
        visibleWhen: { param: 'mode', equals: ['pad'] },
      },
    ],
    resource: 'cpu',
    cacheable: true,
  },

  async execute(inputs, params, ctx) {
    const dataset = readDataset(inputs.dataset);
    const resolution = params.resolution > 0 ? params.resolution : (modelResolution(inputs) ?? BUILTIN_RESOLUTION);
    const mode = params.mode as FitMode;
    const buckets = mode === 'buckets' ? makeBuckets(resolution) : [{ width: resolution, height: resolution }];
    const plan = dataset.items.map((item) => {
      const target = closestBucket(buckets, item.width, item.height);
      const scale =
        mode === 'pad'
          ? Math.min(target.width / item.width, target.height / item.height)
          : Math.max(target.width / item.width, target.height / item.height);
      return { item, target, small: scale > 1 };
    });
    const small = plan.filter((p) => p.small);
    const describe = (p: (typeof plan)[number]) => `${p.item.id} (${p.item.width}x${p.item.height})`;
    if (small.length && params.smaller === 'refuse') {
      throw new NodeUserError(
        `${small.length} image(s) are smaller than ${resolution}px and would be upscaled: ${small.slice(0, 20).map(describe).join(', ')}`,
        'use larger images (the guide: at least 512x512, 1024x1024 preferred), lower the resolution, or allow upscaling',
        'smaller',
      );
    }
    const warnings: DatasetWarning[] = [...dataset.warnings];
    if (small.length && (params.smaller === 'warn' || params.smaller === 'skip')) {
      const verb = params.smaller === 'skip' ? 'left out' : 'upscaled';
      for (const p of small)
        warnings.push({
          file: p.item.id,
          code: 'small',
          message: `${describe(p)} is smaller than ${p.target.width}x${p.target.height}: ${verb}`,
        });
      ctx.warn(
        `${small.length} image(s) smaller than the target were ${verb}: ${small.slice(0, 5).map(describe).join(', ')}${small.length > 5 ? ', …' : ''}`,
      );
    }
    const todo = params.smaller === 'skip' ? plan.filter((p) => !p.small) : plan;
    if (todo.length === 0)
      throw new NodeUserError(
        'every image is smaller than the target resolution',
        'lower the resolution or allow upscaling',
        'smaller',
      );
    ctx.progress(0, todo.length);
    const items = await mapPool(
      todo,
      defaultConcurrency(),
      async ({ item, target }): Promise<DatasetItem> => {
        const png = await fitImage(ctx.artifacts.pathOf(item.image), target, mode, params.padColor || '#ffffff');
        const image = await ctx.artifacts.put(png, 'image/png', item.image.name, {
          width: target.width,
          height: target.height,
        });
        const bucket: Bucket = { width: target.width, height: target.height };
        return {
          ...item,
          image,
          width: target.width,
          height: target.height,
          sourceWidth: item.sourceWidth ?? item.width,
          sourceHeight: item.sourceHeight ?? item.height,
          bucket,
        };
      },
      (n) => ctx.progress(n, todo.length),
    );
    logBuckets(items, (m) => ctx.log('info', m));
    return { dataset: datasetValue({ ...dataset, items, warnings, resolution }) };
  },
});

/** The `resolution` a MODEL value declares, if it declares one. */
function modelResolution(inputs: Inputs): number | undefined {
  const model = inputs.model;
  if (model && typeof model === 'object' && !Array.isArray(model)) {
    const r = (model as { resolution?: unknown }).resolution;
    if (typeof r === 'number' && r > 0) return r;
  }
  return undefined;
}

function logBuckets(items: DatasetItem[], log: (m: string) => void): void {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(`${i.width}x${i.height}`, (counts.get(`${i.width}x${i.height}`) ?? 0) + 1);
  log(`resized ${items.length} image(s): ${[...counts].map(([k, n]) => `${n} at ${k}`).join(', ')}`);
}
