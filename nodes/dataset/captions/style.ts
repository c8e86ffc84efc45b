/**
 * Caption styles per model family, from the guide's "Quick Caption Guide by Model":
 * SD 1.5 tags ("digital art, landscape, mountains"), SDXL mixed ("digital painting of mountains, vibrant colors"),
 * FLUX natural sentences; the built-in model reads short natural phrases.
 */
export const CAPTION_STYLES = ['as-is', 'sd15', 'sdxl', 'flux', 'builtin'] as const;
export type CaptionStyle = (typeof CAPTION_STYLES)[number];

/** The built-in model's text encoder sees short captions: longer ones are cut to this many words. */
export const BUILTIN_MAX_WORDS = 16;

const LEADING_ARTICLE = /^(a|an|the)\s+/i;

/** Splits a caption (tags or sentences) into short descriptive phrases. */
export function phrases(caption: string): string[] {
  const parts = caption
    .split(/[,;\n]|\.(?:\s|$)|\s+(?:with|and|featuring)\s+/i)
    .map((p) => p.trim().replace(/\.$/, '').replace(LEADING_ARTICLE, '').trim())
    .filter(Boolean);
  return [...new Set(parts)];
}

function joinAnd(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function article(phrase: string): string {
  if (/^(\d|a |an |the |some |many |two |three )/i.test(phrase) || /s$/i.test(phrase.split(' ')[0] ?? ''))
    return phrase;
  return `${/^[aeiou]/i.test(phrase) ? 'an' : 'a'} ${phrase}`;
}

/** Rewrites a caption body in a model family's style ('as-is' leaves it untouched). */
export function formatCaption(caption: string, style: CaptionStyle): string {
  if (style === 'as-is' || caption.trim() === '') return caption.trim();
  const ps = phrases(caption);
  const [first = '', ...rest] = ps;
  switch (style) {
    case 'sd15':
      return ps.map((p) => p.toLowerCase()).join(', ');
    case 'sdxl':
      return [first, ...rest.map((p) => p.toLowerCase())].join(', ');
    case 'flux': {
      const sentence = `${article(first)}${rest.length ? `, with ${joinAnd(rest.map((p) => p.toLowerCase()))}` : ''}`;
      return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`;
    }
    case 'builtin': {
      const text = `${first.toLowerCase()}${rest.length ? ` with ${joinAnd(rest.map((p) => p.toLowerCase()))}` : ''}`;
      return text.split(/\s+/).slice(0, BUILTIN_MAX_WORDS).join(' ');
    }
  }
}
