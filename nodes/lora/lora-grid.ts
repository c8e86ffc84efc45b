/**
 * LoRAGrid: checkpoints x strengths (rows) by prompts (columns) in one image, the way users pick the best
 * checkpoint and strength. Every cell of a column shares its noise, so rows differ only by the LoRA.
 */
import { SAMPLERS, type SamplerKind } from '../../ml/dit/sampler';
import { defineNode, NodeUserError } from '../api';
import { modelFile, readModel } from '../model/model-value';
import { sampleRows, type Row } from './lora-sampling';
import { loraFile, readLoraList } from './lora-value';
import { STRENGTH_HINT } from './strength';

type GridParams = {
  strengths: string[];
  prompts: string[];
  seed: number;
  steps: number;
  guidance: number;
  sampler: string;
};

export const loraGridNode = defineNode<GridParams>({
  schema: {
    type: 'LoRAGrid',
    version: 2, // 2: the PNGs carry the workflow (nodes/model/png-workflow.ts)
    category: 'lora',
    title: 'LoRA grid',
    description:
      'Samples every checkpoint at every strength (rows) for every prompt (columns) into one image, with fixed seeds: pick the checkpoint before overfitting and the strength that looks right.',
    inputs: [
      { name: 'model', type: 'MODEL' },
      { name: 'checkpoints', type: 'LORAS', optional: true, tooltip: "TrainLoRA's checkpoints output." },
      {
        name: 'loras',
        type: 'LORA',
        list: true,
        optional: true,
        tooltip: 'More LoRAs to compare (each one its own rows).',
      },
    ],
    outputs: [
      { name: 'images', type: 'IMAGES' },
      { name: 'grid', type: 'FILE', tooltip: 'The grid image (the CLI prints where it is).' },
    ],
    params: [
      { name: 'strengths', kind: 'list', default: ['0', '0.7', '1.0'], label: 'Strengths', hint: STRENGTH_HINT },
      {
        name: 'prompts',
        kind: 'list',
        default: ['xyz_style, grinning face', 'grinning face'],
        label: 'Prompts',
        tooltip: 'Held-out subjects, with and without the trigger word, show both the style and its bleeding.',
      },
      { name: 'seed', kind: 'seed', default: 0, min: 0, label: 'Seed' },
      { name: 'steps', kind: 'int', default: 20, min: 1, max: 200, label: 'Steps' },
      { name: 'guidance', kind: 'number', default: 4, min: 1, max: 20, step: 0.5, label: 'Guidance scale' },
      { name: 'sampler', kind: 'enum', options: [...SAMPLERS], default: 'euler', label: 'Sampler' },
    ],
    resource: 'cpu',
    cacheable: true,
    output: true,
  },

  async execute(inputs, params, ctx) {
    const model = readModel(inputs.model);
    const loras = [...readLoraList(inputs.checkpoints, 'checkpoints'), ...readLoraList(inputs.loras, 'loras')];
    if (loras.length === 0)
      throw new NodeUserError('no LoRA to compare', "connect TrainLoRA's checkpoints or some LoRAs", 'checkpoints');
    const strengths = params.strengths.map((s) => Number(s.trim()));
    if (strengths.length === 0 || strengths.some((s) => !Number.isFinite(s)))
      throw new NodeUserError(
        `strengths must be numbers, got ${params.strengths.join(', ')}`,
        'e.g. 0, 0.7, 1.0',
        'strengths',
      );
    const prompts = params.prompts.map((p) => p.trim()).filter(Boolean);
    if (prompts.length === 0) throw new NodeUserError('no prompts given', undefined, 'prompts');
    const rows: Row[] = loras.flatMap((l) =>
      strengths.map((s) => {
        const use = s === 0 ? [] : [{ file: loraFile(l, ctx), strength: s, name: l.name }];
        return { label: `${l.step !== undefined ? `step ${l.step}` : l.name} @ ${s}`, cells: prompts.map(() => use) };
      }),
    );
    return sampleRows(
      ctx,
      modelFile(model, ctx),
      rows,
      prompts,
      { seed: params.seed, steps: params.steps, guidance: params.guidance, sampler: params.sampler as SamplerKind },
      prompts.length,
    );
  },
});
