/** Puts parsed sample prompts into the workflow: TrainLoRA's in-training prompts and one Sample node per option set. */
import type { ImportBuilder } from './import-builder';
import { groupByOptions, parseSamplePrompts } from './sample-prompts';

/** kohya's sampler names (k-diffusion ones with `k_`) and the names loraflow's Sample may give the same sampler. */
const SAMPLER_ALIASES: Record<string, string[]> = {
  euler: ['euler'],
  euler_a: ['euler_a', 'euler_ancestral'],
  heun: ['heun'],
  'dpmsolver++': ['dpmpp_2m', 'dpmpp_2m_karras'],
  ddim: ['ddim'],
};

/** Sample's name for a kohya sampler among the options it has; the name itself when none matches (then reported). */
export function samplerFor(b: ImportBuilder, name: string): string {
  const key = name.toLowerCase().replace(/^k_/, '');
  const options = b.options('sample', 'sampler');
  return (SAMPLER_ALIASES[key] ?? [key]).find((c) => options.includes(c)) ?? key;
}

/** kohya's name for one of Sample's samplers. */
export function kohyaSampler(name: string): string {
  return Object.entries(SAMPLER_ALIASES).find(([, names]) => names.includes(name))?.[0] ?? name;
}

/** Maps a prompts file's text; `setting` names it in the summary (e.g. `sample_prompts (prompts.txt)`). */
export function importSamplePrompts(b: ImportBuilder, setting: string, text: string): void {
  const { prompts, unknown } = parseSamplePrompts(text);
  for (const u of unknown) b.ignore(`${setting} line ${u.line} ${u.option.split(' ')[0]}`, u.option);
  if (prompts.length === 0) {
    b.note(`${setting} has no prompts`);
    return;
  }
  b.set(
    setting,
    'train',
    'samplePrompts',
    prompts.map((p) => p.prompt),
  );
  const groups = groupByOptions(prompts);
  groups.forEach((group, i) => {
    const first = group[0]!;
    const at = groups.length > 1 ? `${setting} [${i + 1}]` : setting;
    b.setSample(
      at,
      i,
      'prompts',
      group.map((p) => p.prompt),
    );
    if (first.negative !== undefined) b.setSample(`${at} --n`, i, 'negative', first.negative);
    if (first.width !== undefined) b.setSample(`${at} --w`, i, 'width', first.width);
    if (first.height !== undefined) b.setSample(`${at} --h`, i, 'height', first.height);
    if (first.steps !== undefined) b.setSample(`${at} --s`, i, 'steps', first.steps);
    if (first.scale !== undefined) b.setSample(`${at} --l`, i, 'guidance', first.scale);
    if (first.seed !== undefined) b.setSample(`${at} --d`, i, 'seed', first.seed);
    if (first.sampler !== undefined) b.setSample(`${at} --ss`, i, 'sampler', samplerFor(b, first.sampler));
    // kohya samples at the LoRA's full strength: one row at 1.0, not loraflow's default rows.
    b.sampleDefault(i, 'loraStrengths', ['1.0']);
  });
}
