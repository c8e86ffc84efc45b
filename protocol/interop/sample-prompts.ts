/**
 * kohya sd-scripts' sample prompt files (`--sample_prompts prompts.txt`): one prompt per line, `#` comments,
 * options after ` --`: `--n` negative prompt, `--w` / `--h` size, `--s` steps, `--l` CFG scale, `--d` seed,
 * `--ss` sampler. Prompts that share their options become one Sample node.
 */

export interface SamplePrompt {
  prompt: string;
  negative?: string;
  width?: number;
  height?: number;
  steps?: number;
  scale?: number;
  seed?: number;
  sampler?: string;
}

/** An option of a line loraflow does not know, for the import summary. */
export interface UnknownOption {
  line: number;
  option: string;
}

const NUMERIC: Record<string, keyof SamplePrompt> = { w: 'width', h: 'height', s: 'steps', l: 'scale', d: 'seed' };

/** Parses a prompts file; options loraflow does not know are returned, never dropped silently. */
export function parseSamplePrompts(text: string): { prompts: SamplePrompt[]; unknown: UnknownOption[] } {
  const prompts: SamplePrompt[] = [];
  const unknown: UnknownOption[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [head = '', ...options] = line.split(' --');
    const p: SamplePrompt = { prompt: head.trim() };
    for (const opt of options) {
      const m = /^(\w+)\s+(.*)$/s.exec(opt.trim());
      const key = m?.[1] ?? opt.trim();
      const value = (m?.[2] ?? '').trim();
      const numeric = NUMERIC[key];
      if (numeric && value !== '' && Number.isFinite(Number(value)))
        (p as unknown as Record<string, number>)[numeric] = Number(value);
      else if (key === 'n') p.negative = value;
      else if (key === 'ss' && value) p.sampler = value;
      else unknown.push({ line: i + 1, option: `--${opt.trim()}` });
    }
    if (p.prompt) prompts.push(p);
  });
  return { prompts, unknown };
}

/** The options of a prompt as a key: prompts with equal keys share a Sample node. */
export function optionsKey(p: SamplePrompt): string {
  return JSON.stringify([p.negative ?? '', p.width, p.height, p.steps, p.scale, p.seed, p.sampler]);
}

/** Groups prompts by their options, in first-seen order. */
export function groupByOptions(prompts: readonly SamplePrompt[]): SamplePrompt[][] {
  const groups = new Map<string, SamplePrompt[]>();
  for (const p of prompts) {
    const key = optionsKey(p);
    const list = groups.get(key) ?? [];
    list.push(p);
    groups.set(key, list);
  }
  return [...groups.values()];
}

/** Writes prompts in kohya's format, options in a fixed order. */
export function formatSamplePrompts(prompts: readonly SamplePrompt[], header: string[] = []): string {
  const lines = header.map((h) => `# ${h}`);
  for (const p of prompts) {
    let line = p.prompt.replace(/\s+/g, ' ').replace(/ --/g, ' -');
    if (p.negative) line += ` --n ${p.negative.replace(/\s+/g, ' ')}`;
    if (p.width !== undefined) line += ` --w ${p.width}`;
    if (p.height !== undefined) line += ` --h ${p.height}`;
    if (p.steps !== undefined) line += ` --s ${p.steps}`;
    if (p.scale !== undefined) line += ` --l ${p.scale}`;
    if (p.seed !== undefined) line += ` --d ${p.seed}`;
    if (p.sampler !== undefined) line += ` --ss ${p.sampler}`;
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}
