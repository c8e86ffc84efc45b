/** The emoji styles we can render: which npm package holds each, the word its captions use, its licence. */

export type StyleId = 'noto' | 'fluent' | 'twemoji' | 'openmoji';

export interface StyleInfo {
  id: StyleId;
  /** The @iconify-json package that holds the SVGs and chars.json. */
  pkg: string;
  /** Appended to captions: "red apple, noto style". */
  captionSuffix: string;
  licence: string;
  /** Whether weights trained on it may ship with only a notice (the base corpus uses only these). */
  shippable: boolean;
}

export const STYLES: Record<StyleId, StyleInfo> = {
  noto: { id: 'noto', pkg: '@iconify-json/noto', captionSuffix: 'noto style', licence: 'Apache-2.0', shippable: true },
  fluent: {
    id: 'fluent',
    pkg: '@iconify-json/fluent-emoji-flat',
    captionSuffix: 'fluent style',
    licence: 'MIT',
    shippable: true,
  },
  twemoji: {
    id: 'twemoji',
    pkg: '@iconify-json/twemoji',
    captionSuffix: 'twemoji style',
    licence: 'CC-BY-4.0',
    shippable: false,
  },
  openmoji: {
    id: 'openmoji',
    pkg: '@iconify-json/openmoji',
    captionSuffix: 'openmoji style',
    licence: 'CC-BY-SA-4.0',
    shippable: false,
  },
};

/** The styles of the base model's corpus. Twemoji and OpenMoji stay out: they are what style LoRAs learn. */
export const BASE_STYLES: readonly StyleId[] = ['noto', 'fluent'];

/** Every style, in a fixed order (the order of a style classifier's classes). */
export const ALL_STYLES: readonly StyleId[] = ['noto', 'fluent', 'twemoji', 'openmoji'];

/** Narrows a user-given string to a style id, or throws naming the valid ones. */
export function parseStyle(name: string): StyleId {
  if (name in STYLES) return name as StyleId;
  throw new Error(`unknown emoji style "${name}" (known: ${ALL_STYLES.join(', ')})`);
}
