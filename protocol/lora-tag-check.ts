/**
 * The `<lora:name:strength>` tags of a prompt as both samplers read them (nodes/lora/lora-sampling.ts for the
 * built-in model, ml/sd/prompt.ts for SD): a tag they cannot read stayed in the prompt as words and its LoRA did
 * nothing, without a word (QA S6-F16). Validation names such a tag and what is wrong, before anything runs.
 */

/** A strength both parsers read: an optional sign, digits, an optional fraction; no exponent, no comma. */
const STRENGTH = /^[-+]?([0-9]*\.)?[0-9]+$/;
/** ComfyUI's LoraLoader takes strengths in -100..100; past that it is a typo, not a choice. */
export const MAX_TAG_STRENGTH = 100;

/** What is wrong with the first unreadable `<lora:…>` tag of `prompt`, or null when every tag reads. */
export function loraTagProblem(prompt: string): string | null {
  const opened = /<lora:/gi;
  for (let m = opened.exec(prompt); m; m = opened.exec(prompt)) {
    const close = prompt.indexOf('>', m.index);
    const next = prompt.slice(m.index + 1).search(/<lora:/i);
    if (close < 0 || (next >= 0 && m.index + 1 + next < close))
      return `the tag "${prompt.slice(m.index, m.index + 40)}" has no closing ">"`;
    const tag = prompt.slice(m.index, close + 1);
    const [name = '', strength, ...extra] = tag.slice('<lora:'.length, -1).split(':');
    if (!name.trim()) return `the tag "${tag}" names no LoRA: write <lora:name:0.8>`;
    if (extra.length > 0) return `the tag "${tag}" has more than one strength: write <lora:${name.trim()}:0.8>`;
    if (strength === undefined) continue;
    const s = strength.trim();
    if (!STRENGTH.test(s)) {
      const hint = /^[-+]?[0-9]*,[0-9]+$/.test(s) ? `: write ${s.replace(',', '.')}` : ': write a number such as 0.8';
      return `the tag "${tag}" has the strength "${s}", which is not a number${hint}`;
    }
    if (Math.abs(Number(s)) > MAX_TAG_STRENGTH)
      return `the tag "${tag}" has the strength ${s}, outside -${MAX_TAG_STRENGTH}..${MAX_TAG_STRENGTH}`;
  }
  return null;
}
