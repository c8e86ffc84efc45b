/** Turns iconify emoji names into captions ("eight-oclock" -> "eight o'clock"). */
import { STYLES, type StyleId } from './styles';

/** Hyphenated words that are one word in English: keep their hyphen. */
const HYPHENATED = ['t-shirt', 'x-ray', 'e-mail'];
/** Whole words whose apostrophe the icon names dropped. */
const WORD_FIXES: Record<string, string> = { oclock: "o'clock", womans: "woman's", mans: "man's", mens: "men's" };

/** The concept part of a caption: the icon name with hyphens as spaces, apostrophes and compounds restored. */
export function conceptText(iconName: string): string {
  let name = iconName.toLowerCase();
  const kept: string[] = [];
  HYPHENATED.forEach((word, i) => {
    const re = new RegExp(`(^|-)${word}(?=-|$)`, 'g');
    name = name.replace(re, (_m, lead: string) => `${lead}\u0000${i}\u0000`);
    kept.push(word);
  });
  const words = name.split('-').map((w) => WORD_FIXES[w] ?? w);
  return words
    .join(' ')
    .replace(/\u0000(\d+)\u0000/g, (_m, i: string) => kept[Number(i)] ?? '')
    .trim();
}

/** The full training caption: "red apple, noto style". */
export function styledCaption(concept: string, style: StyleId): string {
  return `${concept}, ${STYLES[style].captionSuffix}`;
}

/** The words of a caption, for the held-out choice (commas and apostrophes kept inside words). */
export function captionWords(text: string): string[] {
  return text.split(/[\s,]+/).filter((w) => w.length > 0);
}
