/** Trigger-word checks from the guide: use a unique word, keep it in every caption. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let words: Set<string> | undefined;

/** The small list of common English words shipped in advice/common-words.txt. */
export function commonWords(): Set<string> {
  words ??= new Set(
    readFileSync(join(__dirname, '..', 'advice', 'common-words.txt'), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join(' ')
      .split(/\s+/)
      .filter(Boolean),
  );
  return words;
}

function isCommon(word: string): boolean {
  const w = word.toLowerCase();
  const dict = commonWords();
  return dict.has(w) || (w.endsWith('s') && dict.has(w.slice(0, -1))) || (w.endsWith('es') && dict.has(w.slice(0, -2)));
}

/** Why a trigger word is too generic (every part of it is a plain English word), or undefined when it is distinctive. */
export function genericTriggerReason(trigger: string): string | undefined {
  const parts = trigger
    .trim()
    .split(/[\s_\-]+/)
    .filter(Boolean);
  if (parts.length === 0 || !parts.every(isCommon)) return undefined;
  const what = parts.length === 1 ? 'a plain English word' : 'made only of plain English words';
  return `the trigger word "${trigger}" is ${what}: it collides with what the base model already knows; use something distinctive like "xyz_${parts[0]?.toLowerCase()}"`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `caption` contains `trigger` as a whole word (case-insensitive). */
export function containsTrigger(caption: string, trigger: string): boolean {
  if (!trigger) return false;
  return new RegExp(`(^|[^\\p{L}\\p{N}_])${escapeRegExp(trigger)}($|[^\\p{L}\\p{N}_])`, 'iu').test(caption);
}

/** Replaces ai-toolkit's `[trigger]` and our `{trigger}` placeholders with the trigger word. */
export function fillTriggerTokens(text: string, trigger: string): string {
  return text.replace(/\[trigger\]|\{trigger\}/gi, trigger);
}
