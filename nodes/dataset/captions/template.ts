/** Caption templates: `{trigger}, {caption}` or ai-toolkit's `[trigger]`, with tidy punctuation when parts are empty. */
import { containsTrigger, fillTriggerTokens } from './trigger';
import type { CaptionStyle } from './style';

/** The template used when none is given: tags put the trigger first as a tag, the other styles as a word. */
export function defaultTemplate(style: CaptionStyle): string {
  return style === 'as-is' || style === 'sd15' ? '{trigger}, {caption}' : '{trigger} {caption}';
}

/** Builds a caption from the template; a body that already holds the trigger word is not given it twice. */
export function applyTemplate(template: string, trigger: string, body: string): string {
  const filledBody = fillTriggerTokens(body, trigger).trim();
  if (trigger && containsTrigger(filledBody, trigger)) return filledBody;
  const text = template.replace(/\{caption\}/gi, () => filledBody);
  return tidy(fillTriggerTokens(text, trigger));
}

/** Removes separators left dangling by empty parts ("xyz, " -> "xyz") and doubled spaces. */
export function tidy(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s+([,.;])/g, '$1')
    .replace(/([,;])\s*(?=[,;])/g, '')
    .replace(/^[\s,;]+|[\s,;]+$/g, '')
    .trim();
}
