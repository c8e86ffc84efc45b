/** DatasetReport: what the user looks at before training — thumbnails, a table per image, and the guide's advice. */
import { captionProblems } from './caption-checks';
import { defineNode } from '../api';
import { adviseDataset, FAMILY_LABEL } from './advice/advice';
import { trainingBasisOf } from './advice/training-basis';
import { MIN_RESOLUTION } from './advice/seed-tables';
import { containsTrigger } from './captions/trigger';
import { contactSheet, thumbnail } from './imaging/grid';
import { hammingDistance, measureImage, type ImageMetrics } from './imaging/metrics';
import { defaultConcurrency, mapPool } from './imaging/pool';
import { readDataset } from './dataset-value';
import type { DatasetItem, DatasetReport, DatasetWarning, LoraType, ReportRow } from './types';
import type { ArtifactRef, JsonValue } from '../../protocol/values';

type ReportParams = {
  loraType: string;
  trigger: string;
  minResolution: number;
  blurThreshold: number;
  darkThreshold: number;
  duplicateDistance: number;
  thumbnailSize: number;
};

export const datasetReport = defineNode<ReportParams>({
  schema: {
    type: 'DatasetReport',
    version: 2, // 2: caption text problems (caption-checks.ts)
    category: 'dataset',
    title: 'Dataset report',
    description:
      'Checks the dataset against the training guide before you train: a thumbnail grid, a table per image (resolution, sharpness, exposure, near-duplicates, caption), images failing the quality checklist, and advice on image count, steps and rank.',
    inputs: [{ name: 'dataset', type: 'DATASET' }],
    outputs: [
      { name: 'report', type: 'REPORT' },
      { name: 'grid', type: 'FILE', tooltip: 'The thumbnail grid (PNG).' },
    ],
    params: [
      {
        name: 'loraType',
        kind: 'enum',
        options: ['style', 'character', 'object', 'likeness'],
        default: 'style',
        label: 'LoRA type',
        hint: 'Style 10 min / 20-50; character 15 / 30-100; object 10 / 20-40; likeness 20 / 40-100 images.',
      },
      {
        name: 'trigger',
        kind: 'string',
        default: '',
        optional: true,
        label: 'Trigger word',
        tooltip: 'Empty: the dataset’s.',
      },
      {
        name: 'minResolution',
        kind: 'int',
        default: 0,
        min: 0,
        max: 8192,
        label: 'Minimum resolution',
        tooltip:
          '0: the Resize target if the dataset was resized, else 512 (the guide: at least 512x512, 1024 preferred).',
      },
      {
        name: 'blurThreshold',
        kind: 'number',
        default: 50,
        min: 0,
        label: 'Blur threshold',
        tooltip: 'Images whose sharpness (variance of the Laplacian) is below this are flagged blurry.',
      },
      {
        name: 'darkThreshold',
        kind: 'number',
        default: 0.15,
        min: 0,
        max: 1,
        step: 0.01,
        label: 'Dark threshold',
        tooltip: 'Images whose mean luminance (0-1) is below this are flagged dark.',
      },
      {
        name: 'duplicateDistance',
        kind: 'int',
        default: 4,
        min: 0,
        max: 32,
        label: 'Near-duplicate distance',
        tooltip: 'Images whose 64-bit perceptual hashes differ in at most this many bits are near-duplicates.',
      },
      { name: 'thumbnailSize', kind: 'int', default: 96, min: 16, max: 512, label: 'Thumbnail size' },
    ],
    resource: 'cpu',
    cacheable: true,
    output: true,
  },

  async execute(inputs, params, ctx) {
    const dataset = readDataset(inputs.dataset);
    const trigger = (params.trigger || dataset.trigger || '').trim();
    const minResolution = params.minResolution > 0 ? params.minResolution : (dataset.resolution ?? MIN_RESOLUTION);
    const size = params.thumbnailSize;
    const n = dataset.items.length;
    ctx.progress(0, n + 1);
    const measured = await mapPool(
      dataset.items,
      defaultConcurrency(),
      async (item) => {
        const path = ctx.artifacts.pathOf(item.image);
        const [metrics, thumb] = await Promise.all([measureImage(path), thumbnail(path, size)]);
        return {
          item,
          metrics,
          thumb,
          thumbRef: await ctx.artifacts.put(thumb, 'image/png', `thumb-${item.image.name}`),
        };
      },
      (done) => ctx.progress(done, n + 1),
    );
    const grid = await ctx.artifacts.put(
      await contactSheet(
        measured.map((m) => m.thumb),
        size,
      ),
      'image/png',
      `${dataset.name ?? 'dataset'}-grid.png`,
    );
    ctx.preview(grid, 'dataset');
    const dupes = nearDuplicates(
      measured.map((m) => m.metrics.dhash),
      params.duplicateDistance,
    );
    const rows = measured.map(({ item, metrics, thumbRef }, i) =>
      buildRow(
        item,
        metrics,
        thumbRef,
        (dupes[i] ?? []).map((j) => dataset.items[j]!.id),
        { trigger, minResolution, params, firstOfGroup: (dupes[i] ?? []).every((j) => j > i) },
      ),
    );
    const images = dataset.items.length;
    const advice = adviseDataset(
      (['style', 'character', 'object', 'likeness'].includes(params.loraType) ? params.loraType : 'style') as LoraType,
      images,
      trainingBasisOf(ctx.workflow, ctx.nodeId),
    );
    const failing = rows.filter((r) => r.problems.length).map((r) => ({ id: r.id, reasons: r.problems }));
    const warnings: DatasetWarning[] = [...dataset.warnings];
    const summary = [
      advice.countMessage,
      ...(failing.length ? [`${failing.length} of ${images} image(s) fail the quality checklist`] : []),
      ...(dataset.warnings.length ? [`${dataset.warnings.length} warning(s) from earlier steps`] : []),
      `suggested for ${FAMILY_LABEL[advice.family]}: ${advice.steps} steps, rank ${advice.rank}, learning rate ${advice.learningRate}`,
    ];
    if (advice.countVerdict === 'too-few') ctx.warn(advice.countMessage);
    if (failing.length) ctx.warn(summary[1] as string);
    ctx.progress(n + 1, n + 1);
    const report: DatasetReport = {
      ...(dataset.name ? { name: dataset.name } : {}),
      ...(trigger ? { trigger } : {}),
      imageCount: images,
      minResolution,
      grid,
      rows,
      advice,
      failing,
      warnings,
      summary,
    };
    return { report: report as unknown as JsonValue, grid };
  },
});

/** For each image, the indices of the other images within `maxDistance` bits of its hash. */
export function nearDuplicates(hashes: string[], maxDistance: number): number[][] {
  const out = hashes.map((): number[] => []);
  for (let i = 0; i < hashes.length; i++) {
    for (let j = i + 1; j < hashes.length; j++) {
      if (hammingDistance(hashes[i] as string, hashes[j] as string) <= maxDistance) {
        out[i]!.push(j);
        out[j]!.push(i);
      }
    }
  }
  return out;
}

type RowOptions = { trigger: string; minResolution: number; params: ReportParams; firstOfGroup: boolean };

function buildRow(
  item: DatasetItem,
  m: ImageMetrics,
  thumb: ArtifactRef,
  duplicates: string[],
  o: RowOptions,
): ReportRow {
  const sourceWidth = item.sourceWidth ?? item.width;
  const sourceHeight = item.sourceHeight ?? item.height;
  const triggerPresent = o.trigger ? containsTrigger(item.caption, o.trigger) : null;
  const problems: string[] = [];
  if (Math.min(sourceWidth, sourceHeight) < o.minResolution)
    problems.push(`low resolution: ${sourceWidth}x${sourceHeight} is under ${o.minResolution}x${o.minResolution}`);
  if (m.sharpness < o.params.blurThreshold)
    problems.push(`blurry: sharpness ${m.sharpness.toFixed(1)} is under ${o.params.blurThreshold}`);
  if (m.meanLuminance < o.params.darkThreshold)
    problems.push(
      `dark: mean luminance ${(m.meanLuminance * 100).toFixed(0)}% is under ${(o.params.darkThreshold * 100).toFixed(0)}%`,
    );
  if (duplicates.length && !o.firstOfGroup)
    problems.push(`near-duplicate of ${duplicates.join(', ')}: duplicates add no variety`);
  if (!item.caption.trim()) problems.push('no caption: every image needs one');
  else if (triggerPresent === false) problems.push(`the trigger word "${o.trigger}" is missing from its caption`);
  problems.push(...captionProblems(item.caption));
  const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    id: item.id,
    width: item.width,
    height: item.height,
    sourceWidth,
    sourceHeight,
    aspect: round(sourceWidth / sourceHeight),
    ...(item.bucket ? { bucket: item.bucket } : {}),
    sharpness: round(m.sharpness, 1),
    meanLuminance: round(m.meanLuminance),
    clippedDark: round(m.clippedDark),
    clippedBright: round(m.clippedBright),
    phash: m.dhash,
    duplicates,
    caption: item.caption,
    captionSource: item.captionSource,
    captionWords: item.caption.trim() ? item.caption.trim().split(/\s+/).length : 0,
    triggerPresent,
    problems,
    thumbnail: thumb,
  };
}
