/**
 * LoRACheck: does the LoRA answer to its trigger word? For prompts unlike the training captions it samples every
 * checkpoint at every strength with and without the trigger and reports effect, bleeding and subject survival
 * against the base model itself (check-figures.ts), the findings, a labelled checkpoint x strength grid, and the
 * best checkpoint chosen on those figures rather than on the loss.
 */
import { defineNode, NodeUserError } from '../api';
import { modelFile, readModel } from '../model/model-value';
import { isSdModel, readSdModel, SD_FAMILY_LABEL, type SdFamilyName } from '../model/sd-model-value';
import {
  CHECK_SAMPLE_STEPS,
  checkSubjects,
  describeCheck,
  emojiCheckSampler,
  runLoraCheckWith,
  summarizeCheck,
  type CheckSampler,
} from './check-run';
import { checkSdSize, sdCheckSampler, SD_CHECK_SUBJECTS } from './check-sd';
import { loraFile, loraJson, readLoraList, type LoraValue } from './lora-value';
import { STRENGTH_HINT } from './strength';

type CheckParams = {
  prompts: string[];
  trigger: string;
  strengths: string[];
  seed: number;
  steps: number;
  guidance: number;
  size: number;
};

/** How messages name a LoRA's or model's family (undefined: the built-in emoji model). */
const familyName = (f: SdFamilyName | undefined, article = ''): string =>
  f ? `${article}${SD_FAMILY_LABEL[f]}` : 'the built-in emoji model';

/** Refuses LoRAs of another family than the model's, naming the first and its input. */
function checkFamilies(loras: readonly LoraValue[], family: SdFamilyName | undefined, input: string): void {
  const other = loras.find((l) => l.family !== family);
  if (other)
    throw new NodeUserError(
      `the LoRA "${other.name}" was made for ${familyName(other.family)}, the model is ${family ? `${familyName(family, 'an ')} checkpoint` : familyName(family)}`,
      'check LoRAs on the model they were trained on',
      input,
    );
}

/** Strengths from the parameter's strings; throws naming the parameter. */
export function parseStrengths(given: readonly string[], param = 'strengths'): number[] {
  const s = given.map((x) => Number(x.trim()));
  if (s.length === 0 || s.some((x) => !Number.isFinite(x) || x <= 0))
    throw new NodeUserError(
      `strengths must be positive numbers, got ${given.join(', ') || 'none'}`,
      'e.g. 0.7, 1.0 (the base model is always compared)',
      param,
    );
  return s;
}

export const loraCheckNode = defineNode<CheckParams>({
  schema: {
    type: 'LoRACheck',
    version: 2,
    category: 'lora',
    title: 'LoRA check',
    description:
      'Measures whether a LoRA answers to its trigger: for prompts unlike the training captions, how much images change with the trigger (effect) and without it (bleeding), and whether the prompted subject survives, per checkpoint and strength, against the base model itself. Picks the best checkpoint on these. Works on the built-in emoji model and on SD 1.5 and SDXL checkpoints. Cost: (LoRAs x strengths + 1) x 2 x prompts + prompts images (56 for one LoRA at the default 2 strengths and 8 prompts); on SD each is a full sampling run at the check size and steps, so keep prompts and strengths few on a CPU.',
    inputs: [
      { name: 'model', type: 'MODEL' },
      { name: 'checkpoints', type: 'LORAS', optional: true, tooltip: "TrainLoRA's checkpoints output." },
      { name: 'loras', type: 'LORA', list: true, optional: true, tooltip: 'LoRAs to check (each with its rows).' },
    ],
    outputs: [
      { name: 'best', type: 'LORA', tooltip: 'The checkpoint with the best effect without bleeding, at its strength.' },
      { name: 'grid', type: 'FILE', tooltip: 'The labelled checkpoint x strength grid, with and without the trigger.' },
      { name: 'summary', type: 'STRING', tooltip: 'The best checkpoint, its figures and the findings, in one line.' },
      { name: 'report', type: 'STRING', tooltip: 'The figures of every checkpoint x strength and the findings.' },
    ],
    params: [
      {
        name: 'prompts',
        kind: 'list',
        default: [],
        label: 'Prompts',
        tooltip:
          'Subjects unlike the training captions, without the trigger (it is added for the "with" half). Empty: eight subjects the model draws well (emoji for the built-in model, scenes for SD 1.5 and SDXL).',
      },
      {
        name: 'trigger',
        kind: 'string',
        default: '',
        optional: true,
        label: 'Trigger word',
        tooltip: "Empty: the LoRA's own (from training).",
      },
      { name: 'strengths', kind: 'list', default: ['0.7', '1.0'], label: 'Strengths', hint: STRENGTH_HINT },
      { name: 'seed', kind: 'seed', default: 0, min: 0, label: 'Seed' },
      { name: 'steps', kind: 'int', default: CHECK_SAMPLE_STEPS, min: 1, max: 200, label: 'Steps' },
      { name: 'guidance', kind: 'number', default: 4, min: 1, max: 20, step: 0.5, label: 'Guidance scale' },
      {
        name: 'size',
        kind: 'int',
        default: 512,
        min: 64,
        max: 2048,
        step: 64,
        label: 'Image size (SD)',
        tooltip:
          'SD 1.5 and SDXL: the side of the square check images (a multiple of 64; SDXL draws 512 well, 1024 costs 4x). The built-in model draws 32 px.',
      },
    ],
    resource: 'cpu',
    cacheable: true,
    output: true,
  },

  async execute(inputs, params, ctx) {
    const sd = isSdModel(inputs.model) ? readSdModel(inputs.model) : undefined;
    const fromCheckpoints = readLoraList(inputs.checkpoints, 'checkpoints');
    const fromLoras = readLoraList(inputs.loras, 'loras');
    const loras = [...fromCheckpoints, ...fromLoras];
    if (loras.length === 0)
      throw new NodeUserError('no LoRA to check', "connect TrainLoRA's checkpoints or a LoRA", 'checkpoints');
    checkFamilies(fromCheckpoints, sd?.family, 'checkpoints');
    checkFamilies(fromLoras, sd?.family, 'loras');
    const sampler: CheckSampler = sd
      ? sdCheckSampler(ctx, sd, {
          steps: params.steps,
          guidance: params.guidance,
          size: checkSdSize(params.size ?? 512, sd),
        })
      : emojiCheckSampler(ctx, modelFile(readModel(inputs.model), ctx), params);
    const trigger = (params.trigger || loras[0]!.trigger || '').trim();
    if (!trigger)
      ctx.warn('no trigger word (the LoRA has none and none is set): bleeding cannot be told apart from the effect');
    const subjects = checkSubjects(params.prompts, [], trigger, sd ? SD_CHECK_SUBJECTS : undefined);
    if (subjects.length < 2)
      throw new NodeUserError('the check needs at least 2 prompts', 'subject survival compares prompts', 'prompts');
    const result = await runLoraCheckWith(
      ctx,
      sampler,
      loras.map((l) => ({ file: loraFile(l, ctx), name: l.name, step: l.step })),
      {
        subjects,
        trigger,
        strengths: parseStrengths(params.strengths),
        seed: params.seed,
        steps: params.steps,
        guidance: params.guidance,
      },
    );
    const lines = describeCheck(result, subjects.length);
    for (const l of lines) ctx.log('info', l);
    for (const f of result.findings.filter((x) => x.bad)) ctx.warn(f.text);
    ctx.preview(result.grid, 'LoRA check: rows checkpoint @ strength; columns with / without the trigger');
    const best = loras[result.best.lora]!;
    return {
      best: loraJson({ ...best, strength: result.best.strength }),
      grid: JSON.parse(JSON.stringify(result.grid)),
      summary: summarizeCheck(result),
      report: lines.join('\n'),
    };
  },
});
