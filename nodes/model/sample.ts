/** Sample: images from a base model for a list of prompts, as a grid, with per-step progress and previews. */
import { tilesToPng } from '../../ml/corpus/render';
import { sampleInWorker } from '../../ml/dit/sample-job';
import { SAMPLERS, type SamplerKind } from '../../ml/dit/sampler';
import { captionTooLong } from '../../ml/dit/tokenizer';
import { defineNode, NodeUserError } from '../api';
import { imageLabel, sampleRows } from '../lora/lora-sampling';
import { withWorkflowChunk } from './png-workflow';
import { loraRows, loraTagFingerprint } from '../lora/sample-loras';
import { STACKING_HINT, STRENGTH_HINT } from '../lora/strength';
import { modelFile, readModel, toJson, type ImagesValue } from './model-value';
import { SD_SAMPLERS } from '../../ml/sd/sampler';
import { sampleSdNode } from './sample-sd';
import { blankImagesWarning } from './blank-image';
import { isSdModel } from './sd-model-value';

/** Width, height and clip skip mean nothing to the emoji model: the editor shows them when LoadModel is SD. */
const SD_MODELS = { input: 'model', param: 'family', equals: ['sd15', 'sdxl'] };

type SampleParams = {
  prompts: string[];
  seed: number;
  steps: number;
  guidance: number;
  sampler: string;
  batch: number;
  negative: string;
  columns: number;
  previewEvery: number;
  loraStrengths: string[];
  width: number;
  height: number;
  clipSkip: number;
};

export const sampleNode = defineNode<SampleParams>({
  schema: {
    type: 'Sample',
    version: 3, // 3: the PNGs carry the workflow (png-workflow.ts)
    category: 'model',
    title: 'Sample',
    description:
      'Generates one image per prompt with the model (rectified-flow sampling with classifier-free guidance), deterministic for a seed, and shows them as a grid.',
    inputs: [
      { name: 'model', type: 'MODEL' },
      {
        name: 'loras',
        type: 'LORA',
        list: true,
        optional: true,
        tooltip: 'LoRAs applied on top of the model, stacked. Prompts may also say <lora:name:0.7> (A1111).',
      },
    ],
    outputs: [
      { name: 'images', type: 'IMAGES' },
      { name: 'grid', type: 'FILE', tooltip: 'The grid image (the CLI prints where it is).' },
    ],
    params: [
      {
        name: 'prompts',
        kind: 'list',
        pathPart: 'lora-tags',
        default: ['red apple, noto style', 'grinning face, fluent style'],
        label: 'Prompts',
        tooltip: 'One image per prompt.',
      },
      {
        name: 'seed',
        kind: 'seed',
        default: 0,
        min: 0,
        label: 'Seed',
        tooltip: 'Image i uses the noise of (seed, i): the same prompts and seed give the same images.',
      },
      { name: 'steps', kind: 'int', default: 20, min: 1, max: 200, label: 'Steps' },
      {
        name: 'guidance',
        kind: 'number',
        default: 4,
        min: 1,
        max: 20,
        step: 0.5,
        label: 'Guidance scale',
        tooltip: 'Classifier-free guidance; 1 turns it off (twice as fast, weaker prompt following).',
      },
      {
        name: 'sampler',
        kind: 'enum',
        options: [...new Set([...SAMPLERS, ...SD_SAMPLERS])],
        // Validation refuses a sampler the wired model's family lacks; the editor offers only the family's.
        optionsWhen: {
          input: 'model',
          param: 'family',
          options: { emoji: [...SAMPLERS], sd15: [...SD_SAMPLERS], sdxl: [...SD_SAMPLERS] },
        },
        default: 'euler',
        label: 'Sampler',
        tooltip:
          'euler: one model call per step; heun: two, more accurate at few steps (emoji model). SD 1.5 and SDXL: euler, euler_ancestral, dpmpp_2m_karras.',
      },
      { name: 'batch', kind: 'int', default: 8, min: 1, max: 64, label: 'Batch size' },
      {
        name: 'negative',
        kind: 'string',
        default: '',
        optional: true,
        label: 'Negative prompt',
        tooltip: 'The caption guidance pushes away from (empty: the unconditional model).',
      },
      { name: 'columns', kind: 'int', default: 0, min: 0, max: 64, label: 'Grid columns', tooltip: '0: about square.' },
      {
        name: 'previewEvery',
        kind: 'int',
        default: 5,
        min: 0,
        label: 'Preview every N steps',
        tooltip: '0: no previews while sampling.',
      },
      {
        name: 'loraStrengths',
        kind: 'list',
        numberRows: true,
        default: [],
        label: 'LoRA strengths',
        tooltip:
          'One grid row per entry: "0.7" for every LoRA, or "0.7, 0.4" one per LoRA. Empty: each LoRA at its own strength (default 0.7; stacked 0.7, 0.5, 0.35).',
        hint: `${STRENGTH_HINT} ${STACKING_HINT}`,
      },
      {
        name: 'width',
        kind: 'int',
        default: 0,
        min: 0,
        max: 2048,
        step: 64,
        label: 'Width (SD)',
        visibleWhen: SD_MODELS,
        tooltip:
          "SD 1.5 and SDXL: image width in pixels (a multiple of 64); 0: the model's own (SD 1.5 512, SDXL 1024).",
      },
      {
        name: 'height',
        kind: 'int',
        default: 0,
        min: 0,
        max: 2048,
        step: 64,
        label: 'Height (SD)',
        visibleWhen: SD_MODELS,
        tooltip:
          "SD 1.5 and SDXL: image height in pixels (a multiple of 64); 0: the model's own (SD 1.5 512, SDXL 1024).",
      },
      {
        name: 'clipSkip',
        kind: 'int',
        default: 1,
        min: 1,
        max: 12,
        label: 'Clip skip (SD)',
        visibleWhen: SD_MODELS,
        tooltip: 'SD 1.5 only: 2 uses the penultimate CLIP layer (as the LoRA was trained); SDXL always does.',
      },
    ],
    resource: 'cpu',
    cacheable: true,
    output: true,
  },

  // `<lora:name:w>` tags read files the inputs do not carry: replacing one must rerun the sampling.
  fingerprint: (params, ctx) => loraTagFingerprint(params.prompts ?? [], ctx.paths, ctx.loraFolders),

  async execute(inputs, params, ctx) {
    if (isSdModel(inputs.model)) return sampleSdNode(inputs, params, ctx);
    const model = readModel(inputs.model);
    const prompts = params.prompts.map((p) => p.trim());
    if (prompts.length === 0) throw new NodeUserError('no prompts given', 'add at least one prompt', 'prompts');
    if (!SAMPLERS.includes(params.sampler as SamplerKind)) {
      throw new NodeUserError(`unknown sampler "${params.sampler}"`, `use one of ${SAMPLERS.join(', ')}`, 'sampler');
    }
    for (const p of prompts)
      if (captionTooLong(p, 64))
        ctx.warn(`prompt "${p.slice(0, 40)}…" is longer than the model reads (63 bytes); its end is ignored`);
    const columns = params.columns > 0 ? params.columns : Math.ceil(Math.sqrt(prompts.length));
    const withLoras = loraRows(inputs.loras, params.loraStrengths ?? [], prompts, ctx);
    if (withLoras) {
      const options = {
        seed: params.seed,
        steps: params.steps,
        guidance: params.guidance,
        sampler: params.sampler as SamplerKind,
        batch: params.batch,
        negative: params.negative,
      };
      return sampleRows(ctx, modelFile(model, ctx), withLoras.rows, withLoras.prompts, options, params.columns);
    }
    const result = await sampleInWorker(
      {
        modelPath: modelFile(model, ctx),
        options: {
          prompts,
          seed: params.seed,
          steps: params.steps,
          guidance: params.guidance,
          sampler: params.sampler as SamplerKind,
          batch: params.batch,
          negative: params.negative,
        },
        previewEvery: params.previewEvery,
      },
      (done, total, preview) => {
        ctx.progress(done, total);
        if (preview) {
          void tilesToPng(preview, 32, columns, 2)
            .then((png) => ctx.artifacts.put(png, 'image/png', `sample-step-${done}.png`))
            .then((ref) => ctx.preview(ref, `step ${done}/${total}`))
            .catch(() => undefined); // a lost preview is harmless
        }
      },
      ctx.signal,
    );
    const size = result.imageSize;
    const px = size * size * 3;
    const images = result.images[0]!;
    const blank = blankImagesWarning(
      prompts.map((p, i) => ({ rgb: images.subarray(i * px, (i + 1) * px), label: imageLabel(i, p), withLora: false })),
    );
    if (blank) ctx.warn(blank);
    const items: ImagesValue['items'] = [];
    for (const [i, caption] of prompts.entries()) {
      const png = await tilesToPng(images.subarray(i * px, (i + 1) * px), size, 1);
      items.push({
        image: await ctx.artifacts.put(withWorkflowChunk(png, ctx.workflow), 'image/png', `sample-${i}.png`, {
          caption,
        }),
        caption,
        seed: params.seed,
      });
    }
    const gridPng = await tilesToPng(images, size, columns, Math.max(1, Math.floor(256 / (size * columns)) || 1));
    const grid = await ctx.artifacts.put(withWorkflowChunk(gridPng, ctx.workflow), 'image/png', 'samples.png', {
      prompts: prompts.join('\n'),
    });
    ctx.preview(grid, 'samples');
    ctx.log(
      'info',
      `${prompts.length} image(s) in ${result.seconds.toFixed(1)} s (${(prompts.length / result.seconds).toFixed(2)} images/s)`,
    );
    return { images: toJson({ kind: 'images', items, grid }), grid };
  },
});
