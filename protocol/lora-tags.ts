/**
 * The one reader of A1111's `<lora:name:strength>` prompt tags (QA S6-F16): validation (protocol/validate.ts), the
 * path check of the names (server/engine/path-params.ts) and both samplers (nodes/lora/sample-loras.ts, which the
 * built-in model's Sample and SD's Sample share) read a prompt through it, so a tag cannot mean one thing to one of
 * them and another (or nothing: words in the prompt) to the other. ml/ reads no tags: the node takes them out of
 * the prompt before the text reaches ml/sd's tokenizer (and ml/ may not import protocol/, eslint.config.mjs).
 *
 * As A1111 (extra_networks.py) and ComfyUI's prompt-tag loaders read them: `<lora:` in any case, the name up to the
 * first `:` (trimmed; so a name cannot hold `:`), then the strength, which Python's float() reads (spaces around it,
 * `0.7`, `-1`, `.5`, `1e-1`); none means 1. Where A1111 fails on float() (`0,8`, `abc`), the tag is an error naming
 * it; so is a second number (A1111's separate text-encoder / UNet strengths, which loraflow does not apply), a
 * strength past ComfyUI's -100..100, a tag with no name, and one with no closing `>`.
 */

/** A tag read from a prompt: the LoRA's name, its strength, and the tag's own text. */
export interface LoraTag {
  name: string;
  strength: number;
  tag: string;
}

/** A prompt's tags; `text` is the prompt without them; `problem` says what is wrong with the first bad tag. */
export interface ParsedLoraTags {
  text: string;
  tags: LoraTag[];
  /** Null when every tag reads; otherwise the first bad tag stays in `text`, and this names it and the fix. */
  problem: string | null;
}

/** Python float()'s finite numbers: a sign, digits with an optional point, an optional exponent. */
const STRENGTH = /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/;
/** ComfyUI's LoraLoader takes strengths in -100..100; past that it is a typo, not a choice. */
export const MAX_TAG_STRENGTH = 100;

/** One closed tag, `<lora:…>` included: what it asks for, or what is wrong with it. */
function readTag(tag: string): LoraTag | string {
  const [rawName = '', strength, ...extra] = tag.slice('<lora:'.length, -1).split(':');
  const name = rawName.trim();
  if (!name) return `the tag "${tag}" names no LoRA: write <lora:name:0.8>`;
  if (extra.length > 0)
    return `the tag "${tag}" has more than one strength (a LoRA name cannot hold ":"): write <lora:${name}:0.8>`;
  if (strength === undefined) return { name, strength: 1, tag };
  const s = strength.trim();
  if (!STRENGTH.test(s)) {
    const hint = /^[-+]?[0-9]*,[0-9]+$/.test(s) ? `: write ${s.replace(',', '.')}` : ': write a number such as 0.8';
    return `the tag "${tag}" has the strength "${s}", which is not a number${hint}`;
  }
  const value = Number(s);
  if (!(Math.abs(value) <= MAX_TAG_STRENGTH))
    return `the tag "${tag}" has the strength ${s}, outside -${MAX_TAG_STRENGTH}..${MAX_TAG_STRENGTH}`;
  return { name, strength: value, tag };
}

/** The prompt's words without the tags: spaces collapsed, no space before a comma, no comma or space at the ends. */
const tidy = (text: string): string =>
  text
    .replace(/\s+/g, ' ')
    .replace(/\s+,/g, ',')
    .replace(/^[\s,]+|[\s,]+$/g, '');

/** Reads every `<lora:…>` tag of `prompt`; each good tag is taken out of the text (a space in its place). */
export function parseLoraTags(prompt: string): ParsedLoraTags {
  const tags: LoraTag[] = [];
  let problem: string | null = null;
  let text = '';
  let at = 0;
  const opened = /<lora:/gi;
  for (let m = opened.exec(prompt); m; m = opened.exec(prompt)) {
    const close = prompt.indexOf('>', m.index);
    const next = prompt.slice(m.index + 1).search(/<lora:/i);
    if (close < 0 || (next >= 0 && m.index + 1 + next < close)) {
      problem ??= `the tag "${prompt.slice(m.index, m.index + 40)}" has no closing ">"`;
      continue;
    }
    const read = readTag(prompt.slice(m.index, close + 1));
    opened.lastIndex = close + 1;
    if (typeof read === 'string') {
      problem ??= read;
      continue;
    }
    tags.push(read);
    text += `${prompt.slice(at, m.index)} `;
    at = close + 1;
  }
  return { text: tidy(text + prompt.slice(at)), tags, problem };
}

/** What is wrong with the first unreadable `<lora:…>` tag of `prompt`, or null when every tag reads (validation). */
export const loraTagProblem = (prompt: string): string | null => parseLoraTags(prompt).problem;
