/** Caption: keeps, fills or replaces captions (WD14 tagger), applies the trigger template and the model family's style. */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { defineNode, NodeUserError, type NodeContext, type PathPolicy } from '../api';
import { editFor, parseEdits, type CaptionEdits } from './captions/edits';
import { CAPTION_STYLES, formatCaption, type CaptionStyle } from './captions/style';
import { applyTemplate, defaultTemplate } from './captions/template';
import { containsTrigger, fillTriggerTokens, genericTriggerReason } from './captions/trigger';
import { loadTagger, selectTags, tagProbabilities, type Tagger } from './tagger/wd14';
import { datasetValue, readDataset } from './dataset-value';
import { errorText } from './imaging/scan';
import type { CaptionSource, DatasetItem, DatasetWarning } from './types';

type CaptionParams = {
  mode: string;
  trigger: string;
  template: string;
  style: string;
  tagger: string;
  generalThreshold: number;
  characterThreshold: number;
  includeRating: boolean;
  edits: string;
};

export const caption = defineNode<CaptionParams>({
  schema: {
    type: 'Caption',
    version: 1,
    category: 'dataset',
    title: 'Caption',
    description:
      'Keeps, fills in or replaces captions (automatic captions from a WD14 tagger folder), adds the trigger word with a template, formats captions in the style the model family expects, and applies your own edits last.',
    inputs: [{ name: 'dataset', type: 'DATASET' }],
    outputs: [{ name: 'dataset', type: 'DATASET' }],
    params: [
      {
        name: 'mode',
        kind: 'enum',
        options: ['keep', 'fill-missing', 'overwrite'],
        default: 'fill-missing',
        label: 'Existing captions',
        tooltip:
          'keep: use caption files as they are; fill-missing: tag only images without one; overwrite: tag every image.',
      },
      {
        name: 'trigger',
        kind: 'string',
        default: '',
        optional: true,
        label: 'Trigger word',
        tooltip: 'Empty: the dataset’s (from a kohya folder name).',
        hint: 'Use a unique trigger word, like “xyz_style” or “sks_person”, and keep it in every caption.',
      },
      {
        name: 'template',
        kind: 'string',
        default: '',
        optional: true,
        label: 'Template',
        tooltip:
          '{trigger} / [trigger] and {caption}; empty: “{trigger}, {caption}” for tags, “{trigger} {caption}” otherwise.',
      },
      {
        name: 'style',
        kind: 'enum',
        options: [...CAPTION_STYLES],
        default: 'as-is',
        label: 'Caption style',
        hint: 'SD 1.5: tags; SDXL: mixed; FLUX: natural sentences; built-in model: short natural phrases.',
      },
      {
        name: 'tagger',
        kind: 'path',
        pathKind: 'folder',
        access: 'read',
        default: '',
        optional: true,
        label: 'WD14 tagger folder',
        tooltip: 'A folder with model.onnx and selected_tags.csv; empty: no automatic captions.',
      },
      {
        name: 'generalThreshold',
        kind: 'number',
        default: 0.35,
        min: 0,
        max: 1,
        step: 0.01,
        label: 'General tag threshold',
        visibleWhen: { param: 'mode', equals: ['fill-missing', 'overwrite'] },
      },
      {
        name: 'characterThreshold',
        kind: 'number',
        default: 0.85,
        min: 0,
        max: 1,
        step: 0.01,
        label: 'Character tag threshold',
        visibleWhen: { param: 'mode', equals: ['fill-missing', 'overwrite'] },
      },
      { name: 'includeRating', kind: 'boolean', default: false, label: 'Add the rating tag' },
      {
        name: 'edits',
        kind: 'text',
        default: '',
        label: 'Caption edits',
        tooltip: 'One “file: caption” line per image; these win over every other caption and are kept across reruns.',
      },
    ],
    resource: 'cpu',
    cacheable: true,
  },

  fingerprint(params, ctx) {
    if (!params.tagger) return '';
    try {
      const folder = ctx.paths.resolve(params.tagger, 'read', 'tagger');
      const stats = TAGGER_FILES.map((f) =>
        statSync(ctx.paths.resolve(join(folder, f), 'check', 'tagger'), { throwIfNoEntry: false }),
      );
      return createHash('sha256')
        .update(JSON.stringify(stats.map((s) => [s?.size, s?.mtimeMs])))
        .digest('hex');
    } catch (err) {
      return `unresolvable:${errorText(err)}:${Date.now()}`;
    }
  },

  async execute(inputs, params, ctx) {
    const dataset = readDataset(inputs.dataset);
    const trigger = (params.trigger || dataset.trigger || '').trim();
    const style = (CAPTION_STYLES as readonly string[]).includes(params.style)
      ? (params.style as CaptionStyle)
      : 'as-is';
    const template = params.template.trim() || defaultTemplate(style);
    let edits: CaptionEdits;
    try {
      edits = parseEdits(params.edits ?? '');
    } catch (err) {
      throw new NodeUserError(errorText(err), 'write one “file: caption” line per image', 'edits');
    }
    const needsTagger = (item: DatasetItem) =>
      params.mode === 'overwrite' || (params.mode === 'fill-missing' && !item.caption.trim());
    const tagger =
      params.tagger && dataset.items.some(needsTagger) ? await openTagger(params.tagger, ctx.paths) : undefined;
    const used = new Set<string>();
    const items: DatasetItem[] = [];
    ctx.progress(0, dataset.items.length);
    for (const [i, item] of dataset.items.entries()) {
      items.push(
        await captionOne(item, {
          needsTag: needsTagger(item),
          tagger,
          params,
          trigger,
          template,
          style,
          edits,
          used,
          ctx,
        }),
      );
      ctx.progress(i + 1, dataset.items.length);
    }
    const warnings = [...dataset.warnings, ...triggerWarnings(items, trigger)];
    for (const key of edits.keys())
      if (!used.has(key))
        warnings.push({ code: 'edit-unmatched', message: `the caption edit for "${key}" matches no image` });
    for (const w of warnings.slice(dataset.warnings.length)) ctx.warn(w.message);
    const counts = items.reduce<Record<string, number>>(
      (acc, it) => ((acc[it.captionSource] = (acc[it.captionSource] ?? 0) + 1), acc),
      {},
    );
    ctx.log(
      'info',
      `captions: ${Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}`,
    );
    return { dataset: datasetValue({ ...dataset, items, warnings, ...(trigger ? { trigger } : {}) }) };
  },
});

/** What a WD14 tagger folder holds. */
const TAGGER_FILES = ['model.onnx', 'selected_tags.csv'] as const;

async function openTagger(path: string, paths: PathPolicy): Promise<Tagger> {
  let folder: string;
  try {
    folder = paths.resolve(path, 'read', 'tagger');
    // The files inside go through the policy too: model.onnx may be a link to anywhere.
    for (const file of TAGGER_FILES) paths.resolve(join(folder, file), 'check', 'tagger');
  } catch (err) {
    throw new NodeUserError(errorText(err), 'choose a tagger folder inside the allowed folders', 'tagger');
  }
  try {
    return await loadTagger(folder);
  } catch (err) {
    throw new NodeUserError(
      `the tagger in "${path}" cannot be loaded: ${errorText(err)}`,
      'use a WD14 tagger folder (model.onnx + selected_tags.csv)',
      'tagger',
    );
  }
}

type CaptionJob = {
  needsTag: boolean;
  tagger: Tagger | undefined;
  params: CaptionParams;
  trigger: string;
  template: string;
  style: CaptionStyle;
  edits: CaptionEdits;
  used: Set<string>;
  ctx: NodeContext;
};

async function captionOne(item: DatasetItem, job: CaptionJob): Promise<DatasetItem> {
  const edit = editFor(job.edits, item.id, job.used);
  if (edit !== undefined) return { ...item, caption: fillTriggerTokens(edit, job.trigger), captionSource: 'edit' };
  let body = job.params.mode === 'overwrite' ? '' : item.caption.trim();
  let source: CaptionSource = body ? (item.captionSource === 'none' ? 'file' : item.captionSource) : 'none';
  if (job.needsTag && job.tagger) {
    const probs = await tagProbabilities(job.tagger, job.ctx.artifacts.pathOf(item.image));
    const tags = selectTags(probs, job.tagger.tags, {
      general: job.params.generalThreshold,
      character: job.params.characterThreshold,
      includeRating: job.params.includeRating,
    });
    if (tags.length) {
      body = tags.join(', ');
      source = 'auto';
    }
  }
  const styled = formatCaption(fillTriggerTokens(body, job.trigger), job.style);
  const text = job.trigger ? applyTemplate(job.template, job.trigger, styled) : styled;
  if (source === 'none' && text) source = 'template';
  return { ...item, caption: text, captionSource: text ? source : 'none' };
}

function triggerWarnings(items: DatasetItem[], trigger: string): DatasetWarning[] {
  if (!trigger)
    return [
      {
        code: 'no-trigger',
        message: 'no trigger word: the guide advises a unique one (like “xyz_style”) in every caption',
      },
    ];
  const out: DatasetWarning[] = [];
  const generic = genericTriggerReason(trigger);
  if (generic) out.push({ code: 'generic-trigger', message: generic });
  const missing = items.filter((i) => !containsTrigger(i.caption, trigger));
  if (missing.length) {
    const names = missing
      .slice(0, 10)
      .map((i) => i.id)
      .join(', ');
    out.push({
      code: 'trigger-missing',
      message: `the trigger word "${trigger}" is missing from ${missing.length} caption(s): ${names}${missing.length > 10 ? ', …' : ''}`,
    });
  }
  return out;
}
