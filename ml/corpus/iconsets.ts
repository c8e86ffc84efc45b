/** Reads the @iconify-json packages: their icons (SVG bodies) and chars.json (codepoint -> icon name). */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { STYLES, type StyleId } from './styles';

const requireFromHere = createRequire(__filename);

interface IconData {
  body: string;
  width?: number;
  height?: number;
  left?: number;
  top?: number;
}

interface IconSetJson {
  prefix: string;
  icons: Record<string, IconData>;
  aliases?: Record<string, Partial<IconData> & { parent: string }>;
  width?: number;
  height?: number;
}

export interface IconSet {
  style: StyleId;
  version: string;
  /** Normalised codepoint key (see `codepointKey`) -> icon name. */
  byCodepoint: Map<string, string>;
  /** A standalone SVG document for the icon, `pixels` wide and high. */
  svg(iconName: string, pixels: number): string;
}

const SKIN_TONE = /(^|-)1f3f[b-f](-|$)/;

/** The join key of an emoji: its codepoints without variation selectors (fe0f), lower case. */
export function codepointKey(raw: string): string {
  return raw
    .toLowerCase()
    .split('-')
    .filter((p) => p !== 'fe0f')
    .join('-');
}

/** Whether a codepoint sequence is a skin-tone variant (left out: the base concept is enough at 32 px). */
export function isSkinToneVariant(key: string): boolean {
  return SKIN_TONE.test(key);
}

const loaded = new Map<StyleId, IconSet>();

/** Loads (once per process) the icon set of a style. */
export function loadIconSet(style: StyleId): IconSet {
  const cached = loaded.get(style);
  if (cached) return cached;
  const pkgDir = path.dirname(requireFromHere.resolve(`${STYLES[style].pkg}/package.json`));
  const json = JSON.parse(fs.readFileSync(path.join(pkgDir, 'icons.json'), 'utf8')) as IconSetJson;
  const chars = JSON.parse(fs.readFileSync(path.join(pkgDir, 'chars.json'), 'utf8')) as Record<string, string>;
  const version = (JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string })
    .version;
  const byCodepoint = new Map<string, string>();
  for (const [raw, name] of Object.entries(chars)) {
    const key = codepointKey(raw);
    if (!isSkinToneVariant(key) && !byCodepoint.has(key)) byCodepoint.set(key, name);
  }
  const resolve = (name: string, depth = 0): IconData => {
    const icon = json.icons[name];
    if (icon) return icon;
    const alias = json.aliases?.[name];
    if (!alias || depth > 8) throw new Error(`${STYLES[style].pkg}: no icon named "${name}"`);
    return { ...resolve(alias.parent, depth + 1), ...(alias.width ? { width: alias.width } : {}) };
  };
  const set: IconSet = {
    style,
    version,
    byCodepoint,
    svg(name, pixels) {
      const icon = resolve(name);
      const w = icon.width ?? json.width ?? 16;
      const h = icon.height ?? json.height ?? 16;
      const box = `${icon.left ?? 0} ${icon.top ?? 0} ${w} ${h}`;
      return (
        `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
        `width="${pixels}" height="${pixels}" viewBox="${box}">${icon.body}</svg>`
      );
    },
  };
  loaded.set(style, set);
  return set;
}
